"""panva's jose, an independent JOSE library, verifies our vc+jwt, and we verify its tokens."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.jwt import decode_and_verify_jwt, encode_jwt
from lms.credentials.multikey import did_key, did_key_verification_method, resolve_did_key
from tests.credentials.samples import issuer_key, open_badge_credential

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def public_jwk(private_key: Ed25519PrivateKey) -> dict[str, str]:
    """RFC 8037 OKP key: the form jose imports."""
    return {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(private_key.public_key().public_bytes_raw()),
    }


def private_jwk(private_key: Ed25519PrivateKey) -> dict[str, str]:
    return {**public_jwk(private_key), "d": b64url(private_key.private_bytes_raw())}


@pytest.fixture
def open_badge():
    return open_badge_credential(did_key(issuer_key().public_key()))


@pytest.fixture
def kid():
    return did_key_verification_method(issuer_key().public_key())


def test_jose_verifies_our_token_and_reads_the_credential(node_tools, open_badge, kid):
    token = encode_jwt(open_badge, issuer_key(), kid)

    result = node_tools.verify_jwt(token, public_jwk(issuer_key()))

    assert result["verified"], result["error"]
    assert result["header"] == {"alg": "EdDSA", "kid": kid, "typ": "vc+jwt"}
    assert {k: v for k, v in result["payload"].items() if k in open_badge} == open_badge
    assert result["payload"]["iss"] == open_badge["issuer"]["id"]


def test_jose_rejects_our_token_once_the_payload_is_altered(node_tools, open_badge, kid):
    header, payload, signature = encode_jwt(open_badge, issuer_key(), kid).split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    claims["name"] = "Wikidata mastery"
    altered = b64url(json.dumps(claims).encode())

    result = node_tools.verify_jwt(f"{header}.{altered}.{signature}", public_jwk(issuer_key()))

    assert result["verified"] is False


def test_we_verify_a_token_jose_signed(node_tools, open_badge, kid):
    payload = {
        **open_badge,
        "iss": open_badge["issuer"]["id"],
        "jti": open_badge["id"],
        "sub": open_badge["credentialSubject"]["id"],
        "nbf": int(datetime.fromisoformat(open_badge["validFrom"]).timestamp()),
    }
    token = node_tools.sign_jwt(payload, private_jwk(issuer_key()), kid)

    assert decode_and_verify_jwt(token, resolve_did_key, now=NOW) == open_badge
