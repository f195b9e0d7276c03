"""The issuer signs with its current key; after rotation, new credentials use the new key and
old ones, in either proof format, still verify against the published keys."""

from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.jwt import decode_and_verify_jwt
from lms.credentials.keys import UnknownKeyError
from lms.credentials.multikey import did_key_verification_method
from lms.credentials.open_badges import build_open_badge_credential
from lms.credentials.signing import credential_jwt, sign_credential
from tests.credentials.test_issuer import FIRST_RUN, issuer  # noqa: F401 - fixture
from tests.credentials.test_open_badges import SALT, sample_content

SIGNED_AT = FIRST_RUN + timedelta(minutes=5)
LATER = FIRST_RUN + timedelta(days=400)


def unsigned(issuer):
    return build_open_badge_credential(sample_content(), issuer.profile(), SALT)


def jwt_header(token: str) -> dict:
    part = token.split(".")[0]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_the_proof_names_the_current_key_as_a_method_of_the_issuers_did(issuer):
    signed = sign_credential(unsigned(issuer), issuer, SIGNED_AT)

    proof = signed["proof"]
    assert proof["verificationMethod"] == f"did:web:mafunzo.example#{issuer.keys.current().key_id}"
    assert proof["created"] == "2026-03-01T12:05:00Z"
    assert verify_proof(signed, issuer.public_key_for).verified


def test_after_rotation_new_credentials_use_the_new_key_and_old_ones_still_verify(issuer):
    before = sign_credential(unsigned(issuer), issuer, SIGNED_AT)
    issuer.keys.rotate(SIGNED_AT + timedelta(days=90))

    after = sign_credential(unsigned(issuer), issuer, SIGNED_AT + timedelta(days=91))

    new_method = issuer.verification_method_id(issuer.keys.current())
    assert after["proof"]["verificationMethod"] == new_method
    assert before["proof"]["verificationMethod"] != new_method
    assert verify_proof(before, issuer.public_key_for).verified
    assert verify_proof(after, issuer.public_key_for).verified


def test_the_jwt_is_the_credential_without_its_proof_signed_by_the_same_key(issuer):
    signed = sign_credential(unsigned(issuer), issuer, SIGNED_AT)

    token = credential_jwt(signed, issuer)

    assert jwt_header(token)["kid"] == signed["proof"]["verificationMethod"]
    credential = decode_and_verify_jwt(token, issuer.public_key_for, now=LATER)
    assert credential == {name: value for name, value in signed.items() if name != "proof"}


def test_an_old_credentials_jwt_keeps_the_key_that_signed_it_after_rotation(issuer):
    signed = sign_credential(unsigned(issuer), issuer, SIGNED_AT)
    issuer.keys.rotate(SIGNED_AT + timedelta(days=90))

    token = credential_jwt(signed, issuer)

    assert jwt_header(token)["kid"] == signed["proof"]["verificationMethod"]
    assert decode_and_verify_jwt(token, issuer.public_key_for, now=LATER)["id"] == signed["id"]


def test_no_jwt_is_made_for_a_credential_signed_by_someone_else(issuer):
    stranger = Ed25519PrivateKey.generate()
    method = did_key_verification_method(stranger.public_key())
    signed = add_proof(unsigned(issuer), stranger, method, SIGNED_AT)

    with pytest.raises(UnknownKeyError):
        credential_jwt(signed, issuer)


def test_an_unsigned_credential_has_no_key_to_make_a_jwt_with(issuer):
    with pytest.raises(UnknownKeyError):
        credential_jwt(unsigned(issuer), issuer)
