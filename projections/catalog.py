"""Catalog read model: one row per published course, shaped for the catalog and course pages."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text, Uuid, select

from domain.courses import Course
from projections.tables import metadata, replace_rows

catalog = Table(
    "catalog_courses",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("slug", String(200), nullable=False, unique=True),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("language", String(20), nullable=False),
    Column("licence", String(100), nullable=False),
    Column("attribution", Text, nullable=False),
    Column("source_url", Text, nullable=False),
    Column("skills", JSON, nullable=False),
    Column("version", Integer, nullable=False),
    Column("module_count", Integer, nullable=False),
    Column("slide_count", Integer, nullable=False),
    Column("quiz_count", Integer, nullable=False),
    Column("estimated_minutes", Integer, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("search_text", Text, nullable=False),
)


@dataclass(frozen=True)
class CatalogEntry:
    course_id: UUID
    slug: str
    title: str
    description: str
    language: str
    licence: str
    attribution: str
    source_url: str
    skills: tuple[str, ...]
    version: int
    module_count: int
    slide_count: int
    quiz_count: int
    estimated_minutes: int
    published_at: datetime


class CatalogProjection:
    name = "catalog"
    tables = (catalog,)

    def project(self, events, conn) -> None:
        # Each version replaces the whole row, so within a batch the latest one wins.
        rows = {
            e.originator_id: _row_for(e) for e in events if isinstance(e, Course.VersionPublished)
        }
        replace_rows(conn, catalog, "course_id", list(rows.values()))


def _row_for(e: Course.VersionPublished) -> dict:
    content = e.content
    slides = [s for m in content["modules"] for s in m["slides"]]
    return {
        "course_id": e.originator_id,
        "slug": content["slug"],
        "title": content["title"],
        "description": content["description"],
        "language": content["language"],
        "licence": content["licence"],
        "attribution": content["attribution"],
        "source_url": content["source_url"],
        "skills": list(content["skills"]),
        "version": e.version,
        "module_count": len(content["modules"]),
        "slide_count": len(slides),
        "quiz_count": sum(1 for s in slides if s.get("quiz")),
        "estimated_minutes": sum(m["estimated_minutes"] for m in content["modules"]),
        "published_at": e.at,
        "search_text": " ".join(
            [content["title"], content["description"], *content["skills"]]
            + [m["title"] for m in content["modules"]]
        ).casefold(),
    }


def _entry(row) -> CatalogEntry:
    fields = {k: row[k] for k in CatalogEntry.__dataclass_fields__}
    return CatalogEntry(**{**fields, "skills": tuple(row["skills"])})


def list_courses(conn, query: str = "") -> list[CatalogEntry]:
    """Published courses, alphabetically; every word of `query` must match somewhere."""
    statement = select(catalog).order_by(catalog.c.title)
    for word in query.casefold().split():
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        statement = statement.where(catalog.c.search_text.like(f"%{escaped}%", escape="\\"))
    return [_entry(row) for row in conn.execute(statement).mappings()]


def get_course(conn, course_id: UUID) -> CatalogEntry | None:
    row = conn.execute(select(catalog).where(catalog.c.course_id == course_id)).mappings().first()
    return _entry(row) if row else None
