"""Projections read the log exactly once, survive crashes, and rebuild to the same rows."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from lms.services import build_services
from projections.catalog import list_courses
from projections.progress import progress_of_person
from projections.tables import positions
from tests.factories import course_content, register


class Exploding:
    """A projection that fails in the middle of a batch, like a crash would."""

    name = "exploding"
    tables = ()

    def project(self, events, conn):
        raise RuntimeError("power cut")


def stored_positions(services) -> dict[str, int]:
    with services.engine.connect() as conn:
        return dict(conn.execute(select(positions.c.name, positions.c.position)).all())


def test_a_failed_batch_leaves_rows_and_positions_as_they_were(services):
    services.app.publish_course(course_content())
    runner = services.projections
    healthy = runner.projections
    runner.projections = (*healthy, Exploding())
    runner.create_tables()
    with pytest.raises(RuntimeError):
        runner.catch_up()
    assert set(stored_positions(services).values()) == {0}
    with services.engine.connect() as conn:
        assert list_courses(conn) == []
    runner.projections = healthy
    runner.catch_up()
    with services.engine.connect() as conn:
        assert len(list_courses(conn)) == 1


def test_every_projection_reads_to_the_head_even_past_events_it_ignores(services):
    register(services)  # only the people projection cares about this event
    head = services.app.recorder.max_notification_id()
    assert set(stored_positions(services).values()) == {head}
    assert all(status.lag == 0 for status in services.projections.status())


def test_two_processes_catching_up_project_each_event_once(backend, services):
    other = build_services(backend)
    try:
        course_id = services.app.publish_course(course_content()).id
        person_id, _ = register(services)
        services.app.enrol(person_id, course_id)
        services.app.view_slide(person_id, course_id, "basics", "what")
        other.projections.catch_up()
        services.projections.catch_up()
        with services.engine.connect() as conn:
            [mine] = progress_of_person(conn, person_id)
        assert mine.viewed == frozenset({"basics/what"})
        assert mine.modules_done == 0
    finally:
        other.close()


def test_catching_up_resumes_from_the_stored_position_after_a_restart(backend, services):
    services.caught_up(services.app.publish_course(course_content()))
    services.close()
    restarted = build_services(backend)
    try:
        restarted.app.publish_course(course_content())
        restarted.projections.catch_up()
        with restarted.engine.connect() as conn:
            assert len(list_courses(conn)) == 2
    finally:
        restarted.close()
