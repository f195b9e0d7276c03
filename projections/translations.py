"""Translations read model: each course version's translations, for organisers, learner pages
and the catalog."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
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
    exists,
    select,
)

from domain.content import Quiz
from domain.courses import Course
from domain.translations import (
    AnswerTranslation,
    PartLanguages,
    QuizTranslation,
    language_candidates,
)
from projections.outline import ModuleOutline, SlidePage
from projections.tables import metadata

course_translations = Table(
    "course_translations",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("language", String(35), primary_key=True),
    Column("revision", Integer, nullable=False),
    Column("title", Text, nullable=False),
    Column("description", Text, nullable=False),
    # How many modules and slides it translates: the rest is shown in the original.
    Column("module_count", Integer, nullable=False),
    Column("slide_count", Integer, nullable=False),
    Column("published_at", DateTime(timezone=True), nullable=False),
    Column("search_text", Text, nullable=False),
    Index("ix_course_translations_language", "language"),
)

# A module's own title and description (slide_slug ""), or one slide, as translated.
translation_parts = Table(
    "course_translation_parts",
    metadata,
    Column("course_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("language", String(35), primary_key=True),
    Column("module_slug", String(200), primary_key=True),
    Column("slide_slug", String(200), primary_key=True),
    Column("title", Text, nullable=False),
    Column("text", Text, nullable=False),  # the module's description, or the slide's HTML
    Column("quiz", JSON, nullable=True),  # the slide's quiz texts (QuizTranslation.to_dict)
)

_MODULE = ""  # slide_slug of a module's own row


@dataclass(frozen=True)
class TranslationSummary:
    course_id: UUID
    version: int
    language: str
    revision: int
    title: str
    description: str
    module_count: int
    slide_count: int
    published_at: datetime


@dataclass(frozen=True)
class TranslatedTitle:
    language: str
    title: str
    description: str


class TranslationsProjection:
    name = "translations"
    tables = (course_translations, translation_parts)

    def project(self, events, conn) -> None:
        # A later revision replaces an earlier one, so within a batch the latest one wins.
        latest = {
            (e.originator_id, e.version, e.language): e
            for e in events
            if isinstance(e, Course.TranslationPublished)
        }
        if not latest:
            return
        for course_id, version, language in latest:
            for table in self.tables:
                conn.execute(
                    table.delete().where(
                        (table.c.course_id == course_id)
                        & (table.c.version == version)
                        & (table.c.language == language)
                    )
                )
        conn.execute(course_translations.insert(), [_row(e) for e in latest.values()])
        parts = [part for e in latest.values() for part in _part_rows(e)]
        if parts:
            conn.execute(translation_parts.insert(), parts)


def _row(e: Course.TranslationPublished) -> dict:
    content = e.content
    modules = content["modules"]
    return {
        "course_id": e.originator_id,
        "version": e.version,
        "language": e.language,
        "revision": e.revision,
        "title": content["title"],
        "description": content["description"],
        "module_count": len(modules),
        "slide_count": sum(len(m["slides"]) for m in modules),
        "published_at": e.at,
        "search_text": " ".join(
            [content["title"], content["description"], *(m["title"] for m in modules)]
        ).casefold(),
    }


def _part_rows(e: Course.TranslationPublished) -> list[dict]:
    key = {"course_id": e.originator_id, "version": e.version, "language": e.language}

    def row(module: str, slide: str, title: str, text: str, quiz: dict | None) -> dict:
        parts = {"module_slug": module, "slide_slug": slide, "title": title}
        return {**key, **parts, "text": text, "quiz": quiz}

    rows = []
    for m in e.content["modules"]:
        rows.append(row(m["slug"], _MODULE, m["title"], m["description"], None))
        rows += [
            row(m["slug"], s["slug"], s["title"], s["content_html"], s["quiz"]) for s in m["slides"]
        ]
    return rows


# --- queries for organisers ---------------------------------------------------------------


def _summary(row) -> TranslationSummary:
    return TranslationSummary(**{k: row[k] for k in TranslationSummary.__dataclass_fields__})


def translations_of(conn, course_id: UUID) -> list[TranslationSummary]:
    """The course's translations, newest version first, then by language."""
    return all_translations(conn, course_id).get(course_id, [])


def all_translations(conn, course_id: UUID | None = None) -> dict[UUID, list[TranslationSummary]]:
    """Every course's translations (or one course's), newest version first, then by language."""
    query = select(course_translations).order_by(
        course_translations.c.course_id,
        course_translations.c.version.desc(),
        course_translations.c.language,
    )
    if course_id is not None:
        query = query.where(course_translations.c.course_id == course_id)
    found: dict[UUID, list[TranslationSummary]] = {}
    for row in conn.execute(query).mappings():
        found.setdefault(row["course_id"], []).append(_summary(row))
    return found


# --- queries for learner pages ------------------------------------------------------------


