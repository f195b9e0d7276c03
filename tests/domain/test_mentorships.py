"""The rules of mentorships and their sessions, told without Flask or SQL."""

import copy
from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.errors import (
    InvalidMessageError,
    InvalidSessionError,
    MentorFullError,
    MentorshipAlreadyActiveError,
    MentorshipClosedError,
    MentorshipNotAcceptedError,
    MentorshipNotPendingError,
    NotAllowedError,
    SessionConfirmedError,
    SessionNotAwaitingError,
    SessionNotFoundError,
)
from domain.mentorships import (
    MentorLoad,
    Mentorship,
    Pairing,
    checked_message,
    pairing_id_for,
)

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
TODAY = AT.date()
MENTOR, MENTEE, STRANGER = uuid4(), uuid4(), uuid4()


def names(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


def requested() -> Mentorship:
    found = Mentorship(MENTOR, MENTEE, "Wikidata", "sealed message", None, AT)
    found.collect_events()
    return found


@pytest.fixture
def mentorship() -> Mentorship:
    found = requested()
    found.accept(MENTOR, AT)
    found.collect_events()
    return found


def log(mentorship: Mentorship, held_on=TODAY, minutes=60, by=MENTOR, at=AT):
    session_id = uuid4()
    mentorship.log_session(session_id, held_on, minutes, "Wikidata", "summary", None, by, at)
    return session_id


# --- the lifecycle ------------------------------------------------------------------------


def test_the_mentor_accepts_a_request():
    found = requested()
    with pytest.raises(NotAllowedError):
        found.accept(MENTEE, AT)
    found.accept(MENTOR, AT)
    assert found.status == "accepted"
    with pytest.raises(MentorshipNotPendingError):
        found.accept(MENTOR, AT)
    assert names(found) == ["Accepted"]


def test_only_the_mentor_declines_and_only_a_request():
    found = requested()
    with pytest.raises(NotAllowedError):
        found.decline("sealed reason", MENTEE, AT)
    found.decline("sealed reason", MENTOR, AT)
    assert found.status == "declined"
    with pytest.raises(MentorshipClosedError):
        found.accept(MENTOR, AT)


def test_an_accepted_mentorship_is_no_longer_declined(mentorship):
    with pytest.raises(MentorshipNotPendingError):
        mentorship.decline("sealed reason", MENTOR, AT)


@pytest.mark.parametrize("side", [MENTOR, MENTEE])
def test_either_side_ends_it_but_nobody_else(mentorship, side):
    with pytest.raises(NotAllowedError):
        mentorship.end("sealed reason", STRANGER, AT)
    mentorship.end("sealed reason", side, AT)
    assert mentorship.status == "ended"


def test_a_mentee_can_withdraw_a_request_by_ending_it():
    found = requested()
    found.end("sealed reason", MENTEE, AT)
    assert found.status == "ended"


@pytest.mark.parametrize("close", ["decline", "end"])
@pytest.mark.parametrize(
    "action",
    [
        lambda m, s: m.accept(MENTOR, AT),
        lambda m, s: m.decline("r", MENTOR, AT),
        lambda m, s: m.end("r", MENTEE, AT),
        lambda m, s: m.log_session(uuid4(), TODAY, 30, "Wikidata", "s", None, MENTOR, AT),
        lambda m, s: m.correct_session(s, TODAY, 30, "Wikidata", "s", None, MENTOR, AT),
        lambda m, s: m.confirm_session(s, MENTEE, AT),
        lambda m, s: m.dispute_session(s, "r", MENTEE, AT),
    ],
)
def test_nothing_happens_in_a_declined_or_ended_mentorship(close, action):
    found = requested()
    session_id = uuid4()
    if close == "end":
        found.accept(MENTOR, AT)
        session_id = log(found)
        found.end("sealed reason", MENTOR, AT)
    else:
        found.decline("sealed reason", MENTOR, AT)
    found.collect_events()
    with pytest.raises(MentorshipClosedError):
        action(found, session_id)
    assert names(found) == []


def test_a_swap_arranges_a_mentorship_already_accepted():
    swap_id = uuid4()
    found = Mentorship.arranged_by_swap(swap_id, MENTOR, MENTEE, "Wikidata", MENTEE, AT)
    assert (found.status, found.swap_id) == ("accepted", swap_id)
    assert names(found) == ["Requested", "Accepted"]


@pytest.mark.parametrize("bad", ["", "   ", "x" * 2001, "nul\x00", 42])
def test_a_request_needs_a_readable_message(bad):
    with pytest.raises(InvalidMessageError):
        checked_message(bad, required=True)


def test_an_optional_message_may_be_left_out():
    assert checked_message(None, required=False) is None
    assert checked_message("  ", required=False) is None
    assert checked_message("Hello\r\nthere", required=False) == "Hello\nthere"


# --- sessions -----------------------------------------------------------------------------


def test_only_the_mentor_logs_sessions_and_only_once_accepted():
    found = requested()
    with pytest.raises(MentorshipNotAcceptedError):
        log(found)
    found.accept(MENTOR, AT)
    with pytest.raises(NotAllowedError):
        log(found, by=MENTEE)
    session_id = log(found)
    assert found.session(session_id).state == "awaiting"


@pytest.mark.parametrize(
    ("held_on", "minutes"),
    [
        (TODAY + timedelta(days=1), 60),  # in the future
        (TODAY - timedelta(days=1), 60),  # before the request
        ("2026-05-03", 60),
        (None, 60),
        (TODAY, 0),
        (TODAY, 601),
        (TODAY, 30.5),
        (TODAY, "60"),
        (TODAY, True),
    ],
)
def test_a_session_is_held_on_a_real_date_for_one_to_six_hundred_minutes(
    mentorship, held_on, minutes
):
    with pytest.raises(InvalidSessionError):
        log(mentorship, held_on=held_on, minutes=minutes)


def test_a_session_date_is_recorded_as_a_plain_date(mentorship):
    log(mentorship, held_on=datetime(2026, 5, 3, 9, 30, tzinfo=UTC), minutes=600)
    log(mentorship, minutes=1)
    assert [e.held_on for e in mentorship.collect_events()] == ["2026-05-03", "2026-05-03"]


def test_only_the_mentee_confirms_and_the_confirmation_carries_what_hours_need(mentorship):
    session_id = log(mentorship, minutes=45)
    with pytest.raises(NotAllowedError):
        mentorship.confirm_session(session_id, MENTOR, AT)
    mentorship.confirm_session(session_id, MENTEE, AT)
    confirmed = mentorship.collect_events()[-1]
    assert type(confirmed).__name__ == "SessionConfirmed"
    assert (confirmed.mentor_id, confirmed.skill, confirmed.minutes) == (MENTOR, "Wikidata", 45)
    assert mentorship.has_confirmed_session


def test_only_the_mentee_disputes_and_only_a_session_awaiting_confirmation(mentorship):
    session_id = log(mentorship)
    with pytest.raises(NotAllowedError):
        mentorship.dispute_session(session_id, "sealed", MENTOR, AT)
    mentorship.dispute_session(session_id, "sealed", MENTEE, AT)
    with pytest.raises(SessionNotAwaitingError):
        mentorship.confirm_session(session_id, MENTEE, AT)
    with pytest.raises(SessionNotAwaitingError):
        mentorship.dispute_session(session_id, "sealed", MENTEE, AT)
    assert not mentorship.has_confirmed_session


def test_a_correction_is_a_new_event_and_awaits_confirmation_again(mentorship):
    session_id = log(mentorship, minutes=90)
    mentorship.dispute_session(session_id, "sealed", MENTEE, AT)
    mentorship.collect_events()
    with pytest.raises(NotAllowedError):
        mentorship.correct_session(session_id, TODAY, 60, "Wikidata", "s", None, MENTEE, AT)
    mentorship.correct_session(session_id, TODAY, 60, "SPARQL", "s", None, MENTOR, AT)
    assert mentorship.session(session_id).state == "awaiting"
    mentorship.confirm_session(session_id, MENTEE, AT)
    confirmed = mentorship.collect_events()[-1]
    assert (confirmed.skill, confirmed.minutes) == ("SPARQL", 60)


def test_a_confirmed_session_is_never_corrected_nor_confirmed_twice(mentorship):
    session_id = log(mentorship)
    mentorship.confirm_session(session_id, MENTEE, AT)
    with pytest.raises(SessionConfirmedError):
        mentorship.correct_session(session_id, TODAY, 30, "Wikidata", "s", None, MENTOR, AT)
    with pytest.raises(SessionNotAwaitingError):
        mentorship.confirm_session(session_id, MENTEE, AT)


def test_an_unknown_session_is_named_as_such(mentorship):
    with pytest.raises(SessionNotFoundError):
        mentorship.confirm_session(uuid4(), MENTEE, AT)


# --- one open mentorship per pair and skill -----------------------------------------------


def test_the_pairing_is_the_same_either_way_round_and_whatever_the_skills_case():
    assert pairing_id_for(MENTOR, MENTEE, "Wikidata") == pairing_id_for(MENTEE, MENTOR, "wikidata")
    assert pairing_id_for(MENTOR, MENTEE, "Wikidata") != pairing_id_for(MENTOR, MENTEE, "SPARQL")
    assert pairing_id_for(MENTOR, MENTEE, "Wikidata") != pairing_id_for(
        MENTOR, STRANGER, "Wikidata"
    )


def test_a_pairing_holds_one_open_mentorship_until_it_closes():
    pairing = Pairing(id=pairing_id_for(MENTOR, MENTEE, "Wikidata"))
    first, second = uuid4(), uuid4()
    pairing.claim(first)
    with pytest.raises(MentorshipAlreadyActiveError):
        pairing.claim(second)
    pairing.release(second)  # not the one it holds: nothing happens
    pairing.release(first)
    pairing.claim(second)
    assert names(pairing) == ["Started", "Claimed", "Released", "Claimed"]


# --- a mentor's capacity ------------------------------------------------------------------


def test_a_mentor_takes_mentees_up_to_their_capacity():
    load = MentorLoad(MENTOR)
    load.take(uuid4(), uuid4(), 2, gone=set())
    ended = uuid4()
    load.take(ended, uuid4(), 2, gone=set())
    with pytest.raises(MentorFullError):
        load.take(uuid4(), uuid4(), 2, gone=set())
    load.release(ended)
    load.take(uuid4(), uuid4(), 2, gone=set())


def test_a_capacity_of_zero_takes_nobody():
    with pytest.raises(MentorFullError):
        MentorLoad(MENTOR).check_room(0, gone=set())


def test_forgotten_mentees_no_longer_take_a_place():
    load, forgotten = MentorLoad(MENTOR), uuid4()
    load.take(uuid4(), forgotten, 1, gone=set())
    load.take(uuid4(), uuid4(), 1, gone={forgotten})


def test_two_accepts_from_the_same_state_record_the_same_version_so_one_save_must_fail():
    load = MentorLoad(MENTOR)
    load.collect_events()
    elsewhere = copy.deepcopy(load)
    load.take(uuid4(), uuid4(), 5, gone=set())
    elsewhere.take(uuid4(), uuid4(), 5, gone=set())
    [here], [there] = load.collect_events(), elsewhere.collect_events()
    assert (here.originator_id, here.originator_version) == (
        there.originator_id,
        there.originator_version,
    )
