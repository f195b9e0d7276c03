"""Mentoring through the application, on both backends: profiles, requests, sessions and
swaps, with the rules that must hold across processes (one open mentorship per pair and
skill, a mentor's capacity under concurrent accepts, a swap completed once)."""

from __future__ import annotations

import uuid
from datetime import date

import pytest

from domain.errors import (
    InvalidLanguagesError,
    InvalidLevelError,
    InvalidMessageError,
    InvalidReasonError,
    InvalidSessionError,
    InvalidSkillError,
    MentorFullError,
    MentorshipAlreadyActiveError,
    MentorshipClosedError,
    MentorshipNotFoundError,
    NotAllowedError,
    PersonNotFoundError,
    ProfileHiddenError,
    SelfMentorshipError,
    SessionNotAwaitingError,
    SkillNotOfferedError,
    SwapMismatchError,
    SwapNotFoundError,
    UnknownSkillError,
)
from lms.services import build_services
from projections.mentor_directory import mentor_profile, search_mentors, swap_suggestions
from projections.mentoring_views import (
    completed_swaps,
    confirmed_minutes,
    mentee_view,
    mentor_dashboard,
    mentorship_view,
    swaps_of,
)
from projections.skill_profiles import skill_profile
from tests.factories import register


def person(services, offers=(), needs=(), capacity=None, **details):
    """Someone with a skill profile: skills offered and needed, details, capacity."""
    person_id, _ = register(services)
    app = services.app
    for skill in offers:
        app.offer_skill(person_id, skill, "advanced")
    for skill in needs:
        app.need_skill(person_id, skill, "beginner")
    if details:
        app.change_mentoring_details(person_id, **details)
    if capacity is not None:
        app.set_mentoring_capacity(person_id, capacity)
    services.projections.catch_up()
    return person_id


def read(services, query, *args, **kwargs):
    with services.engine.connect() as conn:
        return query(conn, *args, **kwargs)


def accepted(services, mentor, mentee, skill="Wikidata"):
    app = services.app
    mentorship_id = app.request_mentorship(mentee, mentor, skill, "Please help me").id
    return services.caught_up(app.accept_mentorship(mentorship_id, mentor)).id


@pytest.fixture
def mentor(services):
    return person(services, offers=["Wikidata"], languages=["en"], region="KE")


@pytest.fixture
def mentee(services):
    return person(services, needs=["Wikidata"])


# --- requests -----------------------------------------------------------------------------


def test_a_request_accepted_shows_on_both_sides(services, mentor, mentee):
    app = services.app
    mentorship_id = services.caught_up(
        app.request_mentorship(mentee, mentor, "wikidata", "I want to learn SPARQL on Wikidata")
    ).id
    [request] = read(services, mentor_dashboard, mentor, app.clock()).requests
    assert (request.other_id, request.skill) == (mentee, "Wikidata")
    assert request.message == "I want to learn SPARQL on Wikidata"
    services.caught_up(app.accept_mentorship(mentorship_id, mentor))
    [active] = read(services, mentor_dashboard, mentor, app.clock()).mentees
    assert active.mentorship.mentorship_id == mentorship_id
    [my_mentor] = read(services, mentee_view, mentee).mentors
    assert my_mentor.other_id == mentor
    assert read(services, mentor_profile, mentor).active_mentees == 1


def test_a_declined_request_tells_the_mentee_why(services, mentor, mentee):
    app = services.app
    mentorship_id = app.request_mentorship(mentee, mentor, "Wikidata", "Hello").id
    with pytest.raises(InvalidReasonError):
        app.decline_mentorship(mentorship_id, "  ", mentor)
    services.caught_up(app.decline_mentorship(mentorship_id, "Too busy this month", mentor))
    [closed] = read(services, mentee_view, mentee).closed
    assert (closed.status, closed.close_reason) == ("declined", "Too busy this month")
    with pytest.raises(MentorshipClosedError):
        app.accept_mentorship(mentorship_id, mentor)


def test_one_open_mentorship_per_pair_and_skill_either_way_round(services, mentor, mentee):
    app = services.app
    first = app.request_mentorship(mentee, mentor, "Wikidata", "Hello").id
    with pytest.raises(MentorshipAlreadyActiveError):
        app.request_mentorship(mentee, mentor, "WIKIDATA", "Hello again")
    app.offer_skill(mentee, "Wikidata", "beginner")
    with pytest.raises(MentorshipAlreadyActiveError):
        app.request_mentorship(mentor, mentee, "Wikidata", "Turn about")
    app.end_mentorship(first, "Changed my mind", mentee)
    app.request_mentorship(mentee, mentor, "Wikidata", "Hello once more")


