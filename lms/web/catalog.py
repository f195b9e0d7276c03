"""Finding courses: the start page, the catalog with search and filters, and a course's own page."""

from __future__ import annotations

import re
from dataclasses import replace
from uuid import UUID

from babel import Locale, UnknownLocaleError
from flask import Blueprint, abort, request, url_for
from flask_babel import get_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.datastructures import MultiDict

from domain.skills import CATEGORIES, skill_named
from lms.access import current_person, services
from lms.htmx import render
from lms.pagecache import cached_page
from projections import catalog, outline, progress
from projections.catalog import CatalogFilters, CatalogProjection, CatalogQuery, SkillTag
from projections.outline import OutlineProjection

blueprint = Blueprint("catalog", __name__)

MAX_QUERY_LENGTH = 200
MAX_VALUE_LENGTH = 200
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]")

CATEGORY_LABELS = {
    "individual": _l("Individual (on-wiki editing)"),
    "organisational": _l("Organisational"),
    "technical": _l("Technical"),
    "governance": _l("Governance"),
}
LENGTH_LABELS = {
    "short": _l("Under 30 minutes"),
    "medium": _l("30 minutes to 2 hours"),
    "long": _l("Over 2 hours"),
}
SORT_LABELS = {"title": _l("Title"), "shortest": _l("Shortest first"), "newest": _l("Newest first")}


@blueprint.get("/")
def home():
    with services().engine.connect() as conn:
        found = catalog.search_courses(conn, CatalogQuery(), page_size=6)
    return render("learn/home.html", courses=found.entries, course_count=found.total)


@blueprint.get("/courses")
@cached_page(CatalogProjection)
def courses():
    with services().engine.connect() as conn:
        filters = catalog.filter_options(conn)
        query = parse_catalog_query(request.args, filters)
        found = catalog.search_courses(conn, query)
    # htmx restoring history after a cache miss swaps the whole body: it needs the whole page.
    restoring = request.headers.get("HX-History-Restore-Request") == "true"
    partial = None if restoring else "learn/_course_list.html"
    context = {"found": found, "query": query, "filters": offered(filters, query)}
    response = render("learn/catalog.html", partial, **context)
    # The partial moves focus after paging but not after filtering: htmx names the trigger.
    response.vary.update(("HX-History-Restore-Request", "HX-Trigger"))
    return response


@blueprint.get("/courses/<uuid:course_id>")
@cached_page(CatalogProjection, OutlineProjection, personal=True)
def course(course_id: UUID):
    person = current_person()
    with services().engine.connect() as conn:
        entry = catalog.get_course(conn, course_id) or abort(404)
        mine = person and progress.progress_for(conn, person.person_id, course_id)
        version = mine.course_version if mine else entry.version
        modules = outline.course_outline(conn, course_id, version)
        skills = catalog.skills_of_course(conn, course_id)
    return render(
        "learn/course.html",
        course=entry,
        skills=skills,
        modules=modules,
        progress=mine,
        next_step=mine and progress.next_step(modules, mine),
    )


# --- reading the query string -------------------------------------------------------------


def parse_catalog_query(args: MultiDict, filters: CatalogFilters) -> CatalogQuery:
    """The reader's query, bounded; values the catalog cannot know are dropped, never an error."""
    skills = {tag.name for tag in filters.skills}
    return CatalogQuery(
        text=_CONTROL_CHARACTERS.sub(" ", args.get("q", "")[:MAX_QUERY_LENGTH]).strip(),
        category=_one_of(_value(args, "category"), CATEGORIES),
        skill=_known_skill(_value(args, "skill"), skills),
        language=_one_of(_value(args, "language"), filters.languages),
        length=_one_of(_value(args, "length"), catalog.LENGTHS),
        sort=_one_of(_value(args, "sort"), catalog.SORTS) or "title",
        page=_page_number(args.get("page", "")),
    )


def _value(args: MultiDict, name: str) -> str:
    return args.get(name, "")[:MAX_VALUE_LENGTH].strip()


def _one_of(value: str, allowed) -> str | None:
    return value if value in allowed else None


def _known_skill(value: str, present: set[str]) -> str | None:
    """A skill some course teaches, or one of the taxonomy (then in its spelling)."""
    if value in present:
        return value
    skill = skill_named(value) if value else None
    return skill.name if skill else None


def _page_number(raw: str) -> int:
    # Only plain ASCII digits; anything too long to be a page is "very far", clamped later.
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return int(raw) if len(raw) <= 9 else 10**9


def offered(filters: CatalogFilters, query: CatalogQuery) -> CatalogFilters:
    """The form's choices: what the catalog has, plus a chosen value it has none of (yet)."""
    categories, skills = filters.categories, filters.skills
    if query.category and query.category not in categories:
        categories = tuple(c for c in CATEGORIES if c in {*categories, query.category})
    if query.skill and query.skill not in {tag.name for tag in skills}:
        skills = (*skills, SkillTag(query.skill, skill_named(query.skill).category))
    return replace(filters, categories=categories, skills=skills)


# --- template helpers ---------------------------------------------------------------------


@blueprint.app_template_global()
def catalog_url(query: CatalogQuery, **changes) -> str:
    """The catalog's address for `query` with some values changed; defaults are left out."""
    chosen = replace(query, **changes)
    args = {
        "q": chosen.text,
        "category": chosen.category,
        "skill": chosen.skill,
        "language": chosen.language,
        "length": chosen.length,
        "sort": chosen.sort if chosen.sort != "title" else None,
        "page": chosen.page if chosen.page > 1 else None,
    }
    return url_for("catalog.courses", **{k: v for k, v in args.items() if v})


@blueprint.app_template_filter()
def language_name(code: str) -> str:
    """A language's name in the reader's language ("en" → "English"); the code if unknown."""
    try:
        name = Locale.parse(code.replace("-", "_")).get_display_name(get_locale())
    except (ValueError, TypeError, UnknownLocaleError):
        return code
    return name or code


@blueprint.app_template_filter()
def skill_category(category: str | None) -> str:
    return str(CATEGORY_LABELS.get(category or "", _("Other")))


@blueprint.app_template_filter()
def duration(minutes: int) -> str:
    """An estimated time for people: "about 45 min", "about 2 h 30 min"; empty when unknown."""
    if not minutes or minutes <= 0:
        return ""
    hours, rest = divmod(minutes, 60)
    if not hours:
        return _("about %(minutes)s min", minutes=rest)
    if not rest:
        return ngettext("about %(num)s hour", "about %(num)s hours", hours)
    return _("about %(hours)s h %(minutes)s min", hours=hours, minutes=rest)


@blueprint.context_processor
def _labels() -> dict:
    return {"length_labels": LENGTH_LABELS, "sort_labels": SORT_LABELS}
