"""This deployment's own credentials, looked up locally: never over the network.

The web pages, the verification API and the CLI all verify through `verification_context`, so
they consult the same DID document and the same status lists, built from the read models.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime
from typing import Any
from uuid import UUID

from cachetools import LRUCache

from domain.achievements import AchievementDefinition
from domain.errors import AchievementNotFoundError
from lms.credentials.dates import parse_datetime
from lms.credentials.issuing import STATUS_PURPOSES, status_list_url
from lms.credentials.signing import sign_credential
from lms.credentials.status_list import STATUS_LIST_SIZE, encode_status_list, status_list_credential
from lms.credentials.verification import VerificationContext, offline_did_resolver
from lms.services import Services
from projections import credentials as held

# Public ids are 32 hex digits (older ones 22 URL-safe characters); nothing else is ours.
_PUBLIC_ID = re.compile(r"[A-Za-z0-9_-]{1,32}")
_LIST_ID = re.compile(rf"(?P<purpose>{'|'.join(STATUS_PURPOSES)})-(?P<number>[1-9][0-9]{{0,8}})")
# The read model names statuses as the lists' purposes do, in their own words.
_STATUS_IN_LIST = {"revocation": "revoked", "suspension": "suspended"}
# A few lists per purpose in use at once; a new bit set makes a new entry.
_SIGNED_LISTS_KEPT = 32
_signed_lists: LRUCache = LRUCache(maxsize=_SIGNED_LISTS_KEPT)
_signed_lists_lock = threading.Lock()


def find_credential(conn, public_id: str) -> held.CredentialView | None:
    """The credential with this public id; None for any text that cannot be one."""
    if not _PUBLIC_ID.fullmatch(public_id):
        return None
    return held.credential_by_public_id(conn, public_id)


def verification_context(services: Services) -> VerificationContext:
    """Our did:web from our own keys, did:key offline, our status lists from the read model."""
    prefix = status_list_url(services.issuer.base_url, "")
    now = services.app.clock()

    def status_list(url: str) -> dict[str, Any] | None:
        if not isinstance(url, str) or not url.startswith(prefix):
            return None
        # Signed as of `now`: a list signed a moment later would not be valid yet at `now`.
        return signed_status_list(services, url.removeprefix(prefix), now)

    return VerificationContext(
        resolve_did=offline_did_resolver(services.issuer), status_list=status_list, now=now
    )


def signed_status_list(services: Services, list_id: str, now: datetime) -> dict[str, Any] | None:
    """The status list credential `list_id` (say `revocation-1`) signed as of `now`, or one
    signed earlier with the same bits; None if there is no such list.

    Signing takes milliseconds and every verification asks for the lists, so a signed list is
    kept for as long as its bits and the signing key stay the same.
    """
    found = _LIST_ID.fullmatch(list_id)
    if found is None:
        return None
    purpose, number = found["purpose"], int(found["number"])
    with services.engine.connect() as conn:
        if number > _lists_in_use(conn):
            return None
        first = (number - 1) * STATUS_LIST_SIZE
        bits = held.status_bits(conn, _STATUS_IN_LIST[purpose], first, STATUS_LIST_SIZE)
    issuer, url = services.issuer, status_list_url(services.issuer.base_url, list_id)
    key = (url, issuer.keys.current().key_id, encode_status_list(bits))
    with _signed_lists_lock:
        signed = _signed_lists.get(key)
    # Another verification may have signed this list after `now`: not valid yet at `now`.
    if signed is None or parse_datetime(signed["validFrom"]) > now:
        unsigned = status_list_credential(url, purpose, bits, issuer.profile(), now)
        signed = sign_credential(unsigned, issuer, now)
        with _signed_lists_lock:
            _signed_lists[key] = signed
    return signed


def _lists_in_use(conn) -> int:
    """How many lists of each purpose exist: the first always, more as places fill up."""
    last = held.last_status_index(conn)
    return 1 if last is None else last // STATUS_LIST_SIZE + 1


def achievement_version(
    services: Services, achievement_id: UUID, version: int
) -> AchievementDefinition | None:
    """One version of an achievement as it was defined; the read model keeps only the newest."""
    try:
        return services.app.achievement_definition(achievement_id, version)
    except AchievementNotFoundError:
        return None
