"""Organisers' pages: define and revise achievements, award them by hand, suspend and revoke."""

from __future__ import annotations

import base64
from uuid import UUID

from flask import Blueprint, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from domain.achievements import KINDS, NAME_MAX, REASON_MAX, TEXT_MAX, AchievementDefinition
from domain.errors import DomainError
from domain.skills import SKILLS
from lms.access import current_person, services
from lms.credentials import local
from lms.credentials.badge_art import MAX_UPLOAD_BYTES, BadgeImageRejectedError, checked_badge_image
from lms.errors import BadInput
from lms.htmx import render
from lms.web.auth import FieldError, form_error
from projections import catalog, people
from projections import credentials as held

blueprint = Blueprint("organise", __name__, url_prefix="/organise")

ORGANISING_ROLES = frozenset({"organiser", "admin"})
FORM_TEMPLATE = "organise/achievement_form.html"
PAGE_TEMPLATE = "organise/achievement.html"


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
    if not hours.isdigit():
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
