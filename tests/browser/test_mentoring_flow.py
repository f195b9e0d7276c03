"""Two volunteers in real browsers, with JavaScript on and off: they create complementary skill
profiles, find each other through swap suggestions, swap, log a session and confirm it, and
both dashboards show it. Every mentoring page passes axe-core (with JavaScript on): on the way,
and with the demo's mentoring loaded."""

from __future__ import annotations

import re
from uuid import UUID

import pytest
from playwright.sync_api import expect

from lms.demo_mentoring import load_mentoring_demo
from tests.browser import mentoring_steps as mentoring
from tests.browser import steps
from tests.browser.conftest import DEMO_PASSWORD

both_ways = pytest.mark.parametrize("js_enabled", [True, False], ids=["js", "no-js"])
PASSWORD = "a long passphrase for swapping"
NOTE = "Baraka learns fast: next time, qualifiers"


@both_ways
def test_two_volunteers_swap_skills_and_confirm_a_session(
    page, browser, live_server, shot, js_enabled, axe_check
):
    def checked(where: str) -> None:
        shot(where)
        if js_enabled:
            axe_check(shot.page, where)

    mentoring.register(page, "neema.k", "Neema Kamau", PASSWORD)
    mentoring.build_profile(page, "Wikidata", "Project management", "en, sw", "KE")
    checked("neema-profile")

    with mentoring.another_person(browser, live_server, js_enabled) as other:
        shot.page = other
        mentoring.register(other, "baraka.o", "Baraka Otieno", PASSWORD)
        mentoring.build_profile(other, "Project management", "Wikidata", "sw", "TZ")
        shot("baraka-profile")

        other.goto("/swaps")
        suggestion = other.get_by_role("listitem").filter(
            has=other.get_by_role("heading", name="Neema Kamau")
        )
        expect(suggestion).to_contain_text(re.compile(r"Can teach you\s*Wikidata"))
        expect(suggestion).to_contain_text(re.compile(r"Languages you share\s*Swahili"))
        checked("baraka-suggestions")
        suggestion.get_by_text("Propose a swap").click()
        suggestion.get_by_label("Message (optional)").fill("Wikidata for project management?")
        suggestion.get_by_role("button", name=re.compile("^Propose the swap")).click()
        expect(other.get_by_role("status")).to_contain_text("Swap proposed")
        shot("baraka-proposed")

        shot.page = page
        page.goto("/swaps")
        proposed = page.get_by_role("listitem").filter(has_text="Baraka Otieno")
        expect(proposed.first).to_contain_text("Wikidata for project management?")
        checked("neema-proposal")
        page.get_by_role("button", name=re.compile("^Accept the swap")).click()
        expect(page.get_by_role("status")).to_contain_text("Swap accepted")
        shot("neema-accepted")

        page.get_by_role("link", name="The mentorship where you teach").click()
        expect(steps.heading(page)).to_have_text("Mentorship in Wikidata")
        page.get_by_label("Length in minutes").fill("90")
        page.get_by_label("Summary (your mentee sees it)").fill("Items, statements and sources")
        page.get_by_label("Private note (only you see it; optional)").fill(NOTE)
        page.get_by_role("button", name="Log the session").click()
        expect(page.get_by_role("status")).to_contain_text("Session logged")
        expect(page.locator(".private-note")).to_contain_text(NOTE)
        checked("neema-logged")

        shot.page = other
        other.goto("/mentoring")
        waiting = other.locator(".session").filter(has_text="Items, statements and sources")
        expect(waiting).to_contain_text("with Neema Kamau")
        checked("baraka-waiting")
        waiting.get_by_role("button", name="Confirm this session").click()
        if js_enabled:  # htmx confirms in place, and moves focus to the new state
            expect(other.locator(".session")).to_contain_text("State: confirmed")
            expect(other.get_by_text("confirmed", exact=True)).to_be_focused()
        else:
            expect(other.get_by_role("status")).to_contain_text("Session confirmed")
        shot("baraka-confirmed")
        mentoring.open_dashboard(other)
        expect(other.get_by_text("No session waits for you to confirm it.")).to_be_visible()
        expect(mentoring.sessions_row(other, "confirmed")).to_contain_text("1 h 30 min")
        assert NOTE not in other.content()
        checked("baraka-dashboard")

    shot.page = page
    mentoring.open_dashboard(page)
    mentees = page.locator("table", has=page.get_by_role("columnheader", name="Mentee"))
    expect(mentees).to_contain_text("Baraka Otieno")
    hours = page.locator("table", has_text="Confirmed mentoring per skill")
    expect(hours.get_by_role("row").filter(has_text="Wikidata")).to_contain_text("1 h 30 min")
    checked("neema-dashboard")


