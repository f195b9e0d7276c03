"""Every learner page passes axe-core's WCAG 2.x A/AA and best-practice rules, as served (strict
CSP and all), in Chromium with JavaScript on."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from domain.courses import course_id_for
from lms.demo import DEMO_COURSE
from tests.browser import steps

COURSE = f"/courses/{course_id_for(DEMO_COURSE)}"


def as_rahim(reach):
    """Mark a page as seen by the demo learner rahim (the test gives the page his cookie)."""
    reach.as_rahim = True
    return reach


def signed_in(page, path: str) -> None:
    page.goto(path)
    expect(page.get_by_role("button", name="Sign out (Rahim Uddin)")).to_be_visible()


def quiz_slide(page, live_server):
    """Rahim on the course's first quiz; returns that slide."""
    module = live_server.course().modules[1]
    slide = module.slides[steps.first_quiz(module)]
    signed_in(page, f"{COURSE}/modules/{module.slug}/slides/{slide.slug}")
    expect(steps.heading(page)).to_have_text(slide.title)
    return slide


def home(page, live_server):
    page.goto("/")


def catalog(page, live_server):
    page.goto("/courses")


def catalog_search(page, live_server):
    page.goto("/courses")
    search = page.get_by_role("searchbox", name="Search courses")
    search.fill("wikidata")
    search.press("Enter")
    expect(page.get_by_role("link", name=live_server.course().title)).to_be_visible()


def course_page(page, live_server):
    page.goto(COURSE)


@as_rahim
def course_page_enrolled(page, live_server):
    signed_in(page, COURSE)


@as_rahim
def slide(page, live_server):
    signed_in(page, f"{COURSE}/continue")


@as_rahim
def quiz(page, live_server):
    quiz_slide(page, live_server)


@as_rahim
def quiz_answered_wrong(page, live_server):
    slide = quiz_slide(page, live_server)
    steps.answer(page, slide, steps.wrong_answer_id(slide))


@as_rahim
def quiz_answered_right(page, live_server):
    slide = quiz_slide(page, live_server)
    steps.answer(page, slide, steps.wrong_answer_id(slide))
    steps.answer(page, slide, slide.quiz.correct_answer_id)


@as_rahim
def module_done(page, live_server):
    signed_in(page, f"{COURSE}/modules/{live_server.course().modules[0].slug}/done")


@as_rahim
def dashboard(page, live_server):
    signed_in(page, "/dashboard")


@as_rahim
def record(page, live_server):
    signed_in(page, "/record")


def login(page, live_server):
    page.goto("/login")


def login_refused(page, live_server):
    page.goto("/login")
    page.get_by_label("Username").fill("rahim")
    page.get_by_label("Password").fill("not the password")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("alert")).to_be_visible()


def register(page, live_server):
    assert page.goto("/register").status == 200


def not_found(page, live_server):
    assert page.goto("/no-such-page").status == 404


PAGES = [
    home,
    catalog,
    catalog_search,
    course_page,
    course_page_enrolled,
    slide,
    quiz,
    quiz_answered_wrong,
    quiz_answered_right,
    module_done,
    dashboard,
    record,
    login,
    login_refused,
    register,
    not_found,
]


@pytest.mark.parametrize("reach", PAGES, ids=[p.__name__ for p in PAGES])
def test_the_page_has_no_accessibility_violations(
    reach, page, live_server, axe_check, shot, request
):
    if getattr(reach, "as_rahim", False):
        page.context.add_cookies(request.getfixturevalue("rahim_cookies"))
    reach(page, live_server)
    shot(reach.__name__)
    axe_check(page, f"{reach.__name__.replace('_', ' ')} ({urlsplit(page.url).path})")


def test_the_check_names_what_is_wrong_and_where(page, live_server, axe_check):
    page.goto("/login")
    page.evaluate(
        """() => {
            const img = document.createElement("img");
            img.src = "/static/none.png";
            document.querySelector("main").append(img);
            document.querySelector("#username").removeAttribute("id");
        }"""
    )
    with pytest.raises(pytest.fail.Exception) as failure:
        axe_check(page, "a broken login page")
    report = str(failure.value)
    assert "axe found violations on a broken login page" in report
    assert "- image-alt (critical): Images must have alternative text" in report
    assert "- label (critical)" in report
    assert 'at img: <img src="/static/none.png">' in report
