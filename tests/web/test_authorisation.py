"""Authorisation on every route (issue 3): a learner never reads or changes another learner's
progress; a visitor who is not signed in is sent to sign in; only admins open admin pages.

The routes come from the app's url map (tests/web/hostile.py), one test id per route, so a
new route is checked here the day it is added.
"""

from __future__ import annotations

import re

import pytest

from tests.web.hostile import (
    ARGUMENT,
    CSRF,
    ON_POSTGRES,
    ON_SQLITE,
    Route,
    World,
    discovered_routes,
    encoded,
    every_route,
    exchange,
    more_progress_of_someone_else,
    send,
    text_of,
)

ROUTES = discovered_routes()
GET_ROUTES = [r for r in ROUTES if r.method == "GET"]
ADMIN_ROUTES = [r for r in ROUTES if r.is_admin] or [
    pytest.param(None, marks=pytest.mark.skip(reason="no /admin routes yet"))
]
PER_ROUTE = pytest.mark.parametrize("route", ROUTES, ids=str)

# What anyone may open (DESIGN.md, "Public interfaces", and the account pages that must work
# signed out). Every other route needs a signed-in person: a new page is private until it is
# listed here. Arguments are written <> whatever their converter.
PUBLIC = frozenset(
    {
        "/",
        "/courses",
        "/courses/<>",
        "/login",
        "/logout",
        "/register",
        "/reset/<>",
        "/account/forgotten",
        "/mentors",
        "/mentors/<>",
        "/needs",
        "/language",
        "/verify",
        "/api/v1/verify",
        "/credentials/<>",
        "/credentials/<>.json",
        "/credentials/<>.jwt",
        "/credentials/<>.pdf",
        "/credentials/<>.png",
        "/credentials/<>.svg",
        "/.well-known/did.json",
        "/status/<>",
        "/achievements/<>/v<>/image.png",
    }
)
# Fields a careless view might trust to say whose progress to change.
SOMEONE_ELSES_FIELDS = ("person_id", "user_id", "enrolment_id", "learner", "for")


def is_public(route: Route) -> bool:
    return ARGUMENT.sub("<>", route.rule) in PUBLIC


def urls_as_someone_else_would_try(world: World, route: Route) -> list[str]:
    """The route with valid arguments (the shared course, and the other learner's own course)
    and with each id argument replaced by the other learner's person and enrolment ids.

    A reset token is a secret handed to one person: holding it is being them, so the learner
    tries made-up tokens, never the other learner's real one."""
    urls: list[str] = []
    for values in world.arguments_for(route) or [{}]:
        values = {k: "made-up-token" if k == "token" else v for k, v in values.items()}
        segments = {k: encoded(v) for k, v in values.items()}
        urls.append(route.url(segments))
        for name, converter in route.arguments:
            if converter == "uuid":
                urls += [route.url({**segments, name: i}) for i in world.someone_elses_ids()]
    return list(dict.fromkeys(urls))


def normalised(response) -> tuple[int, str, str]:
    """What a visitor sees, without what differs between any two requests (CSRF tokens)."""
    body = CSRF.sub('name="csrf_token" value=""', text_of(response))
    return response.status_code, response.headers.get("Location", ""), body


def assert_no_trace_of_someone_else(world: World, what: str, url: str, body: str) -> None:
    name = world.someone_else_name.casefold()
    assert name not in body.casefold(), f"{what} at {url} shows the other learner's name"
    for other_id in world.someone_elses_ids():
        if other_id not in url:
            assert other_id not in body, f"{what} at {url} shows the other learner's id"


def what_a_learner_sees(world: World, routes) -> dict[str, tuple]:
    me = world.learner
    return {
        url: normalised(exchange(world, me, "GET", url, str(route)))
        for route in routes
        for url in urls_as_someone_else_would_try(world, route)
    }


def check_sees_nothing(world: World, routes: list[Route]) -> None:
    """What the learner sees does not change when someone else makes progress, and never
    names them, whichever of their ids the learner puts in the address."""
    before = what_a_learner_sees(world, routes)
    more_progress_of_someone_else(world)
    after = what_a_learner_sees(world, routes)
    changed = [url for url in before if after[url] != before[url]]
    assert not changed, "what a learner sees changed when another learner made progress:\n" + (
        "\n".join(changed)
    )
    for url, (_, _, body) in after.items():
        assert_no_trace_of_someone_else(world, "the page", url, body)


