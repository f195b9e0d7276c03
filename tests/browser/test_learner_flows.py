"""A learner's evening in a real browser, once with JavaScript and once without."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import steps
from tests.browser.conftest import DEMO_PASSWORD

both_ways = pytest.mark.parametrize("js_enabled", [True, False], ids=["js", "no-js"])


@both_ways
def test_a_demo_learner_picks_up_the_wikidata_course_where_they_left_off(page, live_server, shot):
    course = live_server.course()
    # The demo left rahim with the first module done: next is the introduction.
    intro, following = course.modules[1], course.modules[2]
    quiz_at = steps.first_quiz(intro)
    quiz = intro.slides[quiz_at]

    page.goto("/")
    shot("home")
    steps.sign_in(page, "rahim", DEMO_PASSWORD)
    expect(steps.heading(page)).to_have_text("My learning")
    shot("signed-in")

    steps.search_for_course(page, "wikidata", course.title)
    shot("search")
    steps.open_course(page, course.title)
    shot("course")

    page.get_by_role("link", name="Continue where you left off").click()
    expect(steps.heading(page)).to_have_text(intro.slides[0].title)
    shot("continue")
    steps.read_until(page, intro, 0, quiz_at)
    shot("quiz")
    steps.answer(page, quiz, steps.wrong_answer_id(quiz))
    shot("quiz-wrong")
    steps.answer(page, quiz, quiz.quiz.correct_answer_id)
    shot("quiz-right")

    steps.finish_module(page, intro, quiz_at)
    expect(page.get_by_role("progressbar", name="Your progress in this course")).to_be_visible()
    shot("module-complete")

    steps.sign_out(page)
    shot("signed-out")
    steps.sign_in(page, "rahim", DEMO_PASSWORD)
    expect(
        page.get_by_text(f"Next: {following.title} — {following.slides[0].title}")
    ).to_be_visible()
    shot("signed-in-again")
    page.get_by_role("link", name=re.compile(rf"^Continue\s+{re.escape(course.title)}")).click()
    expect(steps.heading(page)).to_have_text(following.slides[0].title)
    shot("continued")


@both_ways
def test_a_new_volunteer_registers_and_learns(page, live_server, shot, js_enabled):
    assert page.goto("/register").status == 200
    course = live_server.course()
    orientation, intro = course.modules[0], course.modules[1]
    quiz_at = steps.first_quiz(intro)
    quiz = intro.slides[quiz_at]

    shot("register")
    page.get_by_label(re.compile(r"^\s*username", re.I)).fill("neema.k")
    page.get_by_label(re.compile(r"display name", re.I)).fill("Neema Kamau")
    passwords = page.get_by_label(re.compile(r"password", re.I))
    for index in range(passwords.count()):  # a "repeat password" field, if any, too
        passwords.nth(index).fill("a long passphrase for neema")
    expect(page.get_by_label("Preferred language")).to_be_visible()
    page.get_by_role("button", name=re.compile(r"regist|create|sign up|join", re.I)).click()
    expect(page.get_by_role("button", name="Sign out (Neema Kamau)")).to_be_visible()
    shot("registered")

    steps.search_for_course(page, "wikidata", course.title)
    shot("search")
    steps.open_course(page, course.title)
    shot("course")
    page.get_by_role("button", name="Enrol and start").click()
    if js_enabled:  # htmx enrols in place; the course page then offers the way in
        page.get_by_role("link", name="Start the course").click()
    expect(steps.heading(page)).to_have_text(orientation.slides[0].title)
    shot("enrolled")

    steps.finish_module(page, orientation, 0)
    shot("module-complete")
    page.get_by_role("link", name="Continue with the next step").click()
    expect(steps.heading(page)).to_have_text(intro.slides[0].title)
    steps.read_until(page, intro, 0, quiz_at)
    shot("quiz")
    steps.answer(page, quiz, steps.wrong_answer_id(quiz))
    shot("quiz-wrong")
    steps.answer(page, quiz, quiz.quiz.correct_answer_id)
    shot("quiz-right")
    steps.click_next(page, intro.slides[quiz_at + 1].title)

    steps.sign_out(page)
    shot("signed-out")
    steps.sign_in(page, "neema.k", "a long passphrase for neema")
    shot("signed-in-again")
    page.get_by_role("link", name=re.compile(rf"^Continue\s+{re.escape(course.title)}")).click()
    expect(steps.heading(page)).to_have_text(intro.slides[quiz_at + 1].title)
    shot("continued")
