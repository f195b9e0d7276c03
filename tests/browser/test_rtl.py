"""Arabic in a real browser: pages right to left, their layout mirrored by the stylesheet's
logical properties, reached through the language switcher and the profile's language; a
screenshot of the course page and of the dashboard in Arabic."""

from __future__ import annotations

from babel.numbers import format_percent
from playwright.sync_api import Page, expect

from domain.courses import course_id_for
from lms.demo import DEMO_COURSE

COURSE = f"/courses/{course_id_for(DEMO_COURSE)}"
# Where the header's parts and the page's first heading sit, and which way the page runs.
LAYOUT = """() => {
  const items = [...document.querySelectorAll("header.site nav li")];
  const box = (element) => element.getBoundingClientRect();
  // The first heading of our own words: course titles say their language and direction.
  const heading = document.createRange();
  heading.selectNodeContents(document.querySelector("main :is(h1, h2):not([lang])"));
  return {
    dir: document.documentElement.dir,
    lang: document.documentElement.lang,
    direction: getComputedStyle(document.documentElement).direction,
    width: document.documentElement.clientWidth,
    brand: box(document.querySelector("header.site .brand")),
    firstItem: box(items[0]),
    lastItem: box(items[items.length - 1]),
    heading: heading.getBoundingClientRect(),
    main: box(document.querySelector("main")),
  };
}"""


def layout(page: Page) -> dict:
    return page.evaluate(LAYOUT)


def assert_right_to_left(found: dict) -> None:
    assert (found["dir"], found["direction"]) == ("rtl", "rtl")
    middle = found["width"] / 2
    assert found["brand"]["left"] > middle, "the brand starts the header: on the right"
    assert found["firstItem"]["left"] > found["lastItem"]["left"], "the menu runs right to left"
    # The heading's text starts at main's right edge (its inline start), not at the left one.
    assert abs(found["heading"]["right"] - found["main"]["right"]) < 40
    assert found["heading"]["left"] - found["main"]["left"] > 40


def assert_left_to_right(found: dict) -> None:
    assert (found["dir"], found["direction"]) == ("ltr", "ltr")
    assert found["brand"]["right"] < found["width"] / 2
    assert found["firstItem"]["left"] < found["lastItem"]["left"]
    assert abs(found["heading"]["left"] - found["main"]["left"]) < 40


def test_the_course_page_in_arabic_is_mirrored(page, shot):
    page.goto(COURSE)
    assert_left_to_right(layout(page))
    shot("course-en")

    switcher = page.locator("form.language-choice")
    switcher.get_by_role("combobox").select_option("ar")
    with page.expect_navigation():
        switcher.get_by_role("button").click()
    assert page.url.endswith(COURSE), "the switcher comes back to the same page"
    found = layout(page)
    assert found["lang"] == "ar"
    assert_right_to_left(found)
    shot("course-ar")

    page.goto("/courses")  # remembered for the next page
    assert layout(page)["dir"] == "rtl"


def test_the_dashboard_in_arabic_is_mirrored_with_numbers_as_babel_writes_them(
    page, rahim_cookies, shot
):
    page.context.add_cookies(rahim_cookies)
    page.goto("/account")
    page.locator("select#language").select_option("ar")
    with page.expect_navigation():
        page.locator("main form.stack button[type=submit]").click()
    page.goto("/dashboard")
    found = layout(page)
    assert found["lang"] == "ar", "the profile's language"
    assert_right_to_left(found)
    progress = page.locator("main .progress progress").first
    percent = int(progress.get_attribute("value"))
    expect(progress).to_have_text(format_percent(percent / 100, locale="ar"))
    shot("dashboard-ar")
