"""Hostile input on every route and every form (issue 3): never a 5xx, never a write on a
refusal, never a traceback or an unescaped script, always a message a person can read.

Routes come from the app's url map and forms from the pages themselves (tests/web/hostile.py),
so a new route or form is attacked here without anyone editing this file.
"""

from __future__ import annotations

import io

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import LanguageAccept
from werkzeug.http import parse_accept_header

from lms.i18n import SUPPORTED_LANGUAGES
from projections import people
from tests.web.hostile import (
    ACCEPT_LANGUAGES,
    ON_POSTGRES,
    ON_SQLITE,
    QUERY_TEXTS,
    XSS,
    Route,
    Visitor,
    World,
    alert_text,
    check_answer,
    check_language,
    discover_forms,
    discovered_routes,
    encoded,
    every_route,
    exchange,
    hostile_segments,
    query_names,
    routes_of,
    segment_strategy,
    send,
    submissions,
    submit,
    text_strategy,
)

ROUTES = discovered_routes()
PER_ROUTE = pytest.mark.parametrize("route", ROUTES, ids=str)
# The hypothesis-driven checks send hundreds of requests per test, so they run on SQLite only.
# What differs between the backends (how a hostile string meets a query: PostgreSQL refuses NUL
# characters, for one) gets a PostgreSQL sweep of the fixed values that reach the database.
FUZZ = settings(
    max_examples=25,  # per form; routes take 10 each
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)


def valid_segments(world: World, route: Route) -> dict[str, str]:
    """The first valid arguments: the shared course, in which the learner is enrolled."""
    found = world.arguments_for(route)
    return {k: encoded(v) for k, v in found[0].items()} if found else {}


def hostile_urls(world: World, route: Route, everything: bool):
    """(label, url, query): each argument in turn made hostile while the others stay valid;
    for GET, every query parameter the code reads set to each hostile text at once."""
    valid = valid_segments(world, route)
    base = route.url(valid)
    yield "valid arguments", base, None
    foreign = world.foreign_ids()
    for name, converter in route.arguments:
        for label, segment in hostile_segments(converter, valid[name], foreign, everything):
            yield f"{label} as <{name}>", route.url({**valid, name: segment}), None
    if not route.arguments:
        for suffix in ("/", "%00", "/..", "/%2e%2e%2f", ";x=1"):
            yield f"{suffix!r} appended", base.rstrip("/") + suffix, None
    if route.method == "GET":
        names = query_names()
        for text in QUERY_TEXTS:
            yield f"?{'&'.join(names)}={text[:40]!r}", base, {n: text for n in names}
        yield "repeated query parameters", base, [(n, v) for n in names for v in ("1", "2")]


def check_hostile_urls(world: World, route: Route, everything: bool = True) -> None:
    world.reset(world.learner)
    visitors = [world.visitor_for(route)]
    if world.is_public(route):  # else the anonymous visitor only meets the sign-in guard
        visitors.append(world.anonymous)
    for visitor in visitors:
        for label, url, query in hostile_urls(world, route, everything):
            what = f"{route} with {label} ({url[:100]})"
            exchange(world, visitor, route.method, url, what, query=query)
    assert (route.rule, route.method) in world.dispatched, f"no request reached {route}"


def check_wrong_methods_and_bodies(world: World, route: Route) -> None:
    world.reset(world.learner)
    visitor = world.visitor_for(route)
    url = route.url(valid_segments(world, route))
    allowed = {r.method for r in ROUTES if r.rule == route.rule}
    for method in sorted({"GET", "POST", "PUT", "PATCH", "DELETE"} - allowed):
        response = exchange(world, visitor, method, url, f"{method} {route.rule}")
        assert response.status_code in (404, 405), (method, route.rule, response.status_code)
    if route.method == "GET":
        return
    for label, kwargs in wrong_bodies(visitor.token()).items():
        exchange(world, visitor, route.method, url, f"{route} with {label}", **kwargs)