def test_a_double_submitted_request_from_two_processes_opens_one_mentorship(
    backend, services, mentor, mentee
):
    elsewhere = build_services(backend)
    try:
        services.app.request_mentorship(mentee, mentor, "Wikidata", "Hello")
        with pytest.raises(MentorshipAlreadyActiveError):
            elsewhere.app.request_mentorship(mentee, mentor, "Wikidata", "Hello")
    finally:
        elsewhere.close()


def test_a_mentee_can_ask_another_mentor_and_end_the_first(services, mentor, mentee):
    app = services.app
    other = person(services, offers=["Wikidata"])
    first = accepted(services, mentor, mentee)
    second = accepted(services, other, mentee)
    services.caught_up(app.end_mentorship(first, "Found a mentor nearer my time zone", mentee))
    view = read(services, mentee_view, mentee)
    assert [m.mentorship_id for m in view.mentors] == [second]
    assert view.closed[0].close_reason == "Found a mentor nearer my time zone"
    assert read(services, mentor_profile, mentor).active_mentees == 0


def test_only_a_mentor_who_offers_the_skill_and_shows_their_profile_can_be_asked(
    services, mentor, mentee
):
    app = services.app
    with pytest.raises(SkillNotOfferedError):
        app.request_mentorship(mentee, mentor, "SPARQL", "Hello")
    with pytest.raises(SkillNotOfferedError):
        app.request_mentorship(mentor, mentee, "Wikidata", "Hello")  # no offers at all
    with pytest.raises(UnknownSkillError):
        app.request_mentorship(mentee, mentor, "Basket weaving", "Hello")
    with pytest.raises(SelfMentorshipError):
        app.request_mentorship(mentor, mentor, "Wikidata", "Hello")
    with pytest.raises(InvalidMessageError):
        app.request_mentorship(mentee, mentor, "Wikidata", "")
    app.hide_skill_profile(mentor)
    with pytest.raises(ProfileHiddenError):
        app.request_mentorship(mentee, mentor, "Wikidata", "Hello")


def test_a_full_mentor_cannot_be_asked_nor_accept_more(services):
    app = services.app
    full = person(services, offers=["Wikidata"], capacity=1)
    first, second, third = (person(services) for _ in range(3))
    accepted(services, full, first)
    with pytest.raises(MentorFullError):
        app.request_mentorship(second, full, "Wikidata", "Hello")
    services.caught_up(app.set_mentoring_capacity(full, 2))
    pending = app.request_mentorship(second, full, "Wikidata", "Hello").id
    waiting = app.request_mentorship(third, full, "Wikidata", "Hello").id
    app.accept_mentorship(pending, full)
    with pytest.raises(MentorFullError):
        app.accept_mentorship(waiting, full)
    services.projections.catch_up()
    card = read(services, mentor_profile, full)
    assert (card.active_mentees, card.is_full) == (2, True)


def test_concurrent_accepts_in_two_processes_never_exceed_capacity(backend, services):
    full = person(services, offers=["Wikidata"], capacity=2)
    mentees = [person(services) for _ in range(3)]
    requests = [services.app.request_mentorship(m, full, "Wikidata", "Hello").id for m in mentees]
    elsewhere = build_services(backend)
    try:
        # The other process reads the mentor's load, then this one changes it: the other's
        # copy is one accept behind when it accepts the third request.
        elsewhere.app.accept_mentorship(requests[0], full)
        services.app.accept_mentorship(requests[1], full)
        with pytest.raises(MentorFullError):
            elsewhere.app.accept_mentorship(requests[2], full)
    finally:
        elsewhere.close()
    services.projections.catch_up()
    assert read(services, mentor_profile, full).active_mentees == 2


def test_a_forgotten_mentee_frees_their_mentors_place(services):
    app = services.app
    mentor = person(services, offers=["Wikidata"], capacity=1)
    gone, next_one = person(services), person(services)
    accepted(services, mentor, gone)
    services.caught_up(app.forget_person(gone))
    assert read(services, mentor_profile, mentor).active_mentees == 0
    accepted(services, mentor, next_one)


def test_only_the_mentor_accepts_and_declines(services, mentor, mentee):
    app = services.app
    stranger = person(services)
    mentorship_id = app.request_mentorship(mentee, mentor, "Wikidata", "Hello").id
    for by in (mentee, stranger, uuid.uuid4()):
        with pytest.raises(NotAllowedError):
            app.accept_mentorship(mentorship_id, by)
        with pytest.raises(NotAllowedError):
            app.decline_mentorship(mentorship_id, "No", by)
    with pytest.raises(NotAllowedError):
        app.end_mentorship(mentorship_id, "No", stranger)


