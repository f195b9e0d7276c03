"""Organisers' pages: define and revise achievements, award them by hand, suspend and revoke;
translate courses."""

from __future__ import annotations

import base64
import itertools
import json
from dataclasses import dataclass
from uuid import UUID

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from domain.achievements import KINDS, NAME_MAX, REASON_MAX, TEXT_MAX, AchievementDefinition
from domain.content import CourseContent
from domain.courses import Course
from domain.errors import DomainError, InvalidTranslationError
from domain.skills import SKILLS
from domain.translation_texts import (
    TranslatableText,
    carried_over,
    texts_by_part,
    translatable_texts,
    translation_data,
)
from domain.translations import (
    HTML_MAX,
    TITLE_MAX,
    CourseTranslation,
    translation_language,
)
from domain.translations import TEXT_MAX as TRANSLATED_TEXT_MAX
from lms.access import current_person, services
from lms.credentials import local
from lms.credentials.badge_art import MAX_UPLOAD_BYTES, BadgeImageRejectedError, checked_badge_image
from lms.errors import BadInput, answer_for
from lms.htmx import render
from lms.i18n import RIGHT_TO_LEFT, offered_languages
from lms.sanitise import clean_html
from lms.web.auth import FieldError, form_error
from projections import catalog, people, translations
from projections import credentials as held

blueprint = Blueprint("organise", __name__, url_prefix="/organise")

ORGANISING_ROLES = frozenset({"organiser", "admin"})
FORM_TEMPLATE = "organise/achievement_form.html"
PAGE_TEMPLATE = "organise/achievement.html"
TRANSLATION_TEMPLATE = "organise/translation.html"
TEXT_LABELS = {
    "title": _l("Title"),
    "description": _l("Description"),
    "content_html": _l("Slide text (HTML or Markdown)"),
    "question": _l("Quiz question"),
    "answer": _l("Answer %(id)s"),
    "explanation": _l("Explanation of answer %(id)s"),
}


@blueprint.before_request
def _organisers_only():
    """Every page here, checked once; the commands check the role again."""
    person = current_person()
    if person is None:
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
    if not ORGANISING_ROLES & set(person.roles):
        abort(403)
    return None


@blueprint.get("/achievements")
def achievements():
    with services().engine.connect() as conn:
        found = held.list_achievements(conn)
        counts = held.credential_counts(conn)
    return render("organise/achievements.html", achievements=found, counts=counts)


@blueprint.route("/achievements/new", methods=["GET", "POST"])
def define():
    if request.method == "GET":
        return _form_page(None, {"kind": KINDS[0], "courses": [], "mentoring_skill": ""})
    try:
        definition = _definition_from_form(current_image=None)
        recorded = services().app.define_achievement(definition, by=current_person().person_id)
    except (DomainError, BadInput) as error:
        return _form_page(None, _submitted_form(), error)
    services().caught_up(recorded)
    flash(_("The achievement is defined."))
    return redirect(url_for("organise.achievement", achievement_id=recorded.id), 303)


@blueprint.route("/achievements/<uuid:achievement_id>/edit", methods=["GET", "POST"])
def revise(achievement_id: UUID):
    current = _achievement_or_404(achievement_id)
    if request.method == "GET":
        return _form_page(current, _form_of(current))
    try:
        definition = _definition_from_form(current_image=current.image)
        recorded = services().app.revise_achievement(
            achievement_id, definition, by=current_person().person_id
        )
    except (DomainError, BadInput) as error:
        return _form_page(current, _submitted_form(), error)
    services().caught_up(recorded)
    flash(_("The achievement is saved. Credentials issued before keep the version they certify."))
    return redirect(url_for("organise.achievement", achievement_id=achievement_id), 303)


@blueprint.get("/achievements/<uuid:achievement_id>")
def achievement(achievement_id: UUID):
    return render(PAGE_TEMPLATE, **_page_context(achievement_id))


