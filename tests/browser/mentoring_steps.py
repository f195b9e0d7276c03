"""What volunteers do on the mentoring pages, by the names and labels people see, so the same
steps run with JavaScript on (htmx swaps) and off (plain forms); and a second person's page."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

from playwright.sync_api import Page, expect

from tests.browser import steps


def register(page: Page, username: str, display_name: str, password: str) -> None:
    page.goto("/register")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Display name").fill(display_name)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("The same password again").fill(password)
    page.get_by_role("button", name="Create my account").click()
    expect(page.get_by_role("button", name=f"Sign out ({display_name})")).to_be_visible()


def form_with(page: Page, button: str):
    """The form that a button of this name submits."""
    return page.locator("form", has=page.get_by_role("button", name=button, exact=True))


def declare_skill(page: Page, button: str, skill: str, level_label: str, level: str) -> None:
    form = form_with(page, button)
    form.get_by_label("Skill", exact=True).select_option(skill)
    form.get_by_label(level_label).select_option(level)
    form.get_by_role("button", name=button).click()
    expect(page.get_by_role("status")).to_be_visible()


def build_profile(page: Page, offers: str, needs: str, languages: str, region: str) -> None:
    """On their skills page: one skill offered, one needed, languages and region."""
    page.goto("/profile/skills")
    expect(steps.heading(page)).to_have_text("My skills")
    declare_skill(page, "Offer this skill", offers, "My level", "advanced")
    declare_skill(page, "Add this skill", needs, "The level I want to reach", "beginner")
    page.get_by_label("Languages you mentor and learn in").fill(languages)
    page.get_by_label("Region", exact=True).fill(region)
    form_with(page, "Save").first.get_by_role("button", name="Save").click()
    expect(page.get_by_role("status")).to_have_text("Languages, region and availability saved.")


def open_dashboard(page: Page) -> None:
    page.get_by_role("navigation", name="Mentoring").get_by_role(
        "link", name="My mentoring"
    ).click()
    expect(steps.heading(page)).to_have_text("My mentoring")


@contextmanager
def another_person(browser, live_server, js_enabled: bool) -> Iterator[Page]:
    """A second browser, with its own cookies, held to the same rules as the `page` fixture:
    a Content-Security-Policy violation or a script error fails the test."""
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=js_enabled,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}") if "Content Security Policy" in m.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    try:
        yield page
    finally:
        context.close()
    assert not problems, "the page broke its rules:\n" + "\n".join(problems)


def sessions_row(page: Page, state: str):
    """The row of "My sessions" in the given state."""
    table = page.locator("table", has=page.get_by_role("columnheader", name="State"))
    return table.get_by_role("row").filter(has_text=re.compile(state))
