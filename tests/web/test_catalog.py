"""Finding a course through the Flask test client: search, filters, sorts, pages, course page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from itertools import pairwise

import pytest

from tests.factories import course_variant
from tests.web.conftest import post

HTMX = {"HX-Request": "true"}


def publish(services, content):
    return services.caught_up(services.app.publish_course(content)).id


@pytest.fixture
def shelf(services) -> dict[str, object]:
    """Four courses that differ in every way the catalog filters on, published in this order."""
    courses = {
        "sparql": course_variant("Querying Wikidata", skills=("Wikidata", "SPARQL")),
        "board": course_variant(
            "Board basics",
            description="Gouvernance pour les conseils",
            skills=("Board training",),
            language="fr",
            minutes=(30, 30),
        ),
        "stories": course_variant(
            "Storytelling for outreach", skills=("Storytelling",), minutes=(90, 60)
        ),
        "commons": course_variant(
            "Commons 100% free_media", skills=("Wikimedia Commons",), language="sw"
        ),
    }
    return {name: publish(services, content) for name, content in courses.items()}


@pytest.fixture
def fourteen(services) -> None:
    for n in range(1, 15):
        publish(services, course_variant(f"Course {n:02d}", language="en" if n % 7 else "fr"))


def page(client, url: str, **kwargs) -> str:
    response = client.get(url, **kwargs)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def titles(html: str) -> list[str]:
    return re.findall(r'<h3 lang="\w+"><a href="/courses/[^"]+"[^>]*>([^<]+)</a></h3>', html)


def text(html: str) -> str:
    return re.sub(r"\s+", " ", html)


class _Outline(HTMLParser):
    """The heading levels of a page's <main>, in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.levels: list[int] = []
        self.in_main = False

    def handle_starttag(self, tag, attrs):
        self.in_main = self.in_main or tag == "main"
        if self.in_main and re.fullmatch(r"h[1-6]", tag):
            self.levels.append(int(tag[1]))

    def handle_endtag(self, tag):
        self.in_main = self.in_main and tag != "main"


def heading_levels(html: str) -> list[int]:
    parser = _Outline()
    parser.feed(html)
    return parser.levels


# --- the catalog page ---------------------------------------------------------------------


def test_the_filter_form_is_a_plain_get_form_that_htmx_enhances(client, shelf):
    html = page(client, "/courses")
    form = re.search(r"<form id=\"catalog-filters\"[^>]*>", html).group(0)
    assert 'method="get"' in form and 'action="/courses"' in form
    assert 'hx-get="/courses"' in form and 'hx-push-url="true"' in form
    assert 'hx-target="#course-list"' in form
    assert "<fieldset>" in html and "<legend>Filter and sort</legend>" in html
    for name in ("q", "category", "skill", "language", "length", "sort"):
        assert f'<label for="{name}">' in html and f'id="{name}" name="{name}"' in html
    assert '<button type="submit">Show courses</button>' in html


def test_the_form_offers_what_the_catalog_has_with_readable_names(client, shelf):
    html = page(client, "/courses")
    assert '<option value="governance">Governance</option>' in html
    assert '<option value="individual">Individual (on-wiki editing)</option>' in html
    assert '<option value="technical">' in html and '<option value="organisational">' in html
    assert '<optgroup label="Technical">' in html and '<option value="SPARQL">' in html
    assert '<option value="fr">French</option>' in html
    assert '<option value="sw">Swahili</option>' in html
    assert '<option value="long">Over 2 hours</option>' in html


FILTERED = {
    "category=governance": ["Board basics"],
    "category=technical": ["Querying Wikidata"],
    "skill=Storytelling": ["Storytelling for outreach"],
    "skill=Wikimedia+Commons": ["Commons 100% free_media"],
    "skill=sparql": ["Querying Wikidata"],  # the taxonomy's spelling is found
    "language=fr": ["Board basics"],
    "length=short": ["Commons 100% free_media", "Querying Wikidata"],
    "length=medium": ["Board basics"],
    "length=long": ["Storytelling for outreach"],
    "q=gouvernance": ["Board basics"],
}


