"""Learner progress read model: one row per enrolment, for the dashboard and the reader."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Uuid, select

from domain.enrolments import Enrolment
from projections.tables import load_rows, metadata, replace_rows

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
    # Which slides were viewed and which quizzes passed, as "module/slide" keys.
    Column("viewed", JSON, nullable=False),
    Column("passed", JSON, nullable=False),
    Column("completed_modules", JSON, nullable=False),
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
        return f"{module}/{slide}" in self.viewed

    def has_passed(self, module: str, slide: str) -> bool:
        return f"{module}/{slide}" in self.passed


def _enrolled(row: dict | None, e) -> dict:
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
        "viewed": [],
        "passed": [],
        "completed_modules": [],
    }


def _slide_viewed(row: dict, e) -> dict:
    return {**row, "viewed": [*row["viewed"], f"{e.module}/{e.slide}"]}


def _quiz_answered(row: dict, e) -> dict:
    key = f"{e.module}/{e.slide}"
    viewed = row["viewed"] if key in row["viewed"] else [*row["viewed"], key]
    passed = [*row["passed"], key] if e.correct else row["passed"]
    return {**row, "viewed": viewed, "passed": passed}


def _module_completed(row: dict, e) -> dict:
    done = [*row["completed_modules"], e.module]
    return {
        **row,
        "completed_modules": done,
        "modules_done": len(done),
        "percent": 100 * len(done) // row["modules_total"],
    }


def _course_completed(row: dict, e) -> dict:
    return {**row, "status": "completed", "completed_at": e.at}


def _withdrawn(row: dict, e) -> dict:
    return {**row, "status": "withdrawn"}


def _rejoined(row: dict, e) -> dict:
    return {**row, "status": "completed" if row["completed_at"] else "active"}


APPLY = {
    Enrolment.Enrolled: _enrolled,
    Enrolment.SlideViewed: _slide_viewed,
    Enrolment.QuizAnswered: _quiz_answered,
    Enrolment.ModuleCompleted: _module_completed,
    Enrolment.CourseCompleted: _course_completed,
    Enrolment.Withdrawn: _withdrawn,
    Enrolment.Rejoined: _rejoined,
}


class ProgressProjection:
    name = "progress"
    tables = (progress,)

    def project(self, events, conn) -> None:
        relevant = [e for e in events if type(e) in APPLY]
        rows = load_rows(conn, progress, "enrolment_id", (e.originator_id for e in relevant))
        for e in relevant:
            row = APPLY[type(e)](rows.get(e.originator_id), e)
            rows[e.originator_id] = {**row, "last_activity_at": e.at}
        replace_rows(conn, progress, "enrolment_id", list(rows.values()))


def _progress(row) -> Progress:
    sets = {k: frozenset(row[k]) for k in ("viewed", "passed", "completed_modules")}
    return Progress(**{**{k: row[k] for k in Progress.__dataclass_fields__}, **sets})


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
    return _progress(row) if row else None


def progress_of_person(conn, person_id: UUID) -> list[Progress]:
    rows = conn.execute(
        select(progress)
        .where(progress.c.person_id == person_id)
        .order_by(progress.c.last_activity_at.desc())
    ).mappings()
    return [_progress(row) for row in rows]
