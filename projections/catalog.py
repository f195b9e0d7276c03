"""Catalog read model: a row per published course and per course skill, for finding courses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    JSON,
    Column,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    case,
    func,
    select,
)

from domain.courses import Course
from domain.skills import CATEGORIES, canonical_name, category_of
from projections.tables import metadata, replace_rows

PAGE_SIZE = 12
SORTS = ("title", "shortest", "newest")
# Length buckets in minutes, bounds included; a course of unknown length (0) is in none.
LENGTHS = {"short": (1, 29), "medium": (30, 120), "long": (121, None)}

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

# One row per skill a course teaches, so filtering by skill or category is a SQL semi-join.
# The category comes from the taxonomy when projecting; NULL for a skill outside it.
course_skills = Table(
    "catalog_course_skills",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("skill", Text, primary_key=True),
    Column("category", String(20), nullable=True),
    Column("position", Integer, nullable=False),
    Index("ix_catalog_course_skills_skill", "skill"),
    Index("ix_catalog_course_skills_category", "category"),
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


@dataclass(frozen=True)
class SkillTag:
    name: str
    category: str | None


@dataclass(frozen=True)
class CatalogQuery:
    """What a reader asked the catalog for; values are trusted to be valid (parse before)."""

    text: str = ""
    category: str | None = None
    skill: str | None = None
    language: str | None = None
    length: str | None = None
    sort: str = "title"
    page: int = 1


@dataclass(frozen=True)
class CatalogPage:
    """One page of results: `page` is clamped to 1..pages, and pages is at least 1."""

    entries: tuple[CatalogEntry, ...]
    total: int
    page: int
    pages: int
    page_size: int

    @property
    def first(self) -> int:
        return (self.page - 1) * self.page_size + 1 if self.entries else 0

    @property
    def last(self) -> int:
        return self.first + len(self.entries) - 1 if self.entries else 0

    def nearby_pages(self, radius: int = 2) -> list[int | None]:
        """Page numbers for a pager: the first, the last and those near this one; None in gaps."""
        shown = [
            n
            for n in range(1, self.pages + 1)
            if n in (1, self.pages) or abs(n - self.page) <= radius
        ]
        with_gaps: list[int | None] = []
        for n in shown:
            if with_gaps and n - with_gaps[-1] > 1:
                with_gaps.append(None)
            with_gaps.append(n)
        return with_gaps


@dataclass(frozen=True)
class CatalogFilters:
    """The filter values present in the catalog, in the order a form offers them."""

    categories: tuple[str, ...]
    skills: tuple[SkillTag, ...]
    languages: tuple[str, ...]

    def skills_by_category(self) -> list[tuple[str | None, list[SkillTag]]]:
        """Skills grouped by category in taxonomy order; skills outside it come last (None)."""
        groups: dict[str | None, list[SkillTag]] = {}
        for tag in sorted(self.skills, key=_skill_order):
            groups.setdefault(tag.category, []).append(tag)
        return list(groups.items())


class CatalogProjection:
    name = "catalog"
    tables = (catalog, course_skills)

    def project(self, events, conn) -> None:
        # Each version replaces the course's rows, so within a batch the latest one wins.
        latest = {e.originator_id: e for e in events if isinstance(e, Course.VersionPublished)}
        if not latest:
            return
        replace_rows(conn, catalog, "course_id", [_row_for(e) for e in latest.values()])
        conn.execute(course_skills.delete().where(course_skills.c.course_id.in_(list(latest))))
        skill_rows = [row for e in latest.values() for row in _skill_rows(e)]
        if skill_rows:
            conn.execute(course_skills.insert(), skill_rows)


def _skills_of(content: dict) -> list[str]:
    # The taxonomy's spelling, once each: "wikidata" and "Wikidata" are one skill.
    return list(dict.fromkeys(canonical_name(s) for s in content["skills"] if s.strip()))


def _skill_rows(e: Course.VersionPublished) -> list[dict]:
    return [
        {"course_id": e.originator_id, "skill": s, "category": category_of(s), "position": i}
        for i, s in enumerate(_skills_of(e.content))
    ]


def _row_for(e: Course.VersionPublished) -> dict:
    content = e.content
    slides = [s for m in content["modules"] for s in m["slides"]]
    skills = _skills_of(content)
    return {
        "course_id": e.originator_id,
        "slug": content["slug"],
        "title": content["title"],
        "description": content["description"],
        "language": content["language"],
        "licence": content["licence"],
        "attribution": content["attribution"],
        "source_url": content["source_url"],
        "skills": skills,
        "version": e.version,
        "module_count": len(content["modules"]),
        "slide_count": len(slides),
        "quiz_count": sum(1 for s in slides if s.get("quiz")),
        "estimated_minutes": sum(m["estimated_minutes"] for m in content["modules"]),
        "published_at": e.at,
        "search_text": " ".join(
            [content["title"], content["description"], *skills]
            + [m["title"] for m in content["modules"]]
        ).casefold(),
    }


# --- queries ------------------------------------------------------------------------------


def _entry(row) -> CatalogEntry:
    fields = {k: row[k] for k in CatalogEntry.__dataclass_fields__}
    return CatalogEntry(**{**fields, "skills": tuple(row["skills"])})


def _text_matches(text: str) -> list:
    """Every word must occur, case-insensitively, in the text of the course's own language.

    The one place search looks at course text: when translations arrive, this is where a
    translations table joins in.
    """
    conditions = []
    for word in dict.fromkeys(text.casefold().split()):
        escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        conditions.append(catalog.c.search_text.like(f"%{escaped}%", escape="\\"))
    return conditions


def _teaching(condition):
    return catalog.c.course_id.in_(select(course_skills.c.course_id).where(condition))


def _conditions(query: CatalogQuery) -> list:
    conditions = _text_matches(query.text)
    if query.category:
        conditions.append(_teaching(course_skills.c.category == query.category))
    if query.skill:
        conditions.append(_teaching(course_skills.c.skill == query.skill))
    if query.language:
        conditions.append(catalog.c.language == query.language)
    if query.length in LENGTHS:
        low, high = LENGTHS[query.length]
        conditions.append(catalog.c.estimated_minutes >= low)
        if high is not None:
            conditions.append(catalog.c.estimated_minutes <= high)
    return conditions


def _order(sort: str) -> list:
    # Ties always end on the title and then the id, so pages never overlap or skip a course.
    by_title = [func.lower(catalog.c.title), catalog.c.title, catalog.c.course_id]
    if sort == "shortest":
        unknown_last = case((catalog.c.estimated_minutes == 0, 1), else_=0)
        return [unknown_last, catalog.c.estimated_minutes, *by_title]
    if sort == "newest":
        return [catalog.c.published_at.desc(), *by_title]
    return by_title


def search_courses(conn, query: CatalogQuery, page_size: int = PAGE_SIZE) -> CatalogPage:
    """One page of the courses matching every part of `query`; an out-of-range page is clamped."""
    conditions = _conditions(query)
    total = conn.execute(select(func.count()).select_from(catalog).where(*conditions)).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(query.page, 1), pages)
    statement = (
        select(catalog)
        .where(*conditions)
        .order_by(*_order(query.sort))
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    entries = tuple(_entry(row) for row in conn.execute(statement).mappings())
    return CatalogPage(entries, total, page, pages, page_size)


def list_courses(conn, query: str = "") -> list[CatalogEntry]:
    """Every published course matching `query`, alphabetically (no paging)."""
    statement = select(catalog).where(*_text_matches(query)).order_by(*_order("title"))
    return [_entry(row) for row in conn.execute(statement).mappings()]


def filter_options(conn) -> CatalogFilters:
    """Categories, skills and languages that some published course has."""
    tags = conn.execute(select(course_skills.c.skill, course_skills.c.category).distinct()).all()
    present = {category for _, category in tags}
    skills = sorted((SkillTag(name, category) for name, category in tags), key=_skill_order)
    languages = conn.execute(select(catalog.c.language).distinct().order_by(catalog.c.language))
    return CatalogFilters(
        tuple(c for c in CATEGORIES if c in present), tuple(skills), tuple(languages.scalars())
    )


def _skill_order(tag: SkillTag) -> tuple:
    rank = CATEGORIES.index(tag.category) if tag.category in CATEGORIES else len(CATEGORIES)
    return (rank, tag.name.casefold(), tag.name)


def get_course(conn, course_id: UUID) -> CatalogEntry | None:
    row = conn.execute(select(catalog).where(catalog.c.course_id == course_id)).mappings().first()
    return _entry(row) if row else None


def courses_by_id(conn, course_ids) -> dict[UUID, CatalogEntry]:
    """The published courses among `course_ids`, in one query."""
    ids = list(set(course_ids))
    if not ids:
        return {}
    rows = conn.execute(select(catalog).where(catalog.c.course_id.in_(ids))).mappings()
    return {row["course_id"]: _entry(row) for row in rows}


def skills_of_course(conn, course_id: UUID) -> tuple[SkillTag, ...]:
    """The course's skills with their categories, in the order the course lists them."""
    rows = conn.execute(
        select(course_skills.c.skill, course_skills.c.category)
        .where(course_skills.c.course_id == course_id)
        .order_by(course_skills.c.position)
    )
    return tuple(SkillTag(name, category) for name, category in rows)
