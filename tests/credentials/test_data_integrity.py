"""An Open Badge signed with eddsa-rdfc-2022 verifies, and any change or oddity makes it fail."""

from __future__ import annotations

import copy
from datetime import datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.errors import (
    InvalidDateTimeError,
    InvalidSignatureError,
    MalformedProofError,
    RelativeIriError,
    UndefinedTermError,
    UnknownContextError,
    UnresolvableKeyError,
    UnsupportedProofError,
)
from lms.credentials.multikey import resolve_did_key, to_multibase
from tests.credentials.conftest import SIGNED_AT


@pytest.fixture
def signed(open_badge, private_key, verification_method):
    return add_proof(open_badge, private_key, verification_method, SIGNED_AT)


def test_a_signed_open_badge_verifies(signed, verification_method):
    check = verify_proof(signed, resolve_did_key)

    assert check.verified, check.error
    assert check.verification_method == verification_method


def test_the_proof_carries_the_options_and_leaves_the_credential_untouched(
    open_badge, signed, verification_method
):
    original = copy.deepcopy(open_badge)

    assert {key: value for key, value in signed.items() if key != "proof"} == original
    assert open_badge == original
    assert signed["proof"] == {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2026-03-01T12:00:05Z",
        "verificationMethod": verification_method,
        "proofPurpose": "assertionMethod",
        "proofValue": signed["proof"]["proofValue"],
    }


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c.update(name="Misingi ya Wikidata — Wikidata experts"),
        lambda c: c.update(validFrom="2026-02-01T12:00:00Z"),
        lambda c: c["credentialSubject"].update(id="urn:uuid:00000000-0000-4000-8000-000000000000"),
        lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="Nothing."),
        lambda c: c["issuer"].update(name="Someone else"),
        lambda c: c["proof"].update(created="2026-03-01T12:00:06Z"),
        lambda c: c["proof"].update(proofPurpose="authentication"),
        lambda c: c.update(description="An added, defined member changes the statements."),
    ],
)
def test_tampering_with_the_content_or_the_proof_fails(signed, tamper):
    tamper(signed)

    assert not verify_proof(signed, resolve_did_key).verified


def test_a_changed_statement_is_reported_as_a_bad_signature(signed):
    signed["credentialSubject"]["achievement"]["name"] = "Wikidata mastery"

    assert isinstance(verify_proof(signed, resolve_did_key).error, InvalidSignatureError)


def test_another_key_cannot_stand_in_for_the_issuer(signed):
    stranger = Ed25519PrivateKey.generate().public_key()

    check = verify_proof(signed, lambda _method: stranger)

    assert isinstance(check.error, InvalidSignatureError)


def test_an_unknown_verification_method_fails(signed):
    check = verify_proof(signed, lambda _method: None)

    assert isinstance(check.error, UnresolvableKeyError)


@pytest.mark.parametrize(
    ("change", "error"),
    [
        (lambda c: c["@context"].append("https://example.org/context.jsonld"), UnknownContextError),
        (lambda c: c["credentialSubject"].update(shoeSize=42), UndefinedTermError),
        (lambda c: c["type"].append("UndefinedCredential"), RelativeIriError),
    ],
)
def test_documents_a_strict_verifier_would_reject_cannot_be_signed_or_verified(
    open_badge, private_key, verification_method, signed, change, error
):
    change(open_badge)
    with pytest.raises(error):
        add_proof(open_badge, private_key, verification_method, SIGNED_AT)

    change(signed)
    assert isinstance(verify_proof(signed, resolve_did_key).error, error)


@pytest.mark.parametrize(
    ("proof_change", "error"),
    [
        ({"type": "Ed25519Signature2020"}, UnsupportedProofError),
        ({"cryptosuite": "eddsa-jcs-2022"}, UnsupportedProofError),
        ({"proofPurpose": "authentication"}, UnsupportedProofError),
        ({"verificationMethod": None}, MalformedProofError),
        ({"proofValue": "uAAAA"}, MalformedProofError),
        ({"proofValue": to_multibase(bytes(63))}, MalformedProofError),
        ({"created": "1 March 2026"}, InvalidDateTimeError),
    ],
)
def test_proofs_we_do_not_accept_fail_with_a_named_reason(signed, proof_change, error):
    signed["proof"].update(proof_change)

    assert isinstance(verify_proof(signed, resolve_did_key).error, error)


@pytest.mark.parametrize("proof", [None, "z123", [], [{"type": "DataIntegrityProof"}]])
def test_a_missing_or_multiple_proof_fails(signed, proof):
    signed["proof"] = proof

    assert isinstance(verify_proof(signed, resolve_did_key).error, MalformedProofError)


def test_a_document_that_already_has_a_proof_is_not_signed_again(
    signed, private_key, verification_method
):
    with pytest.raises(MalformedProofError, match="already has a proof"):
        add_proof(signed, private_key, verification_method, SIGNED_AT)


def test_a_naive_creation_time_is_refused(open_badge, private_key, verification_method):
    with pytest.raises(InvalidDateTimeError):
        add_proof(open_badge, private_key, verification_method, datetime(2026, 3, 1, 12))


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3)
        | st.dictionaries(st.sampled_from(["@id", "@type", "@value", "id", "type", "x"]), children)
    ),
    max_leaves=8,
)
MEMBERS = [
    ("@context",),
    ("id",),
    ("type",),
    ("issuer",),
    ("issuer", "id"),
    ("validFrom",),
    ("credentialSubject",),
    ("credentialSubject", "achievement"),
    ("proof", "created"),
    ("proof", "verificationMethod"),
    ("proof", "proofValue"),
]


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(path=st.sampled_from(MEMBERS), value=JSON_VALUES)
def test_any_member_replaced_by_arbitrary_json_fails_closed_without_crashing(signed, path, value):
    document = copy.deepcopy(signed)
    *parents, name = path
    target = document
    for parent in parents:
        target = target[parent]
    target[name] = value

    assert not verify_proof(document, resolve_did_key).verified
