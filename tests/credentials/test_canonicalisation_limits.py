"""Canonicalisation has a work limit: documents built to keep RDFC-1.0 busy for hours are refused
with a named error after a bounded number of steps, and real credentials stay far below it."""

from __future__ import annotations

import copy
import json
from datetime import UTC, datetime
from unittest import mock

import pytest
from pyld import jsonld
from pyld.canon import URDNA2015

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.errors import DocumentTooComplexError
from lms.credentials.jwt import decode_and_verify_jwt, encode_jwt
from lms.credentials.linked_data import (
    MAX_VALUES,
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    canonicalize,
    offline_document_loader,
)
from lms.credentials.multikey import resolve_did_key, to_multibase
from lms.credentials.verification import (
    FAILED,
    VerificationContext,
    offline_did_resolver,
    verify_credential_text,
)

SIGNED_AT = datetime(2026, 3, 1, 12, 0, 5, tzinfo=UTC)


def look_alike_images() -> dict:
    """The reported document: two look-alike images, each holding eight look-alike images."""
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "type": ["VerifiableCredential"],
        "image": [{"name": "p", "image": [{"name": "c"}] * 8}] * 2,
    }


def linked_blank_nodes(count: int = 7) -> dict:
    """`count` named blank nodes, each pointing at all the others: every one looks alike."""
    names = [f"_:n{n}" for n in range(count)]
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "type": ["VerifiableCredential"],
        "image": [
            {"id": name, "image": [{"id": other} for other in names if other != name]}
            for name in names
        ],
    }


def with_proof_shape(document: dict, verification_method: str) -> dict:
    """A proof passing every check made before canonicalising, so the costly step is reached."""
    return {
        **document,
        "proof": {
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2026-03-01T12:00:05Z",
            "verificationMethod": verification_method,
            "proofPurpose": "assertionMethod",
            "proofValue": to_multibase(bytes(64)),
        },
    }


def with_evidence(open_badge: dict, entries: list[dict]) -> dict:
    return {**copy.deepcopy(open_badge), "evidence": entries}


def evidence(name: str) -> dict:
    return {"type": ["Evidence"], "name": name, "narrative": "Completed every module."}


def deep_iterations(operation):
    """Run `operation`; return what it returned or raised, and how often Hash N-Degree Quads ran."""
    original = URDNA2015.hash_n_degree_quads
    with mock.patch.object(
        URDNA2015, "hash_n_degree_quads", autospec=True, side_effect=original
    ) as counted:
        try:
            outcome = operation()
        except DocumentTooComplexError as error:
            outcome = error
    return outcome, counted.call_count


@pytest.mark.parametrize(
    ("document", "look_alikes"),
    [(look_alike_images(), 18), (linked_blank_nodes(), 7)],
    ids=["reported document", "seven linked blank nodes"],
)
def test_a_document_built_to_exhaust_canonicalisation_is_refused_after_one_step_per_look_alike(
    document, look_alikes, verification_method
):
    hostile = with_proof_shape(document, verification_method)

    check, steps = deep_iterations(lambda: verify_proof(hostile, resolve_did_key))

    assert isinstance(check.error, DocumentTooComplexError)
    assert "too alike" in str(check.error)
    assert steps == look_alikes


def test_the_public_verifier_reports_the_proof_failed_and_why(verification_method):
    context = VerificationContext(offline_did_resolver(None), lambda url: None, SIGNED_AT)
    text = json.dumps(with_proof_shape(look_alike_images(), verification_method))

    report = verify_credential_text(text, context)

    [proof] = [check for check in report.checks if check.name == "proof"]
    assert not report.verified
    assert proof.outcome == FAILED
    assert "too alike to canonicalise" in str(proof.message)


def test_we_refuse_to_sign_what_no_one_could_check(private_key, verification_method):
    with pytest.raises(DocumentTooComplexError):
        add_proof(look_alike_images(), private_key, verification_method, SIGNED_AT)


def test_our_credential_and_its_proof_need_no_deep_iteration(
    open_badge, private_key, verification_method
):
    signed, signing_steps = deep_iterations(
        lambda: add_proof(open_badge, private_key, verification_method, SIGNED_AT)
    )
    check, verifying_steps = deep_iterations(lambda: verify_proof(signed, resolve_did_key))

    assert check.verified, check.error
    assert signing_steps == verifying_steps == 0


def test_look_alike_evidence_needs_one_step_each_and_canonicalises_as_pyld_does(open_badge):
    twins = with_evidence(open_badge, [evidence("Querying Wikidata")] * 2)

    canonical, steps = deep_iterations(lambda: canonicalize(twins, offline_document_loader))

    assert steps == 2
    assert canonical == jsonld.normalize(
        twins,
        {
            "documentLoader": offline_document_loader,
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
        },
    )


def test_look_alikes_nested_in_look_alikes_are_refused(open_badge):
    # Each of two look-alike images holds two look-alike images: telling them apart needs more
    # than one step each, which rdf-canonize's default (Digital Bazaar's) refuses as well.
    nested = {**open_badge, "image": [{"name": "p", "image": [{"name": "c"}] * 2}] * 2}

    with pytest.raises(DocumentTooComplexError, match="too alike"):
        canonicalize(nested, offline_document_loader)


def test_a_credential_with_many_distinct_evidence_entries_stays_within_the_limits(
    open_badge, private_key, verification_method
):
    # Forty entries hold about 200 values, several times what any of our credentials does.
    rich = with_evidence(open_badge, [evidence(f"Module {n}") for n in range(40)])

    signed = add_proof(rich, private_key, verification_method, SIGNED_AT)

    assert verify_proof(signed, resolve_did_key).verified


def test_a_document_with_too_many_values_is_refused_before_canonicalising(open_badge):
    crowded = with_evidence(open_badge, [evidence(f"Module {n}") for n in range(MAX_VALUES)])

    error, steps = deep_iterations(lambda: canonicalize(crowded, offline_document_loader))

    assert isinstance(error, DocumentTooComplexError)
    assert f"at most {MAX_VALUES}" in str(error)
    assert steps == 0


def test_one_long_list_of_values_is_refused_too(open_badge):
    # pyld compares each value of a property with all the others before it: quadratic work.
    crowded = {**open_badge, "name": [f"name {n}" for n in range(MAX_VALUES)]}

    with pytest.raises(DocumentTooComplexError, match="values"):
        canonicalize(crowded, offline_document_loader)


def test_a_jwt_carrying_too_many_values_is_refused(open_badge, private_key, verification_method):
    crowded = with_evidence(open_badge, [evidence(f"Module {n}") for n in range(MAX_VALUES)])
    token = encode_jwt(crowded, private_key, verification_method)

    with pytest.raises(DocumentTooComplexError):
        decode_and_verify_jwt(token, resolve_did_key, now=SIGNED_AT)
