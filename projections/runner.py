"""Runs projections over the notification log: in batches, exactly once, resumable."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from sqlalchemy import BigInteger, Connection, Engine, Integer, Table, bindparam, func, select

from projections.tables import metadata, positions

# Execution option asking the engine to lock for writing when the transaction begins.
WRITE_LOCK = "write_lock"

# (log position, domain event) pairs, in log order.
Logged = Sequence[tuple[int, Any]]


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


_REACHED = bindparam("reached", type_=BigInteger)

_advance = positions.update().where(positions.c.position < _REACHED).values(position=_REACHED)

# Moves every projection from `start` to `reached` in one statement, or none of them: when the
# count matches, all projections were exactly at `start`, which is all the fast path needs.
_advance_all_from = (
    positions.update()
    .where(
        bindparam("projections", type_=Integer)
        == select(func.count())
        .select_from(positions)
        .where(positions.c.position == bindparam("start", type_=BigInteger))
        .scalar_subquery()
    )
    .values(position=_REACHED)
)

_read_positions = select(positions.c.name, positions.c.position)


class ProjectionRunner:
    """Feeds events to projections; each batch commits rows and positions together."""

    def __init__(self, app, engine: Engine, projections: Sequence[Projection], batch_size=2000):
        self.app = app
        self.engine = engine
        self.projections = tuple(projections)
        self.batch_size = batch_size
        self._lock = threading.Lock()
        # Catching up happens one batch at a time under the lock, so one connection serves
        # them all; checking one out of the pool for every learner action cost more than the
        # statements it ran.
        self._connection: Connection | None = None

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

    def catch_up(self, upto: int | None = None, just_logged: Logged = ()) -> None:
        """Project until every projection has read `upto` (default: the head of the log).

        `just_logged` are events this process has just saved: when they are exactly what comes
        next, they are projected as they are instead of being read back from the log.
        """
        target = self.head() if upto is None else upto
        with self._lock:
            while self._project_one_batch(target, just_logged):
                pass

    def _project_one_batch(self, target: int, just_logged: Logged) -> bool:
        """Project the next batch; True while `target` is not yet reached."""
        conn = self._writer()
        try:
            with conn.begin():
                return self._project_in(conn, target, just_logged)
        except BaseException:
            # A connection that failed mid-transaction may be broken: start afresh next time.
            self.close()
            raise

    def _writer(self) -> Connection:
        if self._connection is None:
            conn = self.engine.connect()
            if conn.dialect.name == "postgresql":
                # Read models can be rebuilt from the log, and rows and position commit
                # together, so waiting for each commit to reach the disk buys nothing.
                conn.exec_driver_sql("SET synchronous_commit TO off")
                conn.commit()
            self._connection = conn.execution_options(**{WRITE_LOCK: True})
        return self._connection

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None

    def _project_in(self, conn: Connection, target: int, just_logged: Logged) -> bool:
        """Project the next batch inside the caller's transaction."""
        if self._claim_just_logged(conn, just_logged):
            events = [e for _, e in just_logged]
            for projection in self.projections:
                projection.project(events, conn)
            return just_logged[-1][0] < target
        read = self._positions(conn, lock=True)
        start = min(read.values())
        if start >= target:
            return False
        logged = self._next_events(start, just_logged)
        if not logged:
            return False
        for projection in self.projections:
            fresh = [e for position, e in logged if position > read[projection.name]]
            if fresh:
                projection.project(fresh, conn)
        reached = logged[-1][0]
        conn.execute(_advance, {"reached": reached})
        return reached < target

    def _claim_just_logged(self, conn: Connection, just_logged: Logged) -> bool:
        """On SQLite, where the transaction already holds the write lock, advance every position
        past the events just logged if they are exactly what comes next: one statement instead
        of reading the positions first. PostgreSQL takes the slower path, which locks rows."""
        if conn.dialect.name != "sqlite" or not just_logged:
            return False
        start = just_logged[0][0] - 1
        if not _follows_on(start, just_logged):
            return False
        claim = {
            "projections": len(self.projections),
            "start": start,
            "reached": just_logged[-1][0],
        }
        return conn.execute(_advance_all_from, claim).rowcount == len(self.projections)

    def _next_events(self, start: int, just_logged: Logged) -> Logged:
        if just_logged and _follows_on(start, just_logged):
            return just_logged
        notifications = self.app.recorder.select_notifications(
            start=start, limit=self.batch_size, inclusive_of_start=False
        )
        return [(n.id, self.app.mapper.to_domain_event(n)) for n in notifications]

    def _positions(self, conn: Connection, lock: bool) -> dict[str, int]:
        query = _read_positions
        if lock and conn.dialect.name == "postgresql":
            # Web workers and a projection worker may all catch up: one at a time.
            query = query.with_for_update()
        stored = dict(conn.execute(query).all())
        return {p.name: stored.get(p.name, 0) for p in self.projections}

    def rebuild(self) -> None:
        """Drop every read model and project the whole log again from position zero."""
        with self._lock:
            self.close()
            tables = [t for p in self.projections for t in p.tables] + [positions]
            metadata.drop_all(self.engine, tables=tables)
        self.create_tables()
        self.catch_up()

    def status(self) -> list[ProjectionStatus]:
        head = self.head()
        with self.engine.connect() as conn:
            read = self._positions(conn, lock=False)
        return [ProjectionStatus(name, read[name], head) for name in read]


def _follows_on(start: int, logged: Logged) -> bool:
    """Whether the events are the log's next ones after `start`, with no gap."""
    return [p for p, _ in logged] == list(range(start + 1, start + 1 + len(logged)))
