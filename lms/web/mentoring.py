"""Mentoring pages: skill profiles, the mentor directory, mentorships and their sessions, skill
swaps, the two dashboards, the needs survey, and the organisers' capacity map and skill merges."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from datetime import date
from functools import wraps
from uuid import UUID

from flask import Blueprint, Response, abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from domain.achievements import REASON_MAX
from domain.application import Recorded
from domain.errors import DomainError
from domain.mentorships import MESSAGE_MAX
from domain.needs import SURVEY_SKILLS_MAX
from domain.skill_profiles import (
    AVAILABILITY_MAX,
    LANGUAGE_TAG_MAX,
    LANGUAGES_MAX,
    LEVELS,
    REGION_MAX,
    SKILL_NAME_MAX,
)
from domain.skills import CATEGORIES, SKILLS
from lms.access import current_person, login_required, services
from lms.errors import BadInput, answer_for, render_error
from lms.htmx import render
from lms.pagecache import cached_page
from lms.web.auth import FieldError, form_error
from projections import capacity as capacity_map
from projections import mentor_directory as directory_views
from projections import mentoring_views, skill_profiles
from projections.mentoring import MentoringProjection
from projections.private_notes import session_private_note

blueprint = Blueprint("mentoring", __name__)

ORGANISING_ROLES = frozenset({"organiser", "admin"})
PROFILE_PAGE = "mentoring/profile.html"
MENTOR_PAGE = "mentoring/mentor.html"
MENTORSHIP_PAGE = "mentoring/mentorship.html"
SWAPS_PAGE = "mentoring/swaps.html"
SURVEY_PAGE = "mentoring/needs.html"
SKILLS_PAGE = "mentoring/added_skills.html"
QUERY_VALUE_MAX = 100
CHART_SKILLS = 25  # more bars than this no longer read as one picture
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_LIST_SEPARATORS = re.compile(r"[\s,;]+")


def _organisers_only(view):
    """Organisers and admins; others get 403 (the commands check the role again)."""

    @wraps(view)
    @login_required
    def guarded(*args, **kwargs):
        if not ORGANISING_ROLES & set(current_person().roles):
            abort(403)
        return view(*args, **kwargs)

    return guarded


def _me() -> UUID:
    return current_person().person_id


# --- skill profile ----------------------------------------------------------------------------


@blueprint.get("/profile/skills")
@login_required
def profile():
    return render(PROFILE_PAGE, **_profile_context())


@blueprint.post("/profile/skills/offers")
@login_required
def offer():
    return _profile_change(
        lambda me: services().app.offer_skill(me, *_declared_skill()), _l("Skill offered.")
    )


@blueprint.post("/profile/skills/needs")
@login_required
def need():
    return _profile_change(
        lambda me: services().app.need_skill(me, *_declared_skill()), _l("Skill added.")
    )


@blueprint.post("/profile/skills/offers/withdraw")
@login_required
def withdraw_offer():
    return _profile_change(
        lambda me: services().app.withdraw_offer(me, _text("skill", SKILL_NAME_MAX)),
        _l("You no longer offer that skill."),
    )


@blueprint.post("/profile/skills/needs/withdraw")
@login_required
def withdraw_need():
    return _profile_change(
        lambda me: services().app.withdraw_need(me, _text("skill", SKILL_NAME_MAX)),
        _l("You no longer ask for that skill."),
    )


@blueprint.post("/profile/skills/details")
@login_required
def change_details():
    return _profile_change(
        lambda me: services().app.change_mentoring_details(
            me,
            languages=_languages(),
            region=_text("region", REGION_MAX),
            hours_per_month=_number("hours_per_month", _l("Please give whole hours a month.")),
            availability=_text("availability", AVAILABILITY_MAX) or None,
        ),
        _l("Languages, region and availability saved."),
    )


@blueprint.post("/profile/skills/capacity")
@login_required
def set_capacity():
    return _profile_change(
        lambda me: services().app.set_mentoring_capacity(
            me, _number("capacity", _l("Please give a whole number of mentees."), required=True)
        ),
        _l("Capacity saved."),
    )


@blueprint.post("/profile/skills/hide")
@login_required
def hide_profile():
    return _profile_change(
        services().app.hide_skill_profile, _l("Your profile is hidden from the directory.")
    )


@blueprint.post("/profile/skills/show")
@login_required
def show_profile():
    return _profile_change(
        services().app.show_skill_profile, _l("Your profile is shown in the directory.")
    )


def _profile_change(command: Callable[[UUID], Recorded], done):
    page = url_for("mentoring.profile")
    try:
        recorded = command(_me())
    except (DomainError, BadInput) as error:
        return _refused(error, page, PROFILE_PAGE, _profile_context)
    services().caught_up(recorded)
    flash(str(done))
    return redirect(page, 303)


def _profile_context() -> dict:
    with services().engine.connect() as conn:
        return {
            "profile": skill_profiles.skill_profile(conn, _me()),
            "history": skill_profiles.profile_history(conn, _me()),
            "choices": _skill_choices(conn),
            "levels": LEVELS,
            "categories": CATEGORIES,
        }


def _skill_choices(conn) -> list[tuple[str, list[str]]]:
    """Curated skills and those people added (not merged away), by category, in order."""
    grouped: dict[str, list[str]] = {category: [] for category in CATEGORIES}
    for skill in SKILLS:
        grouped[skill.category].append(skill.name)
    for added in skill_profiles.added_skills(conn):
        if added.merged_into is None:
            grouped[added.category].append(added.skill)
    return [(category, names) for category, names in grouped.items() if names]


def _declared_skill() -> tuple[str, str, str | None]:
    """(skill, level, category): a new skill's name and category when one is typed."""
    level = _text("level", 20)
    new = _text("new_skill", SKILL_NAME_MAX).strip()
    if new:
        return new, level, _text("category", 20) or None
    chosen = _text("skill", SKILL_NAME_MAX)
    if not chosen:
        raise FieldError("skill", _l("Please choose a skill, or name a new one and its category."))
    return chosen, level, None


