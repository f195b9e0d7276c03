"""Whether a credential is revoked or suspended, read from its issuer's signed status lists."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lms.credentials.data_integrity import PublicKeyLookup, verify_proof
from lms.credentials.dates import parse_datetime
from lms.credentials.errors import CredentialError
from lms.credentials.status_list import (
    ENTRY_TYPE,
    LIST_CREDENTIAL_TYPE,
    LIST_TYPE,
    REVOCATION,
    STATUS_PURPOSES,
    StatusListError,
    bit_is_set,
    decode_status_list,
)

ACTIVE, REVOKED, SUSPENDED, UNKNOWN = "active", "revoked", "suspended", "unknown"
# Ten digits reach far past any list we accept, and keep int() away from huge numbers.
_STATUS_INDEX = re.compile(r"[0-9]{1,10}")

StatusListSource = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class CredentialStatus:
    """ACTIVE, REVOKED, SUSPENDED, or UNKNOWN with the reason it could not be told."""

    state: str
    why_unknown: LazyString | None = None


class _StatusUnknownError(Exception):
    def __init__(self, why: LazyString):
        super().__init__(why)
        self.why = why


def credential_status(
    credential: dict[str, Any],
    issuer_id: Any,
    issuer_key: PublicKeyLookup,
    status_list: StatusListSource,
    now: datetime,
) -> CredentialStatus:
    """The status its entries point at; `issuer_key` gives only keys the issuer issues with."""
    entries = credential.get("credentialStatus")
    entries = entries if isinstance(entries, list) else [] if entries is None else [entries]
    if not entries:
        return CredentialStatus(UNKNOWN, _l("It carries no status, so it cannot be revoked."))
    states, unknown = [], []
    for entry in entries:
        try:
            states.append(_entry_state(entry, issuer_id, issuer_key, status_list, now))
        except _StatusUnknownError as error:
            unknown.append(error.why)
    # What one list tells stands even when another cannot be read.
    for state in (REVOKED, SUSPENDED):
        if state in states:
            return CredentialStatus(state)
    return CredentialStatus(UNKNOWN, unknown[0]) if unknown else CredentialStatus(ACTIVE)


def _entry_state(
    entry: Any,
    issuer_id: Any,
    issuer_key: PublicKeyLookup,
    status_list: StatusListSource,
    now: datetime,
) -> str:
    if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
        raise _StatusUnknownError(_l("Its status is not a Bitstring Status List entry."))
    purpose, index, url = (
        entry.get(name) for name in ("statusPurpose", "statusListIndex", "statusListCredential")
    )
    if (
        purpose not in STATUS_PURPOSES
        or not isinstance(index, str)
        or not _STATUS_INDEX.fullmatch(index)
        or not isinstance(url, str)
    ):
        raise _StatusUnknownError(_l("Its status entry has no purpose, index or list we know."))
    published = status_list(url)
    if published is None:
        raise _StatusUnknownError(_l("The status list %(url)s is not available.", url=url))
    subject = _trusted_subject(published, url, purpose, issuer_id, issuer_key, now)
    try:
        is_set = bit_is_set(decode_status_list(subject.get("encodedList")), int(index))
    except StatusListError as error:
        raise _StatusUnknownError(_l("The status list is unreadable: %(why)s", why=error)) from None
    if not is_set:
        return ACTIVE
    return REVOKED if purpose == REVOCATION else SUSPENDED


def _trusted_subject(
    published: Any,
    url: str,
    purpose: str,
    issuer_id: Any,
    issuer_key: PublicKeyLookup,
    now: datetime,
) -> dict[str, Any]:
    """The list's credentialSubject, once the list proves the issuer's, current, and for `url`."""
    if not isinstance(published, dict) or published.get("id") != url:
        raise _StatusUnknownError(_l("The status list %(url)s is not the one named.", url=url))
    issuer = published.get("issuer")
    if (issuer.get("id") if isinstance(issuer, dict) else issuer) != issuer_id:
        raise _StatusUnknownError(_l("The status list is not from the credential's issuer."))
    if not verify_proof(published, issuer_key).verified:
        raise _StatusUnknownError(_l("The status list's signature does not verify."))
    if not _valid_at(published, now):
        raise _StatusUnknownError(_l("The status list is not valid at this time."))
    subject = published.get("credentialSubject")
    types = published.get("type")
    if (
        not isinstance(types, list)
        or LIST_CREDENTIAL_TYPE not in types
        or not isinstance(subject, dict)
        or subject.get("type") != LIST_TYPE
        or subject.get("statusPurpose") != purpose
    ):
        raise _StatusUnknownError(_l("The status list is not a %(purpose)s list.", purpose=purpose))
    return subject


def _valid_at(published: dict[str, Any], now: datetime) -> bool:
    try:
        valid_from = parse_datetime(published.get("validFrom"))
        until = published.get("validUntil")
        return valid_from <= now and (until is None or now < parse_datetime(until))
    except CredentialError:
        return False
