"""The mentoring read models, on both backends: the directory and its search, swap
suggestions, dashboards, the capacity map, merges, private notes that reach only their
mentor, forgotten people leaving nothing behind, and rebuilds that reproduce every table."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from lms.services import build_services
from projections.capacity import CapacityCell, capacity_csv, capacity_map
from projections.digest import read_model_digest
from projections.mentor_directory import (
    directory_filters,
    mentor_profile,
    search_mentors,
    swap_suggestions,
)
from projections.mentoring_views import (
    confirmed_minutes,
    hours_by_skill,
    mentee_view,
    mentor_dashboard,
    mentorship_view,
)
from projections.private_notes import session_private_note
from projections.skill_profiles import added_skills, profile_history, skill_profile
from projections.tables import metadata
from tests.factories import Clock, register, unique

NOTE = "Seems anxious about edit wars; go gently"


def person(services, offers=(), needs=(), capacity=None, name=None, **details):
    person_id, _ = register(services, username=name and unique(name))
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


def every_row_as_text(services) -> str:
    with services.engine.connect() as conn:
        return repr([conn.execute(select(t)).all() for t in metadata.sorted_tables])


def read_model_tables(services):
    return [t for p in services.projections.projections for t in p.tables]


def session_with_note(services, mentor, mentee):
    """An accepted mentorship with a confirmed session carrying a private note."""
    app = services.app
    mentorship_id = app.request_mentorship(mentee, mentor, "Wikidata", "Teach me, please").id
    app.accept_mentorship(mentorship_id, mentor)
    session_id = app.log_session(
        mentorship_id, app.clock().date(), 75, "Modelled a museum", mentor, private_note=NOTE
    ).id
    services.caught_up(app.confirm_session(mentorship_id, session_id, mentee))
    return mentorship_id, session_id


@pytest.fixture
def mentor(services):
    return person(
        services,
        offers=["Wikidata", "SPARQL"],
        needs=["Fundraising"],
        name="zawadi",
        languages=["sw", "en-GB"],
        region="KE",
        hours_per_month=8,
        availability="Weekday evenings, East Africa Time",
    )


@pytest.fixture
def mentee(services):
    return person(services, needs=["Wikidata"], name="baraka", languages=["sw"], region="TZ")


# --- the directory ------------------------------------------------------------------------


def test_the_directory_searches_by_skill_language_and_region(services, mentor):
    other = person(services, offers=["Wikidata"], languages=["fr"], region="Wikimedia France")
    person(services, needs=["Wikidata"])  # offers nothing: not a mentor

    def found(**query):
        return [card.person_id for card in read(services, search_mentors, **query).entries]

    assert set(found()) == {mentor, other}
    assert set(found(skill="wikidata")) == {mentor, other}
    assert found(skill="SPARQL") == [mentor]
    assert found(skill="Wikidata", language="en") == [mentor]  # en-GB speaks en
    assert found(language="EN-us") == [mentor]
    assert found(region="ke") == [mentor]
    assert found(region="Wikimedia France") == [other]
    assert found(skill="Knitting") == []
    filters = read(services, directory_filters)
    assert [tag.name for tag in filters.skills] == ["Wikidata", "SPARQL"]
    assert (filters.languages, filters.regions) == (("en", "fr", "sw"), ("KE", "Wikimedia France"))


def test_a_mentor_card_shows_skills_languages_load_and_confirmed_hours(services, mentor, mentee):
    session_with_note(services, mentor, mentee)
    card = read(services, mentor_profile, mentor)
    assert [(s.skill, s.level) for s in card.offers] == [
        ("Wikidata", "advanced"),
        ("SPARQL", "advanced"),
    ]
    assert card.languages == ("sw", "en-GB")
    assert (card.region, card.availability, card.hours_per_month) == (
        "KE",
        "Weekday evenings, East Africa Time",
        8,
    )
    assert (card.active_mentees, card.capacity, card.confirmed_minutes) == (1, 3, 75)
    assert [(h.skill, h.minutes, h.sessions) for h in card.hours] == [("Wikidata", 75, 1)]


def test_full_mentors_are_marked_and_listed_after_those_with_room(services):
    busy = person(services, offers=["Outreach"], capacity=0, name="aaron")
    free = person(services, offers=["Outreach"], name="zainab")
    page = read(services, search_mentors, skill="Outreach")
    assert [(c.person_id, c.is_full) for c in page.entries] == [(free, False), (busy, True)]


def test_hidden_profiles_leave_the_directory_and_can_come_back(services, mentor):
    services.caught_up(services.app.hide_skill_profile(mentor))
    assert read(services, search_mentors).entries == ()
    assert read(services, mentor_profile, mentor) is None
    assert read(services, skill_profile, mentor).hidden  # the owner still sees it all
    services.caught_up(services.app.show_skill_profile(mentor))
    assert read(services, mentor_profile, mentor) is not None


def test_the_directory_pages_without_overlap(services):
    everyone = {person(services, offers=["Storytelling"]) for _ in range(5)}
    pages = [read(services, search_mentors, page=n, page_size=2) for n in (1, 2, 3, 99)]
    assert [p.page for p in pages] == [1, 2, 3, 3]  # out of range is clamped
    seen = [c.person_id for p in pages[:3] for c in p.entries]
    assert sorted(seen, key=str) == sorted(everyone, key=str)
    assert pages[0].total == 5


def test_the_directory_shows_a_new_name_even_projected_with_the_profile_it_follows(services):
    someone, _ = register(services)
    services.app.offer_skill(someone, "Outreach", "expert")
    services.app.change_profile(someone, "Nia Okonkwo", "en")
    services.projections.catch_up()  # both events in one batch
    assert read(services, mentor_profile, someone).display_name == "Nia Okonkwo"
    services.projections.rebuild()
    assert read(services, mentor_profile, someone).display_name == "Nia Okonkwo"


def test_a_profile_shows_its_history_of_changes(services, mentor):
    app = services.app
    app.offer_skill(mentor, "SPARQL", "expert")
    services.caught_up(app.withdraw_offer(mentor, "sparql"))
    changes = [(c.change, c.skill, c.level) for c in read(services, profile_history, mentor)]
    assert changes[:3] == [
        ("offer_withdrawn", "SPARQL", None),
        ("offered", "SPARQL", "expert"),
        ("details_changed", None, None),
    ]
    assert changes[-1] == ("started", None, None)


# --- swap suggestions ---------------------------------------------------------------------


def test_swap_suggestions_rank_shared_language_then_region_then_availability(services):
    me = person(
        services, offers=["Wikidata"], needs=["Outreach"], languages=["sw", "en"], region="KE"
    )

    def partner(**details):
        return person(services, offers=["Outreach"], needs=["Wikidata"], **details)

    far_but_fluent = partner(languages=["sw-TZ", "en"], region="BR", hours_per_month=1)
    near = partner(languages=["en"], region="KE", hours_per_month=1)
    keen = partner(languages=["en"], region="BR", hours_per_month=20)
    idle = partner(languages=["en"], region="BR")
    person(services, offers=["Outreach"], needs=["SPARQL"])  # not reciprocal
    person(services, offers=["Outreach"], needs=["Wikidata"], capacity=0)  # full
    hidden = partner(languages=["sw"])
    services.caught_up(services.app.hide_skill_profile(hidden))
    found = read(services, swap_suggestions, me)
    assert [s.partner_id for s in found] == [far_but_fluent, near, keen, idle]
    assert found[0].shared_languages == ("sw-TZ", "en")
    assert (found[1].same_region, found[2].same_region) == (True, False)
    assert read(services, swap_suggestions, me, limit=1)[0].partner_id == far_but_fluent


def test_someone_without_needs_or_offers_gets_no_suggestions(services, mentee):
    person(services, offers=["Wikidata"], needs=["Outreach"])
    assert read(services, swap_suggestions, mentee) == []


# --- dashboards ---------------------------------------------------------------------------


def test_the_mentor_dashboard_flags_mentees_without_contact_for_thirty_days(backend):
    clock = Clock(datetime(2026, 3, 1, 12, tzinfo=UTC))
    services = build_services(backend, clock=clock)
    try:
        app = services.app
        mentor = person(services, offers=["Wikidata"])
        quiet, lively = person(services), person(services)
        mentorships = {}
        for mentee in (quiet, lively):
            mentorships[mentee] = app.request_mentorship(mentee, mentor, "Wikidata", "Hi").id
            app.accept_mentorship(mentorships[mentee], mentor)
        clock.advance(timedelta(days=20))
        app.log_session(mentorships[lively], clock().date(), 30, "Checked in", mentor)
        services.projections.catch_up()
        board = read(services, mentor_dashboard, mentor, clock() + timedelta(days=15))
        flags = {a.mentorship.other_id: a.no_contact_30_days for a in board.mentees}
        assert flags == {quiet: True, lively: False}
        assert board.mentees[0].mentorship.other_id == quiet  # longest silence first
        assert [s.summary for s in board.awaiting] == ["Checked in"]
    finally:
        services.close()


def test_the_mentee_sees_mentors_sessions_and_what_waits_for_them(services, mentor, mentee):
    app = services.app
    mentorship_id = app.request_mentorship(mentee, mentor, "Wikidata", "Hello").id
    services.caught_up(app.accept_mentorship(mentorship_id, mentor))
    session_id = services.caught_up(
        app.log_session(mentorship_id, app.clock().date(), 45, "Qualifiers", mentor)
    ).id
    view = read(services, mentee_view, mentee)
    assert [m.other_id for m in view.mentors] == [mentor]
    assert [s.session_id for s in view.to_confirm] == [session_id]
    services.caught_up(app.confirm_session(mentorship_id, session_id, mentee))
    view = read(services, mentee_view, mentee)
    assert view.to_confirm == ()
    assert [(s.state, s.minutes, s.summary) for s in view.sessions] == [
        ("confirmed", 45, "Qualifiers")
    ]


def test_a_mentorship_is_shown_only_to_its_two_sides(services, mentor, mentee):
    mentorship_id, _ = session_with_note(services, mentor, mentee)
    stranger = person(services)
    for side in (mentor, mentee):
        found = read(services, mentorship_view, mentorship_id, side)
        assert found.mentorship.message == "Teach me, please"
    assert read(services, mentorship_view, mentorship_id, stranger) is None


# --- private notes ------------------------------------------------------------------------


def test_a_private_note_reaches_its_mentor_and_no_other_table_or_person(services, mentor, mentee):
    mentorship_id, session_id = session_with_note(services, mentor, mentee)
    assert read(services, session_private_note, session_id, mentor) == NOTE
    assert read(services, session_private_note, session_id, mentee) is None
    views = (
        read(services, mentorship_view, mentorship_id, mentee),
        read(services, mentee_view, mentee),
        read(services, mentor_dashboard, mentor, services.app.clock()),
        read(services, mentor_profile, mentor),
    )
    assert NOTE not in repr(views)
    with services.engine.connect() as conn:
        holding = [
            t.name for t in metadata.sorted_tables if NOTE in repr(conn.execute(select(t)).all())
        ]
    assert holding == ["mentoring_private_notes"]


def test_a_corrected_note_replaces_the_old_one(services, mentor, mentee):
    app = services.app
    mentorship_id = app.request_mentorship(mentee, mentor, "Wikidata", "Hello").id
    app.accept_mentorship(mentorship_id, mentor)
    today = app.clock().date()
    session_id = app.log_session(mentorship_id, today, 30, "S", mentor, private_note=NOTE).id
    services.caught_up(
        app.correct_session(mentorship_id, session_id, today, 40, "S", mentor, private_note="ok")
    )
    assert read(services, session_private_note, session_id, mentor) == "ok"


# --- forgetting ---------------------------------------------------------------------------


def test_a_forgotten_person_leaves_no_row_nor_text_behind_even_after_a_rebuild(
    services, mentor, mentee
):
    app = services.app
    mentorship_id, _ = session_with_note(services, mentor, mentee)
    other_mentee = person(services, needs=["SPARQL"])
    app.request_mentorship(other_mentee, mentor, "SPARQL", "Another request")
    services.caught_up(app.forget_person(mentor))
    traces = (str(mentor), "Weekday evenings", "Modelled a museum", NOTE, "Teach me, please")
    for rebuilt in (False, True):
        if rebuilt:
            services.projections.rebuild()
        text = every_row_as_text(services)
        for trace in traces:
            assert trace not in text, (trace, rebuilt)
        assert read(services, mentee_view, mentee).mentors == ()
        assert read(services, mentorship_view, mentorship_id, mentee) is None


def test_a_forgotten_mentee_leaves_their_mentor_the_hours_and_a_free_place(
    services, mentor, mentee
):
    session_with_note(services, mentor, mentee)
    services.caught_up(services.app.forget_person(mentee))
    card = read(services, mentor_profile, mentor)
    assert (card.active_mentees, card.confirmed_minutes) == (0, 75)
    assert read(services, confirmed_minutes, mentor, "Wikidata") == 75
    assert read(services, mentor_dashboard, mentor, services.app.clock()).mentees == ()
    assert str(mentee) not in every_row_as_text(services)


# --- merges and the capacity map ----------------------------------------------------------


def test_a_merge_moves_profiles_hours_and_survey_answers_to_the_target(services):
    app = services.app
    organiser, _ = register(services, roles=("organiser",))
    wlm = person(services, capacity=5)
    app.offer_skill(wlm, "WLM photography", "expert", "organisational")
    app.offer_skill(wlm, "Outreach", "beginner")
    app.answer_needs_survey(["wlm photography"], [], "sw", "KE")
    mentee = person(services, needs=["Outreach"])
    for skill in ("WLM photography", "Outreach"):
        mentorship_id = app.request_mentorship(mentee, wlm, skill, "Hello").id
        app.accept_mentorship(mentorship_id, wlm)
        session_id = app.log_session(mentorship_id, app.clock().date(), 30, "S", wlm).id
        app.confirm_session(mentorship_id, session_id, mentee)
    services.projections.catch_up()
    assert [s.skill for s in read(services, added_skills)] == ["WLM photography"]
    services.caught_up(app.merge_skill("WLM photography", "Outreach", organiser))
    assert [(h.skill, h.minutes, h.sessions) for h in read(services, hours_by_skill, wlm)] == [
        ("Outreach", 60, 2)
    ]
    assert [s.skill for s in read(services, skill_profile, wlm).offers] == ["Outreach"]
    assert read(services, confirmed_minutes, wlm, "wlm photography") == 60
    assert {c.skill for c in read(services, capacity_map)} == {"Outreach"}
    [merged] = read(services, added_skills)
    assert (merged.merged_into, merged.uses) == ("Outreach", 0)


def test_the_capacity_map_counts_needs_and_offers_by_skill_region_and_language(
    services, mentor, mentee
):
    app = services.app
    app.answer_needs_survey(["Wikidata", "Fundraising"], ["Outreach"], "sw", "KE")
    services.caught_up(app.answer_needs_survey(["Wikidata"], [], None, None))
    cells = read(services, capacity_map)
    wikidata = {(c.region, c.language): (c.needs, c.offers) for c in cells if c.skill == "Wikidata"}
    assert wikidata == {
        ("KE", "sw"): (1, 1),  # a survey answer needs it, the mentor offers it
        ("KE", "en"): (0, 1),  # the mentor counts in each language they speak
        ("TZ", "sw"): (1, 0),  # the mentee
        (None, None): (1, 0),  # an answer that said neither
    }
    technical = read(services, capacity_map, category="technical")
    assert {c.skill for c in technical} == {"SPARQL"}
    swahili = read(services, capacity_map, language="sw-KE")
    assert {c.language for c in swahili} == {"sw"}


def test_capacity_csv_has_a_header_and_keeps_typed_names_from_running_as_formulas():
    cells = [
        CapacityCell("Wikidata", "individual", "KE", "sw", 3, 1),
        CapacityCell('=HYPERLINK("x")', "technical", "@Affiliate", None, 1, 0),
    ]
    rows = list(csv.reader(io.StringIO(capacity_csv(cells))))
    assert rows == [
        ["skill", "category", "region", "language", "needs", "offers"],
        ["Wikidata", "individual", "KE", "sw", "3", "1"],
        ['\'=HYPERLINK("x")', "technical", "'@Affiliate", "", "1", "0"],
    ]


# --- rebuilds -----------------------------------------------------------------------------


def test_a_rebuild_reproduces_every_mentoring_table_exactly(services, mentor, mentee):
    app = services.app
    organiser, _ = register(services, roles=("organiser",))
    session_with_note(services, mentor, mentee)
    swapper = person(services, offers=["Fundraising"], needs=["SPARQL"])
    app.offer_skill(swapper, "Zine making", "expert", "organisational")
    swap_id = app.propose_swap(swapper, mentor, "Fundraising", "SPARQL", "Let us swap").id
    app.accept_swap(swap_id, mentor)
    app.answer_needs_survey(["Zine making"], ["Wikidata"], "sw", "KE")
    app.merge_skill("Zine making", "Storytelling", organiser)
    app.change_profile(mentor, "Zawadi K.", "sw")
    forgotten = person(services, needs=["Wikidata"], languages=["en"])
    app.request_mentorship(forgotten, mentor, "Wikidata", "Before I go")
    app.forget_person(forgotten)
    services.projections.catch_up()
    assert read(services, mentor_profile, mentor).display_name == "Zawadi K."
    tables = read_model_tables(services)
    before = read_model_digest(services.engine, tables)
    services.projections.rebuild()
    assert read_model_digest(services.engine, tables) == before


# --- hostile queries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("bad", "means_nothing"),
    [("\x00", True), ("\u202e", True), (" " * 300, True), ("wiki\x00data", False),
     ("%", False), ("_", False), ("x" * 5000, False)],
)  # fmt: skip
def test_queries_take_any_text_without_failing(services, mentor, bad, means_nothing):
    """Text with nothing printable is no filter at all; other junk matches nothing."""
    found = read(services, search_mentors, skill=bad, language=bad, region=bad).entries
    assert [card.person_id for card in found] == ([mentor] if means_nothing else [])
    assert bool(read(services, capacity_map, category=bad, language=bad)) == means_nothing
    assert read(services, confirmed_minutes, mentor, bad) == 0
    assert read(services, search_mentors, page=-3).page == 1
