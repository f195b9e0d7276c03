"""Accounts through the browser's eyes: registering, signing in (and being slowed down when
guessing), changing one's profile and password, and being forgotten."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select, text

from lms import create_app
from lms.eventstore import verify_log
from projections.tables import metadata
from tests.factories import PASSWORD, register, unique
from tests.web.clocked import clock, services  # noqa: F401 - fixtures on a moved clock
from tests.web.conftest import login_as, post

NEW_PASSWORD = "a much longer passphrase"


def registration(**changes) -> dict:
    form = {
        "username": unique("zawadi"),
        "display_name": "Zawadi Kamau",
        "password": PASSWORD,
        "password_again": PASSWORD,
        "email": "",
        "language": "en",
    }
    return {**form, **changes}


def head(services) -> int | None:
    return services.app.recorder.max_notification_id()


def stored_states(services) -> bytes:
    with services.engine.connect() as conn:
        return b"".join(
            bytes(s) for s in conn.execute(text("SELECT state FROM stored_events")).scalars()
        )


def body(response) -> str:
    return response.get_data(as_text=True)


# --- registering ---------------------------------------------------------------------------


def test_registering_signs_the_new_person_in_under_their_display_name(client, services):
    response = post(client, "/register", registration(display_name="  Zawadi Kamau "))
    assert response.status_code == 303
    assert response.location.endswith("/dashboard")
    page = body(client.get("/dashboard"))
    assert "Sign out (Zawadi Kamau)" in page


def test_the_registration_form_labels_every_field_and_asks_browsers_for_the_right_values(client):
    page = body(client.get("/register"))
    for name, autocomplete in (
        ("username", "username"),
        ("display_name", "name"),
        ("password", "new-password"),
        ("email", "email"),
        ("language", "language"),
    ):
        assert f'<label for="{name}">' in page, name
        assert f'autocomplete="{autocomplete}"' in page, name
    assert 'name="csrf_token"' in page


INVALID = [
    ("username", "ab", "Usernames are 3 to 40"),
    ("username", "has space", "Usernames are 3 to 40"),
    ("username", "a" * 41, "Usernames are 3 to 40"),
    ("display_name", "", "Display names are 1 to 80"),
    ("display_name", "   ", "Display names are 1 to 80"),
    ("display_name", "x" * 81, "Display names are 1 to 80"),
    ("display_name", "Zawadi\nKamau", "Display names are 1 to 80"),
    ("display_name", "Zawadi\x00", "Display names are 1 to 80"),
    ("password", "too short", "Passwords are 10 to 200"),
    ("password", "x" * 201, "Passwords are 10 to 200"),
    ("password_again", "not the same password", "not the same"),
    ("email", "zawadi-at-example.org", "email address like name@example.org"),
    ("email", "z" * 250 + "@example.org", "email address like name@example.org"),
    ("email", "z\x00@example.org", "email address like name@example.org"),
    ("language", "xx", "languages offered"),
    ("language", "", "languages offered"),
]


@pytest.mark.parametrize(
    ("field", "value", "message"), INVALID, ids=[f"{f}={v[:12]!r}" for f, v, _ in INVALID]
)
def test_each_invalid_field_is_refused_with_its_message_and_records_nothing(
    client, services, field, value, message
):
    form = registration(**{field: value})
    if field == "password":
        form["password_again"] = value
    before = head(services)
    response = post(client, "/register", form)
    assert response.status_code == 400
    assert message in body(response)
    assert 'role="alert"' in body(response)
    assert head(services) == before
    assert client.get("/dashboard").status_code == 302  # nobody got signed in


def test_a_password_equal_to_the_username_is_refused(client, services):
    username = unique("zawadi.kamau")
    form = registration(
        username=username, password=username.upper(), password_again=username.upper()
    )
    response = post(client, "/register", form)
    assert response.status_code == 400
    assert "must not be your username" in body(response)


def test_a_taken_username_in_any_case_answers_409_with_the_form_filled_but_not_the_password(
    client, services
):
    _, username = register(services)
    before = head(services)
    form = registration(
        username=username.upper(), display_name="Someone Else", email="s@example.org"
    )
    response = post(client, "/register", form)
    assert response.status_code == 409
    page = body(response)
    assert "That username is taken" in page
    assert 'value="Someone Else"' in page and 'value="s@example.org"' in page
    assert PASSWORD not in page
    assert head(services) == before


def test_registering_without_a_csrf_token_is_refused(client, services):
    before = head(services)
    response = client.post("/register", data=registration())
    assert response.status_code == 400
    assert head(services) == before


def test_the_password_its_hash_the_email_and_the_display_name_never_reach_the_log_in_clear(
    client, services
):
    form = registration(display_name="Wanjiru Mwangi", email="wanjiru@example.org")
    assert post(client, "/register", form).status_code == 303
    post(
        client,
        "/account",
        {"display_name": "Wanjiru W. Mwangi", "language": "en", "email": "ww@example.org"},
    )
    password_change = {
        "current_password": PASSWORD,
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
    }
    assert post(client, "/account/password", password_change).status_code == 303
    states = stored_states(services)
    for secret in (
        PASSWORD,
        NEW_PASSWORD,
        "$argon2",
        "wanjiru@",
        "ww@example",
        "Wanjiru",
        "Mwangi",
        form["username"],
    ):
        assert secret.encode() not in states, secret


# --- signing in ----------------------------------------------------------------------------


def test_signing_in_and_out(client, services):
    _, username = register(services)
    response = login_as(client, username)
    assert response.location.endswith("/dashboard")
    assert client.get("/dashboard").status_code == 200
    assert post(client, "/logout").status_code == 303
    assert client.get("/dashboard").status_code == 302


def test_an_unknown_username_is_refused_exactly_like_a_wrong_password(client, services):
    _, username = register(services)
    wrong = post(client, "/login", {"username": username, "password": "not the password"})
    unknown = post(client, "/login", {"username": unique("nobody"), "password": "not the password"})
    assert wrong.status_code == unknown.status_code == 400
    assert "That username and password do not match." in body(wrong)
    assert "That username and password do not match." in body(unknown)


def test_sessions_are_httponly_samesite_lax_and_last_two_weeks(client, services):
    _, username = register(services)
    cookie = login_as(client, username).headers["Set-Cookie"]
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Expires=" in cookie
    assert "Secure" not in cookie  # served over plain http in tests


def test_the_session_cookie_is_secure_when_the_site_is_served_over_https(backend, services):
    app = create_app(backend.with_overrides(base_url="https://mafunzo.example"), services=services)
    client = app.test_client()
    _, username = register(services)
    assert "Secure" in login_as(client, username).headers["Set-Cookie"]


def test_five_failed_sign_ins_block_the_username_for_fifteen_minutes(client, services, clock):
    _, username = register(services)
    for _ in range(5):
        assert (
            post(client, "/login", {"username": username, "password": "wrong guess"}).status_code
            == 400
        )
    blocked = post(client, "/login", {"username": username.upper(), "password": PASSWORD})
    assert blocked.status_code == 429
    assert "Too many failed attempts" in body(blocked) and 'role="alert"' in body(blocked)
    assert 0 < int(blocked.headers["Retry-After"]) <= 15 * 60
    clock.advance(timedelta(minutes=15, seconds=1))
    login_as(client, username)


def test_signing_in_clears_the_usernames_failures(client, services):
    _, username = register(services)
    for _ in range(4):
        post(client, "/login", {"username": username, "password": "wrong guess"})
    login_as(client, username)
    for _ in range(5):
        assert (
            post(client, "/login", {"username": username, "password": "wrong"}).status_code == 400
        )
    assert post(client, "/login", {"username": username, "password": PASSWORD}).status_code == 429


def test_twenty_failures_from_one_address_block_that_address_only(app, client, services):
    _, username = register(services)
    for _ in range(20):
        post(client, "/login", {"username": unique("guess"), "password": "wrong guess"})
    assert post(client, "/login", {"username": username, "password": PASSWORD}).status_code == 429
    elsewhere = app.test_client()
    response = post(
        elsewhere,
        "/login",
        {"username": username, "password": PASSWORD},
        environ_base={"REMOTE_ADDR": "192.0.2.7"},
    )
    assert response.status_code == 303


def test_the_throttle_keeps_no_usernames_or_passwords(client, services):
    _, username = register(services)
    post(client, "/login", {"username": username, "password": "my secret guess"})
    with services.engine.connect() as conn:
        rows = repr(conn.execute(text("SELECT * FROM login_failures")).all())
    assert username not in rows and "my secret guess" not in rows and "127.0.0.1" not in rows


# --- one's own account ---------------------------------------------------------------------


def test_account_pages_need_a_signed_in_person(client):
    for url in ("/account", "/account/password", "/account/forget"):
        response = client.get(url)
        assert response.status_code == 302 and "/login" in response.location


def test_a_person_changes_their_display_name_email_and_language(client, services, learner):
    response = post(
        client,
        "/account",
        {"display_name": "Amina N.", "email": "amina@example.org", "language": "en"},
    )
    assert response.status_code == 303
    page = body(client.get("/account"))
    assert "Your profile is saved." in page
    assert 'value="Amina N."' in page and 'value="amina@example.org"' in page
    assert "Sign out (Amina N.)" in page


def test_an_invalid_profile_change_is_refused_and_records_nothing(client, services, learner):
    before = head(services)
    response = post(client, "/account", {"display_name": "", "email": "", "language": "en"})
    assert response.status_code == 400 and "Display names are 1 to 80" in body(response)
    assert 'aria-invalid="true"' in body(response)
    assert head(services) == before


def test_changing_the_password_needs_the_current_one(client, services):
    _, username = register(services)
    login_as(client, username)
    before = head(services)
    wrong = post(
        client,
        "/account/password",
        {
            "current_password": "not it at all",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
        },
    )
    assert wrong.status_code == 400 and "current password is not right" in body(wrong)
    too_short = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": "short", "password_again": "short"},
    )
    assert too_short.status_code == 400 and "Passwords are 10 to 200" in body(too_short)
    assert head(services) == before


def test_after_a_password_change_only_the_new_password_signs_in_and_other_sessions_end(
    app, client, services
):
    _, username = register(services)
    elsewhere = app.test_client()
    login_as(elsewhere, username)
    login_as(client, username)
    response = post(
        client,
        "/account/password",
        {"current_password": PASSWORD, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD},
    )
    assert response.status_code == 303
    assert client.get("/dashboard").status_code == 200  # this session goes on
    assert elsewhere.get("/dashboard").status_code == 302  # the other one ended
    other = app.test_client()
    assert post(other, "/login", {"username": username, "password": PASSWORD}).status_code == 400
    login_as(other, username, NEW_PASSWORD)


# --- being forgotten -----------------------------------------------------------------------


def test_forget_me_needs_the_password(client, services):
    _, username = register(services)
    login_as(client, username)
    before = head(services)
    response = post(client, "/account/forget", {"current_password": "not my password"})
    assert response.status_code == 400
    assert head(services) == before
    assert client.get("/dashboard").status_code == 200


def test_forget_me_erases_the_person_from_every_read_model_and_the_log_still_verifies(
    client, services, backend, course_id
):
    form = registration(display_name="Nia Okonkwo", email="nia@example.org")
    post(client, "/register", form)
    post(client, f"/courses/{course_id}/enrol")
    response = post(client, "/account/forget", {"current_password": PASSWORD})
    assert response.status_code == 303
    assert "gone" in body(client.get(response.location))
    assert client.get("/dashboard").status_code == 302  # the session ended

    services.projections.rebuild()
    with services.engine.connect() as conn:
        everything = repr([conn.execute(select(t)).all() for t in metadata.sorted_tables])
    for trace in (form["username"], "Nia", "Okonkwo", "nia@example.org"):
        assert trace not in everything, trace
    assert verify_log(backend).ok
    refused = post(client, "/login", {"username": form["username"], "password": PASSWORD})
    assert refused.status_code == 400


def test_a_forgotten_username_cannot_be_registered_again(client, services):
    form = registration()
    post(client, "/register", form)
    post(client, "/account/forget", {"current_password": PASSWORD})
    assert post(client, "/register", registration(username=form["username"])).status_code == 409
