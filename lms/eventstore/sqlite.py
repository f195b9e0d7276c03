"""SQLite application recorder that chains every event's hash and refuses UPDATE and DELETE."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any
from uuid import UUID

from eventsourcing.sqlite import SQLiteApplicationRecorder

from lms.eventstore.chain import APPEND_ONLY_MESSAGE, EVENTS_TABLE, GENESIS, links

if TYPE_CHECKING:
    from collections.abc import Sequence

    from eventsourcing.persistence import StoredEvent
    from eventsourcing.sqlite import SQLiteCursor, SQLiteDatastore


class ChainedSQLiteApplicationRecorder(SQLiteApplicationRecorder):
    def __init__(self, datastore: SQLiteDatastore, events_table_name: str = EVENTS_TABLE):
        super().__init__(datastore, events_table_name)
        # The table name is ours or the library factory's, never user input.
        table = self.events_table_name
        self.insert_events_statement = (
            f"INSERT INTO {table} "  # noqa: S608
            "(originator_id, originator_version, topic, state, chain_hash) "
            "VALUES (?,?,?,?,?)"
        )
        # A write that touches no row: it takes SQLite's write lock before the chain head is
        # read, so a writer in another process cannot append in between and fork the chain.
        self.take_write_lock_statement = f"DELETE FROM {table} WHERE 0"  # noqa: S608
        self.select_chain_head_statement = (
            f"SELECT chain_hash FROM {table} ORDER BY rowid DESC LIMIT 1"  # noqa: S608
        )

    def construct_create_table_statements(self) -> list[str]:
        table = self.events_table_name
        return [
            f"CREATE TABLE IF NOT EXISTS {table} ("
            "originator_id TEXT, "
            "originator_version INTEGER, "
            "topic TEXT, "
            "state BLOB, "
            "chain_hash BLOB NOT NULL, "
            "PRIMARY KEY (originator_id, originator_version))",
            *(
                f"CREATE TRIGGER IF NOT EXISTS {table}_no_{action.lower()} "
                f"BEFORE {action} ON {table} "
                f"BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY_MESSAGE}'); END"
                for action in ("UPDATE", "DELETE")
            ),
        ]

    def _insert_events(
        self, c: SQLiteCursor, stored_events: Sequence[StoredEvent], **_: Any
    ) -> Sequence[int] | None:
        c.execute(self.take_write_lock_statement)
        chain_hashes = links(self._chain_head(c), stored_events)
        notification_ids = []
        for event, chain_hash in zip(stored_events, chain_hashes, strict=True):
            c.execute(
                self.insert_events_statement,
                (
                    _stored_id(event.originator_id),
                    event.originator_version,
                    event.topic,
                    event.state,
                    chain_hash,
                ),
            )
            notification_ids.append(c.lastrowid)
        return notification_ids

    def _chain_head(self, c: SQLiteCursor) -> bytes:
        c.execute(self.select_chain_head_statement)
        row = c.fetchone()
        return GENESIS if row is None else row["chain_hash"]


def _stored_id(originator_id: UUID | str) -> str:
    return originator_id.hex if isinstance(originator_id, UUID) else originator_id