def test_each_filter_narrows_the_results(client, shelf):
    for query, expected in FILTERED.items():
        assert titles(page(client, f"/courses?{query}")) == expected, query


def test_filters_combine_and_the_form_shows_what_was_chosen(client, shelf):
    html = page(client, "/courses?category=individual&language=en&length=short")
    assert titles(html) == ["Querying Wikidata"]
    assert '<option value="individual" selected>' in html
    assert '<option value="en" selected>' in html
    assert '<option value="short" selected>' in html
    assert titles(page(client, "/courses?category=governance&language=en")) == []


def test_sorts_order_the_results(client, shelf):
    assert titles(page(client, "/courses")) == [
        "Board basics",
        "Commons 100% free_media",
        "Querying Wikidata",
        "Storytelling for outreach",
    ]
    assert titles(page(client, "/courses?sort=shortest"))[-1] == "Storytelling for outreach"
    assert titles(page(client, "/courses?sort=newest")) == [
        "Commons 100% free_media",
        "Storytelling for outreach",
        "Board basics",
        "Querying Wikidata",
    ]


def test_sql_wildcards_in_a_search_are_matched_literally(client, shelf):
    assert titles(page(client, "/courses?q=100%25")) == ["Commons 100% free_media"]
    assert titles(page(client, "/courses?q=free_media")) == ["Commons 100% free_media"]
    assert titles(page(client, "/courses?q=e_i")) == []


def test_results_paginate_and_say_which_ones_are_shown(client, fourteen):
    first = text(page(client, "/courses"))
    assert "Showing 1–12 of 14 courses" in first
    assert len(titles(first)) == 12
    second = text(page(client, "/courses?page=2"))
    assert "Showing 13–14 of 14 courses" in second
    assert titles(second) == ["Course 13", "Course 14"]
    assert 'href="/courses" hx-get="/courses" rel="prev"' in second
    assert 'aria-current="page"' in second


def test_page_links_keep_the_search_filters_and_sort(client, fourteen):
    html = page(client, "/courses?q=course&language=en&sort=newest")
    assert "Showing 1–12 of 12 courses" in text(html)  # Course 07 and 14 are in French
    assert 'class="pages"' not in html
    html = page(client, "/courses?q=course&length=short&sort=newest")
    links = re.findall(r'<a href="([^"]+)" hx-get="[^"]+" rel="next"', html)
    assert links == ["/courses?q=course&amp;length=short&amp;sort=newest&amp;page=2"]
    assert titles(page(client, links[0].replace("&amp;", "&")))[-1] == "Course 01"


HOSTILE = [
    {"page": "-1"},
    {"page": "abc"},
    {"page": "0"},
    {"page": "1.5"},
    {"page": "٣"},
    {"page": str(10**30)},
    {"page": "9" * 5000},
    {"q": "x" * 10_000},
    {"q": "' OR 1=1 --"},
    {"q": "\x00"},
    {"q": "%_\\"},
    {"q": "كتابة ويكيبيديا 🙂"},
    {"category": "crafts"},
    {"category": "INDIVIDUAL\x00"},
    {"skill": "<script>alert(1)</script>"},
    {"skill": "\x00"},
    {"language": "../../etc/passwd"},
    {"language": "x" * 10_000},
    {"length": "forever"},
    {"sort": "title; DROP TABLE catalog_courses"},
]


def test_malformed_or_hostile_arguments_never_fail(client, shelf):
    for query in HOSTILE:
        for headers in ({}, HTMX):
            response = client.get("/courses", query_string=query, headers=headers)
            assert response.status_code == 200, query
            assert "<script>alert" not in response.get_data(as_text=True), query


def test_unknown_values_are_dropped_and_an_out_of_range_page_clamped(client, shelf):
    assert len(titles(page(client, "/courses?category=crafts&sort=sideways"))) == 4
    assert len(titles(page(client, "/courses?page=99999999999999999999"))) == 4
    html = page(client, "/courses", query_string={"q": "w" * 10_000})
    assert f'value="{"w" * 200}"' in html


