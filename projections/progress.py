"""Learner progress read model: one row per enrolment plus its steps, for dashboard and roster.

Rows are changed in place with batched UPDATEs, never read back first: a learner action costs
a couple of statements whatever the size of the course.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    Column,
    DateTime,
    Integer,
    String,
    Table,
    Uuid,
    bindparam,
    case,
    select,
)

from domain.enrolments import Enrolment, step_key
from projections.people import people
from projections.tables import insert_ignoring_duplicates, metadata

progress = Table(
    "progress",
    metadata,
    Column("enrolment_id", Uuid, primary_key=True),
    Column("person_id", Uuid, nullable=False, index=True),
    Column("course_id", Uuid, nullable=False, index=True),
    Column("course_version", Integer, nullable=False),
    Column("status", String(20), nullable=False),
    Column("modules_total", Integer, nullable=False),
    Column("modules_done", Integer, nullable=False),
    Column("percent", Integer, nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("last_activity_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)

# What the learner has done: kind "viewed" or "passed" with a "module/slide" step, or
# kind "module" with a module slug.
progress_steps = Table(
    "progress_steps",
    metadata,
    Column("enrolment_id", Uuid, primary_key=True),
    Column("kind", String(10), primary_key=True),
    Column("step", String(401), primary_key=True),
    Column("at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class Progress:
    enrolment_id: UUID
    person_id: UUID
    course_id: UUID
    course_version: int
    status: str
    modules_total: int
    modules_done: int
    percent: int
    enrolled_at: datetime
    last_activity_at: datetime
    completed_at: datetime | None
    viewed: frozenset[str]
    passed: frozenset[str]
    completed_modules: frozenset[str]

    @property
    def is_active(self) -> bool:
        return self.status != "withdrawn"

    def has_viewed(self, module: str, slide: str) -> bool:
        return step_key(module, slide) in self.viewed

    def has_passed(self, module: str, slide: str) -> bool:
        return step_key(module, slide) in self.passed


@dataclass(frozen=True)
class RosterEntry:
    person_id: UUID
    display_name: str
    status: str
    modules_done: int
    percent: int
    enrolled_at: datetime
    completed_at: datetime | None


_EID = bindparam("eid", type_=Uuid)
_ADDED = bindparam("added", type_=Integer)
_STATUS = bindparam("status", type_=String)
_AT = bindparam("at", type_=DateTime(timezone=True))

_advance = (
    progress.update()
    .where(progress.c.enrolment_id == _EID)
    .values(
        last_activity_at=bindparam("last", type_=DateTime(timezone=True)),
        modules_done=progress.c.modules_done + _ADDED,
        percent=100 * (progress.c.modules_done + _ADDED) // progress.c.modules_total,
    )
)

_change_status = (
    progress.update()
    .where(progress.c.enrolment_id == _EID)
    .values(
        status=case(
            (_STATUS != "rejoined", _STATUS),
            (progress.c.completed_at.is_(None), "active"),
            else_="completed",
        ),
        completed_at=case((_STATUS == "completed", _AT), else_=progress.c.completed_at),
    )
)

_STATUS_EVENTS = {
    Enrolment.CourseCompleted: "completed",
    Enrolment.Withdrawn: "withdrawn",
    Enrolment.Rejoined: "rejoined",
}


class ProgressProjection:
    name = "progress"
    tables = (progress, progress_steps)

    def project(self, events, conn) -> None:
        batch = _Batch()
        for e in events:
            batch.add(e)
        if batch.new_rows:
            conn.execute(progress.insert(), batch.new_rows)
        insert_ignoring_duplicates(conn, progress_steps, batch.steps)
        if batch.activity:
            conn.execute(_advance, list(batch.activity.values()))
        if batch.statuses:
            conn.execute(_change_status, batch.statuses)


class _Batch:
    """Collects a batch's changes so each kind of write runs once, as executemany."""

    def __init__(self):
        self.new_rows: list[dict] = []
        self.steps: list[dict] = []
        self.activity: dict[UUID, dict] = defaultdict(dict)
        self.statuses: list[dict] = []

    def add(self, e) -> None:
        if isinstance(e, Enrolment.Enrolled):
            self.new_rows.append(_new_row(e))
        elif isinstance(e, Enrolment.SlideViewed):
            self._step(e, "viewed", step_key(e.module, e.slide))
        elif isinstance(e, Enrolment.QuizAnswered):
            self._step(e, "viewed", step_key(e.module, e.slide))
            if e.correct:
                self._step(e, "passed", step_key(e.module, e.slide))
        elif isinstance(e, Enrolment.ModuleCompleted):
            self._step(e, "module", e.module)
            self._touch(e)["added"] += 1
        elif type(e) in _STATUS_EVENTS:
            self._touch(e)
            self.statuses.append(
                {"eid": e.originator_id, "status": _STATUS_EVENTS[type(e)], "at": e.at}
            )

    def _step(self, e, kind: str, step: str) -> None:
        self.steps.append({"enrolment_id": e.originator_id, "kind": kind, "step": step, "at": e.at})
        self._touch(e)

    def _touch(self, e) -> dict:
        row = self.activity[e.originator_id]
        row.update(eid=e.originator_id, last=e.at, added=row.get("added", 0))
        return row


