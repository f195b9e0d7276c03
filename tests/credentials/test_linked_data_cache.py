"""Reusing processed contexts never changes what a document says nor lets a bad one through."""

from __future__ import annotations

import copy

import pytest
from pyld import jsonld
from pyld.context_resolver import ContextResolver

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.errors import (
    InvalidDocumentError,
    InvalidSignatureError,
    RelativeIriError,
    UndefinedTermError,
    UnknownContextError,
)
from lms.credentials.linked_data import (
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    bundled_context,
    canonicalize,
    check_terms,
    offline_document_loader,
)
from lms.credentials.multikey import resolve_did_key
from tests.credentials.conftest import SIGNED_AT

LENIENT_CONTEXT = "https://example.org/lenient-terms.jsonld"


@pytest.fixture
def signed(open_badge, private_key, verification_method):
    """A signed Open Badge, verified a few times so every context it uses is already reused."""
    signed = add_proof(open_badge, private_key, verification_method, SIGNED_AT)
    for _ in range(3):
        assert verify_proof(signed, resolve_did_key).verified
    return signed


def uncached_nquads(document):
    """pyld's own canonical form, from a resolver with an empty cache of its own."""
    return jsonld.normalize(
        document,
        {
            "documentLoader": offline_document_loader,
            "base": None,
            "contextResolver": ContextResolver({}, offline_document_loader),
            "algorithm": "URDNA2015",
            "format": "application/n-quads",
        },
    )


def with_evidence_and_identity(credential):
    """Several nodes of different types side by side, each with its own type-scoped terms."""
    credential["evidence"] = [
        {
            "id": f"https://mafunzo.example/evidence/{n}",
            "type": ["Evidence"],
            "name": f"Module {n} completed",
            "genre": "module",
        }
        for n in (1, 2)
    ]
    credential["credentialSubject"]["identifier"] = [
        {
            "type": "IdentityObject",
            "hashed": False,
            "identityHash": "Amina Njeri",
            "identityType": "name",
        }
    ]
    credential["credentialSubject"]["achievement"]["image"] = {
        "id": "https://mafunzo.example/badges/wikidata.png",
        "type": "Image",
        "caption": "Wikidata basics badge",
    }
    return credential


def with_propagating_scoped_contexts(credential):
    """Inline scoped contexts whose terms, unlike the bundled type-scoped ones, reach untyped
    children: a property's (propagates by default) and a type's with `@propagate: true`."""
    credential["@context"] = [
        *credential["@context"],
        {
            "Wrapper": {
                "@id": "https://example.org/Wrapper",
                "@context": {"@propagate": True, "note": "https://example.org/note"},
            },
            "wrapped": "https://example.org/wrapped",
            "scoped": {
                "@id": "https://example.org/scoped",
                "@context": {"remark": "https://example.org/remark"},
            },
            "inner": "https://example.org/inner",
        },
    ]
    subject = credential["credentialSubject"]
    subject["wrapped"] = {"type": "Wrapper", "inner": {"note": "kept"}}
    subject["scoped"] = {"inner": {"remark": "kept too"}}
    return credential


@pytest.mark.parametrize(
    "shape", [lambda c: c, with_evidence_and_identity, with_propagating_scoped_contexts]
)
def test_the_canonical_form_is_pyld_s_own_however_often_it_is_computed(signed, shape):
    document = shape({key: value for key, value in signed.items() if key != "proof"})
    expected = uncached_nquads(copy.deepcopy(document))

    assert [canonicalize(document, offline_document_loader) for _ in range(3)] == [expected] * 3
    assert expected.count("\n") > 10


