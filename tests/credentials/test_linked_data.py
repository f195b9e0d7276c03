"""The offline loader serves only the bundled contexts, and strict processing drops nothing."""

from __future__ import annotations

import pytest
from pyld import jsonld

from lms.credentials.errors import RelativeIriError, UndefinedTermError, UnknownContextError
from lms.credentials.linked_data import (
    OB_V3_CONTEXT,
    VC_V2_CONTEXT,
    check_terms,
    loader_with,
    offline_document_loader,
)

OB_VOCAB = "https://purl.imsglobal.org/spec/vc/ob/vocab.html#"


def members(node):
    """Every member name in a compacted document, at every depth."""
    if isinstance(node, list):
        return [name for item in node for name in members(item)]
    if isinstance(node, dict):
        return [name for key, value in node.items() for name in [key, *members(value)]]
    return []


@pytest.mark.parametrize("url", [VC_V2_CONTEXT, OB_V3_CONTEXT])
def test_the_bundled_contexts_are_served(url):
    assert "@context" in offline_document_loader(url)["document"]


@pytest.mark.parametrize(
    "url",
    [
        "https://www.w3.org/ns/credentials/examples/v2",
        "https://purl.imsglobal.org/spec/ob/v3p0/context.json",
        "https://www.w3.org/2018/credentials/v1",
        "file:///etc/passwd",
    ],
)
def test_every_other_url_is_refused_without_fetching(url):
    with pytest.raises(UnknownContextError, match="never fetched"):
        offline_document_loader(url)


def test_extra_documents_cannot_replace_a_bundled_context():
    with pytest.raises(ValueError, match="may not replace"):
        loader_with({VC_V2_CONTEXT: {"@context": {}}})


def test_every_member_of_the_open_badge_is_defined_by_the_two_contexts(open_badge):
    check_terms(open_badge, offline_document_loader)

    expanded = jsonld.expand(open_badge, {"documentLoader": offline_document_loader})
    round_trip = jsonld.compact(
        expanded, {"@context": open_badge["@context"]}, {"documentLoader": offline_document_loader}
    )
    assert sorted(members(round_trip)) == sorted(members(open_badge))


def test_the_open_badge_expands_to_open_badges_vocabulary(open_badge):
    [credential] = jsonld.expand(open_badge, {"documentLoader": offline_document_loader})

    assert f"{OB_VOCAB}OpenBadgeCredential" in credential["@type"]
    [subject] = credential["https://www.w3.org/2018/credentials#credentialSubject"]
    [achievement] = subject[f"{OB_VOCAB}achievement"]
    assert achievement["@type"] == [f"{OB_VOCAB}Achievement"]
    [criteria] = achievement[f"{OB_VOCAB}Criteria"]
    assert criteria[f"{OB_VOCAB}narrative"][0]["@value"].startswith("Completed every module")


def test_an_undefined_member_is_refused(open_badge):
    open_badge["credentialSubject"]["favouriteColour"] = "green"

    with pytest.raises(UndefinedTermError, match="favouriteColour"):
        check_terms(open_badge, offline_document_loader)


def test_an_undefined_type_is_refused(open_badge):
    open_badge["type"].append("MafunzoCredential")

    with pytest.raises(RelativeIriError, match="MafunzoCredential"):
        check_terms(open_badge, offline_document_loader)


def test_a_relative_id_is_refused(open_badge):
    open_badge["credentialSubject"]["id"] = "learners/42"

    with pytest.raises(RelativeIriError, match="learners/42"):
        check_terms(open_badge, offline_document_loader)


def test_an_unknown_context_is_refused(open_badge):
    open_badge["@context"].append("https://example.org/my-terms.jsonld")

    with pytest.raises(UnknownContextError, match="my-terms"):
        check_terms(open_badge, offline_document_loader)