def _new_row(e) -> dict:
    return {
        "enrolment_id": e.originator_id,
        "person_id": e.person_id,
        "course_id": e.course_id,
        "course_version": e.course_version,
        "status": "active",
        "modules_total": len(e.outline),
        "modules_done": 0,
        "percent": 0,
        "enrolled_at": e.at,
        "last_activity_at": e.at,
        "completed_at": None,
    }


# --- queries ------------------------------------------------------------------------------


def _with_steps(conn, rows) -> list[Progress]:
    """The rows as Progress, with all their steps read in one query however many they are."""
    if not rows:
        return []
    steps: dict[UUID, list[tuple[str, str]]] = defaultdict(list)
    found = conn.execute(
        select(progress_steps.c.enrolment_id, progress_steps.c.kind, progress_steps.c.step).where(
            progress_steps.c.enrolment_id.in_([row["enrolment_id"] for row in rows])
        )
    )
    for enrolment_id, kind, step in found:
        steps[enrolment_id].append((kind, step))
    return [_progress(row, steps[row["enrolment_id"]]) for row in rows]


def _progress(row, steps: list[tuple[str, str]]) -> Progress:
    kinds = {kind: frozenset(s for k, s in steps if k == kind) for kind in ("viewed", "passed")}
    modules = frozenset(s for k, s in steps if k == "module")
    fields = {k: row[k] for k in progress.c.keys()}  # noqa: SIM118 - a ColumnCollection, not a dict
    return Progress(**fields, **kinds, completed_modules=modules)


def progress_for(conn, person_id: UUID, course_id: UUID) -> Progress | None:
    row = (
        conn.execute(
            select(progress).where(
                (progress.c.person_id == person_id) & (progress.c.course_id == course_id)
            )
        )
        .mappings()
        .first()
    )
    return _with_steps(conn, [row])[0] if row else None


def progress_of_person(conn, person_id: UUID) -> list[Progress]:
    rows = conn.execute(
        select(progress)
        .where(progress.c.person_id == person_id)
        .order_by(progress.c.last_activity_at.desc(), progress.c.enrolment_id)
    ).mappings()
    return _with_steps(conn, rows.all())


def course_roster(conn, course_id: UUID) -> list[RosterEntry]:
    """Everyone enrolled in the course, first enrolled first; forgotten people have no name."""
    statement = (
        select(progress, people.c.display_name)
        .join(people, people.c.person_id == progress.c.person_id, isouter=True)
        .where(progress.c.course_id == course_id)
        .order_by(progress.c.enrolled_at, progress.c.enrolment_id)
    )
    return [
        RosterEntry(
            r["person_id"],
            r["display_name"] or "",
            r["status"],
            r["modules_done"],
            r["percent"],
            r["enrolled_at"],
            r["completed_at"],
        )
        for r in conn.execute(statement).mappings()
    ]


def next_step(modules, mine: Progress):
    """The first slide not yet viewed, or the first quiz not yet passed: where to continue."""
    for m in modules:
        for s in m.slides:
            done = (
                mine.has_passed(m.slug, s.slug) if s.has_quiz else mine.has_viewed(m.slug, s.slug)
            )
            if not done:
                return m.slug, s.slug
    return None
