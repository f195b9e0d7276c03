"""Kept pages: served again only while they are true, and only to whom they belong."""

from __future__ import annotations

import itertools
import re
import time

import pytest
from flask import Flask, make_response, render_template_string, template_rendered
from flask.sessions import SecureCookieSessionInterface

from lms.pagecache import ENTRY_OVERHEAD, KeptPage, PageCache, PageKey, cached_page
from lms.services import build_services
from projections.catalog import CatalogProjection, get_course
from tests.factories import course_content, register
from tests.web.conftest import CSRF, login_as, post

HTMX = {"HX-Request": "true"}


@pytest.fixture
def rendered(app) -> list[str]:
    """The templates rendered since the test last cleared the list: empty after a request
    means the page was served as kept."""
    names: list[str] = []

    def note(_sender, template, **_):
        names.append(template.name)

    template_rendered.connect(note, app)
    yield names
    template_rendered.disconnect(note, app)


def page(client, url: str, **headers) -> str:
    response = client.get(url, headers=headers)
    assert response.status_code == 200, (url, response.status_code)
    return response.get_data(as_text=True)


def kept(client, url: str, rendered: list[str], **headers) -> str:
    """Ask for a page twice; the second answer must come from the page cache."""
    page(client, url, **headers)
    rendered.clear()
    html = page(client, url, **headers)
    assert rendered == [], f"{url} was rendered again instead of kept"
    return html


@pytest.fixture
def signed_in(client, learner):
    """A signed-in learner past their first page, which adds the CSRF secret to the session
    (a page that changes the session is never kept)."""
    page(client, "/dashboard")
    return learner


def slide_url(course_id, module, slide):
    return f"/courses/{course_id}/modules/{module}/slides/{slide}"


def complete_basics(client, course_id):
    post(client, slide_url(course_id, "basics", "what") + "/viewed")
    post(client, slide_url(course_id, "basics", "check") + "/answer", {"answer": "2"})


# --- kept pages follow the read models -----------------------------------------------------


def test_the_kept_catalog_shows_a_course_as_soon_as_it_is_published(client, services, rendered):
    assert "No course matches" in kept(client, "/courses", rendered)
    services.caught_up(services.app.publish_course(course_content(title="Wikidata for GLAMs")))
    assert "Wikidata for GLAMs" in page(client, "/courses")


def test_a_kept_course_page_shows_the_new_version_as_soon_as_it_is_published(
    client, services, course_id, rendered
):
    url = f"/courses/{course_id}"
    assert "Learn SPARQL step by step" in kept(client, url, rendered)
    with services.engine.connect() as conn:
        slug = get_course(conn, course_id).slug
    changed = course_content(slug=slug, title="Querying Wikidata, second edition")
    services.caught_up(services.app.publish_course(changed))
    assert "Querying Wikidata, second edition" in page(client, url)


def test_pages_follow_read_models_moved_by_another_process(backend, client, rendered):
    """Another web worker or the projection worker advanced the read models: this process
    never projected the change itself, and still serves no stale page."""
    assert "No course matches" in kept(client, "/courses", rendered)
    elsewhere = build_services(backend)
    try:
        elsewhere.caught_up(elsewhere.app.publish_course(course_content(title="Board basics")))
    finally:
        elsewhere.close()
    assert "Board basics" in page(client, "/courses")


def test_a_learner_sees_their_progress_right_after_each_action(
    client, signed_in, course_id, rendered
):
    course = f"/courses/{course_id}"
    assert "Enrol and start" in kept(client, course, rendered)
    assert "You are not enrolled" in kept(client, "/dashboard", rendered)

    post(client, f"/courses/{course_id}/enrol")
    assert "0 of 2 modules done" in page(client, "/dashboard")
    assert "Start the course" in kept(client, course, rendered)
    assert "0 of 2 modules done" in kept(client, "/dashboard", rendered)

    complete_basics(client, course_id)
    assert "1 of 2 modules done" in page(client, "/dashboard")
    assert "✓ done" in page(client, course)


# --- kept pages go only to whom they belong ------------------------------------------------


