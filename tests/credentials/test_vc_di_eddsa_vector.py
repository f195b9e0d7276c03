"""Our eddsa-rdfc-2022 reproduces the W3C vc-di-eddsa test vector byte for byte.

Every expected value is copied from W3C Recommendation "Data Integrity EdDSA Cryptosuites v1.0",
Appendix B.1 "Representation: eddsa-rdfc-2022" (Examples 7 to 17).
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest

from lms.credentials.data_integrity import (
    add_proof,
    hash_data,
    proof_configuration,
    transform,
    verify_proof,
)
from lms.credentials.linked_data import loader_with
from lms.credentials.multikey import (
    decode_private_key,
    encode_public_key,
    from_multibase,
    resolve_did_key,
)

EXAMPLES_CONTEXT = "https://www.w3.org/ns/credentials/examples/v2"

# Example 7: the key pair.
PUBLIC_KEY_MULTIBASE = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
SECRET_KEY_MULTIBASE = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq"
VERIFICATION_METHOD = f"did:key:{PUBLIC_KEY_MULTIBASE}#{PUBLIC_KEY_MULTIBASE}"

# Example 8: the credential without proof.
UNSECURED_CREDENTIAL = {
    "@context": ["https://www.w3.org/ns/credentials/v2", EXAMPLES_CONTEXT],
    "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
    "type": ["VerifiableCredential", "AlumniCredential"],
    "name": "Alumni Credential",
    "description": "A minimum viable example of an Alumni Credential.",
    "issuer": "https://vc.example/issuers/5678",
    "validFrom": "2023-01-01T00:00:00Z",
    "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
}

# Example 9: canonical credential without proof (the spec shows it without the final newline
# that every N-Quads statement ends with; Example 10's hash includes it).
CANONICAL_CREDENTIAL = (
    "<did:example:abcdefgh> <https://www.w3.org/ns/credentials/examples#alumniOf> "
    '"The School of Examples" .\n'
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://www.w3.org/2018/credentials#VerifiableCredential> .\n"
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> "
    "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://www.w3.org/ns/credentials/examples#AlumniCredential> .\n"
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/description> "
    '"A minimum viable example of an Alumni Credential." .\n'
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> <https://schema.org/name> "
    '"Alumni Credential" .\n'
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> "
    "<https://www.w3.org/2018/credentials#credentialSubject> <did:example:abcdefgh> .\n"
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> "
    "<https://www.w3.org/2018/credentials#issuer> <https://vc.example/issuers/5678> .\n"
    "<urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33> "
    "<https://www.w3.org/2018/credentials#validFrom> "
    '"2023-01-01T00:00:00Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
)
# Example 10.
CREDENTIAL_HASH = "517744132ae165a5349155bef0bb0cf2258fff99dfe1dbd914b938d775a36017"

# Example 11: proof options (the proof configuration adds the credential's @context).
CREATED = datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC)
PROOF_OPTIONS = {
    "type": "DataIntegrityProof",
    "cryptosuite": "eddsa-rdfc-2022",
    "created": "2023-02-24T23:36:38Z",
    "verificationMethod": VERIFICATION_METHOD,
    "proofPurpose": "assertionMethod",
}

# Example 12: canonical proof options document.
CANONICAL_PROOF_CONFIG = (
    "_:c14n0 <http://purl.org/dc/terms/created> "
    '"2023-02-24T23:36:38Z"^^<http://www.w3.org/2001/XMLSchema#dateTime> .\n'
    "_:c14n0 <http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
    "<https://w3id.org/security#DataIntegrityProof> .\n"
    "_:c14n0 <https://w3id.org/security#cryptosuite> "
    '"eddsa-rdfc-2022"^^<https://w3id.org/security#cryptosuiteString> .\n'
    "_:c14n0 <https://w3id.org/security#proofPurpose> "
    "<https://w3id.org/security#assertionMethod> .\n"
    f"_:c14n0 <https://w3id.org/security#verificationMethod> <{VERIFICATION_METHOD}> .\n"
)
# Example 13.
PROOF_CONFIG_HASH = "bea7b7acfbad0126b135104024a5f1733e705108f42d59668b05c0c50004c6b0"
# Example 14: proof configuration hash followed by credential hash.
COMBINED_HASH = PROOF_CONFIG_HASH + CREDENTIAL_HASH
# Example 15.
SIGNATURE_HEX = (
    "4d8e53c2d5b3f2a7891753eb16ca993325bdb0d3cfc5be1093d0a18426f5ef85"
    "78cadc0fd4b5f4dd0d1ce0aefd15ab120b7a894d0eb094ffda4e6553cd1ed50d"
)
# Example 16 (and the proofValue of Example 17).
PROOF_VALUE = (
    "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme"
)


@pytest.fixture(scope="module")
def loader():
    """The strict loader plus the spec's examples context, which only these tests may use."""
    examples = Path(__file__).with_name("contexts") / "examples-v2.jsonld"
    return loader_with({EXAMPLES_CONTEXT: json.loads(examples.read_text(encoding="utf-8"))})


def test_the_secret_key_decodes_to_the_published_public_key():
    assert encode_public_key(decode_private_key(SECRET_KEY_MULTIBASE).public_key()) == (
        PUBLIC_KEY_MULTIBASE
    )


def test_the_canonical_credential_and_its_hash_match(loader):
    canonical = transform(UNSECURED_CREDENTIAL, loader)

    assert canonical == CANONICAL_CREDENTIAL
    assert hashlib.sha256(canonical.encode()).hexdigest() == CREDENTIAL_HASH


def test_the_canonical_proof_configuration_and_its_hash_match(loader):
    canonical = proof_configuration(UNSECURED_CREDENTIAL, PROOF_OPTIONS, loader)

    assert canonical == CANONICAL_PROOF_CONFIG
    assert hashlib.sha256(canonical.encode()).hexdigest() == PROOF_CONFIG_HASH


def test_the_hash_data_is_the_proof_hash_then_the_credential_hash():
    assert hash_data(CANONICAL_PROOF_CONFIG, CANONICAL_CREDENTIAL).hex() == COMBINED_HASH


def test_signing_yields_the_published_signature_and_signed_credential(loader):
    signed = add_proof(
        UNSECURED_CREDENTIAL,
        decode_private_key(SECRET_KEY_MULTIBASE),
        VERIFICATION_METHOD,
        CREATED,
        document_loader=loader,
    )

    assert from_multibase(signed["proof"]["proofValue"]).hex() == SIGNATURE_HEX
    assert signed == {**UNSECURED_CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}


def test_the_published_signed_credential_verifies(loader):
    signed = {**UNSECURED_CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}

    check = verify_proof(signed, resolve_did_key, loader)

    assert check.verified, check.error
    assert check.verification_method == VERIFICATION_METHOD


def test_without_the_examples_context_the_strict_loader_refuses_the_vector():
    signed = {**UNSECURED_CREDENTIAL, "proof": {**PROOF_OPTIONS, "proofValue": PROOF_VALUE}}

    check = verify_proof(signed, resolve_did_key)

    assert not check.verified
    assert "examples/v2" in str(check.error)