def wrong_bodies(token: str) -> dict[str, dict]:
    """Request bodies of the wrong type, shape or size, as keyword arguments for the client."""
    return {
        "a JSON body without a token": {"json": {"answer": 2, "person_id": "x"}},
        "a JSON body with a token header": {
            "json": [1, 2, {"answer": None}],
            "headers": {"X-CSRFToken": token},
        },
        "text/plain": {"data": "answer=2", "content_type": "text/plain"},
        "a malformed form body": {
            "data": f"csrf_token={token}&%zz=%&&=&answer=%ff%fe",
            "content_type": "application/x-www-form-urlencoded",
        },
        "a file for every field": {
            "data": {
                "answer": (io.BytesIO(b"\x00\xff"), "x.bin"),
                "username": (io.BytesIO(b""), ""),
            },
            "content_type": "multipart/form-data",
        },
        "a body over the size limit": {"data": {"answer": "1" * (2 * 1024 * 1024)}},
        "a broken multipart body": {
            "data": b"--x\r\nContent-Disposition: form-data; name=answer\r\n\r\n2",
            "content_type": "multipart/form-data; boundary=x",
        },
    }


@ON_SQLITE
def test_every_route_and_method_is_exercised(world):
    """A new route fails here, by name, until the hostile tests can reach it."""
    live = routes_of(world.app)
    assert set(live) == set(ROUTES), "the routes changed while the tests were collected"
    unfillable = [
        f"{route}: no valid value for {route.names} in World.valid_arguments() "
        "(tests/web/hostile.py)"
        for route in live
        if route.names and not world.arguments_for(route)
    ]
    assert not unfillable, "\n".join(unfillable)
    for route in live:
        send(world.visitor_for(route), route.method, route.url(valid_segments(world, route)))
    unreached = [str(r) for r in live if (r.rule, r.method) not in world.dispatched]
    assert not unreached, "no request reached these routes:\n" + "\n".join(unreached)


def check_generated_urls(world: World, route: Route) -> None:
    """Hypothesis: arbitrary text in any of the arguments and in the query string."""
    world.reset(world.learner)
    valid = valid_segments(world, route)
    visitor = world.visitor_for(route)
    foreign = world.foreign_ids()

    @settings(FUZZ, max_examples=10)
    @given(
        hostile=st.fixed_dictionaries({n: st.none() | segment_strategy() for n in route.names}),
        query=st.lists(st.tuples(st.sampled_from(query_names()), text_strategy(foreign))),
        htmx=st.booleans(),
    )
    def attack(hostile, query, htmx):
        url = route.url({n: hostile[n] or valid[n] for n in route.names})
        headers = {"HX-Request": "true"} if htmx else {}
        what = f"{route} as {url[:100]}"
        exchange(world, visitor, route.method, url, what, query=query, headers=headers)

    attack()


@ON_SQLITE
@PER_ROUTE
def test_no_hostile_request_breaks_a_route(world, route):
    """Fixed hostile paths and queries, wrong methods and bodies, then generated values: one
    test per route (one set-up instead of three keeps the file fast)."""
    check_hostile_urls(world, route)
    check_wrong_methods_and_bodies(world, route)
    check_generated_urls(world, route)


@ON_POSTGRES
def test_no_hostile_request_breaks_any_route_on_postgres(world):
    """The fixed values only, and only those that meet the database differently."""

    def check(route):
        check_hostile_urls(world, route, everything=False)
        check_wrong_methods_and_bodies(world, route)

    every_route(ROUTES, check)


@ON_SQLITE
@pytest.mark.parametrize("persona", ["anonymous", "learner", "admin"])
def test_every_form_survives_hostile_input(world, persona):
    visitor = world.visitors[persona]
    forms = discover_forms(world, visitor)
    assert forms, f"{persona} found no form at all"
    if persona == "admin":  # the admin's other forms are the learner's, fuzzed already
        forms = [form for form in forms if form.endpoint.startswith("admin.")]
    for form in forms:
        if form.method == "POST":
            _refused_without_a_token(world, visitor, form)
        _fuzz(world, visitor, form)


