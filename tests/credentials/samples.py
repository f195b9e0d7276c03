"""A realistic Open Badges 3.0 credential and a fixed issuer key, shared by the credential tests."""

from __future__ import annotations

from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.linked_data import OB_V3_CONTEXT, VC_V2_CONTEXT


def issuer_key() -> Ed25519PrivateKey:
    """A fixed key, so failures reproduce; never used outside tests."""
    return Ed25519PrivateKey.from_private_bytes(bytes(range(32)))


def open_badge_credential(issuer_id: str) -> dict[str, Any]:
    """An OpenBadgeCredential for finishing a course, with non-ASCII text as real ones have."""
    return {
        "@context": [VC_V2_CONTEXT, OB_V3_CONTEXT],
        "id": "urn:uuid:2f0a6d3e-8c1b-4b5e-9f7a-1d2c3b4a5e6f",
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": "Misingi ya Wikidata — Wikidata basics",
        "issuer": {
            "id": issuer_id,
            "type": ["Profile"],
            "name": "Mafunzo (test deployment)",
        },
        "validFrom": "2026-03-01T12:00:00Z",
        "credentialSubject": {
            "id": "urn:uuid:7c9e6679-7425-40de-944b-e07fc1f90ae7",
            "type": ["AchievementSubject"],
            "achievement": {
                "id": "https://mafunzo.example/achievements/wikidata-basics",
                "type": ["Achievement"],
                "name": "Wikidata basics",
                "description": "Creates and improves Wikidata items, with références.",
                "criteria": {
                    "narrative": "Completed every module of *Wikidata basics* and its final quiz."
                },
            },
        },
    }