def test_ids_of_the_wrong_kind_are_not_found(services, mentor, mentee):
    app = services.app
    with pytest.raises(MentorshipNotFoundError):
        app.accept_mentorship(mentee, mentor)
    with pytest.raises(MentorshipNotFoundError):
        app.confirm_session(uuid.uuid4(), uuid.uuid4(), mentee)
    with pytest.raises(SwapNotFoundError):
        app.accept_swap(mentor, mentee)
    with pytest.raises(PersonNotFoundError):
        app.request_mentorship(mentee, uuid.uuid4(), "Wikidata", "Hello")


# --- sessions -----------------------------------------------------------------------------


def test_only_confirmed_sessions_count_towards_hours(services, mentor, mentee):
    app = services.app
    mentorship_id = accepted(services, mentor, mentee)
    today = app.clock().date()
    kept = app.log_session(mentorship_id, today, 90, "Queried paintings", mentor).id
    doubted = app.log_session(mentorship_id, today, 120, "Lua templates", mentor).id
    services.caught_up(app.confirm_session(mentorship_id, kept, mentee))
    services.caught_up(app.dispute_session(mentorship_id, doubted, "We met for an hour", mentee))
    assert read(services, confirmed_minutes, mentor, "wikidata") == 90
    [disputed] = read(services, mentor_dashboard, mentor, app.clock()).disputed
    assert disputed.dispute_reason == "We met for an hour"
    services.caught_up(
        app.correct_session(mentorship_id, doubted, today, 60, "Lua templates", mentor)
    )
    services.caught_up(app.confirm_session(mentorship_id, doubted, mentee))
    assert read(services, confirmed_minutes, mentor, "Wikidata") == 150
    assert read(services, confirmed_minutes, mentor) == 150


def test_only_the_mentor_logs_and_only_the_mentee_confirms(services, mentor, mentee):
    app = services.app
    mentorship_id = accepted(services, mentor, mentee)
    today = app.clock().date()
    with pytest.raises(NotAllowedError):
        app.log_session(mentorship_id, today, 30, "Summary", mentee)
    session_id = app.log_session(mentorship_id, today, 30, "Summary", mentor).id
    for by in (mentor, person(services)):
        with pytest.raises(NotAllowedError):
            app.confirm_session(mentorship_id, session_id, by)
        with pytest.raises(NotAllowedError):
            app.dispute_session(mentorship_id, session_id, "No", by)
    app.confirm_session(mentorship_id, session_id, mentee)
    with pytest.raises(SessionNotAwaitingError):
        app.confirm_session(mentorship_id, session_id, mentee)


@pytest.mark.parametrize(
    ("held_on", "minutes", "summary", "error"),
    [
        ("2026-05-03", 30, "Summary", InvalidSessionError),
        (date(2999, 1, 1), 30, "Summary", InvalidSessionError),
        (None, 30, "Summary", InvalidSessionError),
        ("today", "30", "Summary", InvalidSessionError),
        ("today", 30, "", InvalidMessageError),
        ("today", 30, None, InvalidMessageError),
        ("today", 30, ["Summary"], InvalidMessageError),
    ],
)
def test_a_malformed_session_is_refused_with_a_named_error(
    services, mentor, mentee, held_on, minutes, summary, error
):
    app = services.app
    mentorship_id = accepted(services, mentor, mentee)
    held_on = app.clock().date() if held_on == "today" else held_on
    before = app.recorder.max_notification_id()
    with pytest.raises(error):
        app.log_session(mentorship_id, held_on, minutes, summary, mentor)
    assert app.recorder.max_notification_id() == before


# --- swaps --------------------------------------------------------------------------------


def test_two_complementary_people_find_each_other_swap_and_complete_it(services):
    app = services.app
    amina = person(services, offers=["Wikidata"], needs=["Project management"], languages=["sw"])
    rahim = person(services, offers=["Project management"], needs=["Wikidata"], languages=["sw"])
    [suggestion] = read(services, swap_suggestions, amina)
    assert (suggestion.partner_id, suggestion.they_teach, suggestion.i_teach) == (
        rahim,
        ("Project management",),
        ("Wikidata",),
    )
    swap_id = app.propose_swap(amina, rahim, "Wikidata", "Project management", "Shall we?").id
    with pytest.raises(NotAllowedError):
        app.accept_swap(swap_id, amina)
    recorded = services.caught_up(app.accept_swap(swap_id, rahim))
    saved_together = [type(e).__qualname__ for _, e in recorded.events]
    assert saved_together.count("Mentorship.Accepted") == 2
    assert "Swap.Accepted" in saved_together
    assert read(services, swap_suggestions, amina) == []
    [swap] = read(services, swaps_of, amina)
    assert swap.status == "accepted"
    today = app.clock().date()
    for mentor, mentee, mentorship_id in (
        (amina, rahim, swap.proposer_mentorship_id),
        (rahim, amina, swap.partner_mentorship_id),
    ):
        assert read(services, mentorship_view, mentorship_id, mentor).mentorship.swap_id == swap_id
        session_id = app.log_session(mentorship_id, today, 60, "First session", mentor).id
        assert read(services, completed_swaps, amina) == 0
        services.caught_up(app.confirm_session(mentorship_id, session_id, mentee))
    assert read(services, completed_swaps, amina) == read(services, completed_swaps, rahim) == 1


