// An offline JSON-LD document loader: Mafunzo's bundled contexts plus the DID documents and other
// documents given (say, status list credentials, each served at its own id), and nothing else.
// Any other URL is an error, so a verification never touches the network.
import {readFile} from 'node:fs/promises';

const contextsDir = new URL('../../lms/credentials/contexts/', import.meta.url);

async function readJson(url) {
  return JSON.parse(await readFile(url, 'utf8'));
}

export async function offlineLoader({didDocuments = [], documents = []} = {}) {
  const index = await readJson(new URL('index.json', contextsDir));
  const served = new Map();
  for(const [url, file] of Object.entries(index)) {
    served.set(url, await readJson(new URL(file, contextsDir)));
  }
  for(const didDocument of didDocuments) {
    served.set(didDocument.id, didDocument);
    // A verification method URL dereferences to the method, in its document's context.
    for(const method of didDocument.verificationMethod ?? []) {
      served.set(method.id, {'@context': didDocument['@context'], ...method});
    }
  }
  for(const document of documents) {
    served.set(document.id, document);
  }
  return async url => {
    if(!served.has(url)) {
      throw new Error(`offline loader refuses ${url}`);
    }
    return {contextUrl: null, documentUrl: url, document: structuredClone(served.get(url))};
  };
}

export async function readJsonFile(path) {
  return JSON.parse(await readFile(path, 'utf8'));
}
