// Sign a JWT payload with panva's `jose` as a vc+jwt, the way another issuer would:
//   node sign-jwt.mjs PAYLOAD.json PRIVATE-JWK.json KID
// Prints the compact JWS.
import {readFile} from 'node:fs/promises';
import {CompactSign, importJWK} from 'jose';

const [payloadPath, jwkPath, kid] = process.argv.slice(2);
if(!payloadPath || !jwkPath || !kid) {
  console.error('usage: node sign-jwt.mjs PAYLOAD.json PRIVATE-JWK.json KID');
  process.exit(2);
}

const payload = await readFile(payloadPath);
const key = await importJWK(JSON.parse(await readFile(jwkPath, 'utf8')), 'EdDSA');
const token = await new CompactSign(payload)
  .setProtectedHeader({alg: 'EdDSA', typ: 'vc+jwt', kid})
  .sign(key);
console.log(token);
