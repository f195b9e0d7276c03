// Verify a credential with Digital Bazaar's stack, offline:
//   node verify.mjs CREDENTIAL.json DID-DOCUMENT.json...
// Prints {"verified": bool, "error": string|null} and exits 0 either way (2 on bad usage).
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {offlineLoader, readJsonFile} from './loader.mjs';

const [credentialPath, ...didDocumentPaths] = process.argv.slice(2);
if(!credentialPath) {
  console.error('usage: node verify.mjs CREDENTIAL.json DID-DOCUMENT.json...');
  process.exit(2);
}

const credential = await readJsonFile(credentialPath);
const didDocuments = await Promise.all(didDocumentPaths.map(readJsonFile));
const documentLoader = await offlineLoader({didDocuments});
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

const result = await vc.verifyCredential({credential, suite, documentLoader});
console.log(JSON.stringify({verified: result.verified, error: describe(result)}));

function describe(result) {
  if(result.verified) {
    return null;
  }
  const errors = [result.error, ...(result.results ?? []).map(r => r.error)].filter(Boolean);
  return errors.map(e => [e.message, ...(e.errors ?? []).map(inner => inner.message)].join(': '))
    .join('; ') || 'not verified';
}
