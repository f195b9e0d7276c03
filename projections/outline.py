"""Course outline read model: every version's modules and slides, for the reader pages."""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import JSON, Column, Integer, String, Table, Text, Uuid, cast, func, select

from domain.content import Quiz
from domain.courses import Course
from projections.tables import metadata

outline_modules = Table(
    "outline_modules",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("slug", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("estimated_minutes", Integer, nullable=False),
)

outline_slides = Table(
    "outline_slides",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("module_slug", String(200), primary_key=True),
    Column("slug", String(200), primary_key=True),
    Column("position", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("content_html", Text, nullable=False),
    Column("quiz", JSON, nullable=True),
)


@dataclass(frozen=True)
class SlideRef:
    slug: str
    title: str
    has_quiz: bool


@dataclass(frozen=True)
class ModuleOutline:
    slug: str
    title: str
    description: str
    estimated_minutes: int
    slides: tuple[SlideRef, ...]


@dataclass(frozen=True)
class SlidePage:
    """One slide with what the reader needs around it: position and neighbours."""

    module_slug: str
    module_title: str
    slug: str
    title: str
    content_html: str
    quiz: Quiz | None
    number: int
    total: int
    previous_slug: str | None
    next_slug: str | None


class OutlineProjection:
    name = "outline"
    tables = (outline_modules, outline_slides)

    def project(self, events, conn) -> None:
        modules, slides = [], []
        for e in events:
            if isinstance(e, Course.VersionPublished):
                key = {"course_id": e.originator_id, "version": e.version}
                for m_pos, module in enumerate(e.content["modules"]):
                    modules.append({**key, **_module_row(module, m_pos)})
                    slides += [
                        {**key, **_slide_row(module["slug"], s, s_pos)}
                        for s_pos, s in enumerate(module["slides"])
                    ]
        if modules:
            conn.execute(outline_modules.insert(), modules)
            conn.execute(outline_slides.insert(), slides)


def _module_row(module: dict, position: int) -> dict:
    return {
        "slug": module["slug"],
        "position": position,
        "title": module["title"],
        "description": module["description"],
        "estimated_minutes": module["estimated_minutes"],
    }


def _slide_row(module_slug: str, slide: dict, position: int) -> dict:
    return {
        "module_slug": module_slug,
        "slug": slide["slug"],
        "position": position,
        "title": slide["title"],
        "content_html": slide["content_html"],
        "quiz": slide.get("quiz"),
    }


# Published versions never change, so their outlines are kept per database (engine) for good.
_outlines: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()


def course_outline(conn, course_id: UUID, version: int) -> list[ModuleOutline]:
    cache = _outlines.setdefault(conn.engine, {})
    if (course_id, version) not in cache:
        found = _read_outline(conn, course_id, version)
        if not found:  # not projected yet: ask again next time
            return found
        cache[(course_id, version)] = found
    return cache[(course_id, version)]


def _read_outline(conn, course_id: UUID, version: int) -> list[ModuleOutline]:
    modules = conn.execute(
        select(
            outline_modules.c.slug,
            outline_modules.c.title,
            outline_modules.c.description,
            outline_modules.c.estimated_minutes,
        )
        .where((outline_modules.c.course_id == course_id) & (outline_modules.c.version == version))
        .order_by(outline_modules.c.position)
    ).all()
    slides = conn.execute(
        select(
            outline_slides.c.module_slug,
            outline_slides.c.slug,
            outline_slides.c.title,
            # A slide without a quiz holds JSON null: compare text rather than decode each quiz.
            func.coalesce(cast(outline_slides.c.quiz, Text), "null") != "null",
        )
        .where((outline_slides.c.course_id == course_id) & (outline_slides.c.version == version))
        .order_by(outline_slides.c.position)
    ).all()
    by_module: dict[str, list[SlideRef]] = {}
    for module_slug, slug, title, has_quiz in slides:
        by_module.setdefault(module_slug, []).append(SlideRef(slug, title, bool(has_quiz)))
    return [
        ModuleOutline(slug, title, description, minutes, tuple(by_module.get(slug, ())))
        for slug, title, description, minutes in modules
    ]


def slide_page(conn, course_id: UUID, version: int, module: str, slide: str) -> SlidePage | None:
    module_row = conn.execute(
        select(outline_modules.c.title).where(
            (outline_modules.c.course_id == course_id)
            & (outline_modules.c.version == version)
            & (outline_modules.c.slug == module)
        )
    ).first()
    if module_row is None:
        return None
    rows = (
        conn.execute(
            select(outline_slides)
            .where(
                (outline_slides.c.course_id == course_id)
                & (outline_slides.c.version == version)
                & (outline_slides.c.module_slug == module)
            )
            .order_by(outline_slides.c.position)
        )
        .mappings()
        .all()
    )
    slugs = [r["slug"] for r in rows]
    if slide not in slugs:
        return None
    index = slugs.index(slide)
    row = rows[index]
    return SlidePage(
        module_slug=module,
        module_title=module_row.title,
        slug=slide,
        title=row["title"],
        content_html=row["content_html"],
        quiz=Quiz.from_dict(row["quiz"]) if row["quiz"] is not None else None,
        number=index + 1,
        total=len(slugs),
        previous_slug=slugs[index - 1] if index > 0 else None,
        next_slug=slugs[index + 1] if index + 1 < len(slugs) else None,
    )
