"""What a learner does in the browser, by the names and labels people see (as a screen reader
announces them), so the same steps run with JavaScript on (htmx swaps) and off (plain forms)."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from domain.content import Module, Slide


def heading(page: Page):
    return page.get_by_role("heading", level=1)


def settled(page: Page) -> None:
    """Wait until htmx (if it runs: not with JavaScript off) has finished swapping."""
    if page.evaluate("typeof window.htmx === 'object'"):
        page.wait_for_function(
            "() => !document.querySelector('.htmx-request, .htmx-swapping, .htmx-settling')"
        )
        page.wait_for_timeout(50)  # the afterSettle handlers run just after the classes go


def sign_in(page: Page, username: str, password: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Sign in").click()
    expect(heading(page)).to_have_text("Sign in")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("button", name=re.compile(r"^Sign out"))).to_be_visible()


def sign_out(page: Page) -> None:
    page.get_by_role("button", name=re.compile(r"^Sign out")).click()
    expect(page.get_by_role("link", name="Sign in")).to_be_visible()


def search_for_course(page: Page, words: str, title: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Courses").click()
    expect(heading(page)).to_have_text("Courses")
    search = page.get_by_role("searchbox", name="Search courses")
    search.fill(words)
    search.press("Enter")
    expect(page.get_by_role("link", name=title)).to_be_visible()


def open_course(page: Page, title: str) -> None:
    page.get_by_role("link", name=title).click()
    expect(heading(page)).to_have_text(title)


def click_next(page: Page, expected_title: str) -> None:
    """The pager's Next (or Finish module) button, then wait for what should come."""
    page.get_by_role("navigation", name="Slides").get_by_role(
        "button", name=re.compile(r"^(Next|Finish module)")
    ).click()
    expect(heading(page)).to_have_text(expected_title)


def answer(page: Page, slide: Slide, answer_id: int) -> None:
    """Choose an answer and check it; the explanation of that answer must show."""
    chosen = slide.quiz.answer(answer_id)
    page.get_by_role("radio", name=chosen.text, exact=True).check()
    page.get_by_role("button", name="Check my answer").click()
    verdict = "Right!" if answer_id == slide.quiz.correct_answer_id else "Not quite. Try again."
    feedback = page.get_by_role("status").filter(has_text=verdict)
    expect(feedback).to_be_visible()
    expect(feedback).to_contain_text(chosen.explanation)


def wrong_answer_id(slide: Slide) -> int:
    return next(a.id for a in slide.quiz.answers if a.id != slide.quiz.correct_answer_id)


def read_until(page: Page, module: Module, start: int, stop: int) -> None:
    """On slide `start` of the module, go on to slide `stop`, answering quizzes on the way
    right (a quiz must be passed before Next shows)."""
    for index in range(start, stop):
        slide = module.slides[index]
        if slide.quiz is not None:
            answer(page, slide, slide.quiz.correct_answer_id)
        click_next(page, module.slides[index + 1].title)


def finish_module(page: Page, module: Module, start: int) -> None:
    """From slide `start` to the module's end page."""
    read_until(page, module, start, len(module.slides) - 1)
    last = module.slides[-1]
    if last.quiz is not None:
        answer(page, last, last.quiz.correct_answer_id)
    click_next(page, f"You completed “{module.title}”")


def first_quiz(module: Module) -> int:
    return next(i for i, s in enumerate(module.slides) if s.quiz is not None)
