"""Runs projections over the notification log: in batches, exactly once, resumable."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import Connection, Engine, Table, bindparam, select

from projections.tables import metadata, positions

# Execution option asking the engine to lock for writing when the transaction begins.
WRITE_LOCK = "write_lock"


class Projection(Protocol):
    """A read model: its tables and how a batch of domain events changes them."""

    name: str
    tables: Sequence[Table]

    def project(self, events: Sequence[Any], conn: Connection) -> None: ...


@dataclass(frozen=True)
class ProjectionStatus:
    name: str
    position: int
    head: int

    @property
    def lag(self) -> int:
        return self.head - self.position


class ProjectionRunner:
    """Feeds events to projections; each batch commits rows and positions together."""

    def __init__(self, app, engine: Engine, projections: Sequence[Projection], batch_size=500):
        self.app = app
        self.engine = engine
        self.projections = tuple(projections)
        self.batch_size = batch_size
        self._lock = threading.Lock()

    def create_tables(self) -> None:
        metadata.create_all(self.engine)
        with self.engine.begin() as conn:
            self._ensure_position_rows(conn)

    def _ensure_position_rows(self, conn: Connection) -> None:
        # Rows must exist before anyone catches up: they are what concurrent runners lock.
        known = set(conn.execute(select(positions.c.name)).scalars())
        missing = [{"name": p.name, "position": 0} for p in self.projections if p.name not in known]
        if missing:
            conn.execute(positions.insert(), missing)

    def head(self) -> int:
        return self.app.recorder.max_notification_id() or 0

    def catch_up(self, upto: int | None = None) -> None:
        """Project until every projection has read `upto` (default: the head of the log)."""
        target = self.head() if upto is None else upto
        with self._lock:
            while self._project_one_batch(target):
                pass

    def _project_one_batch(self, target: int) -> bool:
        with self.engine.connect().execution_options(**{WRITE_LOCK: True}) as conn, conn.begin():
            read = self._positions(conn, lock=True)
            start = min(read.values())
            if start >= target:
                return False
            notifications = self.app.recorder.select_notifications(
                start=start, limit=self.batch_size, inclusive_of_start=False
            )
            if not notifications:
                return False
            events = [(n.id, self.app.mapper.to_domain_event(n)) for n in notifications]
            for projection in self.projections:
                fresh = [e for position, e in events if position > read[projection.name]]
                if fresh:
                    projection.project(fresh, conn)
            self._advance(conn, notifications[-1].id, read)
        return True

    def _positions(self, conn: Connection, lock: bool) -> dict[str, int]:
        query = select(positions.c.name, positions.c.position)
        if lock and conn.dialect.name == "postgresql":
            # Web workers and a projection worker may all catch up: one at a time.
            query = query.with_for_update()
        stored = dict(conn.execute(query).all())
        return {p.name: stored.get(p.name, 0) for p in self.projections}

    def _advance(self, conn: Connection, position: int, read: dict[str, int]) -> None:
        statement = (
            positions.update()
            .where(positions.c.name == bindparam("projection"))
            .values(position=bindparam("reached"))
        )
        rows = [{"projection": n, "reached": max(position, was)} for n, was in read.items()]
        conn.execute(statement, rows)

    def rebuild(self) -> None:
        """Drop every read model and project the whole log again from position zero."""
        with self._lock:
            tables = [t for p in self.projections for t in p.tables] + [positions]
            metadata.drop_all(self.engine, tables=tables)
        self.create_tables()
        self.catch_up()

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        with self.engine.connect() as conn:
            read = self._positions(conn, lock=False)
        return [ProjectionStatus(name, read[name], head) for name in read]
