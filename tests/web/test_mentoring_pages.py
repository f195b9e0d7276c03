"""Mentoring on the web, through the Flask client on both backends: the directory, requests,
sessions, swaps, dashboards, the needs survey and the capacity map, with every rule a person
meets there, who may do what, and private notes that reach nobody but their mentor."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from datetime import timedelta
from uuid import UUID, uuid4

import pytest
from hypothesis import HealthCheck, given, settings

from lms.demo_mentoring import load_mentoring_demo
from projections import people
from tests.factories import register
from tests.web.clocked import clock, services  # noqa: F401 - fixtures
from tests.web.hostile import (
    ON_SQLITE,
    Visitor,
    alert_text,
    discover_forms,
    routes_of,
    send,
    submissions,
    submit,
)

NOTE = "Mentee mixes up qualifiers and references: go gently"
HTMX = {"HX-Request": "true"}
FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@dataclass
class Cast:
    """A mentor (Wikidata and WikiCite; English and Swahili; Kenya), a mentee who needs
    Wikidata and offers Storytelling, someone with no part in their mentoring, an organiser
    and a visitor who is not signed in."""

    mentor: Visitor
    mentee: Visitor
    outsider: Visitor
    organiser: Visitor
    anonymous: Visitor


def person(services, offers=(), needs=(), capacity=None, **details) -> UUID:
    person_id, _ = register(services)
    for skill in offers:
        services.app.offer_skill(person_id, skill, "advanced")
    for skill in needs:
        services.app.need_skill(person_id, skill, "beginner")
    if details:
        services.app.change_mentoring_details(person_id, **details)
    if capacity is not None:
        services.app.set_mentoring_capacity(person_id, capacity)
    services.projections.catch_up()
    return person_id


@pytest.fixture
def cast(app, services) -> Cast:
    mentor = person(
        services,
        offers=["Wikidata", "WikiCite"],
        needs=["Storytelling"],
        languages=["en", "sw"],
        region="KE",
        hours_per_month=6,
    )
    mentee = person(services, offers=["Storytelling"], needs=["Wikidata"], languages=["en"])
    outsider, _ = register(services)
    organiser, _ = register(services, roles=("learner", "organiser"))
    return Cast(
        Visitor(app, "mentor", mentor),
        Visitor(app, "mentee", mentee),
        Visitor(app, "outsider", outsider),
        Visitor(app, "organiser", organiser),
        Visitor(app, "anonymous"),
    )


def text(response) -> str:
    return response.get_data(as_text=True)


def writes(services) -> int | None:
    return services.app.recorder.max_notification_id()


def page(visitor: Visitor, url: str, **kwargs) -> str:
    response = send(visitor, "GET", url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return text(response)


def display_name(services, person_id: UUID) -> str:
    with services.engine.connect() as conn:
        return people.person(conn, person_id).display_name


def requested(cast: Cast, skill: str = "Wikidata") -> UUID:
    """The mentee asks the mentor through the mentor's page; the mentorship's id."""
    response = send(
        cast.mentee,
        "POST",
        f"/mentors/{cast.mentor.person_id}/request",
        data={"skill": skill, "message": "I want to add my town's museums to Wikidata"},
    )
    assert response.status_code == 303, text(response)
    return UUID(response.location.rsplit("/", 1)[1])


def accepted(cast: Cast) -> UUID:
    mentorship_id = requested(cast)
    assert send(cast.mentor, "POST", f"/mentorships/{mentorship_id}/accept").status_code == 303
    return mentorship_id


def logged(cast: Cast, mentorship_id: UUID, services, **changes) -> UUID:
    """The mentor logs a session today, with a private note; the session's id."""
    form = {
        "held_on": services.app.clock().date().isoformat(),
        "minutes": "45",
        "summary": "Added three museums and their coordinates",
        "private_note": NOTE,
        **changes,
    }
    before = session_ids(cast.mentor, mentorship_id)
    response = send(cast.mentor, "POST", f"/mentorships/{mentorship_id}/sessions", data=form)
    assert response.status_code == 303, text(response)
    (new,) = session_ids(cast.mentor, mentorship_id) - before
    return new