def test_one_learners_pages_are_never_served_to_another_or_to_a_visitor(
    app, client, signed_in, course_id, services, rendered
):
    # Everyone arrives first: a new account would move the read models and drop every page.
    other, visitor = app.test_client(), app.test_client()
    _, someone_else = register(services)
    login_as(other, someone_else)
    page(other, "/courses")  # the first page after signing in adds the CSRF secret
    course = f"/courses/{course_id}"
    post(client, f"/courses/{course_id}/enrol")
    complete_basics(client, course_id)
    assert "✓ done" in kept(client, course, rendered)
    assert "1 of 2 modules done" in kept(client, "/dashboard", rendered)

    theirs = page(other, course)
    assert "✓ done" not in theirs and "Enrol and start" in theirs
    assert f"Sign out ({someone_else.title()})" in theirs
    assert "You are not enrolled" in page(other, "/dashboard")

    seen = page(visitor, course)
    assert "Sign in to enrol" in seen and "Sign out" not in seen
    assert "✓ done" not in seen


def test_a_forged_or_malformed_session_cookie_gets_the_visitors_page(
    app, client, signed_in, course_id, rendered
):
    course = f"/courses/{course_id}"
    post(client, f"/courses/{course_id}/enrol")
    assert "Start the course" in kept(client, course, rendered)
    mine = dict(app.session_interface.open_session(app, _request_with(app, client)))
    elsewhere = Flask("elsewhere")
    elsewhere.secret_key = "not our secret"
    forged = SecureCookieSessionInterface().get_signing_serializer(elsewhere).dumps(mine)
    for cookie in (forged, "garbage", ".", "x" * 4000):
        stranger = app.test_client()
        stranger.set_cookie("session", cookie)
        html = page(stranger, course)
        assert "Sign in to enrol" in html and "Start the course" not in html


def test_a_page_kept_for_one_session_is_not_served_to_another_session_of_the_same_person(
    app, services, course_id, rendered
):
    _, username = register(services)
    first, second = app.test_client(), app.test_client()
    login_as(first, username)
    page(first, "/dashboard")  # the first page after signing in adds the CSRF secret
    kept(first, "/dashboard", rendered)
    login_as(second, username)
    page(second, "/dashboard")  # the first page after signing in adds the CSRF secret
    token = CSRF.search(page(second, "/dashboard")).group(1)
    signed_out = second.post("/logout", data={"csrf_token": token})
    assert signed_out.status_code == 303  # the token belongs to this session


def test_an_anonymous_page_with_a_csrf_token_is_never_shared(app, rendered):
    @app.get("/test/form")
    @cached_page(CatalogProjection)
    def form():
        return render_template_string('<input name="csrf_token" value="{{ csrf_token() }}">')

    tokens = []
    for visitor in (app.test_client(), app.test_client()):
        page(visitor, "/login")  # each visitor's session now holds its own CSRF secret
        page(visitor, "/test/form")
        tokens.append(CSRF.search(page(visitor, "/test/form")).group(1))
    assert tokens[0] != tokens[1]


def test_a_response_that_sets_a_cookie_is_never_kept(app):
    visits = itertools.count(1)

    @app.get("/test/cookie")
    @cached_page(CatalogProjection)
    def with_cookie():
        response = make_response("<p>Welcome</p>")
        response.set_cookie("visitor", str(next(visits)))
        return response

    cookies = [app.test_client().get("/test/cookie").headers["Set-Cookie"] for _ in range(3)]
    assert [c.split(";")[0] for c in cookies] == ["visitor=1", "visitor=2", "visitor=3"]


def test_choosing_a_language_is_remembered_even_on_a_page_seen_before(app, course_id):
    visitor = app.test_client(use_cookies=False)
    for _ in range(2):
        response = visitor.get("/courses?lang=en")
        assert response.status_code == 200
        assert "session=" in response.headers.get("Set-Cookie", "")


# --- kept pages are kept apart by what the request asks for ------------------------------


def test_language_variants_are_kept_apart(app, client, course_id, rendered):
    app.config["LANGUAGES"] = ("en", "sw")
    swahili = kept(client, "/courses", rendered, **{"Accept-Language": "sw"})
    assert '<html lang="sw"' in swahili and "Kiingereza" in swahili
    english = page(client, "/courses", **{"Accept-Language": "en"})
    assert '<html lang="en"' in english and "Kiingereza" not in english
    assert '<html lang="sw"' in page(client, "/courses?lang=sw")
    assert '<html lang="sw"' in page(client, "/courses", **{"Accept-Language": "en"})


