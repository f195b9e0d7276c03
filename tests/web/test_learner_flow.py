"""A learner's first evening, through the Flask test client: catalog to completed course."""

from __future__ import annotations

import uuid

from projections import progress
from tests.web.conftest import post


def page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def slide_url(course_id, module, slide):
    return f"/courses/{course_id}/modules/{module}/slides/{slide}"


def test_the_catalog_lists_and_searches_published_courses(client, course_id):
    assert "Querying Wikidata" in page(client, "/courses")
    assert "Querying Wikidata" in page(client, "/courses?q=sparql")
    assert "No course matches" in page(client, "/courses?q=knitting")


def test_a_course_page_shows_the_outline_and_the_attribution(client, course_id):
    html = page(client, f"/courses/{course_id}")
    assert "What a query is" in html and "Going further" in html
    assert "Wiki Education" in html and "CC BY-SA 4.0" in html
    assert "Sign in to enrol" in html


def test_signing_in_to_enrol_comes_back_to_the_course(client, services, course_id):
    from tests.factories import PASSWORD, register

    _, username = register(services)
    sign_in = client.get(f"/courses/{course_id}").get_data(as_text=True)
    assert f"/login?next=/courses/{course_id}" in sign_in
    response = post(
        client,
        f"/login?next=/courses/{course_id}",
        {"username": username, "password": PASSWORD, "next": f"/courses/{course_id}"},
    )
    assert response.location.endswith(f"/courses/{course_id}")
    assert "Enrol and start" in page(client, f"/courses/{course_id}")