@pytest.mark.parametrize(
    ("place", "term"),
    [
        # Defined for Achievement only: its criteria, an untyped child, must not inherit it.
        (lambda c: c["credentialSubject"]["achievement"]["criteria"], "creditsAvailable"),
        # Defined for Evidence only: an Image elsewhere must not borrow it.
        (lambda c: c["credentialSubject"]["achievement"]["image"], "genre"),
    ],
)
def test_a_type_scoped_term_stays_with_its_type(signed, place, term):
    document = with_evidence_and_identity(copy.deepcopy(signed))
    check_terms(document, offline_document_loader)
    place(document)[term] = "borrowed"

    with pytest.raises(UndefinedTermError, match=term):
        check_terms(document, offline_document_loader)


@pytest.mark.parametrize(
    "tamper",
    [
        lambda c: c["credentialSubject"]["achievement"].update(name="Wikidata mastery"),
        lambda c: c["issuer"].update(name="Someone else"),
        lambda c: c["issuer"].pop("type"),
        lambda c: c["credentialSubject"]["achievement"]["criteria"].update(narrative="None."),
    ],
)
def test_a_changed_document_fails_however_often_the_original_verified(signed, tamper):
    tamper(signed)

    assert isinstance(verify_proof(signed, resolve_did_key).error, InvalidSignatureError)


def test_a_same_shaped_context_with_one_changed_iri_is_a_different_context(signed):
    impostor = copy.deepcopy(bundled_context(OB_V3_CONTEXT)["@context"])
    impostor["Achievement"]["@id"] = "https://example.org/not-an-achievement"
    swapped = {**signed, "@context": [VC_V2_CONTEXT, impostor]}
    unsecured = {key: value for key, value in swapped.items() if key != "proof"}

    assert "<https://example.org/not-an-achievement>" in canonicalize(
        unsecured, offline_document_loader
    )
    assert isinstance(verify_proof(swapped, resolve_did_key).error, InvalidSignatureError)
    assert verify_proof(signed, resolve_did_key).verified


@pytest.mark.parametrize(
    ("tamper", "error", "named"),
    [
        (lambda c: c["@context"].append(LENIENT_CONTEXT), UnknownContextError, "lenient"),
        (
            lambda c: c["credentialSubject"]["achievement"].update(favouriteColour="green"),
            UndefinedTermError,
            "favouriteColour",
        ),
        (
            lambda c: c["credentialSubject"]["achievement"].update(id="achievements/42"),
            RelativeIriError,
            "achievements/42",
        ),
        (
            lambda c: c["credentialSubject"]["achievement"]["type"].append("Diploma"),
            RelativeIriError,
            "Diploma",
        ),
    ],
)
def test_strict_checks_still_fail_once_the_contexts_are_reused(signed, tamper, error, named):
    tamper(signed)

    check = verify_proof(signed, resolve_did_key)

    assert isinstance(check.error, error)
    assert named in str(check.error)


def lenient_loader(url, options=None):
    """Another loader in the same process, serving one more context and marking it cacheable."""
    if url != LENIENT_CONTEXT:
        return offline_document_loader(url, options)
    return {
        "contextUrl": None,
        "documentUrl": url,
        "document": {"@context": {"favouriteColour": "https://example.org/colour"}},
        "tag": "static",
    }


@pytest.mark.parametrize(
    "served_elsewhere",
    [
        lambda document: check_terms(document, lenient_loader),
        lambda document: jsonld.expand(document, {"documentLoader": lenient_loader}),
    ],
    ids=["through check_terms", "through pyld directly"],
)
def test_a_context_another_loader_served_is_still_refused_offline(open_badge, served_elsewhere):
    open_badge["@context"].append(LENIENT_CONTEXT)
    open_badge["credentialSubject"]["favouriteColour"] = "green"
    served_elsewhere(open_badge)

    with pytest.raises(UnknownContextError, match="lenient-terms"):
        check_terms(open_badge, offline_document_loader)


def test_a_malformed_document_is_refused_with_the_reason_from_expansion(open_badge):
    open_badge["@context"].append({"id": "https://example.org/my-id"})

    with pytest.raises(InvalidDocumentError, match="redefine a protected term"):
        canonicalize(open_badge, offline_document_loader)
