"""The admin's people page: finding people, giving roles, and one-time password reset links;
and everyone else kept out of it."""

from __future__ import annotations

import re
import uuid
from datetime import timedelta

import pytest

from projections.people import person
from tests.factories import PASSWORD, register, unique
from tests.web.clocked import clock, services  # noqa: F401 - fixtures on a moved clock
from tests.web.conftest import login_as, post

NEW_PASSWORD = "a much longer passphrase"
RESET_LINK = re.compile(r"https?://[^/<\s]+(/reset/[A-Za-z0-9_-]+)")


@pytest.fixture
def admin(services, client):
    person_id, username = register(services, roles=("learner", "admin"))
    login_as(client, username)
    return person_id


@pytest.fixture
def someone(services):
    return register(services)


def head(services) -> int | None:
    return services.app.recorder.max_notification_id()


def body(response) -> str:
    return response.get_data(as_text=True)


def issue_link(client, person_id) -> str:
    response = post(client, f"/admin/people/{person_id}/reset-link")
    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    return RESET_LINK.search(body(response)).group(1)


def new_password(password: str = NEW_PASSWORD) -> dict:
    return {"password": password, "password_again": password}


# --- roles ---------------------------------------------------------------------------------


def test_an_admin_makes_someone_a_mentor_and_the_list_shows_it(app, client, admin, someone):
    person_id, username = someone
    response = post(client, f"/admin/people/{person_id}/roles", {"roles": "mentor", "q": username})
    assert response.status_code == 303
    assert f"q={username}" in response.location
    page = body(client.get(response.location))
    assert "Roles saved." in page
    assert re.search(r'value="mentor" checked[^>]*>\s*Mentor', page)
    theirs = app.test_client()
    login_as(theirs, username)
    assert "Your roles: Learner, Mentor." in body(theirs.get("/account"))


def test_roles_can_be_taken_away_again(client, admin, someone, services):
    person_id, _ = someone
    post(client, f"/admin/people/{person_id}/roles", {"roles": ["mentor", "organiser"]})
    post(client, f"/admin/people/{person_id}/roles", {"roles": ["organiser"]})
    with services.engine.connect() as conn:
        assert person(conn, person_id).roles == ("learner", "organiser")


def test_an_admin_cannot_take_away_their_own_admin_role(client, admin, services):
    before = head(services)
    response = post(client, f"/admin/people/{admin}/roles", {"roles": "mentor"})
    assert response.status_code == 409
    assert "cannot take away your own admin role" in body(response)
    assert head(services) == before
    page = body(client.get("/admin/people"))
    assert "You cannot take away your own admin role." in page  # said before anyone tries


def test_unknown_roles_are_refused_and_record_nothing(client, admin, someone, services):
    before = head(services)
    response = post(client, f"/admin/people/{someone[0]}/roles", {"roles": ["mentor", "root"]})
    assert response.status_code == 400 and "roles from the list" in body(response)
    assert head(services) == before


def test_the_people_list_finds_people_by_username_or_display_name(client, admin, services):
    _, zawadi = register(services, unique("zawadi"))
    _, juma = register(services, unique("juma"))
    by_name = body(client.get("/admin/people", query_string={"q": zawadi.title()[:8]}))
    assert zawadi in by_name and juma not in by_name
    everyone = body(client.get("/admin/people"))
    assert zawadi in everyone and juma in everyone
    assert "Nobody matches" in body(client.get("/admin/people?q=%25_nobody"))
    assert client.get("/admin/people?q=%00").status_code == 200


def test_people_who_are_not_admins_are_refused_on_every_admin_page(app, services, someone):
    person_id, _ = someone
    for roles in (("learner",), ("learner", "mentor"), ("learner", "mentor", "organiser")):
        client = app.test_client()
        login_as(client, register(services, roles=roles)[1])
        before = head(services)
        for method, url, data in (
            ("GET", "/admin/people", None),
            ("GET", "/admin/people?q=a", None),
            ("POST", f"/admin/people/{person_id}/roles", {"roles": "admin"}),
            ("POST", f"/admin/people/{person_id}/reset-link", {}),
        ):
            response = client.get(url) if method == "GET" else post(client, url, data)
            assert response.status_code == 403, (roles, method, url)
            assert "not allowed" in body(response)
        assert head(services) == before


def test_anonymous_visitors_are_sent_to_sign_in(client, someone):
    assert "/login" in client.get("/admin/people").location
    response = post(client, f"/admin/people/{someone[0]}/roles", {"roles": "admin"})
    assert response.status_code == 302 and "/login" in response.location


def test_unknown_people_answer_404(client, admin):
    nobody = uuid.uuid4()
    assert post(client, f"/admin/people/{nobody}/roles", {"roles": "mentor"}).status_code == 404
    assert post(client, f"/admin/people/{nobody}/reset-link").status_code == 404


def test_the_admin_link_appears_in_the_navigation_for_admins_only(app, client, admin, someone):
    assert 'href="/admin/people"' in body(client.get("/"))
    theirs = app.test_client()
    login_as(theirs, someone[1])
    assert 'href="/admin/people"' not in body(theirs.get("/"))


# --- password reset links ------------------------------------------------------------------


def test_a_reset_link_sets_a_new_password_once(app, client, admin, someone, services):
    person_id, username = someone
    link = issue_link(client, person_id)
    visitor = app.test_client()
    page = visitor.get(link)
    assert page.status_code == 200 and username in body(page)
    response = post(visitor, link, new_password())
    assert response.status_code == 303
    assert visitor.get("/dashboard").status_code == 200  # signed in with the new password

    before = head(services)
    again = post(app.test_client(), link, new_password("yet another passphrase"))
    assert again.status_code == 410 and "used already" in body(again)
    assert app.test_client().get(link).status_code == 410
    assert head(services) == before
    fresh = app.test_client()
    assert post(fresh, "/login", {"username": username, "password": PASSWORD}).status_code == 400
    login_as(fresh, username, NEW_PASSWORD)


def test_an_expired_reset_link_is_refused_and_records_nothing(
    app, client, admin, someone, services, clock
):
    link = issue_link(client, someone[0])
    clock.advance(timedelta(hours=24))
    before = head(services)
    visitor = app.test_client()
    assert visitor.get(link).status_code == 410
    response = post(visitor, link, new_password())
    assert response.status_code == 410 and "expired" in body(response)
    assert head(services) == before


def test_an_unknown_reset_link_answers_404(app):
    response = app.test_client().get("/reset/not-a-real-token")
    assert response.status_code == 404
    assert "not valid" in body(response)


def test_a_newer_link_replaces_the_older_one(app, client, admin, someone):
    first = issue_link(client, someone[0])
    second = issue_link(client, someone[0])
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200


def test_a_reset_link_still_checks_the_new_password(app, client, admin, someone, services):
    link = issue_link(client, someone[0])
    before = head(services)
    visitor = app.test_client()
    response = post(visitor, link, new_password("short"))
    assert response.status_code == 400 and "Passwords are 10 to 200" in body(response)
    mismatch = post(visitor, link, {"password": NEW_PASSWORD, "password_again": "something else"})
    assert mismatch.status_code == 400
    assert head(services) == before
    assert visitor.get(link).status_code == 200  # still usable


def test_the_reset_token_never_reaches_the_log(client, admin, someone, services):
    token = issue_link(client, someone[0]).rsplit("/", 1)[1]
    states = b"".join(n.state for n in services.app.recorder.select_notifications(0, 10_000))
    assert token.encode() not in states