def check_cannot_change(world: World, route: Route) -> None:
    """Every route, with the other learner's ids in the address and in the form, leaves the
    other learner's progress rows, record and enrolments exactly as they were."""
    me, before = world.learner, world.progress_of_someone_else()
    others = world.someone_elses_ids()
    claims = {name: others[0] for name in SOMEONE_ELSES_FIELDS}
    forms = [{}, {**claims, "answer": "2"}] if route.method != "GET" else [{}]
    for url in urls_as_someone_else_would_try(world, route):
        for data in forms:
            exchange(world, me, route.method, url, str(route), data=data, query=claims)
            htmx = {"HX-Request": "true"}
            exchange(world, me, route.method, url, f"{route} (htmx)", data=data, headers=htmx)
    assert world.progress_of_someone_else() == before, "changed another learner's progress"


def check_sent_to_sign_in(world: World, route: Route) -> None:
    for url in urls_as_someone_else_would_try(world, route):
        before = world.writes()
        response = exchange(world, world.anonymous, route.method, url, str(route))
        status, location = response.status_code, response.headers.get("Location", "")
        to_login = status in (302, 303) and location.split("?")[0].endswith("/login")
        if is_public(route):
            assert not to_login and status != 403, (
                f"listed as public but sends a visitor to sign in ({status})"
            )
            assert_no_trace_of_someone_else(world, str(route), url, normalised(response)[2])
            continue
        assert world.writes() == before, "a visitor who is not signed in wrote"
        if route.is_admin:
            assert to_login or status == 403, f"answered {status} to an anonymous visitor"
        else:
            assert to_login, (
                f"answers {status} to a visitor who is not signed in instead of sending them "
                "to /login; if it is meant to be public, add it to PUBLIC in "
                "tests/web/test_authorisation.py"
            )


def check_refused_to_learners(world: World, route: Route) -> None:
    for url in urls_as_someone_else_would_try(world, route):
        before = world.writes()
        response = exchange(world, world.learner, route.method, url, str(route))
        assert response.status_code == 403, f"a learner got {response.status_code}"
        assert world.writes() == before


@ON_SQLITE
@pytest.mark.parametrize("route", GET_ROUTES, ids=str)
def test_a_learner_sees_nothing_of_another_learners_progress(world, route):
    check_sees_nothing(world, [route])


@ON_SQLITE
@PER_ROUTE
def test_a_learner_cannot_change_another_learners_progress(world, route):
    check_cannot_change(world, route)


@ON_SQLITE
@PER_ROUTE
def test_visitors_who_are_not_signed_in_are_sent_to_sign_in(world, route):
    check_sent_to_sign_in(world, route)


@ON_SQLITE
@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=str)
def test_learners_are_refused_admin_pages(world, route):
    check_refused_to_learners(world, route)


@ON_POSTGRES
def test_every_route_keeps_learners_apart_on_postgres(world):
    """The checks above over every route in one sweep (a fresh schema per test is slow)."""
    check_sees_nothing(world, GET_ROUTES)
    every_route(ROUTES, lambda route: check_cannot_change(world, route))
    every_route(ROUTES, lambda route: check_sent_to_sign_in(world, route))
    every_route(
        [r for r in ROUTES if r.is_admin], lambda route: check_refused_to_learners(world, route)
    )


def test_the_dashboard_and_record_show_only_my_own_courses(world):
    """The story behind the per-route checks: the other learner is half-way through the shared
    course and has finished a course of their own; the learner has read one slide."""
    me = world.learner
    dashboard = send(me, "GET", "/dashboard").get_data(as_text=True)
    record = send(me, "GET", "/record").get_data(as_text=True)
    assert "Querying Wikidata" in dashboard and "0% done" in dashboard
    for body in (dashboard, record):
        assert "Wikidata for GLAMs" not in body  # the other learner's own course
        assert "50% done" not in body and "100% done" not in body
    assert not re.search(r"completed|You answered the quiz", record)
