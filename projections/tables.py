"""The read-model metadata every projection registers its tables on, and the tracking table."""

import functools

from sqlalchemy import BigInteger, Column, MetaData, String, Table
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

metadata = MetaData()

# One row per projection: how far in the log it has read. Written in the same transaction
# as the projection's rows, which is what makes projecting exactly-once and resumable.
positions = Table(
    "projection_positions",
    metadata,
    Column("name", String(64), primary_key=True),
    Column("position", BigInteger, nullable=False),
)


def replace_rows(conn, table: Table, key: str, rows: list[dict]) -> None:
    """Write whole rows back: delete by key, then insert in bulk (portable and batch-friendly)."""
    if not rows:
        return
    column = table.c[key]
    conn.execute(table.delete().where(column.in_([r[key] for r in rows])))
    conn.execute(table.insert(), rows)


def load_rows(conn, table: Table, key: str, keys) -> dict:
    """The current rows for these keys, as mutable dicts keyed by the key column."""
    keys = list(set(keys))
    if not keys:
        return {}
    found = conn.execute(table.select().where(table.c[key].in_(keys))).mappings()
    return {row[key]: dict(row) for row in found}


def insert_ignoring_duplicates(conn, table: Table, rows: list[dict]) -> None:
    """Insert rows, skipping those whose primary key is already there."""
    if rows:
        conn.execute(_insert_ignoring(conn.dialect.name, table), rows)


@functools.cache
def _insert_ignoring(dialect: str, table: Table):
    dialect_insert = sqlite_insert if dialect == "sqlite" else postgresql_insert
    return dialect_insert(table).on_conflict_do_nothing()