def test_a_taxonomy_skill_no_course_teaches_yet_finds_nothing_rather_than_everything(client, shelf):
    html = page(client, "/courses?skill=project+management")
    assert titles(html) == [] and "No course matches your search." in html
    assert '<option value="Project management" selected>' in html


def test_htmx_gets_the_results_partial_and_plain_requests_the_whole_page(client, shelf):
    partial = client.get("/courses?category=individual", headers=HTMX)
    body = partial.get_data(as_text=True)
    assert "<html" not in body and "<form" not in body
    assert titles(body) == ["Commons 100% free_media", "Querying Wikidata"]
    assert 'id="result-count" hx-swap-oob="innerHTML"' in body
    assert "Showing 1–2 of 2 courses" in body
    assert "HX-Request" in partial.headers["Vary"]
    whole = client.get("/courses?category=individual")
    assert "<html" in whole.get_data(as_text=True)
    assert "HX-Request" in whole.headers["Vary"]


def test_htmx_restoring_history_gets_the_whole_page(client, shelf):
    headers = {**HTMX, "HX-History-Restore-Request": "true"}
    html = page(client, "/courses?language=fr", headers=headers)
    assert "<html" in html and titles(html) == ["Board basics"]
    assert html.count('id="result-count"') == 1


def test_only_paging_moves_focus_never_typing_in_the_form(client, fourteen):
    typed = page(client, "/courses?q=course", headers={**HTMX, "HX-Trigger": "catalog-filters"})
    assert "data-focus-after-swap" not in typed
    paged = page(client, "/courses?page=2", headers=HTMX)
    assert paged.count("data-focus-after-swap") == 1


# --- headings and the start page ----------------------------------------------------------


def test_headings_start_at_h1_and_never_skip_a_level(client, shelf):
    for url in ("/", "/courses", "/courses?q=knitting", f"/courses/{shelf['sparql']}"):
        levels = heading_levels(page(client, url))
        assert levels[0] == 1 and levels.count(1) == 1, url
        assert all(b <= a + 1 for a, b in pairwise(levels)), (url, levels)


def test_the_start_page_shows_six_courses_and_how_many_there_are(client, fourteen):
    html = page(client, "/")
    assert len(titles(html)) == 6
    assert "See all 14 courses" in html


# --- a course's page ----------------------------------------------------------------------


def test_a_course_page_shows_times_skills_language_licence_and_attribution(client, shelf):
    html = text(page(client, f"/courses/{shelf['sparql']}"))
    assert "<dt>Estimated time</dt> <dd>about 15 min</dd>" in html
    assert "2 slides · about 10 min" in html and "1 slide · about 5 min" in html
    assert 'Wikidata <span class="meta">— Individual (on-wiki editing)</span>' in html
    assert 'SPARQL <span class="meta">— Technical</span>' in html
    assert "<dt>Language</dt> <dd>English</dd>" in html
    assert "<dt>Licence</dt> <dd>CC BY-SA 4.0</dd>" in html
    assert "Content: Wiki Education, Wiki Education Dashboard training library." in html
    assert 'rel="license"' in html and "Original source" in html
    assert "Sign in to enrol" in html


def test_a_course_page_names_the_language_and_writes_long_times_in_hours(client, shelf):
    html = text(page(client, f"/courses/{shelf['board']}"))
    assert "<dd>French</dd>" in html and 'lang="fr"' in html
    assert "<dd>about 1 hour</dd>" in html
    html = text(page(client, f"/courses/{shelf['stories']}"))
    assert "<dd>about 2 h 30 min</dd>" in html


def test_an_enrolled_learner_is_offered_to_start_and_then_to_continue(client, learner, shelf):
    post(client, f"/courses/{shelf['sparql']}/enrol")
    html = page(client, f"/courses/{shelf['sparql']}")
    assert "Start the course" in html and "Enrol and start" not in html
    post(client, client.get(f"/courses/{shelf['sparql']}/continue").location + "/viewed")
    assert "Continue where you left off" in page(client, f"/courses/{shelf['sparql']}")
