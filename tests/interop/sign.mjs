// Sign a credential with Digital Bazaar's stack under a fresh did:key, offline:
//   node sign.mjs UNSIGNED-CREDENTIAL.json
// The issuer's id becomes the new did:key. Prints the signed credential as JSON.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {offlineLoader, readJsonFile} from './loader.mjs';

const [credentialPath] = process.argv.slice(2);
if(!credentialPath) {
  console.error('usage: node sign.mjs UNSIGNED-CREDENTIAL.json');
  process.exit(2);
}

const key = await Ed25519Multikey.generate();
const did = `did:key:${key.publicKeyMultibase}`;
key.controller = did;
key.id = `${did}#${key.publicKeyMultibase}`;

const credential = await readJsonFile(credentialPath);
if(typeof credential.issuer === 'object') {
  credential.issuer.id = did;
} else {
  credential.issuer = did;
}

const documentLoader = await offlineLoader();
const suite = new DataIntegrityProof({signer: key.signer(), cryptosuite: eddsaRdfc2022});
const signed = await vc.issue({credential, suite, documentLoader});
console.log(JSON.stringify(signed));