def _fuzz(world, visitor, form):
    @FUZZ
    @given(submission=submissions(form, world.foreign_ids()))
    def attack(submission):
        world.reset(visitor)
        pairs, headers = submission
        submit(world, visitor, form, pairs, headers)

    attack()


def _refused_without_a_token(world, visitor, form):
    defaults = [(f.name, (f.options or [""])[0]) for f in form.fields.values()]
    pairs = [(name, value) for name, value in defaults if name != "csrf_token"]
    response = submit(world, visitor, form, pairs, {}, with_token=False)
    assert response.status_code == 400, f"{form} without a CSRF token: {response.status_code}"


@ON_SQLITE
def test_form_discovery_finds_the_learning_forms(world):
    """Guards the discovery itself: if it finds nothing, the fuzzing proves nothing."""
    endpoints = {form.endpoint for form in discover_forms(world, world.learner)}
    assert {
        "auth.login",
        "auth.logout",
        "catalog.courses",
        "learn.enrol",
        "learn.answer",
        "learn.slide_viewed",
        "learn.withdraw",
    } <= endpoints


@ON_SQLITE
@pytest.mark.parametrize("payload", XSS)
def test_scripts_in_input_come_back_escaped(world, payload):
    response = send(world.anonymous, "POST", "/login", data={"username": payload})
    assert response.status_code == 400
    check_answer(response, what="login with a script", wrote=False, sent=[payload])
    search = send(world.anonymous, "GET", "/courses", query={"q": payload})
    check_answer(search, what="search for a script", wrote=False, sent=[payload])


def negotiated(world: World, visitor: Visitor, accept_language: str | None) -> str:
    """The language the app should speak: a signed-in person's own, else the best match for
    the Accept-Language header, else English."""
    if visitor.person_id is not None:
        with world.services.engine.connect() as conn:
            chosen = people.person(conn, visitor.person_id).language
        if chosen in SUPPORTED_LANGUAGES:
            return chosen
    accepted = parse_accept_header(accept_language or "", LanguageAccept)
    return accepted.best_match(SUPPORTED_LANGUAGES) or "en"


def refusals(world: World):
    """(label, visitor, method, url, kwargs): one request per kind of refusal."""
    course, stranger = world.shared_course, world.anonymous
    slide = f"/courses/{course}/modules/basics/slides"
    yield "an unknown course", stranger, "GET", "/courses/6f1c1c9e-0000-4000-8000-000000000000", {}
    yield "no CSRF token", stranger, "POST", "/login", {"with_token": False}
    yield "bad credentials", stranger, "POST", "/login", {"data": {"username": "x"}}
    yield "a wrong method", stranger, "DELETE", "/", {}
    yield "an unknown slide", world.learner, "GET", f"{slide}/nope", {}
    yield "a malformed answer", world.learner, "POST", f"{slide}/check/answer", {"data": {}}


@ON_SQLITE
@pytest.mark.parametrize("accept_language", ACCEPT_LANGUAGES)
def test_refusals_speak_the_negotiated_language(world, accept_language):
    """Today only English ships, so every language negotiates to "en". Issue 6 adds the
    catalogs: then `negotiated()` picks other languages and each refusal must differ from the
    English one, that is, be translated."""
    headers = {"Accept-Language": accept_language} if accept_language else {}
    for label, visitor, method, url, kwargs in refusals(world):
        expected = negotiated(world, visitor, accept_language)
        for htmx in (False, True):
            sent = {**headers, **({"HX-Request": "true"} if htmx else {})}
            response = send(visitor, method, url, headers=sent, **kwargs)
            assert response.status_code >= 400, label
            body = response.get_data(as_text=True)
            check_language(body, f"{label} ({accept_language})", expected)
            message = alert_text(body)
            assert message, f"{label}: no message for Accept-Language {accept_language!r}"
            if expected != "en":
                english = send(visitor, method, url, headers={"Accept-Language": "en"}, **kwargs)
                assert message != alert_text(english.get_data(as_text=True)), (
                    f"{label}: the message is not translated into {expected}"
                )