def test_with_htmx_enrolling_updates_the_course_page_in_place(client, learner, course_id):
    response = post(client, f"/courses/{course_id}/enrol", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in html
    assert 'id="enrolment"' in html
    assert "0% done" in html
    assert "Start the course" in html


def test_the_whole_learner_flow_from_enrolment_to_a_completed_course(
    client, learner, course_id, services
):
    response = post(client, f"/courses/{course_id}/enrol")
    assert response.status_code == 303
    first = client.get(response.location, follow_redirects=True).get_data(as_text=True)
    assert "What is a query?" in first and "Slide 1 of 2" in first

    response = post(client, slide_url(course_id, "basics", "what") + "/viewed")
    assert response.location.endswith(slide_url(course_id, "basics", "check"))

    wrong = post(
        client,
        slide_url(course_id, "basics", "check") + "/answer",
        {"answer": "1"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Not quite" in wrong and "history worth keeping" in wrong
    right = post(
        client,
        slide_url(course_id, "basics", "check") + "/answer",
        {"answer": "2"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Right!" in right and "qualifiers keep both values" in right

    done = post(
        client, slide_url(course_id, "basics", "check") + "/viewed", follow_redirects=True
    ).get_data(as_text=True)
    assert "You completed “Basics”" in done and "50% done" in done

    post(client, slide_url(course_id, "more", "cats") + "/viewed")
    dashboard = page(client, "/dashboard")
    assert "100% done" in dashboard and "Completed on" in dashboard


def test_the_dashboard_offers_to_continue_where_the_learner_left_off(client, learner, course_id):
    post(client, f"/courses/{course_id}/enrol")
    post(client, slide_url(course_id, "basics", "what") + "/viewed")
    response = client.get(f"/courses/{course_id}/continue")
    assert response.location.endswith(slide_url(course_id, "basics", "check"))


def test_withdrawing_stops_progress_until_the_learner_enrols_again(client, learner, course_id):
    post(client, f"/courses/{course_id}/enrol")
    post(client, f"/courses/{course_id}/withdraw")
    assert "You withdrew" in page(client, "/dashboard")
    response = post(client, slide_url(course_id, "basics", "what") + "/viewed")
    assert response.status_code == 409
    assert "withdrew" in response.get_data(as_text=True)
    post(client, f"/courses/{course_id}/enrol")
    assert post(client, slide_url(course_id, "basics", "what") + "/viewed").status_code == 303


def test_unknown_ids_answer_404(client, learner, course_id):
    assert client.get(f"/courses/{uuid.uuid4()}").status_code == 404
    assert client.get("/courses/not-a-uuid").status_code == 404
    post(client, f"/courses/{course_id}/enrol")
    assert client.get(slide_url(course_id, "basics", "nope")).status_code == 404
    assert client.get(slide_url(course_id, "nope", "what")).status_code == 404
    assert post(client, f"/courses/{uuid.uuid4()}/enrol").status_code == 404


def test_malformed_answers_are_refused_and_record_nothing(client, learner, course_id, services):
    post(client, f"/courses/{course_id}/enrol")
    before = services.app.recorder.max_notification_id()
    url = slide_url(course_id, "basics", "check") + "/answer"
    for bad in ["", "abc", "-1", "99", "1" * 40, "²", "1.5"]:
        response = post(client, url, {"answer": bad})
        assert response.status_code == 400, bad
        assert "choose one of the answers" in response.get_data(as_text=True)
    assert (
        post(
            client, slide_url(course_id, "basics", "what") + "/answer", {"answer": "1"}
        ).status_code
        == 400
    )
    assert services.app.recorder.max_notification_id() == before


def test_double_submits_record_nothing_new(client, learner, course_id, services):
    post(client, f"/courses/{course_id}/enrol")
    post(client, slide_url(course_id, "basics", "what") + "/viewed")
    before = services.app.recorder.max_notification_id()
    assert post(client, f"/courses/{course_id}/enrol").status_code == 303
    assert post(client, slide_url(course_id, "basics", "what") + "/viewed").status_code == 303
    assert services.app.recorder.max_notification_id() == before


def test_progress_pages_need_a_signed_in_learner(client, course_id):
    response = client.get("/dashboard")
    assert response.status_code == 302 and "/login" in response.location
    assert post(client, f"/courses/{course_id}/enrol").status_code == 302


def test_a_slide_needs_an_enrolment(client, learner, course_id):
    response = client.get(slide_url(course_id, "basics", "what"))
    assert response.status_code == 303
    assert f"/courses/{course_id}" in response.location


def test_forms_without_a_csrf_token_are_refused(client, learner, course_id, services):
    before = services.app.recorder.max_notification_id()
    response = client.post(f"/courses/{course_id}/enrol")
    assert response.status_code == 400
    assert "did not come from this site" in response.get_data(as_text=True)
    assert services.app.recorder.max_notification_id() == before


def test_a_page_rendered_right_after_a_command_shows_its_effect(
    client, learner, course_id, services
):
    post(client, f"/courses/{course_id}/enrol")
    with services.engine.connect() as conn:
        mine = progress.progress_for(conn, learner, course_id)
    assert mine is not None and mine.status == "active"
    assert "0% done" in page(client, f"/courses/{course_id}")


def test_wrong_passwords_do_not_sign_in(client, services):
    from tests.factories import register

    _, username = register(services)
    response = post(client, "/login", {"username": username, "password": "nope"})
    assert response.status_code == 400
    assert "do not match" in response.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302


def test_every_response_carries_a_strict_content_security_policy(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy


def test_htmx_requests_get_the_slide_partial_and_plain_requests_the_whole_page(
    client, learner, course_id
):
    post(client, f"/courses/{course_id}/enrol")
    url = slide_url(course_id, "basics", "check")
    partial = client.get(url, headers={"HX-Request": "true"})
    whole = client.get(url)
    assert "<html" not in partial.get_data(as_text=True)
    assert 'id="slide"' in partial.get_data(as_text=True)
    assert "<html" in whole.get_data(as_text=True)
    assert "HX-Request" in whole.headers["Vary"]


def test_slides_carry_the_content_licence_and_attribution(client, learner, course_id):
    post(client, f"/courses/{course_id}/enrol")
    html = page(client, slide_url(course_id, "basics", "what"))
    assert "CC BY-SA 4.0" in html
    assert "Wiki Education" in html


def test_with_htmx_the_next_slide_swaps_in_place_and_the_module_end_is_a_full_page(
    client, learner, course_id
):
    post(client, f"/courses/{course_id}/enrol")
    htmx = {"HX-Request": "true"}
    response = post(
        client,
        slide_url(course_id, "basics", "what") + "/viewed",
        headers=htmx,
        follow_redirects=True,
    )
    assert "<html" not in response.get_data(as_text=True)
    assert response.headers["HX-Push-Url"] == slide_url(course_id, "basics", "check")
    post(client, slide_url(course_id, "basics", "check") + "/answer", {"answer": "2"})
    last = post(client, slide_url(course_id, "basics", "check") + "/viewed", headers=htmx)
    assert last.status_code == 204
    assert last.headers["HX-Redirect"] == f"/courses/{course_id}/modules/basics/done"
