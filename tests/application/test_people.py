"""People: unique usernames, and personal data that can be forgotten without touching the log."""

from __future__ import annotations

import pytest

from domain.errors import InvalidUsernameError, UsernameTakenError
from lms.eventstore import verify_log
from projections.people import account_for_username, person
from tests.factories import register, unique


def test_a_username_can_be_registered_once_whatever_its_case(services):
    _, username = register(services)
    before = services.app.recorder.max_notification_id()
    with pytest.raises(UsernameTakenError):
        services.app.register_person(username.upper(), "Someone Else", "hash")
    assert services.app.recorder.max_notification_id() == before


@pytest.mark.parametrize("bad", ["", "ab", "a" * 41, "has space", "semi;colon", "<b>"])
def test_malformed_usernames_are_refused(services, bad):
    with pytest.raises(InvalidUsernameError):
        services.app.register_person(bad, "Name", "hash")


def test_names_never_reach_the_event_log_in_clear(services):
    username = unique("zawadi")
    register(services, username)
    states = b"".join(n.state for n in services.app.recorder.select_notifications(0, 100))
    assert username.encode() not in states
    assert username.title().encode() not in states


def test_a_forgotten_person_disappears_from_every_read_model_and_the_log_still_verifies(
    backend, services
):
    person_id, username = register(services)
    services.vault.forget(person_id)
    services.projections.rebuild()
    with services.engine.connect() as conn:
        assert person(conn, person_id) is None
        assert account_for_username(conn, username) is None
    assert verify_log(backend).ok
