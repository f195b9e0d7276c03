"""Open Badges 3.0 credentials: the builder, and the structural checks a verifier reports."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from lms.credentials.dates import format_datetime, parse_datetime
from lms.credentials.errors import CredentialError, InvalidDateTimeError
from lms.credentials.linked_data import OB_V3_CONTEXT, VC_V2_CONTEXT

CONTEXTS = (VC_V2_CONTEXT, OB_V3_CONTEXT)
ACHIEVEMENT_TYPES = ("Certificate", "Badge")
CREDENTIAL_TYPES = ("OpenBadgeCredential", "AchievementCredential")
# BCP 47 in outline (language, then subtags); enough to refuse free text in inLanguage.
_LANGUAGE_TAG = re.compile(r"[A-Za-z]{2,3}(-[A-Za-z0-9]{1,8})*")
# An IdentityHash: algorithm, '$', hex digest (Open Badges 3.0, "IdentityHash").
_IDENTITY_HASH = re.compile(r"sha256\$[0-9a-fA-F]{64}|md5\$[0-9a-fA-F]{32}")
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:\S+")
_DIGITS = re.compile(r"[0-9]+")


class InvalidCredentialContentError(CredentialError):
    """What a credential should say is incomplete or not what Open Badges allows."""


@dataclass(frozen=True)
class CredentialContent:
    """Everything an Open Badge states about one award, in plain values."""

    credential_url: str
    achievement_url: str
    achievement_name: str
    achievement_description: str
    criteria_narrative: str
    achievement_type: str
    subject_name: str
    valid_from: datetime
    image_url: str | None = None
    subject_email: str | None = None
    evidence: tuple[tuple[str, str], ...] = ()
    status: tuple[dict[str, Any], ...] = ()
    language: str = "en"


def build_open_badge_credential(
    content: CredentialContent, issuer_profile: dict[str, Any], salt: str
) -> dict[str, Any]:
    """The unsigned OpenBadgeCredential; `salt` hides the email (keep it per credential)."""
    _check_content(content, salt)
    credential: dict[str, Any] = {
        "@context": list(CONTEXTS),
        "id": content.credential_url,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": content.achievement_name,
        "issuer": issuer_profile,
        "validFrom": format_datetime(content.valid_from),
        "credentialSubject": {
            # No subject id: the learner is named by identifiers, as Open Badges 3.0 allows.
            "type": ["AchievementSubject"],
            "identifier": _identifiers(content, salt),
            "achievement": _achievement(content),
        },
    }
    if content.evidence:
        credential["evidence"] = [
            {"type": ["Evidence"], "name": name, "narrative": narrative}
            for name, narrative in content.evidence
        ]
    if content.status:
        entries = list(content.status)
        credential["credentialStatus"] = entries if len(entries) > 1 else entries[0]
    return credential


def identity_hash(value: str, salt: str) -> str:
    """An Open Badges IdentityHash: `sha256$` and the hex SHA-256 of the value then the salt."""
    return "sha256$" + hashlib.sha256((value + salt).encode("utf-8")).hexdigest()


def _identifiers(content: CredentialContent, salt: str) -> list[dict[str, Any]]:
    # The learner chose to show their name; an email is personal data, so only its salted hash.
    identifiers = [
        {
            "type": "IdentityObject",
            "identityHash": content.subject_name,
            "identityType": "name",
            "hashed": False,
        }
    ]
    if content.subject_email:
        identifiers.append(
            {
                "type": "IdentityObject",
                "identityHash": identity_hash(content.subject_email, salt),
                "identityType": "emailAddress",
                "hashed": True,
                "salt": salt,
            }
        )
    return identifiers


def _achievement(content: CredentialContent) -> dict[str, Any]:
    achievement: dict[str, Any] = {
        "id": content.achievement_url,
        "type": ["Achievement"],
        "achievementType": content.achievement_type,
        "name": content.achievement_name,
        "description": content.achievement_description,
        "criteria": {"narrative": content.criteria_narrative},
        "inLanguage": content.language,
    }
    if content.image_url:
        achievement["image"] = {"id": content.image_url, "type": "Image"}
    return achievement


def _check_content(content: CredentialContent, salt: str) -> None:
    texts = {
        "subject name": content.subject_name,
        "achievement name": content.achievement_name,
        "achievement description": content.achievement_description,
        "criteria": content.criteria_narrative,
    }
    if missing := [label for label, text in texts.items() if not text or not text.strip()]:
        raise InvalidCredentialContentError(f"a credential needs a {', '.join(missing)}")
    if content.achievement_type not in ACHIEVEMENT_TYPES:
        raise InvalidCredentialContentError(f"achievement type must be one of {ACHIEVEMENT_TYPES}")
    if not _LANGUAGE_TAG.fullmatch(content.language):
        raise InvalidCredentialContentError(f"{content.language!r} is not a BCP 47 language tag")
    if content.subject_email and not salt:
        raise InvalidCredentialContentError("an email is only published hashed, with a salt")


def check_open_badge_structure(document: Any) -> list[str]:
    """What keeps `document` from being an Open Badges 3.0 credential, in plain words."""
    if not isinstance(document, dict):
        return ["The credential is not a JSON object."]
    context = document.get("@context")
    problems = []
    if not isinstance(context, list) or tuple(context[:2]) != CONTEXTS:
        problems.append(f"@context must list {VC_V2_CONTEXT} then {OB_V3_CONTEXT}, first.")
    if not _is_iri(document.get("id")):
        problems.append("The credential needs an id that is a URL.")
    types = _types(document.get("type"))
    if "VerifiableCredential" not in types or not set(CREDENTIAL_TYPES) & set(types):
        problems.append("type must include VerifiableCredential and OpenBadgeCredential.")
    if "name" in document and not isinstance(document["name"], str):
        problems.append("name must be text.")
    return [
        *problems,
        *_issuer_problems(document.get("issuer")),
        *_date_problems(document),
        *_subject_problems(document.get("credentialSubject")),
        *_evidence_problems(document.get("evidence", [])),
        *_status_problems(document.get("credentialStatus")),
    ]


def _issuer_problems(issuer: Any) -> list[str]:
    if _is_iri(issuer):
        return []
    if not isinstance(issuer, dict):
        return ["issuer must be a Profile with an id, or the issuer's URL."]
    problems = [] if _is_iri(issuer.get("id")) else ["The issuer's id must be a URL."]
    if "Profile" not in _types(issuer.get("type")):
        problems.append("The issuer's type must include Profile.")
    return problems


def _date_problems(document: dict[str, Any]) -> list[str]:
    problems = []
    for name, required in (("validFrom", True), ("validUntil", False)):
        if name not in document and not required:
            continue
        try:
            parse_datetime(document.get(name))
        except InvalidDateTimeError:
            problems.append(f"{name} must be a date and time with a time zone.")
    return problems


def _subject_problems(subject: Any) -> list[str]:
    if not isinstance(subject, dict):
        return ["credentialSubject must be one AchievementSubject object."]
    problems = []
    if "AchievementSubject" not in _types(subject.get("type")):
        problems.append("credentialSubject's type must include AchievementSubject.")
    identifiers = subject.get("identifier", [])
    if not _is_iri(subject.get("id")) and not (isinstance(identifiers, list) and identifiers):
        problems.append("credentialSubject needs an id or at least one identifier.")
    if not isinstance(identifiers, list):
        problems.append("credentialSubject's identifier must be a list of IdentityObjects.")
    else:
        problems += [problem for entry in identifiers for problem in _identity_problems(entry)]
    return problems + _achievement_problems(subject.get("achievement"))


def _identity_problems(entry: Any) -> list[str]:
    if not isinstance(entry, dict) or entry.get("type") != "IdentityObject":
        return ["Each identifier must be an object of type IdentityObject."]
    problems = []
    hashed, value = entry.get("hashed"), entry.get("identityHash")
    if not isinstance(hashed, bool):
        problems.append("An identifier's hashed must be true or false.")
    if not isinstance(value, str) or (hashed is True and not _IDENTITY_HASH.fullmatch(value)):
        problems.append("An identifier's identityHash must be text, or sha256$<hex> when hashed.")
    if not isinstance(entry.get("identityType"), str):
        problems.append("An identifier needs an identityType such as name or emailAddress.")
    if "salt" in entry and not isinstance(entry["salt"], str):
        problems.append("An identifier's salt must be text.")
    return problems


def _achievement_problems(achievement: Any) -> list[str]:
    if not isinstance(achievement, dict):
        return ["credentialSubject needs an achievement object."]
    problems = [] if _is_iri(achievement.get("id")) else ["The achievement's id must be a URL."]
    if "Achievement" not in _types(achievement.get("type")):
        problems.append("The achievement's type must include Achievement.")
    for name in ("name", "description"):
        if not isinstance(achievement.get(name), str) or not achievement[name].strip():
            problems.append(f"The achievement needs a {name} in text.")
    criteria = achievement.get("criteria")
    if not isinstance(criteria, dict) or not (
        _is_iri(criteria.get("id")) or isinstance(criteria.get("narrative"), str)
    ):
        problems.append("The achievement's criteria need a URL (id) or a narrative.")
    image = achievement.get("image")
    if image is not None and not (
        isinstance(image, dict) and _is_iri(image.get("id")) and image.get("type") == "Image"
    ):
        problems.append("The achievement's image must be an Image with a URL (id).")
    return problems


def _evidence_problems(evidence: Any) -> list[str]:
    entries = evidence if isinstance(evidence, list) else [evidence]
    if all(
        isinstance(entry, dict) and "Evidence" in _types(entry.get("type")) for entry in entries
    ):
        return []
    return ["Each evidence entry must be an object whose type includes Evidence."]


def _status_problems(status: Any) -> list[str]:
    entries = status if isinstance(status, list) else [] if status is None else [status]
    for entry in entries:
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str | list):
            return ["Each credentialStatus entry must be an object with a type."]
        if entry.get("type") == "BitstringStatusListEntry" and not (
            isinstance(entry.get("statusPurpose"), str)
            and isinstance(entry.get("statusListIndex"), str)
            and _DIGITS.fullmatch(entry["statusListIndex"])
            and _is_iri(entry.get("statusListCredential"))
        ):
            return ["A status list entry needs a purpose, a numeric index (as text) and a URL."]
    return []


def _types(value: Any) -> list[str]:
    """The type names of a `type` member, which may be one string or a list of them."""
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _is_iri(value: Any) -> bool:
    return isinstance(value, str) and _IRI.fullmatch(value) is not None