def demo_mentoring(live_server) -> dict[str, UUID]:
    """The demo accounts' profiles and mentorship (lms/demo_mentoring.py), and a request from
    amina waiting on the mentor's dashboard; the accounts' ids by username."""
    app = live_server.services.app
    people = {name: app.person_id_for_username(name) for name in ("mentor", "rahim", "amina")}
    load_mentoring_demo(live_server.services, people)
    app.request_mentorship(people["amina"], people["mentor"], "WikiCite", "Citations, please")
    app.answer_needs_survey(["Wikidata", "Board training"], ["Storytelling"], "sw", "KE")
    live_server.services.projections.catch_up()
    return people


def directory(page, people):
    page.goto("/mentors?skill=Wikidata")
    expect(page.get_by_role("link", name="Maria Mentor", exact=True)).to_be_visible()


def mentor_page(page, people):
    steps.sign_in(page, "amina", DEMO_PASSWORD)
    page.goto(f"/mentors/{people['mentor']}")
    expect(page.get_by_role("button", name="Send the request")).to_be_visible()


def mentor_dashboard(page, people):
    steps.sign_in(page, "mentor", DEMO_PASSWORD)
    page.goto("/mentoring")
    expect(page.get_by_role("button", name=re.compile("^Accept"))).to_be_visible()


def declined_in_place(page, people):
    mentor_dashboard(page, people)
    page.get_by_label(re.compile("^Or decline")).fill("Busy with a WikiCite drive this month")
    page.get_by_role("button", name=re.compile("^Decline")).click()
    expect(page.get_by_role("link", name="Open the mentorship")).to_be_focused()


def mentee_mentorship(page, people):
    steps.sign_in(page, "rahim", DEMO_PASSWORD)
    page.goto("/mentoring")
    page.get_by_role("link", name=re.compile("^Maria Mentor, in Wikidata")).click()
    expect(steps.heading(page)).to_have_text("Mentorship in Wikidata")
    assert "Ready for SPARQL" not in page.content()


def survey(page, people):
    page.goto("/needs")


def survey_refused(page, people):
    page.goto("/needs")
    page.get_by_role("button", name="Send my answer").click()
    expect(page.get_by_role("alert")).to_contain_text("at least one skill")


def capacity_map(page, people):
    steps.sign_in(page, "organiser", DEMO_PASSWORD)
    page.goto("/organise/capacity")
    expect(page.get_by_role("img", name="Needs and offers per skill")).to_be_visible()


def added_skills(page, people):
    steps.sign_in(page, "organiser", DEMO_PASSWORD)
    page.goto("/organise/skills")


PAGES = [
    directory,
    mentor_page,
    mentor_dashboard,
    declined_in_place,
    mentee_mentorship,
    survey,
    survey_refused,
    capacity_map,
    added_skills,
]


@pytest.mark.parametrize("reach", PAGES, ids=[p.__name__ for p in PAGES])
def test_the_mentoring_page_has_no_accessibility_violations(
    reach, page, live_server, axe_check, shot
):
    people = demo_mentoring(live_server)
    page.goto("/")
    reach(page, people)
    shot(reach.__name__)
    axe_check(page, reach.__name__.replace("_", " "))