def session_ids(visitor: Visitor, mentorship_id: UUID) -> set[UUID]:
    found = re.findall(
        r'id="session-([0-9a-f-]{36})"', page(visitor, f"/mentorships/{mentorship_id}")
    )
    return {UUID(s) for s in found}


def refused(services, visitor: Visitor, url: str, status: int, words: str, **kwargs) -> str:
    """The request is refused with `status`, says `words` in its alert, and records nothing."""
    before = writes(services)
    response = send(visitor, "POST", url, **kwargs)
    assert response.status_code == status, text(response)
    message = alert_text(text(response))
    assert words in message, message
    assert writes(services) == before
    return message


# --- the directory ----------------------------------------------------------------------------


def test_the_directory_finds_mentors_by_skill_language_and_region(cast, services):
    berlin = person(services, offers=["SPARQL"], languages=["de"], region="Wikimedia Deutschland")
    assert "Showing 1–3 of 3 mentors" in page(cast.anonymous, "/mentors")
    mentor_name = display_name(services, cast.mentor.person_id)
    berlin_name = display_name(services, berlin)
    for query, shown, hidden in (
        ({"skill": "wikidata"}, mentor_name, berlin_name),
        ({"language": "sw"}, mentor_name, berlin_name),
        ({"region": "ke"}, mentor_name, berlin_name),
        ({"region": "Wikimedia Deutschland", "skill": "SPARQL"}, berlin_name, mentor_name),
    ):
        found = page(cast.anonymous, "/mentors", query=query)
        assert shown in found and hidden not in found, query
    nothing = page(cast.anonymous, "/mentors", query={"skill": "Basket weaving"})
    assert "No mentor matches your search." in nothing


def test_the_directory_shows_twenty_mentors_a_page(cast, services):
    for _ in range(19):
        person(services, offers=["Outreach"])
    first = page(cast.anonymous, "/mentors")
    assert "Showing 1–20 of 21 mentors" in first and 'rel="next"' in first
    second = page(cast.anonymous, "/mentors", query={"page": "2"})
    assert "Showing 21–21 of 21 mentors" in second and 'rel="prev"' in second
    far = page(cast.anonymous, "/mentors", query={"page": "9" * 30})
    assert "Showing 21–21 of 21 mentors" in far


def test_a_full_mentor_is_shown_full_and_cannot_be_asked(cast, services):
    send(cast.mentor, "POST", "/profile/skills/capacity", data={"capacity": "1"})
    accepted(cast)
    listing = page(cast.anonymous, "/mentors")
    assert "Full" in listing and f"/mentors/{cast.mentor.person_id}#request" not in listing
    mentor_page = page(cast.outsider, f"/mentors/{cast.mentor.person_id}")
    assert "has as many mentees as they can take" in mentor_page
    assert "Send the request" not in mentor_page
    refused(
        services,
        cast.outsider,
        f"/mentors/{cast.mentor.person_id}/request",
        409,
        "as many mentees as they can take",
        data={"skill": "Wikidata", "message": "Please?"},
    )


def test_a_hidden_profile_leaves_the_directory_and_its_page_is_not_found(cast, services):
    assert send(cast.mentor, "POST", "/profile/skills/hide").status_code == 303
    assert display_name(services, cast.mentor.person_id) not in page(cast.anonymous, "/mentors")
    url = f"/mentors/{cast.mentor.person_id}"
    assert send(cast.anonymous, "GET", url).status_code == 404
    refused(
        services,
        cast.mentee,
        f"{url}/request",
        404,
        "nothing here",
        data={"skill": "Wikidata", "message": "Please"},
    )
    assert "Your profile is hidden" in page(cast.mentor, "/profile/skills")
    send(cast.mentor, "POST", "/profile/skills/show")
    assert send(cast.anonymous, "GET", url).status_code == 200