@blueprint.post("/achievements/<uuid:achievement_id>/award")
def award(achievement_id: UUID):
    try:
        person = _person_named(request.form.get("username", ""))
        recorded = services().app.award_credential(
            achievement_id, person.person_id, _reason(), by=current_person().person_id
        )
    except (DomainError, BadInput) as error:
        return form_error(PAGE_TEMPLATE, error, **_page_context(achievement_id))
    services().caught_up(recorded)
    flash(_("%(name)s now holds this achievement.", name=person.display_name))
    return redirect(url_for("organise.achievement", achievement_id=achievement_id), 303)


@blueprint.post("/credentials/<public_id>/suspend")
def suspend(public_id: str):
    return _change_status(public_id, services().app.suspend_credential, _l("Suspended."))


@blueprint.post("/credentials/<public_id>/reinstate")
def reinstate(public_id: str):
    return _change_status(public_id, services().app.reinstate_credential, _l("Reinstated."))


@blueprint.post("/credentials/<public_id>/revoke")
def revoke(public_id: str):
    return _change_status(public_id, services().app.revoke_credential, _l("Revoked."))


@blueprint.post("/achievements/issue-earned")
def issue_earned():
    issued = services().app.issue_all_earned_credentials()
    services().projections.catch_up()  # the command returns a count, not a log position
    flash(
        ngettext(
            "%(num)d credential issued to someone who had already earned it.",
            "%(num)d credentials issued to people who had already earned them.",
            issued,
        )
    )
    return redirect(url_for("organise.achievements"), 303)


@blueprint.get("/courses")
def courses():
    with services().engine.connect() as conn:
        found = catalog.list_courses(conn)
        translated = translations.all_translations(conn)
    return render(
        "organise/courses.html",
        courses=found,
        translations=translated,
        suggested=offered_languages(),
    )


@blueprint.get("/courses/<uuid:course_id>/translations")
def start_translation(course_id: UUID):
    """The course list's "translate into" form, on to that language's page."""
    with services().engine.connect() as conn:
        course = catalog.get_course(conn, course_id) or abort(404)
    language = translation_language(request.args.get("language", "")[:50], course.language)
    return redirect(url_for("organise.translation", course_id=course_id, language=language), 303)


@blueprint.route("/courses/<uuid:course_id>/translations/<language>", methods=["GET", "POST"])
def translation(course_id: UUID, language: str):
    work = _translation_work(course_id, language)
    if request.method == "GET":
        return _translation_page(work, *_prefilled(work))
    data = translation_data(request.form, work.original)
    return _publish_translation(work, data, shown=(request.form.to_dict(), None))


@blueprint.post("/courses/<uuid:course_id>/translations/<language>/upload")
def upload_translation(course_id: UUID, language: str):
    """A translation as a JSON file shaped like the download, for translators offline."""
    work = _translation_work(course_id, language)
    shown = _prefilled(work)
    try:
        data = _uploaded_json()
    except BadInput as error:
        return _translation_page(work, *shown, error)
    return _publish_translation(work, data, shown)


