"""Keyboard only: the skip link comes first, then the site's navigation, then the page; a quiz
can be answered with the arrow keys, space and Enter; focus is always visible."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from domain.courses import course_id_for
from lms.demo import DEMO_COURSE
from tests.browser import steps
from tests.browser.conftest import DEMO_PASSWORD

both_ways = pytest.mark.parametrize("js_enabled", [True, False], ids=["js", "no-js"])

# What has focus, where it sits, and whether a sighted keyboard user can see it.
FOCUSED = """() => {
    const el = document.activeElement;
    const style = getComputedStyle(el);
    const box = el.getBoundingClientRect();
    return {
        tag: el.tagName.toLowerCase(),
        type: el.getAttribute("type") || "",
        name: (el.getAttribute("aria-label") || el.innerText || el.value || "").trim(),
        id: el.id,
        checked: !!el.checked,
        region: el.closest("main") ? "main" : el.closest("nav") ? "nav"
              : el.closest("header") ? "header" : el.closest("footer") ? "footer" : "body",
        visible: box.width > 0 && box.height > 0 && box.right > 0 && box.bottom > 0
                 && box.left < innerWidth && box.top < innerHeight,
        ring: el.matches(":focus-visible") && style.outlineStyle !== "none"
              && parseFloat(style.outlineWidth) >= 2,
    };
}"""


def tab(page, key: str = "Tab", through_body: bool = False) -> dict:
    """Press a key; what then has focus must be on screen and show a focus ring. Only with
    `through_body` may focus leave the page (Tab past its end, after focus was lost)."""
    page.keyboard.press(key)
    focused = page.evaluate(FOCUSED)
    if focused["tag"] == "body" and through_body:
        return focused
    assert focused["tag"] != "body", f"{key} left nothing focused"
    assert focused["visible"], f"the focused {focused} is off screen"
    assert focused["ring"], f"the focused {focused} shows no focus ring"
    return focused


def tab_until(page, wanted, key: str = "Tab", limit: int = 40) -> dict:
    for _ in range(limit):
        focused = tab(page, key, through_body=True)
        if wanted(focused):
            return focused
    raise AssertionError(f"{limit} presses of {key} never reached what was wanted")


@both_ways
def test_tab_reaches_the_skip_link_first_then_the_navigation_then_the_page(page, shot):
    page.goto("/courses")
    order = [tab(page)]
    while order[-1]["region"] != "main" and len(order) < 15:
        order.append(tab(page))
    shot("first-in-main")
    assert order[0]["name"] == "Skip to content", order[0]
    regions = "".join(f["region"][0] for f in order[1:])  # h(eader), n(av), m(ain)
    assert re.fullmatch(r"h*n+m", regions), f"Tab order {regions}: {order}"

    page.goto("/courses")
    tab(page)
    shot("skip-link")
    page.keyboard.press("Enter")  # follow the skip link: the next Tab is in the page
    assert tab(page)["region"] == "main"
    shot("skipped-to-main")


def on_quiz(page, live_server):
    """Rahim, signed in, on the course's first quiz; returns the module, index and slide."""
    module = live_server.course().modules[1]
    at = steps.first_quiz(module)
    slide = module.slides[at]
    page.goto("/")
    steps.sign_in(page, "rahim", DEMO_PASSWORD)
    page.goto(f"/courses/{course_id_for(DEMO_COURSE)}/modules/{module.slug}/slides/{slide.slug}")
    return module, at, slide


def arrow_to(page, ids: list[int], current: int, wanted: int) -> None:
    key = "ArrowDown" if ids.index(wanted) > ids.index(current) else "ArrowUp"
    for _ in range(abs(ids.index(wanted) - ids.index(current))):
        tab(page, key)
    focused = page.evaluate(FOCUSED)
    assert focused["id"] == f"answer-{wanted}" and focused["checked"], focused


@both_ways
def test_a_quiz_can_be_answered_with_the_keyboard_alone(page, live_server, shot):
    module, at, slide = on_quiz(page, live_server)
    quiz = slide.quiz
    ids = [a.id for a in quiz.answers]
    wrong = steps.wrong_answer_id(slide)

    # Tab into the answers: the first radio takes focus; space chooses it, arrows move on.
    focused = tab_until(page, lambda f: f["type"] == "radio")
    assert focused["id"] == f"answer-{ids[0]}"
    page.keyboard.press("Space")
    arrow_to(page, ids, ids[0], wrong)
    shot("wrong-chosen")
    page.keyboard.press("Enter")  # Enter in a radio submits the form
    feedback = page.get_by_role("status").filter(has_text="Not quite. Try again.")
    expect(feedback).to_contain_text(quiz.answer(wrong).explanation)
    steps.settled(page)
    shot("wrong-answered")

    # Back to the answers (focus enters the group on the checked one), arrow to the right
    # one, then Tab to the "Check my answer" button and press Enter there.
    focused = page.evaluate(FOCUSED)
    if focused["type"] != "radio":
        focused = tab_until(page, lambda f: f["type"] == "radio", key="Shift+Tab")
    assert focused["id"] == f"answer-{wrong}", focused
    arrow_to(page, ids, wrong, quiz.correct_answer_id)
    shot("right-chosen")
    tab_until(page, lambda f: f["name"] == "Check my answer")
    page.keyboard.press("Enter")
    feedback = page.get_by_role("status").filter(has_text="Right!")
    expect(feedback).to_contain_text(quiz.answer(quiz.correct_answer_id).explanation)
    steps.settled(page)
    shot("right-answered")

    # On to the next slide, still by keyboard.
    tab_until(page, lambda f: f["name"].startswith("Next"), limit=80)
    page.keyboard.press("Enter")
    expect(steps.heading(page)).to_have_text(module.slides[at + 1].title)
    shot("next-slide")


def test_with_javascript_the_feedback_takes_focus_after_checking_an_answer(page, live_server):
    _, _, slide = on_quiz(page, live_server)
    page.get_by_role("radio", name=slide.quiz.answer(steps.wrong_answer_id(slide)).text).check()
    page.get_by_role("button", name="Check my answer").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("status").filter(has_text="Not quite")).to_be_visible()
    steps.settled(page)
    assert page.evaluate("document.activeElement.id") == "feedback"


def test_with_javascript_next_moves_focus_to_the_new_slide(page, live_server, rahim_cookies):
    page.context.add_cookies(rahim_cookies)
    module = live_server.course().modules[1]
    page.goto(f"/courses/{course_id_for(DEMO_COURSE)}/continue")
    tab_until(page, lambda f: f["name"].startswith("Next"), limit=80)
    page.keyboard.press("Enter")
    expect(steps.heading(page)).to_have_text(module.slides[1].title)
    steps.settled(page)
    assert page.evaluate("document.activeElement.tagName") == "H1"


def test_with_javascript_next_retitles_the_page(page, live_server, rahim_cookies):
    page.context.add_cookies(rahim_cookies)
    module = live_server.course().modules[1]
    page.goto(f"/courses/{course_id_for(DEMO_COURSE)}/continue")
    steps.click_next(page, module.slides[1].title)
    steps.settled(page)
    assert page.title().startswith(module.slides[1].title)