def test_a_mentor_page_shows_load_hours_and_asks_visitors_to_sign_in(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    send(cast.mentee, "POST", f"/mentorships/{mentorship_id}/sessions/{session_id}/confirm")
    shown = page(cast.anonymous, f"/mentors/{cast.mentor.person_id}")
    assert "1 of 3 mentees" in shown and "45 min" in shown and "6 hours a month" in shown
    assert "Sign in to ask for mentoring" in shown and "Send the request" not in shown
    assert "Send the request" in page(cast.outsider, f"/mentors/{cast.mentor.person_id}")


# --- requests and their answers -----------------------------------------------------------------


def test_a_request_is_sent_and_accepted_in_place_with_htmx(cast, services):
    sent = send(
        cast.mentee,
        "POST",
        f"/mentors/{cast.mentor.person_id}/request",
        data={"skill": "Wikidata", "message": "Help me with museums"},
        headers=HTMX,
    )
    assert sent.status_code == 200 and "<html" not in text(sent)
    assert "Your request went to" in text(sent)
    mentorship_id = re.search(r"/mentorships/([0-9a-f-]{36})", text(sent)).group(1)
    dashboard = page(cast.mentor, "/mentoring")
    assert "Help me with museums" in dashboard and f'id="request-{mentorship_id}"' in dashboard
    answer = send(cast.mentor, "POST", f"/mentorships/{mentorship_id}/accept", headers=HTMX)
    assert answer.status_code == 200 and "<html" not in text(answer)
    assert f'id="request-{mentorship_id}"' in text(answer) and "active" in text(answer)
    mine = page(cast.mentee, "/mentoring")
    assert f"/mentorships/{mentorship_id}" in mine and "since" in mine


def test_a_declined_request_says_why_and_offers_another_mentor(cast, services):
    mentorship_id = requested(cast)
    response = send(
        cast.mentor,
        "POST",
        f"/mentorships/{mentorship_id}/decline",
        data={"reason": "Away until June"},
    )
    assert response.status_code == 303
    shown = page(cast.mentee, f"/mentorships/{mentorship_id}")
    assert "declined" in shown and "Away until June" in shown
    assert "/mentors?skill=Wikidata" in shown
    refused(services, cast.mentor, f"/mentorships/{mentorship_id}/accept", 409, "declined")


def test_a_second_request_for_the_same_skill_is_refused(cast, services):
    requested(cast)
    refused(
        services,
        cast.mentee,
        f"/mentors/{cast.mentor.person_id}/request",
        409,
        "already have a mentorship",
        data={"skill": "Wikidata", "message": "Again"},
    )


def test_an_htmx_refusal_sends_the_browser_to_the_page_that_explains_it(cast, services):
    send(cast.mentor, "POST", "/profile/skills/capacity", data={"capacity": "0"})
    url = f"/mentors/{cast.mentor.person_id}"
    before = writes(services)
    response = send(
        cast.mentee,
        "POST",
        f"{url}/request",
        data={"skill": "Wikidata", "message": "Please"},
        headers=HTMX,
    )
    assert response.status_code == 409 and response.headers["HX-Redirect"] == url
    assert writes(services) == before
    assert "as many mentees" in alert_text(page(cast.mentee, url))


# --- sessions -----------------------------------------------------------------------------------


def test_only_the_mentor_logs_and_corrects_sessions(cast, services):
    mentorship_id = accepted(cast)
    form = {"held_on": services.app.clock().date().isoformat(), "minutes": "30", "summary": "x"}
    url = f"/mentorships/{mentorship_id}/sessions"
    refused(services, cast.mentee, url, 403, "not allowed", data=form)
    refused(services, cast.outsider, url, 404, "nothing here", data=form)
    session_id = logged(cast, mentorship_id, services)
    correct = f"{url}/{session_id}/correct"
    refused(services, cast.mentee, correct, 403, "not allowed", data=form)
    response = send(cast.mentor, "POST", correct, data={**form, "summary": "Added four museums"})
    assert response.status_code == 303
    shown = page(cast.mentee, f"/mentorships/{mentorship_id}")
    assert "Added four museums" in shown and "corrected once" in shown
    assert "Log the session" not in shown


def test_a_session_needs_a_real_date_and_length(cast, services):
    mentorship_id = accepted(cast)
    url = f"/mentorships/{mentorship_id}/sessions"
    today = services.app.clock().date()
    for form, words in (
        ({"held_on": "yesterday", "minutes": "30", "summary": "x"}, "year-month-day"),
        ({"held_on": "2026-02-30", "minutes": "30", "summary": "x"}, "year-month-day"),
        ({"held_on": str(today), "minutes": "1e3", "summary": "x"}, "whole minutes"),
        ({"held_on": str(today), "minutes": "601", "summary": "x"}, "1 to 600 minutes"),
        ({"held_on": str(today + timedelta(days=1)), "minutes": "30", "summary": "x"}, "today"),
        ({"held_on": str(today), "minutes": "30", "summary": " "}, "a session a summary"),
    ):
        refused(services, cast.mentor, url, 400, words, data=form)


def test_only_the_mentee_confirms_in_place_and_confirmed_time_counts(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    url = f"/mentorships/{mentorship_id}/sessions/{session_id}/confirm"
    refused(services, cast.mentor, url, 403, "not allowed")
    refused(services, cast.outsider, url, 404, "nothing here")
    assert "0 min" in page(cast.anonymous, f"/mentors/{cast.mentor.person_id}")
    confirmed = send(cast.mentee, "POST", url, headers=HTMX)
    assert confirmed.status_code == 200 and "<html" not in text(confirmed)
    assert f'id="session-{session_id}"' in text(confirmed) and "confirmed" in text(confirmed)
    assert "Confirm this session" not in text(confirmed)
    assert "45 min" in page(cast.anonymous, f"/mentors/{cast.mentor.person_id}")
    refused(services, cast.mentee, url, 409, "not waiting for confirmation")
    refused(
        services,
        cast.mentor,
        f"/mentorships/{mentorship_id}/sessions/{session_id}/correct",
        409,
        "settled",
        data={"held_on": str(services.app.clock().date()), "minutes": "5", "summary": "x"},
    )


def test_a_disputed_session_shows_the_reason_to_the_mentor(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    url = f"/mentorships/{mentorship_id}/sessions/{session_id}/dispute"
    refused(services, cast.mentor, url, 403, "not allowed", data={"reason": "No"})
    refused(services, cast.mentee, url, 400, "reason", data={"reason": ""})
    assert send(cast.mentee, "POST", url, data={"reason": "It was 20 minutes"}).status_code == 303
    dashboard = page(cast.mentor, "/mentoring")
    assert "Disputed sessions to correct" in dashboard and "It was 20 minutes" in dashboard


def test_an_ended_mentorship_refuses_every_action(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    end = f"/mentorships/{mentorship_id}/end"
    assert send(cast.mentee, "POST", end, data={"reason": "Moving on"}).status_code == 303
    base = f"/mentorships/{mentorship_id}"
    form = {"held_on": str(services.app.clock().date()), "minutes": "30", "summary": "x"}
    for visitor, url, data in (
        (cast.mentor, f"{base}/sessions", form),
        (cast.mentor, f"{base}/sessions/{session_id}/correct", form),
        (cast.mentee, f"{base}/sessions/{session_id}/confirm", {}),
        (cast.mentee, f"{base}/sessions/{session_id}/dispute", {"reason": "No"}),
        (cast.mentor, end, {"reason": "Again"}),
        (cast.mentor, f"{base}/accept", {}),
    ):
        refused(services, visitor, url, 409, "has ended", data=data)
    shown = page(cast.mentor, base)
    assert "Moving on" in shown
    for action in ("Log the session", "Correct this session", "End the mentorship"):
        assert action not in shown


def test_a_mentorship_is_not_found_for_anyone_but_its_two_people(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    unknown = "6f1c1c9e-0000-4000-8000-000000000000"
    hidden = send(cast.outsider, "GET", f"/mentorships/{mentorship_id}")
    missing = send(cast.outsider, "GET", f"/mentorships/{unknown}")
    assert hidden.status_code == missing.status_code == 404
    assert alert_text(text(hidden)) == alert_text(text(missing))
    for suffix in ("accept", "end", "sessions", f"sessions/{session_id}/confirm"):
        for headers in ({}, HTMX):
            url = f"/mentorships/{mentorship_id}/{suffix}"
            refused(services, cast.outsider, url, 404, "nothing", headers=headers)
    visitor = send(cast.anonymous, "GET", f"/mentorships/{mentorship_id}")
    assert visitor.status_code == 302 and "/login" in visitor.location


# --- private notes ------------------------------------------------------------------------------


def test_private_notes_reach_nobody_but_their_mentor(app, cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    assert NOTE in page(cast.mentor, f"/mentorships/{mentorship_id}")  # so the test can fail
    send(cast.mentee, "POST", "/needs", data={"wanted": "Wikidata", "offered": "Storytelling"})
    swap = swap_between(cast, services)
    arguments = {
        "mentor_id": str(cast.mentor.person_id),
        "mentorship_id": str(mentorship_id),
        "session_id": str(session_id),
        "swap_id": str(swap),
        "person_id": str(cast.mentor.person_id),
    }
    opened = 0
    for visitor in (cast.mentee, cast.outsider, cast.organiser, cast.anonymous):
        for response in every_page(app, visitor, arguments):
            assert NOTE.encode() not in response.data, f"{visitor.name}: {response.request.path}"
            opened += response.status_code == 200
    confirm = f"/mentorships/{mentorship_id}/sessions/{session_id}/confirm"
    partial = send(cast.mentee, "POST", confirm, headers=HTMX)
    assert partial.status_code == 200 and NOTE.encode() not in partial.data
    assert opened > 30


def every_page(app, visitor: Visitor, arguments: dict[str, str]):
    """Every GET route the arguments fill, as a whole page and as an htmx partial."""
    for route in routes_of(app):
        if route.method != "GET" or not set(route.names) <= set(arguments):
            continue
        url = route.url(arguments)
        for headers in ({}, HTMX):
            yield send(visitor, "GET", url, headers=headers)


# --- swaps --------------------------------------------------------------------------------------


def swap_between(cast: Cast, services) -> UUID:
    """The mentee proposes: they teach the mentor Storytelling, the mentor teaches them
    WikiCite (Wikidata is taken by their mentorship). The swap's id."""
    services.app.need_skill(cast.mentee.person_id, "WikiCite", "beginner")
    services.projections.catch_up()
    response = send(
        cast.mentee,
        "POST",
        "/swaps",
        data={
            "partner_id": str(cast.mentor.person_id),
            "teaches": "Storytelling",
            "learns": "WikiCite",
            "message": "Shall we?",
        },
    )
    assert response.status_code == 303, text(response)
    swaps = page(cast.mentor, "/swaps")
    return UUID(re.search(r"/swaps/([0-9a-f-]{36})/accept", swaps).group(1))


def test_swap_suggestions_lead_to_two_linked_mentorships(cast, services):
    suggested = page(cast.mentee, "/swaps")
    assert display_name(services, cast.mentor.person_id) in suggested
    assert "Can teach you" in suggested and "Wikidata" in suggested
    assert "English" in suggested  # a language they share
    swap_id = swap_between(cast, services)
    assert "Proposed to you" in page(cast.mentor, "/swaps")
    assert "A skill swap waits for your answer." in page(cast.mentor, "/mentoring")
    refused(services, cast.outsider, f"/swaps/{swap_id}/accept", 404, "nothing here")
    refused(services, cast.mentee, f"/swaps/{swap_id}/accept", 403, "not allowed")
    assert send(cast.mentor, "POST", f"/swaps/{swap_id}/accept").status_code == 303
    mine = page(cast.mentee, "/swaps")
    assert "under way" in mine and "The mentorship where you teach" in mine
    mentor_dashboard = page(cast.mentor, "/mentoring")
    assert "WikiCite" in mentor_dashboard and "Storytelling" in mentor_dashboard
    refused(
        services, cast.mentor, f"/swaps/{swap_id}/decline", 409, "answered", data={"reason": "x"}
    )


def test_a_swap_must_be_reciprocal(cast, services):
    refused(
        services,
        cast.mentee,
        "/swaps",
        400,
        "two different skills",
        data={
            "partner_id": str(cast.mentor.person_id),
            "teaches": "Wikidata",
            "learns": "WikiCite",
        },
    )
    refused(
        services,
        cast.mentee,
        "/swaps",
        400,
        "from the list",
        data={"partner_id": "not an id", "teaches": "Storytelling", "learns": "WikiCite"},
    )


# --- dashboards ---------------------------------------------------------------------------------


def test_a_mentee_without_contact_for_30_days_is_flagged(cast, services, clock):
    mentorship_id = accepted(cast)
    assert "No contact for over 30 days" not in page(cast.mentor, "/mentoring")
    clock.advance(timedelta(days=31))
    assert "No contact for over 30 days" in page(cast.mentor, "/mentoring")
    logged(cast, mentorship_id, services)
    after = page(cast.mentor, "/mentoring")
    assert "No contact for over 30 days" not in after
    assert "Sessions waiting for your mentees to confirm" in after


def test_the_mentees_view_shows_what_waits_for_them(cast, services):
    mentorship_id = accepted(cast)
    session_id = logged(cast, mentorship_id, services)
    waiting = page(cast.mentee, "/mentoring")
    assert "Added three museums" in waiting and "Confirm this session" in waiting
    send(cast.mentee, "POST", f"/mentorships/{mentorship_id}/sessions/{session_id}/confirm")
    after = page(cast.mentee, "/mentoring")
    assert "No session waits for you to confirm it." in after
    assert "My sessions" in after and "confirmed" in after


# --- skill profiles -----------------------------------------------------------------------------


def test_a_skill_profile_is_built_on_its_page_with_its_history(cast, services):
    me = cast.outsider
    post = lambda url, **form: send(me, "POST", f"/profile/skills/{url}", data=form)  # noqa: E731
    assert post("offers", skill="SPARQL", level="expert").status_code == 303
    added = post("offers", skill="SPARQL", new_skill="Wikidata Lexemes", category="technical")
    assert added.status_code == 400  # no level chosen
    new = post("offers", new_skill="Wikidata Lexemes", category="technical", level="beginner")
    assert new.status_code == 303
    assert post("needs", skill="Board training", level="intermediate").status_code == 303
    assert (
        post("details", languages="sw, pt-br", region="tz", hours_per_month="4").status_code == 303
    )
    assert post("capacity", capacity="5").status_code == 303
    assert post("offers/withdraw", skill="sparql").status_code == 303
    shown = page(me, "/profile/skills")
    for words in (
        "Wikidata Lexemes",
        "Board training",
        'value="sw, pt-BR"',
        'value="TZ"',
        "Takes 5 mentees at a time",
        "Offered SPARQL (expert)",
        "No longer offers SPARQL",
    ):
        assert words in shown, words
    assert "Wikidata Lexemes" in page(cast.anonymous, "/mentors")


def test_profile_forms_refuse_what_the_rules_do_not_allow(cast, services):
    me, url = cast.outsider, "/profile/skills"
    for path, form, words in (
        ("capacity", {"capacity": "21"}, "0 to 20"),
        ("capacity", {"capacity": "-1"}, "whole number"),
        ("details", {"languages": "english!!"}, "language codes"),
        ("details", {"region": "X"}, "country code"),
        ("details", {"hours_per_month": "161"}, "0 to 160 hours"),
        ("offers", {"skill": "Wikidata", "level": "guru"}, "choose a level"),
        ("offers", {"new_skill": "Basket weaving", "level": "expert"}, "a category"),
        ("needs", {"level": "expert"}, "choose a skill"),
    ):
        refused(services, me, f"{url}/{path}", 400, words, data=form)
    refused(services, me, f"{url}/hide", 404, "no such skill profile")


# --- needs survey and capacity map --------------------------------------------------------------


def test_anyone_answers_the_needs_survey(cast, services):
    form = {
        "wanted": ["Wikidata", "SPARQL"],
        "offered": "Outreach",
        "language": "sw",
        "region": "KE",
    }
    answered = send(cast.anonymous, "POST", "/needs", data=form)
    assert answered.status_code == 303
    assert "your answer is counted" in page(cast.anonymous, "/needs")
    refused(services, cast.anonymous, "/needs", 400, "at least one skill", data={"language": "sw"})
    refused(services, cast.anonymous, "/needs", 400, "from the list", data={"wanted": "Juggling"})
    before = writes(services)
    tokenless = send(cast.anonymous, "POST", "/needs", data=form, with_token=False)
    assert tokenless.status_code == 400 and writes(services) == before


def capacity_rows(response) -> list[dict]:
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith("attachment")
    return list(csv.DictReader(io.StringIO(text(response))))


def test_the_capacity_map_counts_needs_and_offers_with_filters(cast, services):
    survey = {"wanted": "Storytelling", "language": "sw", "region": "KE"}
    send(cast.anonymous, "POST", "/needs", data=survey)
    rows = capacity_rows(send(cast.organiser, "GET", "/organise/capacity.csv"))
    story = [r for r in rows if r["skill"] == "Storytelling"]
    assert {(r["region"], r["language"], r["needs"], r["offers"]) for r in story} == {
        ("KE", "en", "1", "0"),  # the mentor needs it
        ("KE", "sw", "2", "0"),  # the mentor, and the survey answer
        ("", "en", "0", "1"),  # the mentee offers it, without a region
    }
    filtered = capacity_rows(
        send(cast.organiser, "GET", "/organise/capacity.csv", query={"language": "sw"})
    )
    assert {r["language"] for r in filtered} == {"sw"}
    governance = send(
        cast.organiser, "GET", "/organise/capacity.csv", query={"category": "governance"}
    )
    assert capacity_rows(governance) == []
    query = {"category": "organisational", "language": "sw"}
    assert '<html lang="en"' in page(cast.organiser, "/organise/capacity", query=query)
    shown = page(cast.organiser, "/organise/capacity", query={"category": "organisational"})
    assert "<svg" in shown and '<title id="chart-title">' in shown and "<desc" in shown
    assert "3 need it" in shown and "1 offer it" in shown and "Wikidata" not in table_of(shown)


def table_of(html: str) -> str:
    return html[html.index('<table class="data capacity">') :]


def test_the_capacity_map_and_skill_merges_are_for_organisers(cast, services):
    urls = ("/organise/capacity", "/organise/capacity.csv", "/organise/skills")
    for url in urls:
        assert send(cast.mentee, "GET", url).status_code == 403
        visitor = send(cast.anonymous, "GET", url)
        assert visitor.status_code == 302 and "/login" in visitor.location
    merge = {"skill": "Museum data", "into": "Wikidata"}
    refused(services, cast.mentee, "/organise/skills/merge", 403, "not allowed", data=merge)


def test_an_organiser_merges_a_skill_people_added(cast, services):
    services.app.offer_skill(cast.mentee.person_id, "Museum data", "expert", category="technical")
    services.projections.catch_up()
    listed = page(cast.organiser, "/organise/skills")
    assert "Museum data" in listed
    merge = {"skill": "Museum data", "into": "Wikidata"}
    assert send(cast.organiser, "POST", "/organise/skills/merge", data=merge).status_code == 303
    assert "Counts as Wikidata" in page(cast.organiser, "/organise/skills")
    refused(services, cast.organiser, "/organise/skills/merge", 409, "merged", data=merge)
    found = page(cast.anonymous, "/mentors", query={"skill": "Wikidata"})
    assert display_name(services, cast.mentee.person_id) in found


@ON_SQLITE
def test_every_organiser_mentoring_form_survives_hostile_input(world):
    forms = [
        f
        for f in discover_forms(world, world.admin)
        if f.endpoint.startswith("mentoring.") and "/organise/" in f.action
    ]
    assert {f.endpoint for f in forms} >= {"mentoring.capacity", "mentoring.merge_skill"}
    for form in forms:
        _fuzz(world, form)


def _fuzz(world, form) -> None:
    @FUZZ
    @given(submission=submissions(form, world.foreign_ids()))
    def attack(submission):
        pairs, headers = submission
        submit(world, world.admin, form, pairs, headers)

    attack()


# --- the demo -----------------------------------------------------------------------------------


def test_the_demo_gives_mentors_to_try_and_loads_once(app, services):
    people = {
        name: register(services, f"{name}-{uuid4().hex[:6]}")[0]
        for name in ("mentor", "rahim", "amina")
    }
    load_mentoring_demo(services, people)
    before = writes(services)
    load_mentoring_demo(services, people)
    assert writes(services) == before
    rahim = Visitor(app, "rahim", people["rahim"])
    shown = page(rahim, f"/mentors/{people['mentor']}")
    assert "1 of 3 mentees" in shown and "1 h" in shown and "WikiCite" in shown
    assert "Ready for SPARQL" not in page(rahim, "/mentoring")
    found = page(Visitor(app, "amina", people["amina"]), "/mentors", query={"skill": "Wikidata"})
    assert display_name(services, people["mentor"]) in found