def translated_titles(
    conn, courses: Mapping[UUID, int], wanted: str
) -> dict[UUID, TranslatedTitle]:
    """For courses (id → the version shown), their title and description in the translation
    that best serves a reader of `wanted` (pt_BR or pt-BR); courses without one are left out."""
    if not courses:
        return {}
    candidates = language_candidates(wanted)
    rows = conn.execute(
        select(
            course_translations.c.course_id,
            course_translations.c.version,
            course_translations.c.language,
            course_translations.c.title,
            course_translations.c.description,
        ).where(
            course_translations.c.course_id.in_(list(courses)),
            course_translations.c.language.in_(candidates),
        )
    ).all()
    best: dict[UUID, TranslatedTitle] = {}
    for course_id, version, language, title, description in sorted(
        rows, key=lambda r: candidates.index(r.language)
    ):
        if version == courses[course_id] and course_id not in best:
            best[course_id] = TranslatedTitle(language, title, description)
    return best


def best_translation(conn, course_id: UUID, version: int, wanted: str) -> str | None:
    """The language of the version's translation that best serves a reader of `wanted`."""
    candidates = language_candidates(wanted)
    found = conn.execute(
        select(course_translations.c.language).where(
            course_translations.c.course_id == course_id,
            course_translations.c.version == version,
            course_translations.c.language.in_(candidates),
        )
    ).scalars()
    return min(found, key=candidates.index, default=None)


def localised_outline(
    conn,
    course_id: UUID,
    version: int,
    original_language: str,
    wanted: str,
    modules: list[ModuleOutline],
) -> tuple[list[ModuleOutline], PartLanguages]:
    """The outline (from `projections.outline.course_outline`) with the titles and
    descriptions a translation for `wanted` has, and which language each part is in."""
    language = best_translation(conn, course_id, version, wanted)
    if language is None:
        return modules, PartLanguages(wanted, original_language)
    parts = _parts(conn, course_id, version, language)
    localised = []
    for module in modules:
        own = parts.get((module.slug, _MODULE))
        slides = tuple(
            replace(s, title=parts[(module.slug, s.slug)]["title"])
            if (module.slug, s.slug) in parts
            else s
            for s in module.slides
        )
        if own is not None:
            module = replace(module, title=own["title"], description=own["text"])
        localised.append(replace(module, slides=slides))
    return localised, _languages(wanted, original_language, language, parts)


def localised_slide(
    conn, course_id: UUID, version: int, original_language: str, wanted: str, page: SlidePage
) -> tuple[SlidePage, PartLanguages]:
    """The slide page (from `projections.outline.slide_page`) with its module's title and its
    own texts as a translation for `wanted` has them, and which language each part is in."""
    language = best_translation(conn, course_id, version, wanted)
    if language is None:
        return page, PartLanguages(wanted, original_language)
    parts = _parts(conn, course_id, version, language, page.module_slug)
    module, slide = parts.get((page.module_slug, _MODULE)), parts.get((page.module_slug, page.slug))
    if module is not None:
        page = replace(page, module_title=module["title"])
    if slide is not None:
        page = replace(
            page,
            title=slide["title"],
            content_html=slide["text"],
            quiz=_translated_quiz(page.quiz, slide["quiz"]),
        )
    return page, _languages(wanted, original_language, language, parts)


def _parts(conn, course_id: UUID, version: int, language: str, module: str | None = None):
    query = select(translation_parts).where(
        translation_parts.c.course_id == course_id,
        translation_parts.c.version == version,
        translation_parts.c.language == language,
    )
    if module is not None:
        query = query.where(translation_parts.c.module_slug == module)
    rows = conn.execute(query).mappings()
    return {(row["module_slug"], row["slide_slug"]): row for row in rows}


def _languages(wanted: str, original: str, language: str, parts) -> PartLanguages:
    translated = frozenset((m, s or None) for m, s in parts)
    return PartLanguages(wanted, original, language, translated)


def _translated_quiz(quiz: Quiz | None, texts: dict | None) -> Quiz | None:
    if quiz is None or texts is None:
        return quiz
    answers = tuple(AnswerTranslation(**a) for a in texts["answers"])
    return QuizTranslation(texts["question"], answers).applied_to(quiz)


# --- conditions for the catalog's queries -------------------------------------------------


def translated_into(course_id, version, language: str):
    """A condition on a query over courses, given its course id and version columns: that
    version has a translation into `language`."""
    return exists().where(
        course_translations.c.course_id == course_id,
        course_translations.c.version == version,
        course_translations.c.language == language,
    )


def translation_mentions(course_id, version, word: str):
    """A condition on a query over courses, given its course id and version columns: a
    translation of that version has `word` in its title, description or module titles,
    whatever the case."""
    return exists().where(
        course_translations.c.course_id == course_id,
        course_translations.c.version == version,
        course_translations.c.search_text.contains(word.casefold(), autoescape=True),
    )


def translation_languages(conn, course_id, version) -> tuple[str, ...]:
    """The languages the courses of a query are translated into, given its course id and
    version columns (the catalog's), for a language filter."""
    query = (
        select(course_translations.c.language)
        .where(course_translations.c.course_id == course_id)
        .where(course_translations.c.version == version)
        .distinct()
        .order_by(course_translations.c.language)
    )
    return tuple(conn.execute(query).scalars())
