"""The learning use cases end to end through the application, on both backends."""

from __future__ import annotations

import uuid

import pytest

from domain.errors import (
    ConcurrentChangeError,
    CourseNotFoundError,
    EnrolmentNotFoundError,
    EnrolmentWithdrawnError,
    PersonNotFoundError,
)
from lms.services import build_services
from projections.progress import course_roster, progress_for
from tests.factories import course_content, register


@pytest.fixture
def course_id(services):
    return services.caught_up(services.app.publish_course(course_content())).id


def test_enrolling_twice_is_one_enrolment(services, course_id):
    person_id, _ = register(services)
    first = services.app.enrol(person_id, course_id)
    again = services.app.enrol(person_id, course_id)
    assert again.id == first.id
    assert again.position is None


def test_enrolling_needs_a_real_person_and_a_real_course(services, course_id):
    person_id, _ = register(services)
    with pytest.raises(PersonNotFoundError):
        services.app.enrol(uuid.uuid4(), course_id)
    with pytest.raises(CourseNotFoundError):
        services.app.enrol(person_id, uuid.uuid4())


def test_progress_needs_an_enrolment(services, course_id):
    person_id, _ = register(services)
    with pytest.raises(EnrolmentNotFoundError):
        services.app.view_slide(person_id, course_id, "basics", "what")


def test_the_roster_shows_each_learner_and_how_far_they_are(services, course_id):
    finisher, _ = register(services)
    starter, _ = register(services)
    for person_id in (finisher, starter):
        services.caught_up(services.app.enrol(person_id, course_id))
    app = services.app
    app.view_slide(finisher, course_id, "basics", "what")
    app.answer_quiz(finisher, course_id, "basics", "check", 2)
    services.caught_up(app.view_slide(finisher, course_id, "more", "cats"))
    with services.engine.connect() as conn:
        roster = {entry.person_id: entry for entry in course_roster(conn, course_id)}
        mine = progress_for(conn, finisher, course_id)
    assert roster[finisher].status == "completed"
    assert roster[finisher].percent == 100
    assert roster[starter].status == "active"
    assert roster[starter].modules_done == 0
    assert mine.completed_modules == frozenset({"basics", "more"})


def test_a_change_made_by_another_process_is_never_overwritten(backend, services, course_id):
    person_id, _ = register(services)
    services.caught_up(services.app.enrol(person_id, course_id))
    services.app.view_slide(person_id, course_id, "basics", "what")  # now cached here
    elsewhere = build_services(backend)
    try:
        elsewhere.app.withdraw(person_id, course_id)
    finally:
        elsewhere.close()
    if not backend.is_postgres:
        # SQLite's cache does not ask the log first: the stale copy is caught when saving.
        with pytest.raises(ConcurrentChangeError):
            services.app.view_slide(person_id, course_id, "more", "cats")
    with pytest.raises(EnrolmentWithdrawnError):
        services.app.view_slide(person_id, course_id, "more", "cats")
    services.caught_up(services.app.enrol(person_id, course_id))
    with services.engine.connect() as conn:
        assert progress_for(conn, person_id, course_id).status == "active"
