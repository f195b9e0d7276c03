"""The dashboard and the learner's record: what a learner sees of their own history."""

from __future__ import annotations

import re

from projections.history import record_of
from tests.factories import course_content
from tests.web.conftest import post


def slide_url(course_id, module, slide):
    return f"/courses/{course_id}/modules/{module}/slides/{slide}"


def complete_course(client, course_id):
    post(client, f"/courses/{course_id}/enrol")
    post(client, slide_url(course_id, "basics", "what") + "/viewed")
    post(client, slide_url(course_id, "basics", "check") + "/answer", {"answer": "1"})
    post(client, slide_url(course_id, "basics", "check") + "/answer", {"answer": "2"})
    post(client, slide_url(course_id, "more", "cats") + "/viewed")


def text(response) -> str:
    return re.sub(r"\s+", " ", response.get_data(as_text=True))


def test_the_dashboard_separates_courses_in_progress_from_completed_ones(
    client, learner, course_id, services
):
    other = services.caught_up(
        services.app.publish_course(course_content(title="Wikidata for GLAMs"))
    ).id
    complete_course(client, course_id)
    post(client, f"/courses/{other}/enrol")
    html = text(client.get("/dashboard"))
    in_progress, completed = html.split("In progress")[1].split("Completed</h2>")
    assert "Wikidata for GLAMs" in in_progress
    assert "Next: Basics — What is a query?" in in_progress
    assert "Querying Wikidata" in completed
    assert "Completed on" in completed


def test_my_record_tells_the_learners_history_in_plain_words(client, learner, course_id):
    complete_course(client, course_id)
    html = text(client.get("/record"))
    assert "You enrolled in Querying Wikidata." in html
    assert "You answered the quiz “Check yourself” in Basics correctly." in html
    assert "You completed the module Basics of Querying Wikidata." in html
    assert "You completed Querying Wikidata." in html
    # Newest first: the course completion comes before the enrolment.
    assert html.index("You completed Querying Wikidata.") < html.index("You enrolled in")


def test_a_wrong_answer_is_not_part_of_the_record(client, learner, course_id, services):
    post(client, f"/courses/{course_id}/enrol")
    post(client, slide_url(course_id, "basics", "check") + "/answer", {"answer": "1"})
    with services.engine.connect() as conn:
        kinds = [entry.kind for entry in record_of(conn, learner)]
    assert kinds == ["enrolled"]


def test_each_learner_sees_only_their_own_record(client, learner, course_id, app, services):
    from tests.factories import register
    from tests.web.conftest import login_as

    complete_course(client, course_id)
    _, someone_else = register(services)
    other_client = app.test_client()
    login_as(other_client, someone_else)
    html = text(other_client.get("/record"))
    assert "Querying Wikidata" not in html
    assert "Nothing yet" in html
    assert "Querying Wikidata" not in text(other_client.get("/dashboard"))
