// Time Digital Bazaar's verifier over many credentials in one process, offline:
//   node verify-bench.mjs CREDENTIALS.json ROUNDS DID-DOCUMENT.json...
// CREDENTIALS.json holds an array of signed credentials. Each is verified once as a warm-up
// (and must verify), then all of them ROUNDS times in turn; only that loop is timed, so
// start-up, module loading and the first context processing are left out.
// Status lists are not fetched (offline): a credentialStatus entry is taken as "not revoked".
// Prints {"credentials": n, "verifications": n, "seconds": s, "perSecond": r, "cpuSeconds": c}
// (c: user + system CPU time of the loop); exits 1 if a credential does not verify, 2 on bad
// usage.
import {DataIntegrityProof} from '@digitalbazaar/data-integrity';
import {cryptosuite as eddsaRdfc2022} from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import {offlineLoader, readJsonFile} from './loader.mjs';

const [credentialsPath, roundsArgument, ...didDocumentPaths] = process.argv.slice(2);
const rounds = Number(roundsArgument);
if(!credentialsPath || !Number.isInteger(rounds) || rounds < 1) {
  console.error('usage: node verify-bench.mjs CREDENTIALS.json ROUNDS DID-DOCUMENT.json...');
  process.exit(2);
}

const credentials = await readJsonFile(credentialsPath);
const didDocuments = await Promise.all(didDocumentPaths.map(readJsonFile));
const documentLoader = await offlineLoader({didDocuments});
const suite = new DataIntegrityProof({cryptosuite: eddsaRdfc2022});
const checkStatus = async () => ({verified: true});

async function verify(credential) {
  const result = await vc.verifyCredential({credential, suite, documentLoader, checkStatus});
  if(!result.verified) {
    console.error(`not verified: ${credential.id}: ${result.error?.message ?? 'no reason'}`);
    process.exit(1);
  }
}

for(const credential of credentials) {
  await verify(credential);
}

const started = process.hrtime.bigint();
const cpuAtStart = process.cpuUsage();
for(let round = 0; round < rounds; round++) {
  for(const credential of credentials) {
    await verify(credential);
  }
}
const seconds = Number(process.hrtime.bigint() - started) / 1e9;
const cpu = process.cpuUsage(cpuAtStart);
const verifications = rounds * credentials.length;
console.log(JSON.stringify({
  credentials: credentials.length,
  verifications,
  seconds,
  perSecond: verifications / seconds,
  cpuSeconds: (cpu.user + cpu.system) / 1e6
}));
