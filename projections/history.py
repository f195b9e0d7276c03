"""Learning record read model: each learner's history from the log, ready to tell in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import Column, DateTime, Integer, String, Table, Uuid, and_, select

from domain.enrolments import Enrolment
from projections.catalog import catalog
from projections.outline import outline_modules, outline_slides
from projections.tables import metadata

history = Table(
    "learning_history",
    metadata,
    Column("enrolment_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("person_id", Uuid, nullable=False, index=True),
    Column("course_id", Uuid, nullable=False),
    Column("course_version", Integer, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("module", String(200), nullable=True),
    Column("slide", String(200), nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class RecordEntry:
    """One fact of a learner's record; `kind` says which sentence tells it."""

    kind: str
    at: datetime
    course_id: UUID
    course_title: str
    module_title: str | None
    slide_title: str | None


def _kind(e) -> str | None:
    if isinstance(e, Enrolment.QuizAnswered):
        return "quiz_passed" if e.correct else None
    return {
        Enrolment.Enrolled: "enrolled",
        Enrolment.ModuleCompleted: "module_completed",
        Enrolment.CourseCompleted: "course_completed",
        Enrolment.Withdrawn: "withdrawn",
        Enrolment.Rejoined: "rejoined",
    }.get(type(e))


class HistoryProjection:
    name = "history"
    tables = (history,)

    def project(self, events, conn) -> None:
        # Only the first event of an enrolment names the learner; later ones borrow it.
        owners = self._owners(conn, {e.originator_id for e in events if _kind(e)})
        rows = []
        for e in events:
            kind = _kind(e)
            if kind == "enrolled":
                owners[e.originator_id] = (e.person_id, e.course_id, e.course_version)
            if kind:
                person_id, course_id, version = owners[e.originator_id]
                rows.append(
                    {
                        "enrolment_id": e.originator_id,
                        "version": e.originator_version,
                        "person_id": person_id,
                        "course_id": course_id,
                        "course_version": version,
                        "kind": kind,
                        "module": getattr(e, "module", None),
                        "slide": getattr(e, "slide", None),
                        "at": e.at,
                    }
                )
        if rows:
            conn.execute(history.insert(), rows)

    def _owners(self, conn, enrolment_ids: set) -> dict:
        if not enrolment_ids:
            return {}
        found = conn.execute(
            select(
                history.c.enrolment_id,
                history.c.person_id,
                history.c.course_id,
                history.c.course_version,
            ).where(history.c.kind == "enrolled", history.c.enrolment_id.in_(enrolment_ids))
        )
        return {row[0]: tuple(row[1:]) for row in found}


def record_of(conn, person_id: UUID, limit: int = 100) -> list[RecordEntry]:
    """The learner's most recent facts first, with the titles of what they concern."""
    module = outline_modules.alias("m")
    slide = outline_slides.alias("s")
    same_version = and_(
        history.c.course_id == module.c.course_id, history.c.course_version == module.c.version
    )
    statement = (
        select(
            history.c.kind,
            history.c.at,
            history.c.course_id,
            catalog.c.title,
            module.c.title,
            slide.c.title,
        )
        .join(catalog, catalog.c.course_id == history.c.course_id)
        .join(module, and_(same_version, module.c.slug == history.c.module), isouter=True)
        .join(
            slide,
            and_(
                slide.c.course_id == history.c.course_id,
                slide.c.version == history.c.course_version,
                slide.c.module_slug == history.c.module,
                slide.c.slug == history.c.slide,
            ),
            isouter=True,
        )
        .where(history.c.person_id == person_id)
        .order_by(history.c.at.desc(), history.c.enrolment_id, history.c.version.desc())
        .limit(limit)
    )
    return [RecordEntry(*row) for row in conn.execute(statement)]
