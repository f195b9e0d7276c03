// Verify a credential with Digital Bazaar's stack, offline:
//   node verify.mjs CREDENTIAL.json DOCUMENT.json...
// Each DOCUMENT is a DID document or a status list credential, served at its own id.
// Prints {"verified": bool, "error": string|null} and exits 0 either way (2 on bad usage); for
// a credential with a status, also "status": {purpose: bool}, each bit as Digital Bazaar's
// Bitstring Status List check read it from the signed list (true: revoked, or suspended).
import {checkStatus} from '@digitalbazaar/vc-bitstring-status-list';
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {offlineLoader, readJsonFile} from './loader.mjs';

const [credentialPath, ...documentPaths] = process.argv.slice(2);
if(!credentialPath) {
  console.error('usage: node verify.mjs CREDENTIAL.json DOCUMENT.json...');
  process.exit(2);
}

const credential = await readJsonFile(credentialPath);
const given = await Promise.all(documentPaths.map(readJsonFile));
const isDid = document => String(document.id).startsWith('did:');
const documentLoader = await offlineLoader({
  didDocuments: given.filter(isDid),
  documents: given.filter(document => !isDid(document))
});
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});

const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
const report = {verified: result.verified, error: describe(result)};
if(result.statusResult?.results) {
  report.status = Object.fromEntries(result.statusResult.results.map(
    ({credentialStatus, status}) => [credentialStatus.statusPurpose, status]));
}
console.log(JSON.stringify(report));

function describe(result) {
  if(result.verified) {
    return null;
  }
  const errors = [result.error, result.statusResult?.error,
    ...(result.results ?? []).map(r => r.error)].filter(Boolean);
  return errors.map(e => [e.message, ...(e.errors ?? []).map(inner => inner.message)].join(': '))
    .join('; ') || 'not verified';
}