# --- mentor directory -------------------------------------------------------------------------


@dataclass(frozen=True)
class DirectoryQuery:
    """A directory search as asked, each value bounded; the queries clean them to compare."""

    skill: str = ""
    language: str = ""
    region: str = ""
    page: int = 1

    def args(self, **changes) -> dict:
        """Query-string arguments for this search with some changed; empty ones left out."""
        chosen = replace(self, **changes)
        values = {**asdict(chosen), "page": chosen.page if chosen.page > 1 else None}
        return {name: value for name, value in values.items() if value}


@blueprint.get("/mentors")
@cached_page(MentoringProjection)
def directory():
    query = DirectoryQuery(
        skill=_query_value(request.args, "skill"),
        language=_query_value(request.args, "language"),
        region=_query_value(request.args, "region"),
        page=_page_number(request.args.get("page", "")),
    )
    with services().engine.connect() as conn:
        found = directory_views.search_mentors(
            conn, query.skill, query.language, query.region, query.page
        )
        filters = directory_views.directory_filters(conn)
    return render("mentoring/directory.html", found=found, query=query, filters=filters)


@blueprint.get("/mentors/<uuid:mentor_id>")
@cached_page(MentoringProjection)
def mentor(mentor_id: UUID):
    return render(MENTOR_PAGE, **_mentor_context(mentor_id))


@blueprint.post("/mentors/<uuid:mentor_id>/request")
@login_required
def request_mentoring(mentor_id: UUID):
    page = url_for("mentoring.mentor", mentor_id=mentor_id)
    shown = _mentor_context(mentor_id)["mentor"]  # hidden profiles are not there to ask
    try:
        recorded = services().app.request_mentorship(
            _me(), mentor_id, _text("skill", SKILL_NAME_MAX), _text("message", MESSAGE_MAX)
        )
    except DomainError as error:
        return _refused(error, page, MENTOR_PAGE, lambda: _mentor_context(mentor_id))
    services().caught_up(recorded)
    if request.htmx:  # the form gives way to the news, in place
        return render("mentoring/_requested.html", mentor=shown, mentorship_id=recorded.id)
    return redirect(url_for("mentoring.mentorship", mentorship_id=recorded.id), 303)


def _mentor_context(mentor_id: UUID) -> dict:
    with services().engine.connect() as conn:
        return {"mentor": directory_views.mentor_profile(conn, mentor_id) or abort(404)}


def _query_value(args, name: str) -> str:
    return args.get(name, "")[:QUERY_VALUE_MAX]


def _page_number(raw: str) -> int:
    # Plain ASCII digits only; anything too long to be a page is "very far", clamped later.
    if not (raw.isascii() and raw.isdigit()):
        return 1
    return int(raw) if len(raw) <= 9 else 10**9


# --- mentorships and their sessions -----------------------------------------------------------