def test_both_sides_confirming_in_two_processes_still_complete_the_swap(backend, services):
    app = services.app
    amina = person(services, offers=["Wikidata"], needs=["Outreach"])
    rahim = person(services, offers=["Outreach"], needs=["Wikidata"])
    swap_id = app.propose_swap(amina, rahim, "Wikidata", "Outreach").id
    services.caught_up(app.accept_swap(swap_id, rahim))
    [swap] = read(services, swaps_of, amina)
    today = app.clock().date()
    teaching, learning = swap.proposer_mentorship_id, swap.partner_mentorship_id
    first = app.log_session(teaching, today, 60, "Wikidata basics", amina).id
    second = app.log_session(learning, today, 60, "Outreach plans", rahim).id
    elsewhere = build_services(backend)
    try:
        elsewhere.app.confirm_session(learning, second, amina)  # its copy of the swap is now
        app.confirm_session(teaching, first, rahim)  # behind this one's
    finally:
        elsewhere.close()
    services.projections.catch_up()
    assert read(services, completed_swaps, rahim) == 1


def test_a_swap_must_match_both_profiles(services):
    app = services.app
    amina = person(services, offers=["Wikidata"], needs=["Outreach"])
    rahim = person(services, offers=["Outreach"], needs=["SPARQL"])
    with pytest.raises(SwapMismatchError):
        app.propose_swap(amina, rahim, "Wikidata", "Outreach")
    with pytest.raises(SelfMentorshipError):
        app.propose_swap(amina, amina, "Wikidata", "Outreach")
    newcomer, _ = register(services)
    with pytest.raises(SwapMismatchError):
        app.propose_swap(newcomer, rahim, "Wikidata", "Outreach")


def test_a_full_partner_cannot_accept_a_swap(services):
    app = services.app
    amina = person(services, offers=["Wikidata"], needs=["Outreach"])
    rahim = person(services, offers=["Outreach"], needs=["Wikidata"], capacity=1)
    swap_id = app.propose_swap(amina, rahim, "Wikidata", "Outreach").id
    accepted(services, rahim, person(services), skill="Outreach")
    with pytest.raises(MentorFullError):
        app.accept_swap(swap_id, rahim)
    services.caught_up(app.decline_swap(swap_id, "No room until next month", rahim))
    [swap] = read(services, swaps_of, amina)
    assert (swap.status, swap.decline_reason) == ("declined", "No room until next month")


# --- profiles, vocabulary and the survey --------------------------------------------------


def test_a_new_skill_is_added_by_offering_it_and_merged_by_an_organiser(services):
    app = services.app
    wlm = person(services)
    with pytest.raises(InvalidSkillError):
        app.offer_skill(wlm, "Wiki Loves Monuments", "expert")  # a new skill needs a category
    services.caught_up(app.offer_skill(wlm, "Wiki Loves Monuments", "expert", "organisational"))
    with pytest.raises(NotAllowedError):
        app.merge_skill("Wiki Loves Monuments", "Outreach", wlm)
    organiser, _ = register(services, roles=("organiser",))
    services.caught_up(app.merge_skill("wiki loves monuments", "Outreach", organiser))
    [offer] = read(services, skill_profile, wlm).offers
    assert offer.skill == "Outreach"
    assert [
        card.person_id for card in read(services, search_mentors, skill="Outreach").entries
    ] == [wlm]


def test_hostile_profile_input_gets_named_errors_and_records_nothing(services):
    app = services.app
    someone = person(services)
    before = app.recorder.max_notification_id()
    for call, error in (
        (lambda: app.offer_skill(someone, "Wikidata", 7), InvalidLevelError),
        (lambda: app.offer_skill(someone, None, "expert"), InvalidSkillError),
        (lambda: app.need_skill(someone, ["Wikidata"], "expert"), InvalidSkillError),
        (lambda: app.change_mentoring_details(someone, "en"), InvalidLanguagesError),
        (lambda: app.offer_skill(uuid.uuid4(), "Wikidata", "expert"), NotAllowedError),
    ):
        with pytest.raises(error):
            call()
    assert app.recorder.max_notification_id() == before


def test_the_needs_survey_is_open_to_anyone_and_names_nobody(services):
    recorded = services.app.answer_needs_survey(["Wikidata"], ["Outreach"], "sw", "TZ")
    [(_, answered)] = recorded.events
    assert {k for k in vars(answered) if k.endswith("_id") or k == "by"} == {"originator_id"}
    with pytest.raises(UnknownSkillError):
        services.app.answer_needs_survey(["Something nobody added"], [])
