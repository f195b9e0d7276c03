"""Recompute the event log's hash chain in log order and report the first event that breaks it."""

from __future__ import annotations

import sqlite3
from contextlib import closing, contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import psycopg
from psycopg import sql

from lms.eventstore.chain import EVENTS_TABLE, GENESIS, link

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from lms.settings import Settings

BATCH_SIZE = 1000
_COLUMNS = "originator_id, originator_version, topic, state, chain_hash"


@dataclass(frozen=True)
class LogVerification:
    ok: bool
    count: int
    first_bad_position: int | None
    reason: str


def verify_log(settings: Settings) -> LogVerification:
    """Check every event's chain hash; `count` is how many verified before any break."""
    read_rows = _postgres_rows if settings.is_postgres else _sqlite_rows
    with read_rows(settings) as rows:
        return _check_chain(rows)


def _check_chain(rows: Iterable[tuple[Any, ...]]) -> LogVerification:
    previous, count, last_position = GENESIS, 0, 0
    for position, originator_id, version, topic, state, chain_hash in rows:
        expected = link(previous, originator_id, version, topic, _as_bytes(state))
        if bytes(chain_hash) != expected:
            return LogVerification(False, count, position, _break_reason(last_position, position))
        previous, count, last_position = expected, count + 1, position
    return LogVerification(True, count, None, f"{count} events verified")


def _break_reason(last_position: int, position: int) -> str:
    # A deleted row shows up as a gap before the first event that no longer chains on. A
    # PostgreSQL sequence can also skip ids on rollback, so a gap is a strong hint, not proof.
    if position == last_position + 1:
        return "the event does not match its chain hash: its content was altered"
    return (
        f"the event does not chain on from position {last_position} and positions "
        f"{last_position + 1}..{position - 1} are absent: a preceding event is missing"
    )


def _batched(cursor: Any) -> Iterator[tuple[Any, ...]]:
    while batch := cursor.fetchmany(BATCH_SIZE):
        yield from batch


@contextmanager
def _sqlite_rows(settings: Settings) -> Iterator[Iterator[tuple[Any, ...]]]:
    path = settings.sqlite_path
    if not path.exists():
        yield iter(())
        return
    uri = f"{path.resolve().as_uri()}?mode=ro"
    with closing(sqlite3.connect(uri, uri=True)) as conn:
        if not _sqlite_table_exists(conn):
            yield iter(())
            return
        # One SELECT reads one snapshot, even while writers append.
        yield _batched(
            conn.execute(f"SELECT rowid, {_COLUMNS} FROM {EVENTS_TABLE} ORDER BY rowid")  # noqa: S608
        )


def _sqlite_table_exists(conn: sqlite3.Connection) -> bool:
    query = "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?"
    return conn.execute(query, (EVENTS_TABLE,)).fetchone() is not None


@contextmanager
def _postgres_rows(settings: Settings) -> Iterator[Iterator[tuple[Any, ...]]]:
    with psycopg.connect(settings.database_url) as conn:
        conn.read_only = True
        if not _postgres_table_exists(conn, settings.database_schema):
            yield iter(())
            return
        query = sql.SQL("SELECT notification_id, {} FROM {}.{} ORDER BY notification_id").format(
            sql.SQL(_COLUMNS),
            sql.Identifier(settings.database_schema),
            sql.Identifier(EVENTS_TABLE),
        )
        # A named (server-side) cursor streams the log instead of loading it whole.
        with conn.cursor(name="verify_event_log") as cursor:
            cursor.execute(query)
            yield _batched(cursor)


def _postgres_table_exists(conn: psycopg.Connection, schema: str) -> bool:
    query = "SELECT 1 FROM information_schema.tables WHERE table_schema = %s AND table_name = %s"
    return conn.execute(query, (schema, EVENTS_TABLE)).fetchone() is not None


def _as_bytes(state) -> bytes:
    # Raw SQL can store a TEXT value where bytes belong; it must fail the chain, not the check.
    return state.encode() if isinstance(state, str) else bytes(state)
