"""Finding courses: the start page, the catalog with search, and a course's own page."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, abort, request

from lms.access import current_person, services
from lms.htmx import render
from projections import catalog, outline, progress

blueprint = Blueprint("catalog", __name__)

MAX_QUERY_LENGTH = 200


@blueprint.get("/")
def home():
    with services().engine.connect() as conn:
        courses = catalog.list_courses(conn)
    return render("learn/home.html", courses=courses[:6], course_count=len(courses))


@blueprint.get("/courses")
def courses():
    query = request.args.get("q", "")[:MAX_QUERY_LENGTH]
    with services().engine.connect() as conn:
        found = catalog.list_courses(conn, query)
    return render("learn/catalog.html", "learn/_course_list.html", courses=found, query=query)


@blueprint.get("/courses/<uuid:course_id>")
def course(course_id: UUID):
    person = current_person()
    with services().engine.connect() as conn:
        entry = catalog.get_course(conn, course_id) or abort(404)
        mine = person and progress.progress_for(conn, person.person_id, course_id)
        modules = outline.course_outline(
            conn, course_id, mine.course_version if mine else entry.version
        )
    return render(
        "learn/course.html",
        course=entry,
        modules=modules,
        progress=mine,
        next_step=mine and progress.next_step(modules, mine),
    )