def test_htmx_partials_and_whole_pages_are_kept_apart(client, course_id, rendered):
    whole = kept(client, "/courses", rendered)
    partial = kept(client, "/courses", rendered, **HTMX)
    assert "<html" in whole and "<html" not in partial and "Querying Wikidata" in partial
    assert "<html" in page(client, "/courses")
    # Paging moves focus to the first result; filtering must not (htmx names the trigger).
    assert "data-focus-after-swap" in partial
    filtered = page(client, "/courses", **HTMX, **{"HX-Trigger": "catalog-filters"})
    assert "data-focus-after-swap" not in filtered


def test_compressed_and_plain_answers_are_kept_apart(client, course_id, rendered):
    brotli = client.get("/courses", headers={"Accept-Encoding": "br"})
    again = client.get("/courses", headers={"Accept-Encoding": "br"})
    assert brotli.headers["Content-Encoding"] == again.headers["Content-Encoding"] == "br"
    assert again.data == brotli.data
    plain = client.get("/courses")
    assert "Content-Encoding" not in plain.headers
    assert "Querying Wikidata" in plain.get_data(as_text=True)


# --- repeat visits --------------------------------------------------------------------------


def test_a_repeat_visit_is_answered_not_modified_until_the_page_changes(client, services):
    first = client.get("/courses")
    etag = first.headers["ETag"]
    repeat = client.get("/courses", headers={"If-None-Match": etag})
    assert repeat.status_code == 304 and repeat.data == b""
    services.caught_up(services.app.publish_course(course_content(title="Storytelling")))
    changed = client.get("/courses", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Storytelling" in changed.get_data(as_text=True)
    assert changed.headers["ETag"] != etag


# --- sessions: re-sent when they change or age, so pages need not carry them --------------


def test_a_signed_in_page_does_not_send_the_session_cookie_again(client, signed_in):
    assert "Set-Cookie" not in client.get("/dashboard").headers
    assert "Set-Cookie" not in client.get("/courses").headers


def test_a_day_old_session_is_sent_again_with_a_new_expiry(app, client, signed_in, rendered):
    kept(client, "/dashboard", rendered)
    interface = app.session_interface
    serializer = interface.get_signing_serializer(app)
    session = dict(interface.open_session(app, _request_with(app, client)))
    signer = serializer.make_signer()
    signer.get_timestamp = lambda: int(time.time()) - 2 * 24 * 3600
    client.set_cookie("session", signer.sign(serializer.dump_payload(session)).decode())
    response = client.get("/dashboard")
    assert response.status_code == 200 and "My learning" in response.get_data(as_text=True)
    assert re.search(r"session=.*Expires=", response.headers["Set-Cookie"])
    assert "Set-Cookie" not in client.get("/dashboard").headers


def _request_with(app, client):
    cookie = client.get_cookie("session")
    return app.request_class({"HTTP_COOKIE": f"session={cookie.value}"})


# --- the cache stays bounded -----------------------------------------------------------------


def _page(body_size: int) -> KeptPage:
    return KeptPage((("catalog", 1),), "200 OK", (), b"x" * body_size, "etag")


def _key(n: int, query: str = "") -> PageKey:
    return PageKey(("http", "localhost", ""), f"/courses/{n}", query, "en", None, ())


def test_the_page_cache_keeps_at_most_its_bound_dropping_the_least_recently_used():
    cache = PageCache(max_bytes=3 * (1000 + ENTRY_OVERHEAD + 100))
    for n in range(3):
        cache.put(_key(n), _page(1000))
    cache.get(_key(0))  # now the most recently used
    cache.put(_key(3), _page(1000))
    assert cache.size <= cache.max_bytes and len(cache) == 3
    assert cache.get(_key(1)) is None
    assert all(cache.get(_key(n)) is not None for n in (0, 2, 3))


def test_long_query_strings_count_against_the_bound():
    cache = PageCache(max_bytes=1024 * 1024)
    for n in range(100):
        cache.put(_key(n, query="q=" + "x" * 100_000), _page(10))
    assert cache.size <= cache.max_bytes and len(cache) < 11


def test_a_page_larger_than_the_whole_cache_is_not_kept():
    cache = PageCache(max_bytes=4096)
    cache.put(_key(1), _page(1000))
    cache.put(_key(2), _page(10_000))
    assert cache.get(_key(2)) is None and cache.get(_key(1)) is not None
    assert len(cache) == 1
