"""The hash chain that makes the event log tamper-evident: each link covers the one before."""

from __future__ import annotations

import hashlib
from typing import TYPE_CHECKING
from uuid import UUID

if TYPE_CHECKING:
    from collections.abc import Iterable

    from eventsourcing.persistence import StoredEvent

# The one table the chain covers, on both backends, whichever application writes to it.
EVENTS_TABLE = "stored_events"
APPEND_ONLY_MESSAGE = "the event log is append-only"
GENESIS = bytes(32)

# Versioned so a future change of encoding cannot be mistaken for tampering with old links.
_DOMAIN = b"mafunzo-event-chain-v1"


def link(
    previous: bytes, originator_id: UUID | str, originator_version: int, topic: str, state: bytes
) -> bytes:
    """The chain hash of one event, given the chain hash of the event logged before it."""
    digest = hashlib.sha256()
    for field in (
        _DOMAIN,
        bytes(previous),
        _normalised_id(originator_id).encode("ascii"),
        originator_version.to_bytes(8, "big", signed=True),
        topic.encode("utf-8"),
        bytes(state),
    ):
        # Length prefixes keep field boundaries unambiguous, so no two events share an encoding.
        digest.update(len(field).to_bytes(8, "big"))
        digest.update(field)
    return digest.digest()


def links(previous: bytes, events: Iterable[StoredEvent]) -> list[bytes]:
    """The chain hashes of events appended, in order, after the event whose hash is `previous`."""
    hashes = []
    for event in events:
        previous = link(
            previous, event.originator_id, event.originator_version, event.topic, event.state
        )
        hashes.append(previous)
    return hashes


def _normalised_id(originator_id: UUID | str) -> str:
    # SQLite stores ids as hex text and PostgreSQL as uuid: both must hash the same.
    return UUID(str(originator_id)).hex