@blueprint.get("/mentorships/<uuid:mentorship_id>")
@login_required
def mentorship(mentorship_id: UUID):
    return render(MENTORSHIP_PAGE, **_mentorship_context(mentorship_id))


@blueprint.post("/mentorships/<uuid:mentorship_id>/accept")
@login_required
def accept(mentorship_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.accept_mentorship(mentorship_id, me),
        _l("You accepted the request."),
        partial=lambda: _request_partial(mentorship_id),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/decline")
@login_required
def decline(mentorship_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.decline_mentorship(mentorship_id, _reason(), me),
        _l("You declined the request."),
        partial=lambda: _request_partial(mentorship_id),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/end")
@login_required
def end(mentorship_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.end_mentorship(mentorship_id, _reason(), me),
        _l("The mentorship has ended."),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/sessions")
@login_required
def log_session(mentorship_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.log_session(mentorship_id, *_session_form(), me, **_extras()),
        _l("Session logged. It counts once your mentee confirms it."),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/sessions/<uuid:session_id>/correct")
@login_required
def correct_session(mentorship_id: UUID, session_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.correct_session(
            mentorship_id, session_id, *_session_form(), me, **_extras()
        ),
        _l("Session corrected. Your mentee is asked to confirm it again."),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/sessions/<uuid:session_id>/confirm")
@login_required
def confirm_session(mentorship_id: UUID, session_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.confirm_session(mentorship_id, session_id, me),
        _l("Session confirmed. Thank you."),
        partial=lambda: _session_partial(mentorship_id, session_id),
    )


@blueprint.post("/mentorships/<uuid:mentorship_id>/sessions/<uuid:session_id>/dispute")
@login_required
def dispute_session(mentorship_id: UUID, session_id: UUID):
    return _mentorship_change(
        mentorship_id,
        lambda me: services().app.dispute_session(mentorship_id, session_id, _reason(), me),
        _l("You disputed the session. Your mentor can correct it."),
    )


def _mentorship_change(mentorship_id: UUID, command, done, partial=None):
    """Run a command on a mentorship of the signed-in person's; anyone else gets the same 404
    as for an unknown id, so ids are never confirmed."""
    page = url_for("mentoring.mentorship", mentorship_id=mentorship_id)
    _mentorship_or_404(mentorship_id)
    try:
        recorded = command(_me())
    except (DomainError, BadInput) as error:
        return _refused(error, page, MENTORSHIP_PAGE, lambda: _mentorship_context(mentorship_id))
    services().caught_up(recorded)
    if request.htmx and partial is not None:
        return partial()
    flash(str(done))
    return redirect(page, 303)


def _mentorship_or_404(mentorship_id: UUID) -> mentoring_views.MentorshipView:
    with services().engine.connect() as conn:
        return mentoring_views.mentorship_view(conn, mentorship_id, _me()) or abort(404)


def _mentorship_context(mentorship_id: UUID) -> dict:
    me = _me()
    with services().engine.connect() as conn:
        shown = mentoring_views.mentorship_view(conn, mentorship_id, me) or abort(404)
        is_mentor = shown.mentorship.mentor_id == me
        # Private notes are read for the mentor only: the mentee's page never holds one.
        notes = (
            {s.session_id: session_private_note(conn, s.session_id, me) for s in shown.sessions}
            if is_mentor
            else None
        )
        offered = skill_profiles.skill_profile(conn, me) if is_mentor else None
    skills = [shown.mentorship.skill, *(e.skill for e in (offered.offers if offered else ()))]
    return {
        "shown": shown,
        "is_mentor": is_mentor,
        "notes": notes,
        "session_skills": list(dict.fromkeys(skills)),
        "today": services().app.clock().date(),
    }


def _request_partial(mentorship_id: UUID):
    """A request on the mentor's dashboard, once decided."""
    return render("mentoring/_request_decided.html", shown=_mentorship_or_404(mentorship_id))


def _session_partial(mentorship_id: UUID, session_id: UUID):
    """A session as its mentee now sees it: confirmed (and never with the mentor's note)."""
    shown = _mentorship_or_404(mentorship_id)
    session = next(s for s in shown.sessions if s.session_id == session_id)
    return render("mentoring/_session_confirmed.html", session=session, shown=shown)


def _session_form() -> tuple[date, int, str]:
    return (
        _date("held_on"),
        _number("minutes", _l("Please give the length in whole minutes."), required=True),
        _text("summary", MESSAGE_MAX),
    )


def _extras() -> dict:
    return {
        "private_note": _text("private_note", MESSAGE_MAX) or None,
        "skill": _text("skill", SKILL_NAME_MAX) or None,
    }


# --- skill swaps ------------------------------------------------------------------------------


@blueprint.get("/swaps")
@login_required
def swaps():
    return render(SWAPS_PAGE, **_swaps_context())


@blueprint.post("/swaps")
@login_required
def propose_swap():
    return _swap_change(
        lambda me: services().app.propose_swap(
            me,
            _uuid("partner_id"),
            _text("teaches", SKILL_NAME_MAX),
            _text("learns", SKILL_NAME_MAX),
            _text("message", MESSAGE_MAX) or None,
        ),
        _l("Swap proposed. You will see here when they answer."),
    )


@blueprint.post("/swaps/<uuid:swap_id>/accept")
@login_required
def accept_swap(swap_id: UUID):
    _swap_or_404(swap_id)
    return _swap_change(
        lambda me: services().app.accept_swap(swap_id, me),
        _l("Swap accepted: you now mentor each other."),
    )


@blueprint.post("/swaps/<uuid:swap_id>/decline")
@login_required
def decline_swap(swap_id: UUID):
    _swap_or_404(swap_id)
    return _swap_change(
        lambda me: services().app.decline_swap(swap_id, _reason(), me), _l("Swap declined.")
    )


def _swap_change(command: Callable[[UUID], Recorded], done):
    page = url_for("mentoring.swaps")
    try:
        recorded = command(_me())
    except (DomainError, BadInput) as error:
        return _refused(error, page, SWAPS_PAGE, _swaps_context)
    services().caught_up(recorded)
    flash(str(done))
    return redirect(page, 303)


def _swaps_context() -> dict:
    me = _me()
    with services().engine.connect() as conn:
        return {
            "suggestions": directory_views.swap_suggestions(conn, me),
            "swaps": mentoring_views.swaps_of(conn, me),
            "profile": skill_profiles.skill_profile(conn, me),
        }


def _swap_or_404(swap_id: UUID) -> None:
    """Only the swap's two people learn that it exists."""
    with services().engine.connect() as conn:
        mine = mentoring_views.swaps_of(conn, _me())
    if not any(swap.swap_id == swap_id for swap in mine):
        abort(404)


# --- dashboards -------------------------------------------------------------------------------


@blueprint.get("/mentoring")
@login_required
def dashboard():
    me, now = _me(), services().app.clock()
    with services().engine.connect() as conn:
        as_mentor = mentoring_views.mentor_dashboard(conn, me, now)
        as_mentee = mentoring_views.mentee_view(conn, me)
        swaps_waiting = [s for s in mentoring_views.swaps_of(conn, me) if s.awaits(me)]
    return render(
        "mentoring/dashboard.html",
        as_mentor=as_mentor,
        as_mentee=as_mentee,
        swaps_waiting=swaps_waiting,
        active_ids={m.mentorship_id for m in as_mentee.mentors},
        mentee_names={
            a.mentorship.mentorship_id: a.mentorship.other_name for a in as_mentor.mentees
        },
        mentor_names={m.mentorship_id: m.other_name for m in as_mentee.mentors},
    )


# --- needs survey -----------------------------------------------------------------------------


@blueprint.route("/needs", methods=["GET", "POST"])
def needs_survey():
    page = url_for("mentoring.needs_survey")
    if request.method == "GET":
        return render(SURVEY_PAGE, **_survey_context())
    try:
        recorded = services().app.answer_needs_survey(
            _chosen("wanted"),
            _chosen("offered"),
            _text("language", LANGUAGE_TAG_MAX) or None,
            _text("region", REGION_MAX) or None,
        )
    except DomainError as error:
        return _refused(error, page, SURVEY_PAGE, _survey_context)
    services().caught_up(recorded)
    flash(str(_l("Thank you: your answer is counted in the capacity map.")))
    return redirect(page, 303)


def _survey_context() -> dict:
    with services().engine.connect() as conn:
        return {"choices": _skill_choices(conn)}


def _chosen(name: str) -> list[str]:
    # One past the limit: too many is refused by the rule rather than cut to fit.
    values = request.form.getlist(name)[: SURVEY_SKILLS_MAX + 1]
    return [value[: SKILL_NAME_MAX + 1] for value in values]


# --- organisers: capacity map and added skills ------------------------------------------------


@dataclass(frozen=True)
class SkillTotals:
    """One skill's needs and offers over every region and language, for the chart."""

    skill: str
    needs: int
    offers: int


@blueprint.get("/organise/capacity")
@_organisers_only
def capacity():
    category, language = _capacity_filters()
    with services().engine.connect() as conn:
        cells = capacity_map.capacity_map(conn, category, language)
        languages = sorted({c.language for c in capacity_map.capacity_map(conn) if c.language})
    return render(
        "mentoring/capacity.html",
        cells=cells,
        chart=_chart_totals(cells),
        category=category,
        chosen_language=language,  # `language` is the page's own, for <html lang>
        categories=CATEGORIES,
        languages=languages,
    )


@blueprint.get("/organise/capacity.csv")
@_organisers_only
def capacity_export():
    category, language = _capacity_filters()
    with services().engine.connect() as conn:
        cells = capacity_map.capacity_map(conn, category, language)
    return Response(
        capacity_map.capacity_csv(cells),
        mimetype="text/csv",
        headers={"Content-Disposition": 'attachment; filename="capacity-map.csv"'},
    )


@blueprint.get("/organise/skills")
@_organisers_only
def added_skills():
    return render(SKILLS_PAGE, **_added_skills_context())


@blueprint.post("/organise/skills/merge")
@_organisers_only
def merge_skill():
    page = url_for("mentoring.added_skills")
    try:
        recorded = services().app.merge_skill(
            _text("skill", SKILL_NAME_MAX), _text("into", SKILL_NAME_MAX), by=_me()
        )
    except DomainError as error:
        return _refused(error, page, SKILLS_PAGE, _added_skills_context)
    services().caught_up(recorded)
    flash(str(_l("Merged: the added skill now counts as the one you chose.")))
    return redirect(page, 303)


def _added_skills_context() -> dict:
    with services().engine.connect() as conn:
        return {"added": skill_profiles.added_skills(conn), "choices": _skill_choices(conn)}


def _capacity_filters() -> tuple[str | None, str | None]:
    category = request.args.get("category", "")
    language = request.args.get("language", "")[:LANGUAGE_TAG_MAX].strip()
    return (category if category in CATEGORIES else None), (language or None)


def _chart_totals(cells) -> list[SkillTotals]:
    """Per skill, the table's rows added up; the largest gaps first, as many as read well."""
    totals: dict[str, list[int]] = {}
    for cell in cells:
        counts = totals.setdefault(cell.skill, [0, 0])
        counts[0] += cell.needs
        counts[1] += cell.offers
    found = [SkillTotals(skill, needs, offers) for skill, (needs, offers) in totals.items()]
    found.sort(key=lambda t: (t.offers - t.needs, -t.needs, t.skill.casefold()))
    return found[:CHART_SKILLS]


# --- reading forms and answering refusals -----------------------------------------------------


def _text(name: str, limit: int) -> str:
    # One past the limit: an over-long value is refused by the rule rather than cut to fit.
    return request.form.get(name, "")[: limit + 1]


def _reason() -> str:
    return _text("reason", REASON_MAX)


def _number(name: str, message, *, required: bool = False) -> int | None:
    raw = request.form.get(name, "").strip()
    if not raw and not required:
        return None
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:
        raise FieldError(name, message)
    return int(raw)


def _date(name: str) -> date:
    raw = request.form.get(name, "").strip()
    try:
        if _DATE.fullmatch(raw):
            return date.fromisoformat(raw)
    except ValueError:
        pass
    raise FieldError(name, _l("Please give the date as year-month-day, such as 2026-05-03."))


def _uuid(name: str) -> UUID:
    try:
        return UUID(request.form.get(name, "")[:40])
    except ValueError:
        raise FieldError(name, _l("Please choose someone from the list.")) from None


def _languages() -> list[str]:
    """Language codes as typed, separated by commas or spaces; the rule checks each."""
    raw = _text("languages", LANGUAGES_MAX * (LANGUAGE_TAG_MAX + 2))
    return [tag for tag in _LIST_SEPARATORS.split(raw) if tag]


def _refused(error: Exception, page: str, template: str, context: Callable[[], dict]):
    """The page again, saying why. htmx swaps no 4xx answer, so an htmx request is sent to the
    page instead, which shows the reason (flashed) where the person can act on it."""
    if not request.htmx:
        return form_error(template, error, **context())
    if isinstance(error, BadInput):
        status, message = 400, str(error.message)
    else:
        status, message = answer_for(error)
    flash(message, "error")
    body, status = render_error(status, message)
    return Response(body, status, headers={"HX-Redirect": page})
