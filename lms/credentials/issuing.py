"""Issuing: the adapter that turns a credential's facts into a signed Open Badges document."""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass

from domain.credentials import CredentialFacts
from lms.credentials.issuer import Issuer
from lms.credentials.open_badges import CredentialContent, build_open_badge_credential
from lms.credentials.signing import sign_credential
from lms.credentials.status_list import STATUS_LIST_SIZE, status_entry

STATUS_PURPOSES = ("revocation", "suspension")
ACHIEVEMENT_TYPES = {"certificate": "Certificate", "badge": "Badge"}


def credential_url(base_url: str, public_id: str) -> str:
    return f"{base_url}/credentials/{public_id}"


def achievement_url(base_url: str, achievement_id) -> str:
    return f"{base_url}/achievements/{achievement_id}"


def achievement_image_url(base_url: str, achievement_id, version: int) -> str:
    """Each version's own image: a credential shows the image of the version it certifies."""
    return f"{achievement_url(base_url, achievement_id)}/v{version}/image.png"


def status_list_id(purpose: str, status_index: int) -> str:
    """Each list holds STATUS_LIST_SIZE places; the first is `revocation-1`, and so on."""
    return f"{purpose}-{status_index // STATUS_LIST_SIZE + 1}"


def status_list_url(base_url: str, list_id: str) -> str:
    return f"{base_url}/status/{list_id}"


@dataclass(frozen=True)
class OpenBadgeSigner:
    """Signs with the issuer's current key: the application's CredentialSigner."""

    issuer: Issuer

    def sign(self, facts: CredentialFacts) -> str:
        base = self.issuer.base_url
        definition = facts.achievement
        content = CredentialContent(
            credential_url=credential_url(base, facts.public_id),
            achievement_url=achievement_url(base, facts.achievement_id),
            achievement_name=definition.name,
            achievement_description=definition.description,
            criteria_narrative=definition.criteria,
            achievement_type=ACHIEVEMENT_TYPES[definition.kind],
            image_url=achievement_image_url(base, facts.achievement_id, facts.achievement_version),
            subject_name=facts.subject_name,
            subject_email=facts.subject_email,
            valid_from=facts.issued_at,
            evidence=tuple((e.name, e.narrative) for e in facts.evidence),
            status=tuple(
                status_entry(
                    status_list_url(base, status_list_id(purpose, facts.status_index)),
                    purpose,
                    facts.status_index % STATUS_LIST_SIZE,
                )
                for purpose in STATUS_PURPOSES
            ),
        )
        # A fresh salt per credential, so the hashed email cannot be matched across them.
        document = build_open_badge_credential(
            content, self.issuer.profile(), salt=secrets.token_hex(16)
        )
        signed = sign_credential(document, self.issuer, facts.issued_at)
        return json.dumps(signed, ensure_ascii=False, indent=2)
