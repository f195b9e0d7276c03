"""Course roster read model: who is enrolled in a course and how far they are."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, Integer, String, Table, Uuid, select

from domain.enrolments import Enrolment
from projections.people import people
from projections.tables import load_rows, metadata, replace_rows

roster = Table(
    "roster",
    metadata,
    Column("enrolment_id", Uuid, primary_key=True),
    Column("course_id", Uuid, nullable=False, index=True),
    Column("person_id", Uuid, nullable=False),
    Column("status", String(20), nullable=False),
    Column("modules_done", Integer, nullable=False),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("completed_at", DateTime(timezone=True), nullable=True),
)


@dataclass(frozen=True)
class RosterEntry:
    person_id: UUID
    display_name: str
    status: str
    modules_done: int
    enrolled_at: datetime
    completed_at: datetime | None


def _apply(row: dict | None, e) -> dict:
    if isinstance(e, Enrolment.Enrolled):
        return {
            "enrolment_id": e.originator_id,
            "course_id": e.course_id,
            "person_id": e.person_id,
            "status": "active",
            "modules_done": 0,
            "enrolled_at": e.at,
            "completed_at": None,
        }
    if isinstance(e, Enrolment.ModuleCompleted):
        return {**row, "modules_done": row["modules_done"] + 1}
    if isinstance(e, Enrolment.CourseCompleted):
        return {**row, "status": "completed", "completed_at": e.at}
    if isinstance(e, Enrolment.Withdrawn):
        return {**row, "status": "withdrawn"}
    return {**row, "status": "completed" if row["completed_at"] else "active"}


TRACKED = (
    Enrolment.Enrolled,
    Enrolment.ModuleCompleted,
    Enrolment.CourseCompleted,
    Enrolment.Withdrawn,
    Enrolment.Rejoined,
)


class RosterProjection:
    name = "roster"
    tables = (roster,)

    def project(self, events, conn) -> None:
        relevant = [e for e in events if isinstance(e, TRACKED)]
        rows = load_rows(conn, roster, "enrolment_id", (e.originator_id for e in relevant))
        for e in relevant:
            rows[e.originator_id] = _apply(rows.get(e.originator_id), e)
        replace_rows(conn, roster, "enrolment_id", list(rows.values()))


def course_roster(conn, course_id: UUID) -> list[RosterEntry]:
    """Everyone enrolled in the course; forgotten people appear without a name."""
    statement = (
        select(roster, people.c.display_name)
        .join(people, people.c.person_id == roster.c.person_id, isouter=True)
        .where(roster.c.course_id == course_id)
        .order_by(roster.c.enrolled_at, roster.c.enrolment_id)
    )
    return [
        RosterEntry(
            r["person_id"],
            r["display_name"] or "",
            r["status"],
            r["modules_done"],
            r["enrolled_at"],
            r["completed_at"],
        )
        for r in conn.execute(statement).mappings()
    ]
