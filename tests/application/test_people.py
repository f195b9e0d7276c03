"""People: unique usernames, roles given by admins, one-time reset links, and personal data
that can be forgotten without touching the log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from domain.errors import (
    InvalidUsernameError,
    NotAllowedError,
    OwnAdminRoleError,
    PersonNotFoundError,
    ResetLinkUsedError,
    UsernameTakenError,
)
from lms.eventstore import verify_log
from lms.passwords import hash_password
from lms.vault import person_keys
from projections import people
from projections.people import account, account_for_username, person
from projections.tables import metadata
from tests.factories import course_content, register, unique


def logged_states(services) -> bytes:
    return b"".join(n.state for n in services.app.recorder.select_notifications(0, 10_000))


def read_models_text(services) -> str:
    """Every row of every read-model table, as text: what a rebuild leaves behind."""
    with services.engine.connect() as conn:
        rows = [conn.execute(select(t)).all() for t in metadata.sorted_tables]
    return repr(rows)


def test_a_username_can_be_registered_once_whatever_its_case(services):
    _, username = register(services)
    before = services.app.recorder.max_notification_id()
    with pytest.raises(UsernameTakenError):
        services.app.register_person(username.upper(), "Someone Else", "hash")
    assert services.app.recorder.max_notification_id() == before


def test_a_refused_registration_leaves_no_key_behind(services):
    _, username = register(services)
    with services.engine.connect() as conn:
        keys = conn.execute(select(person_keys.c.person_id)).all()
    with pytest.raises(UsernameTakenError):
        services.app.register_person(username, "Someone Else", "hash")
    with services.engine.connect() as conn:
        assert conn.execute(select(person_keys.c.person_id)).all() == keys


@pytest.mark.parametrize("bad", ["", "ab", "a" * 41, "has space", "semi;colon", "<b>"])
def test_malformed_usernames_are_refused(services, bad):
    with pytest.raises(InvalidUsernameError):
        services.app.register_person(bad, "Name", "hash")


def test_names_email_and_password_hash_never_reach_the_event_log_in_clear(services):
    username, email = unique("zawadi"), f"{unique('z')}@example.org"
    password_hash = hash_password("a secret of sorts")
    recorded = services.caught_up(
        services.app.register_person(username, "Zawadi Kamau", password_hash, email=email)
    )
    services.caught_up(services.app.change_profile(recorded.id, "Zawadi K. Kamau", "en", email))
    services.caught_up(services.app.change_password(recorded.id, hash_password("another one!")))
    states = logged_states(services)
    for secret in (username, "Zawadi", "Kamau", email, password_hash, "argon2"):
        assert secret.encode() not in states, secret
    with services.engine.connect() as conn:
        shown = person(conn, recorded.id)
    assert (shown.display_name, shown.email, shown.language) == ("Zawadi K. Kamau", email, "en")


def test_an_admin_gives_roles_and_the_people_read_model_shows_them(services):
    admin_id, _ = register(services, roles=("admin",))
    person_id, _ = register(services)
    services.caught_up(services.app.change_roles(person_id, ["mentor"], by=admin_id))
    with services.engine.connect() as conn:
        assert person(conn, person_id).roles == ("learner", "mentor")


def test_only_admins_change_roles_or_issue_reset_links(services):
    organiser_id, _ = register(services, roles=("organiser",))
    person_id, _ = register(services)
    before = services.app.recorder.max_notification_id()
    with pytest.raises(NotAllowedError):
        services.app.change_roles(person_id, ["admin"], by=organiser_id)
    with pytest.raises(NotAllowedError):
        services.app.change_roles(organiser_id, ["organiser", "admin"], by=organiser_id)
    with pytest.raises(NotAllowedError):
        services.app.issue_password_reset(person_id, by=organiser_id)
    assert services.app.recorder.max_notification_id() == before


def test_an_admin_keeps_their_own_admin_role(services):
    admin_id, _ = register(services, roles=("admin",))
    with pytest.raises(OwnAdminRoleError):
        services.app.change_roles(admin_id, ["mentor"], by=admin_id)


def test_a_reset_link_works_once_and_the_log_holds_only_its_digest(services):
    admin_id, _ = register(services, roles=("admin",))
    person_id, username = register(services)
    link = services.app.issue_password_reset(person_id, by=admin_id)
    services.caught_up(link.recorded)
    assert link.token.encode() not in logged_states(services)
    new_hash = hash_password("a brand new password")
    services.caught_up(services.app.reset_password(person_id, link.token, new_hash))
    with services.engine.connect() as conn:
        assert account_for_username(conn, username).password_hash == new_hash
    with pytest.raises(ResetLinkUsedError):
        services.app.reset_password(person_id, link.token, hash_password("and another one"))


def test_a_forgotten_person_disappears_from_every_read_model_and_the_log_still_verifies(
    backend, services
):
    admin_id, _ = register(services, roles=("admin",))
    username, email = unique("amina"), f"{unique('amina')}@example.org"
    recorded = services.caught_up(
        services.app.register_person(username, "Amina Njeri", "hash", email=email)
    )
    person_id = recorded.id
    services.caught_up(services.app.change_profile(person_id, "Amina W. Njeri", "en", email))
    services.caught_up(services.app.issue_password_reset(person_id, by=admin_id).recorded)
    services.caught_up(services.app.forget_person(person_id))
    with services.engine.connect() as conn:
        assert account(conn, person_id) is None
    services.projections.rebuild()
    everything = read_models_text(services)
    for trace in (username, "Njeri", email):
        assert trace not in everything
    with services.engine.connect() as conn:
        assert person(conn, person_id) is None
        assert conn.execute(select(people.password_resets)).all() == []
        assert (
            conn.execute(select(person_keys).where(person_keys.c.person_id == person_id)).all()
            == []
        )
    assert verify_log(backend).ok


def test_forgetting_twice_records_nothing_more_and_a_forgotten_person_cannot_enrol(services):
    person_id, _ = register(services)
    services.caught_up(services.app.forget_person(person_id))
    assert services.app.forget_person(person_id).position is None
    course_id = services.caught_up(services.app.publish_course(course_content())).id
    with pytest.raises(PersonNotFoundError):
        services.app.enrol(person_id, course_id)


def test_a_person_forgotten_only_in_the_vault_still_vanishes_on_rebuild(backend, services):
    person_id, username = register(services)
    services.vault.forget(person_id)
    services.projections.rebuild()
    with services.engine.connect() as conn:
        assert person(conn, person_id) is None
        assert account_for_username(conn, username) is None
    assert verify_log(backend).ok
