"""Learning pages: enrolment, slide reader with quizzes, module completion, dashboard."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from flask import Blueprint, abort, redirect, request, url_for
from flask_babel import lazy_gettext as _l

from lms.access import current_person, login_required, services
from lms.errors import BadInput
from lms.htmx import render
from lms.pagecache import cached_page
from projections import catalog, credentials, history, outline, progress

blueprint = Blueprint("learn", __name__)


@blueprint.post("/courses/<uuid:course_id>/enrol")
@login_required
def enrol(course_id: UUID):
    services().caught_up(services().app.enrol(current_person().person_id, course_id))
    if request.htmx:  # the course page updates in place: progress and a way in
        return _enrolment_partial(course_id)
    return redirect(url_for("learn.continue_course", course_id=course_id), 303)


@blueprint.get("/courses/<uuid:course_id>/continue")
@login_required
def continue_course(course_id: UUID):
    mine = _my_progress(course_id)
    with services().engine.connect() as conn:
        modules = outline.course_outline(conn, course_id, mine.course_version)
    module, slide = progress.next_step(modules, mine) or (None, None)
    if module is None:
        return redirect(url_for("catalog.course", course_id=course_id), 303)
    return redirect(url_for("learn.slide", course_id=course_id, module=module, slide=slide), 303)


@blueprint.get("/courses/<uuid:course_id>/modules/<module>/slides/<slide>")
@login_required
def slide(course_id: UUID, module: str, slide: str):
    mine = _my_progress(course_id)
    page = _slide_page(course_id, mine.course_version, module, slide)
    with services().engine.connect() as conn:
        entry = catalog.get_course(conn, course_id)
    response = render(
        "learn/slide.html",
        "learn/_slide.html",
        course=entry,
        page=page,
        progress=mine,
        chosen=_chosen_answer(page),
    )
    # After htmx followed a redirect here, the address bar should show this slide.
    response.headers["HX-Push-Url"] = request.full_path.rstrip("?")
    return response


@blueprint.post("/courses/<uuid:course_id>/modules/<module>/slides/<slide>/viewed")
@login_required
def slide_viewed(course_id: UUID, module: str, slide: str):
    services().caught_up(
        services().app.view_slide(current_person().person_id, course_id, module, slide)
    )
    page = _slide_page(course_id, _my_progress(course_id).course_version, module, slide)
    return _navigate(_after(course_id, page), swappable=page.next_slug is not None)


@blueprint.post("/courses/<uuid:course_id>/modules/<module>/slides/<slide>/answer")
@login_required
def answer(course_id: UUID, module: str, slide: str):
    answer_id = _form_int("answer", _l("Please choose one of the answers."))
    outcome = services().app.answer_quiz(
        current_person().person_id, course_id, module, slide, answer_id
    )
    services().caught_up(outcome.recorded)
    return redirect(
        url_for(
            "learn.slide",
            course_id=course_id,
            module=module,
            slide=slide,
            answer=answer_id,
            _anchor="feedback",
        ),
        303,
    )


@blueprint.get("/courses/<uuid:course_id>/modules/<module>/done")
@login_required
def module_done(course_id: UUID, module: str):
    mine = _my_progress(course_id)
    with services().engine.connect() as conn:
        entry = catalog.get_course(conn, course_id) or abort(404)
        modules = outline.course_outline(conn, course_id, mine.course_version)
    this = next((m for m in modules if m.slug == module), None) or abort(404)
    return render(
        "learn/module_done.html",
        course=entry,
        module=this,
        progress=mine,
        next_step=progress.next_step(modules, mine),
        modules=modules,
    )


@blueprint.post("/courses/<uuid:course_id>/withdraw")
@login_required
def withdraw(course_id: UUID):
    services().caught_up(services().app.withdraw(current_person().person_id, course_id))
    return redirect(url_for("learn.dashboard"), 303)


@blueprint.get("/dashboard")
@cached_page(personal=True)
@login_required
def dashboard():
    with services().engine.connect() as conn:
        mine = progress.progress_of_person(conn, current_person().person_id)
        courses = catalog.courses_by_id(conn, [p.course_id for p in mine])
        entries = [_dashboard_entry(conn, courses[p.course_id], p) for p in mine]
        held = credentials.credentials_of_person(conn, current_person().person_id)
    return render(
        "learn/dashboard.html",
        credentials=held,
        in_progress=[e for e in entries if e.progress.status == "active"],
        completed=[e for e in entries if e.progress.status == "completed"],
        withdrawn=[e for e in entries if e.progress.status == "withdrawn"],
    )


@blueprint.get("/record")
@login_required
def record():
    with services().engine.connect() as conn:
        entries = history.record_of(conn, current_person().person_id)
    return render("learn/record.html", entries=entries)


# --- helpers ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DashboardEntry:
    course: catalog.CatalogEntry
    progress: progress.Progress
    next_module: outline.ModuleOutline | None
    next_slide: outline.SlideRef | None


def _dashboard_entry(conn, course: catalog.CatalogEntry, mine: progress.Progress) -> DashboardEntry:
    if mine.status != "active":  # only courses in progress show a next step
        return DashboardEntry(course, mine, None, None)
    modules = outline.course_outline(conn, mine.course_id, mine.course_version)
    module_slug, slide_slug = progress.next_step(modules, mine) or (None, None)
    module = next((m for m in modules if m.slug == module_slug), None)
    slide = module and next(s for s in module.slides if s.slug == slide_slug)
    return DashboardEntry(course, mine, module, slide)


def _enrolment_partial(course_id: UUID):
    mine = _my_progress(course_id)
    with services().engine.connect() as conn:
        entry = catalog.get_course(conn, course_id)
        modules = outline.course_outline(conn, course_id, mine.course_version)
    return render(
        "learn/_enrolment.html",
        course=entry,
        progress=mine,
        next_step=progress.next_step(modules, mine),
    )


def _my_progress(course_id: UUID) -> progress.Progress:
    with services().engine.connect() as conn:
        mine = progress.progress_for(conn, current_person().person_id, course_id)
        if mine is None and catalog.get_course(conn, course_id) is None:
            abort(404)
    if mine is None or not mine.is_active:
        raise NotEnrolled(course_id)
    return mine


class NotEnrolled(Exception):
    def __init__(self, course_id: UUID):
        self.course_id = course_id


@blueprint.errorhandler(NotEnrolled)
def _not_enrolled(error: NotEnrolled):
    return redirect(url_for("catalog.course", course_id=error.course_id, enrol="first"), 303)


def _slide_page(course_id: UUID, version: int, module: str, slide: str) -> outline.SlidePage:
    if "\x00" in module + slide:  # no slug holds NUL, and PostgreSQL refuses it in a query
        abort(404)
    with services().engine.connect() as conn:
        return outline.slide_page(conn, course_id, version, module, slide) or abort(404)


def _chosen_answer(page: outline.SlidePage):
    raw = request.args.get("answer", "")
    if page.quiz is None or not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        return None
    return page.quiz.answer(int(raw))


def _form_int(name: str, message) -> int:
    raw = request.form.get(name, "").strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 9:
        raise BadInput(message)
    return int(raw)


def _navigate(url: str, swappable: bool):
    """Go on to `url`: htmx swaps the next slide in place, but leaves the reader for any
    other page by a full navigation (HX-Redirect); without JavaScript, a plain redirect."""
    if request.htmx and not swappable:
        return "", 204, {"HX-Redirect": url}
    return redirect(url, 303)


def _after(course_id: UUID, page: outline.SlidePage) -> str:
    if page.next_slug:
        return url_for(
            "learn.slide", course_id=course_id, module=page.module_slug, slide=page.next_slug
        )
    return url_for("learn.module_done", course_id=course_id, module=page.module_slug)
