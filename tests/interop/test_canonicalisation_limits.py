"""Our canonicalisation work limit is Digital Bazaar's: what one refuses as too costly, so does
the other, and look-alike blank nodes within the limit canonicalise the same on both sides."""

from __future__ import annotations

import pytest

from lms.credentials.data_integrity import verify_proof
from lms.credentials.errors import DocumentTooComplexError
from lms.credentials.linked_data import canonicalize, offline_document_loader
from lms.credentials.multikey import resolve_did_key
from tests.credentials.samples import open_badge_credential

LOOK_ALIKE_EVIDENCE = [
    {"type": ["Evidence"], "name": "Querying Wikidata", "narrative": "Completed every module."}
] * 2
# Two look-alike images, each holding two look-alike images: more work than one step apiece.
NESTED_LOOK_ALIKES = [{"name": "p", "image": [{"name": "c"}] * 2}] * 2


def test_we_verify_what_digital_bazaar_signed_over_look_alike_evidence(node_tools):
    unsigned = {**open_badge_credential("did:key:replaced"), "evidence": LOOK_ALIKE_EVIDENCE}

    signed = node_tools.sign(unsigned)

    check = verify_proof(signed, resolve_did_key)
    assert check.verified, check.error


def test_digital_bazaar_refuses_the_look_alikes_we_refuse(node_tools):
    unsigned = {**open_badge_credential("did:key:replaced"), "image": NESTED_LOOK_ALIKES}

    with pytest.raises(DocumentTooComplexError):
        canonicalize(unsigned, offline_document_loader)
    with pytest.raises(RuntimeError, match="Maximum deep iterations exceeded"):
        node_tools.sign(unsigned)