@blueprint.get("/courses/<uuid:course_id>/translations/<language>/translation.json")
def download_translation(course_id: UUID, language: str):
    """The published translation, or else the original's texts to translate, as JSON."""
    work = _translation_work(course_id, language)
    latest = services().app.course_translation(course_id, work.version, work.language)
    texts = texts_by_part(latest or work.original)
    data = {"language": work.language, **translation_data(texts, work.original)}
    name = f"{work.original.slug}-v{work.version}-{work.language}.json"
    return Response(
        json.dumps(data, ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- helpers ------------------------------------------------------------------------------


def _achievement_or_404(achievement_id: UUID) -> held.AchievementView:
    with services().engine.connect() as conn:
        return held.get_achievement(conn, achievement_id) or abort(404)


def _page_context(achievement_id: UUID) -> dict:
    with services().engine.connect() as conn:
        shown = held.get_achievement(conn, achievement_id) or abort(404)
        found = held.list_credentials(conn, achievement_id)
        holders = {c.person_id: people.person(conn, c.person_id) for c in found}
        courses = [catalog.get_course(conn, course_id) for course_id in shown.courses]
    return {"achievement": shown, "credentials": found, "holders": holders, "courses": courses}


def _change_status(public_id: str, command, done):
    with services().engine.connect() as conn:
        credential = local.find_credential(conn, public_id) or abort(404)
    try:
        recorded = command(credential.credential_id, _reason(), by=current_person().person_id)
    except DomainError as error:
        return form_error(PAGE_TEMPLATE, error, **_page_context(credential.achievement_id))
    services().caught_up(recorded)
    flash(str(done))
    return redirect(url_for("organise.achievement", achievement_id=credential.achievement_id), 303)


def _form_page(current: held.AchievementView | None, form: dict, error: Exception | None = None):
    with services().engine.connect() as conn:
        offered = catalog.list_courses(conn)
    context = {
        "achievement": current,
        "form": form,
        "offered": offered,
        "kinds": KINDS,
        "skills": SKILLS,
    }
    if error is not None:
        return form_error(FORM_TEMPLATE, error, **context)
    return render(FORM_TEMPLATE, **context)


def _submitted_form() -> dict:
    """What the organiser typed, to show again with the refusal."""
    form = {name: _text(name, TEXT_MAX) for name in ("name", "description", "criteria", "kind")}
    return {
        **form,
        "courses": request.form.getlist("courses"),
        "mentoring_skill": _text("mentoring_skill", NAME_MAX),
        "mentoring_hours": _text("mentoring_hours", 10),
    }


def _form_of(current: held.AchievementView) -> dict:
    return {
        "name": current.name,
        "description": current.description,
        "criteria": current.criteria,
        "kind": current.kind,
        "courses": [str(c) for c in current.courses],
        "mentoring_skill": current.mentoring_skill or "",
        "mentoring_hours": str(current.mentoring_hours or ""),
    }


def _definition_from_form(current_image: str | None) -> AchievementDefinition:
    return AchievementDefinition.of(
        _text("name", NAME_MAX),
        _text("description", TEXT_MAX),
        _text("criteria", TEXT_MAX),
        _text("kind", 20),
        _chosen_courses(),
        _uploaded_image() or current_image,
        *_mentoring_rule(),
    )


def _mentoring_rule() -> tuple[str | None, int]:
    """(skill, hours) of a mentoring rule, or (None, 0) when the organiser chose none."""
    skill = _text("mentoring_skill", NAME_MAX).strip() or None
    hours = _text("mentoring_hours", 10).strip()
    if skill is None and not hours:
        return None, 0
    if not (hours.isascii() and hours.isdigit()):  # "²" passes isdigit(), yet int() refuses it
        raise FieldError("mentoring_hours", _l("Please give the hours as a whole number."))
    return skill, int(hours)


def _text(name: str, limit: int) -> str:
    # One past the limit: an over-long value is refused by the rule rather than cut to fit.
    return request.form.get(name, "")[: limit + 1]


def _chosen_courses() -> list[UUID]:
    try:
        return [UUID(value) for value in request.form.getlist("courses")]
    except ValueError:
        raise FieldError("courses", _l("Please choose courses from the list.")) from None


def _uploaded_image() -> str | None:
    """The uploaded PNG, checked and base64-encoded; None when no file was chosen."""
    upload = request.files.get("image")
    if upload is None or not upload.filename:
        return None
    try:
        image = checked_badge_image(upload.read(MAX_UPLOAD_BYTES + 1))
    except BadgeImageRejectedError as error:
        raise FieldError("image", str(error)) from None
    return base64.b64encode(image).decode("ascii")


def _reason() -> str:
    return _text("reason", REASON_MAX)


def _person_named(username: str) -> people.PersonView:
    with services().engine.connect() as conn:
        found = people.account_for_username(conn, username[:100])
    if found is None:
        raise FieldError("username", _l("Nobody here has that username."))
    return found.person


# --- translations -------------------------------------------------------------------------


@dataclass(frozen=True)
class TranslationWork:
    """A course version being translated into `language`."""

    course: catalog.CatalogEntry
    version: int
    original: CourseContent
    language: str


def _translation_work(course_id: UUID, language: str) -> TranslationWork:
    with services().engine.connect() as conn:
        course = catalog.get_course(conn, course_id) or abort(404)
    version = _version_asked(course.version)
    original = services().app.course_version(course_id, version)
    return TranslationWork(
        course, version, original, translation_language(language, course.language)
    )


def _version_asked(current: int) -> int:
    """?version=N, the current version when not given; learners on older versions keep theirs,
    so their translations are kept up too."""
    asked = request.args.get("version", "")
    if not asked:
        return current
    if not (asked.isascii() and asked.isdigit()):
        raise BadInput(_l("Please choose a version of the course from the list."))
    if not 1 <= int(asked) <= current:
        abort(404)
    return int(asked)


def _prefilled(work: TranslationWork) -> tuple[dict[str, str], int | None]:
    """The latest revision's texts; else those of an earlier version's translation whose
    original did not change, with that version's number; else nothing."""
    app, course_id = services().app, work.course.course_id
    latest = app.course_translation(course_id, work.version, work.language)
    if latest is not None:
        return texts_by_part(latest), None
    with services().engine.connect() as conn:
        done = translations.translations_of(conn, course_id)
    earlier = next(
        (t.version for t in done if t.language == work.language and t.version < work.version),
        None,
    )
    if earlier is None:
        return {}, None
    texts = carried_over(
        app.course_translation(course_id, earlier, work.language),
        app.course_version(course_id, earlier),
        work.original,
    )
    return texts, earlier


def _publish_translation(work: TranslationWork, data, shown: tuple[dict[str, str], int | None]):
    """Publish `data` as the next revision, or show the form again (with the texts `shown`)
    saying what to fix."""
    try:
        translation = CourseTranslation.of(work.language, data, work.original, clean_html)
        recorded = services().app.publish_translation(
            work.course.course_id, work.version, translation, by=current_person().person_id
        )
    except DomainError as error:
        if isinstance(error, InvalidTranslationError):
            error = FieldError(error.part, _refusal(error, work.original))
        return _translation_page(work, *shown, error)
    services().caught_up(recorded)
    published = [e for _, e in recorded.events if isinstance(e, Course.TranslationPublished)]
    if published:
        flash(_("The translation is published: revision %(n)s.", n=published[-1].revision))
    else:
        flash(_("Nothing changed: this is the published translation already."))
    return redirect(
        url_for(
            "organise.translation",
            course_id=work.course.course_id,
            language=work.language,
            version=work.version,
        ),
        303,
    )


def _translation_page(
    work: TranslationWork,
    texts: dict[str, str],
    carried_from: int | None,
    error: Exception | None = None,
):
    with services().engine.connect() as conn:
        done = translations.translations_of(conn, work.course.course_id)
    groups = itertools.groupby(translatable_texts(work.original), lambda t: (t.module, t.slide))
    context = {
        "work": work,
        "texts": texts,
        "carried_from": carried_from,
        "published": next(
            (t for t in done if (t.version, t.language) == (work.version, work.language)), None
        ),
        "groups": [(key, list(found)) for key, found in groups],
        "label": text_label,
        "direction": "rtl" if work.language.split("-")[0] in RIGHT_TO_LEFT else "ltr",
        "limits": {"title": TITLE_MAX, "content_html": HTML_MAX, "text": TRANSLATED_TEXT_MAX},
    }
    if error is not None:
        return form_error(TRANSLATION_TEMPLATE, error, **context)
    return render(TRANSLATION_TEMPLATE, **context)


def text_label(text: TranslatableText) -> str:
    return str(TEXT_LABELS[text.kind]) % {"id": text.answer_id}


def _refusal(error: InvalidTranslationError, original: CourseContent) -> str:
    """The rule broken, and where: the text's place in the course, or the part as sent."""
    found = next((t for t in translatable_texts(original) if t.part == error.part), None)
    if found is None:
        where = error.part[:200]
    else:
        module = found.module and original.module(found.module)
        slide = found.slide and module.slide(found.slide)
        where = " › ".join(
            [f"“{part.title}”" for part in (module, slide) if part] + [text_label(found)]
        )
    return _("%(rule)s Please check: %(where)s.", rule=answer_for(error)[1], where=where)


def _uploaded_json():
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise FieldError("file", _l("Please choose a JSON file to upload."))
    try:
        return json.loads(upload.read().decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FieldError("file", _l("This file is not JSON in UTF-8.")) from None
