"""Digital Bazaar's independent stack verifies what we sign, and we verify what it signs."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.multikey import (
    did_key,
    did_key_verification_method,
    encode_public_key,
    resolve_did_key,
)
from tests.credentials.samples import issuer_key, open_badge_credential

SIGNED_AT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)
DID_WEB = "did:web:mafunzo.example"


def did_document(did: str, method_id: str, public_key: Ed25519PublicKey) -> dict:
    """A controller document listing one Multikey for assertions, as a DID resolver returns."""
    return {
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [
            {
                "id": method_id,
                "type": "Multikey",
                "controller": did,
                "publicKeyMultibase": encode_public_key(public_key),
            }
        ],
        "assertionMethod": [method_id],
    }


def issuer_identity(kind: str) -> tuple[str, str]:
    """(DID, verification method) for the test key, as a did:key or as our did:web."""
    public_key = issuer_key().public_key()
    if kind == "did:key":
        return did_key(public_key), did_key_verification_method(public_key)
    return DID_WEB, f"{DID_WEB}#key-1"


@pytest.fixture(params=["did:key", "did:web"])
def issued(request):
    """An Open Badge we signed, and the issuer's DID document."""
    did, method = issuer_identity(request.param)
    credential = open_badge_credential(did)
    signed = add_proof(credential, issuer_key(), method, SIGNED_AT)
    return signed, did_document(did, method, issuer_key().public_key())


def test_digital_bazaar_verifies_an_open_badge_we_signed(node_tools, issued):
    signed, document = issued

    assert node_tools.verify(signed, [document]) == {"verified": True, "error": None}


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="None."),
        lambda c: c["proof"].update(created="2026-03-01T12:00:06Z"),
    ],
)
def test_digital_bazaar_rejects_it_once_tampered(node_tools, issued, tamper):
    signed, document = issued
    tamper(signed)

    result = node_tools.verify(signed, [document])

    assert result["verified"] is False
    assert result["error"]


def test_digital_bazaar_rejects_it_without_the_issuers_did_document(node_tools, issued):
    signed, _document = issued

    assert node_tools.verify(signed, [])["verified"] is False


@pytest.fixture(scope="module")
def signed_by_node_tools(node_tools):
    return node_tools.sign(open_badge_credential("did:key:replaced-by-the-signer"))


def test_we_verify_an_open_badge_digital_bazaar_signed(signed_by_node_tools):
    issuer = signed_by_node_tools["issuer"]["id"]

    check = verify_proof(signed_by_node_tools, resolve_did_key)

    assert check.verified, check.error
    assert check.verification_method == f"{issuer}#{issuer.removeprefix('did:key:')}"
    assert signed_by_node_tools["proof"]["cryptosuite"] == "eddsa-rdfc-2022"


def test_we_reject_it_once_tampered(signed_by_node_tools):
    tampered = {**signed_by_node_tools, "validFrom": "2026-01-01T00:00:00Z"}

    assert not verify_proof(tampered, resolve_did_key).verified
