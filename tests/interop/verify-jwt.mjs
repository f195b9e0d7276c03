// Verify a vc+jwt with panva's `jose`, an independent JOSE implementation:
//   node verify-jwt.mjs TOKEN-FILE PUBLIC-JWK.json
// Prints {"verified": bool, "error": string|null, "header": {...}|null, "payload": {...}|null}.
import {readFile} from 'node:fs/promises';
import {importJWK, jwtVerify} from 'jose';

const [tokenPath, jwkPath] = process.argv.slice(2);
if(!tokenPath || !jwkPath) {
  console.error('usage: node verify-jwt.mjs TOKEN-FILE PUBLIC-JWK.json');
  process.exit(2);
}

const token = (await readFile(tokenPath, 'utf8')).trim();
const key = await importJWK(JSON.parse(await readFile(jwkPath, 'utf8')), 'EdDSA');
try {
  const {payload, protectedHeader} = await jwtVerify(token, key, {
    algorithms: ['EdDSA'],
    typ: 'vc+jwt'
  });
  console.log(JSON.stringify({verified: true, error: null, header: protectedHeader, payload}));
} catch(error) {
  console.log(JSON.stringify({verified: false, error: error.message, header: null, payload: null}));
}
