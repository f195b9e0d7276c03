"""Hostile input for the web tests: routes from the url map, forms from the rendered pages,
hostile values for both, and the checks every answer must pass.

Everything here is discovered, not listed: a new route or form is attacked without anyone
editing this file. A route whose arguments this file cannot fill in fails
`test_every_route_and_method_is_exercised` with a message naming it.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import quote, urljoin, urlsplit
from uuid import UUID

import pytest
from flask import request, request_started
from flask import session as flask_session
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from domain.achievements import AchievementDefinition
from domain.credentials import credential_id_for
from domain.enrolments import enrolment_id_for
from domain.people import username_id_for
from lms import create_app
from lms.access import sign_in
from lms.i18n import RIGHT_TO_LEFT
from lms.services import Services, build_services
from lms.settings import Settings
from projections import history, mentoring_views, progress
from projections.credentials import credentials_of_person
from tests.factories import _HASH as PASSWORD_HASH
from tests.factories import course_content, register

ROOT = Path(__file__).resolve().parents[2]

# --- routes -------------------------------------------------------------------------------

ARGUMENT = re.compile(r"<(?:(?P<converter>\w+)(?:\([^)]*\))?:)?(?P<name>\w+)>")
UNROUTED_METHODS = frozenset({"HEAD", "OPTIONS"})  # answered by Flask itself


@dataclass(frozen=True)
class Route:
    rule: str
    endpoint: str
    method: str
    arguments: tuple[tuple[str, str], ...]  # (name, converter)

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"

    @property
    def names(self) -> tuple[str, ...]:
        return tuple(name for name, _ in self.arguments)

    @property
    def is_admin(self) -> bool:
        return self.rule == "/admin" or self.rule.startswith("/admin/")

    @property
    def is_organising(self) -> bool:
        return self.rule.startswith("/organise/")

    def url(self, segments: dict[str, str]) -> str:
        """The path with each argument replaced by an already URL-encoded segment."""
        return ARGUMENT.sub(lambda m: segments[m["name"]], self.rule)


def routes_of(app) -> list[Route]:
    """Every rule and method of the app except static files."""
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.endpoint.endswith(".static"):
            continue
        arguments = tuple(
            (m["name"], m["converter"] or "default") for m in ARGUMENT.finditer(rule.rule)
        )
        for method in sorted(rule.methods - UNROUTED_METHODS):
            found.append(Route(rule.rule, rule.endpoint, method, arguments))
    return sorted(found, key=lambda r: (r.rule, r.method))


@cache
def discovered_routes() -> tuple[Route, ...]:
    """The routes of a freshly built app, so tests can be parametrised per route."""
    with tempfile.TemporaryDirectory() as tmp:
        settings = Settings(
            database_url=f"sqlite:///{tmp}/routes.db",
            secret_key="routes",
            keys_dir=Path(tmp) / "keys",
            instance_dir=Path(tmp),
            testing=True,
        )
        services = build_services(settings)
        try:
            return tuple(routes_of(create_app(settings, services=services)))
        finally:
            services.close()


@cache
def query_names() -> tuple[str, ...]:
    """Query parameters the views and templates read, found in their source: `args.get("x")`
    and helpers called as `f(args, "x")`."""
    reads = re.compile(r"\bargs(?:\.(?:get|getlist)\(|,)\s*[\"'](\w+)[\"']")
    sources = [*ROOT.glob("lms/**/*.py"), *ROOT.glob("templates/**/*.html")]
    names = {m for path in sources for m in reads.findall(path.read_text(encoding="utf-8"))}
    return tuple(sorted(names | {"lang", "next", "page", "person_id"}))


# Per-route tests run on SQLite, one test id per route; PostgreSQL runs the same checks over
# every route in one sweep, because its fresh schema per test costs ~1 s to set up.
ON_SQLITE = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)
ON_POSTGRES = pytest.mark.parametrize(
    "backend", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def every_route(routes: Iterable[Route], check) -> None:
    """Run `check(route)` on every route and report every failure, not just the first."""
    failures = []
    for route in routes:
        try:
            check(route)
        except AssertionError as error:
            failures.append(f"{route}: {error}")
    assert not failures, f"{len(failures)} routes failed:\n\n" + "\n\n".join(failures)


# --- hostile values -----------------------------------------------------------------------

XSS = (
    '<script>alert("mafunzo-xss")</script>',
    '"><img src=x onerror=alert("mafunzo-xss")>',
    "'><svg onload=alert('mafunzo-xss')>",
)
HOSTILE_TEXTS = (
    "",
    " ",
    "a" * 10_000,
    "ü🙂" * 2_000,
    "\x00",
    "a\x00b",
    "\x01\x02\x1b[31m\x7f\x9f",
    "\r\n\tSet-Cookie: x=1",
    "\u202eevil\u202c",
    "\u200f\u200e\u200b\u2060",
    "مرحبا بالعالم",
    "שלום",
    "漢字かなカナ",
    "🙂👩🏽‍💻🏳️‍🌈",
    "\ufeff",
    "\ufffd",
    "e\u0301\u0301\u0301",
    *XSS,
    "' OR '1'='1' --",
    "{{7*7}}${7*7}%s%n",
    "../../../etc/passwd",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert('mafunzo-xss')",
    "null",
    "None",
    "[]",
    "{}",
)
# For query strings, where every parameter the code reads gets the value at once.
QUERY_TEXTS = (
    "",
    "a" * 10_000,
    "ü🙂" * 2_000,
    "\x00",
    "\x01\x02\x1b[31m\x7f\x9f",
    "\u202eevil\u202c",
    *XSS[:2],
    "' OR '1'='1' --",
    "//evil.example/",
    "https://evil.example/",
    "/\\evil.example",
    "javascript:alert('mafunzo-xss')",
    "9" * 40,
    "-1",
)
NUMBERISH = (
    "-1",
    "0",
    "-0",
    "1.5",
    "1e3",
    "1e309",
    "9" * 40,
    "NaN",
    "Infinity",
    "0x1F",
    "١",
    "²",
    " 2",
    "+2",
    "2\x00",
    "abc",
)


def encoded(text: str) -> str:
    return quote(text, safe="")


HOSTILE_SEGMENTS: tuple[tuple[str, str], ...] = (
    ("a space", "%20"),
    ("10,000 characters", "a" * 10_000),
    ("4,000 unicode characters", encoded("ü🙂" * 2_000)),
    ("unicode", encoded("Kiswahili ñ 中文 ελληνικά")),
    ("right-to-left marks", encoded("\u202eevil\u202c\u200f")),
    ("Arabic", encoded("مرحبا")),
    ("emoji", encoded("🙂👩🏽‍💻")),
    ("NUL", "%00"),
    ("control characters", encoded("\x01\x1b[31m\x7f")),
    ("CR LF", "%0d%0aSet-Cookie:%20x=1"),
    ("byte order mark", encoded("\ufeff")),
    ("invalid UTF-8", "%ff%fe%c0%af"),
    ("an encoded surrogate", "%ed%a0%80"),
    ("a malformed escape", "%zz%"),
    ("dot dot", ".."),
    ("a parent path", "../../../../etc/passwd"),
    ("an encoded parent path", "%2e%2e%2f%2e%2e%2fetc%2fpasswd"),
    ("a double-encoded parent path", "%252e%252e%252f"),
    ("backslashes", encoded("..\\..\\windows")),
    ("a script", encoded(XSS[0])),
    ("SQL", encoded("' OR '1'='1' --")),
    ("format strings", encoded("%s%n{0}{{7*7}}")),
    ("a negative number", "-1"),
    ("a huge number", "9" * 40),
)


# The segments whose fate depends on the database (PostgreSQL refuses NUL in text, compares
# and sizes strings its own way); the others are answered by the router or the views alone.
MEETS_THE_DATABASE = frozenset(
    {
        "NUL",
        "10,000 characters",
        "4,000 unicode characters",
        "unicode",
        "emoji",
        "control characters",
        "invalid UTF-8",
        "an encoded surrogate",
        "SQL",
        "a huge number",
    }
)


def hostile_segments(
    converter: str, valid: str, foreign: Iterable[str], everything: bool = True
) -> Iterator[tuple[str, str]]:
    """(label, URL-encoded segment) pairs for one argument whose valid value is `valid`;
    with `everything` False, only those that reach the database differently."""
    yield "a valid value then NUL", valid + "%00"
    yield "a valid value in upper case", valid.upper()
    yield "a valid value with a zero-width space", valid + encoded("\u200b")
    yield "a valid value then a slash", valid + "/"
    yield "a valid value then /..", valid + "/.."
    if converter == "uuid":
        yield "an unknown UUID", "6f1c1c9e-0000-4000-8000-000000000000"
        yield "the nil UUID", "00000000-0000-0000-0000-000000000000"
        yield "a UUID without dashes", valid.replace("-", "")
        yield "a UUID in braces", encoded("{" + valid + "}")
        yield "a UUID URN", encoded("urn:uuid:" + valid)
        for other in foreign:
            yield f"someone else's id {other}", other
    yield from (s for s in HOSTILE_SEGMENTS if everything or s[0] in MEETS_THE_DATABASE)


def _encoded_all(values: dict[str, str]) -> dict[str, str]:
    return {name: encoded(value) for name, value in values.items()}


def segment_strategy() -> st.SearchStrategy[str]:
    """Hypothesis path segments: arbitrary text (encoded) or one of the known hostile ones."""
    text = st.text(st.characters(exclude_categories=("Cs",)), max_size=300)
    return st.one_of(
        text.map(encoded), st.sampled_from([segment for _, segment in HOSTILE_SEGMENTS])
    )


def text_strategy(foreign: Iterable[str] = ()) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from((*HOSTILE_TEXTS, *foreign)),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=300),
    )


def number_strategy() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(NUMBERISH),
        st.integers().map(str),
        st.floats().map(repr),
    )


ACCEPT_LANGUAGES = (
    None,
    "en",
    "sw, en;q=0.5",
    "ar",
    "fr-CH, fr;q=0.9, *;q=0.1",
    "*",
    "x" * 2_000,
    ";;q=abc,,",
)


# --- the world the tests attack -----------------------------------------------------------


class Visitor:
    """A test client acting as one person (or nobody).

    Signing in goes through `lms.access.sign_in` in a request context rather than the login
    form: the same session, without an argon2 check per test.
    """

    def __init__(self, app, name: str, person_id: UUID | None = None):
        self.app, self.name, self.person_id = app, name, person_id
        self.client = app.test_client()
        self._token: tuple[str, str] | None = None  # (raw in session, signed for forms)
        self._session: dict = {}
        if person_id is not None:
            with app.test_request_context():
                sign_in(person_id, PASSWORD_HASH)
                self._session = dict(flask_session)
        self.restore()

    def restore(self) -> None:
        """Be this visitor again if an earlier request (say, a fuzzed logout, registration or
        password change) signed us out or in as someone else."""
        with self.client.session_transaction() as session:
            if session.get("person_id") != self._session.get("person_id"):
                session.clear()
                session.update(self._session)

    def token(self) -> str:
        with self.client.session_transaction() as session:
            raw = session.get("csrf_token")
        if self._token is None or self._token[0] != raw:
            for page in ("/login", "/"):
                found = CSRF.search(self.client.get(page).get_data(as_text=True))
                if found:
                    break
            assert found, f"no CSRF token on /login or / for {self.name}"
            with self.client.session_transaction() as session:
                self._token = (session.get("csrf_token"), found.group(1))
        return self._token[1]


CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')

# Valid (module, slide) pairs of tests.factories.course_content(); "check" holds the quiz.
STEPS = (("basics", "what"), ("basics", "check"), ("more", "cats"))


@dataclass
class World:
    """Two learners in a shared course, an admin, and the ids they must keep to themselves.

    `someone_else` ("A") has progress in the shared course and a course of their own;
    `learner` ("B") is enrolled in the shared course and has viewed its first slide.
    """

    services: Services
    app: object
    shared_course: UUID
    own_course: UUID  # someone else's course: the learner is not enrolled in it
    learner: Visitor
    someone_else: Visitor
    admin: Visitor
    anonymous: Visitor
    someone_else_name: str
    reset_token: str  # a password reset link for someone else, issued by the admin
    achievement_id: UUID  # defined by the admin, awarded by hand to the learner
    credential_public_id: str  # the learner's credential for it
    mentoring: MentoringSamples
    dispatched: set[tuple[str, str]] = field(default_factory=set)

    @property
    def visitors(self) -> dict[str, Visitor]:
        return {v.name: v for v in (self.anonymous, self.learner, self.admin)}

    def valid_arguments(self) -> list[dict[str, str]]:
        """Every combination of valid path arguments; a route takes the ones it names."""
        people = {"person_id": str(self.someone_else.person_id), "token": self.reset_token}
        credentials = {
            "achievement_id": str(self.achievement_id),
            "version": "1",
            "public_id": self.credential_public_id,
            "list_id": "revocation-1",
        }
        return [
            {
                **people,
                **credentials,
                **mentoring,
                "course_id": str(course),
                "module": module,
                "slide": slide,
                "language": "sw",  # a course translation's (courses are in English)
            }
            for mentoring in self.mentoring.arguments()
            for course in (self.shared_course, self.own_course)
            for module, slide in STEPS
        ]

    def arguments_for(self, route: Route) -> list[dict[str, str]]:
        seen: list[dict[str, str]] = []
        for values in self.valid_arguments():
            if not set(route.names) <= set(values):
                return []
            chosen = {name: values[name] for name in route.names}
            if chosen not in seen:
                seen.append(chosen)
        return seen

    def someone_elses_ids(self) -> list[str]:
        """Identifiers that belong to the other learner: their person and enrolments."""
        other = self.someone_else.person_id
        return [
            str(other),
            str(enrolment_id_for(other, self.shared_course)),
            str(enrolment_id_for(other, self.own_course)),
            *(str(i) for i in self.mentoring.someone_elses()),
        ]

    def foreign_ids(self) -> list[str]:
        """Ids of every kind of aggregate, for arguments that expect another kind."""
        return [
            *self.someone_elses_ids(),
            str(self.learner.person_id),
            str(self.admin.person_id),
            str(self.own_course),
            str(username_id_for(self.someone_else_name)),
            str(self.achievement_id),
            str(credential_id_for(self.achievement_id, self.learner.person_id)),
            str(self.mentoring.mentor_id),
            str(self.mentoring.mentee_id),
        ]

    def is_public(self, route: Route) -> bool:
        """Whether an anonymous visitor with valid arguments gets past the sign-in guard."""
        values = (self.arguments_for(route) or [{}])[0]
        response = send(self.anonymous, route.method, route.url(_encoded_all(values)))
        location = urlsplit(response.headers.get("Location", "")).path
        return response.status_code not in (401, 403) and location != "/login"

    def visitor_for(self, route: Route) -> Visitor:
        return self.admin if route.is_admin or route.is_organising else self.learner

    def reset(self, visitor: Visitor) -> None:
        """Undo what an earlier fuzzed form did to the visitor: enrolled in the shared course
        again (after a withdrawal), and signed in again (after a logout)."""
        if visitor.person_id is not None:
            self.services.caught_up(self.services.app.enrol(visitor.person_id, self.shared_course))
        visitor.restore()

    def writes(self) -> int | None:
        return self.services.app.recorder.max_notification_id()

    def progress_of_someone_else(self):
        """Everything the read models and the log hold about the other learner's progress."""
        other = self.someone_else.person_id
        courses = (self.shared_course, self.own_course)
        with self.services.engine.connect() as conn:
            rows = (
                [progress.progress_for(conn, other, c) for c in courses],
                progress.progress_of_person(conn, other),
                history.record_of(conn, other),
                mentoring_views.mentee_view(conn, other),
                mentoring_views.swaps_of(conn, other),
            )
        versions = [
            self.services.app.repository.get(enrolment_id_for(other, c)).version for c in courses
        ]
        return rows, versions


def build_world(app, services: Services) -> World:
    shared = services.caught_up(services.app.publish_course(course_content())).id
    own = services.caught_up(
        services.app.publish_course(course_content(title="Wikidata for GLAMs"))
    ).id
    other_id, other_name = register(services)
    learner_id, _ = register(services)
    admin_id, _ = register(services, roles=("learner", "organiser", "admin"))
    act = services.app
    for course in (shared, own):
        services.caught_up(act.enrol(other_id, course))
    services.caught_up(act.view_slide(other_id, shared, "basics", "what"))
    services.caught_up(act.answer_quiz(other_id, shared, "basics", "check", 2).recorded)
    for module, slide in STEPS:
        services.caught_up(act.view_slide(other_id, own, module, slide))
    services.caught_up(act.enrol(learner_id, shared))
    services.caught_up(act.view_slide(learner_id, shared, "basics", "what"))
    reset = act.issue_password_reset(other_id, by=admin_id)
    services.caught_up(reset.recorded)
    achievement_id, public_id = award_by_hand(services, learner_id, by=admin_id)
    mentoring = build_mentoring(services, learner_id, other_id)
    world = World(
        services,
        app,
        shared,
        own,
        learner=Visitor(app, "learner", learner_id),
        someone_else=Visitor(app, "someone else", other_id),
        admin=Visitor(app, "admin", admin_id),
        anonymous=Visitor(app, "anonymous"),
        someone_else_name=other_name,
        reset_token=reset.token,
        achievement_id=achievement_id,
        credential_public_id=public_id,
        mentoring=mentoring,
    )
    return world


def award_by_hand(services: Services, person_id: UUID, by: UUID) -> tuple[UUID, str]:
    """An achievement no course earns, awarded to `person_id`: (its id, the credential's public
    id)."""
    definition = AchievementDefinition.of(
        "Workshop helper", "Helped run a workshop.", "Awarded by the organisers.", "badge"
    )
    achievement_id = services.caught_up(services.app.define_achievement(definition, by=by)).id
    services.caught_up(services.app.award_credential(achievement_id, person_id, "Helped", by=by))
    with services.engine.connect() as conn:
        (credential,) = credentials_of_person(conn, person_id)
    return achievement_id, credential.public_id


@dataclass(frozen=True)
class MentoringSamples:
    """The learner's mentoring, and someone else's that the learner must never reach.

    A mentor mentors the learner and the other learner in Wikidata, with a session logged in
    each (private notes and all), and proposes a swap to the learner. The learner mentors a
    mentee in Storytelling, with a session awaiting the mentee, and has a request waiting from
    a third person. The other learner proposed a swap to the mentor, then hid their profile,
    so that no page of the learner's names them.
    """

    mentor_id: UUID
    mentee_id: UUID  # the learner's mentee
    learning: tuple[UUID, UUID]  # the learner's mentorship as mentee, and its session
    teaching: tuple[UUID, UUID]  # the learner's mentorship as mentor, and its session
    swap_id: UUID  # proposed to the learner
    others: tuple[UUID, UUID, UUID]  # someone else's mentorship, session and swap

    def arguments(self) -> list[dict[str, str]]:
        """Valid path arguments: each of the learner's two mentorships with its session."""
        return [
            {
                "mentor_id": str(self.mentor_id),
                "mentorship_id": str(mentorship),
                "session_id": str(session),
                "swap_id": str(self.swap_id),
            }
            for mentorship, session in (self.learning, self.teaching)
        ]

    def someone_elses(self) -> tuple[UUID, ...]:
        return self.others


def build_mentoring(services: Services, learner_id: UUID, other_id: UUID) -> MentoringSamples:
    act, today = services.app, services.app.clock().date()
    mentor_id, _ = register(services)
    mentee_id, _ = register(services)
    asking_id, _ = register(services)
    for person, offers, needs in (
        (mentor_id, ("Wikidata", "SPARQL"), ("Storytelling", "Outreach")),
        (learner_id, ("Storytelling",), ("Wikidata", "SPARQL")),
        (mentee_id, ("SPARQL",), ("Storytelling",)),
        (other_id, ("Outreach",), ("SPARQL",)),
    ):
        for skill in offers:
            act.offer_skill(person, skill, "advanced")
        for skill in needs:
            act.need_skill(person, skill, "beginner")
    act.offer_skill(mentee_id, "Wikidata Lexemes", "beginner", category="technical")
    act.change_mentoring_details(mentor_id, languages=["en", "sw"], region="KE")

    def mentored(mentor: UUID, mentee: UUID, skill: str) -> tuple[UUID, UUID]:
        mentorship = act.request_mentorship(mentee, mentor, skill, "Please help me").id
        act.accept_mentorship(mentorship, mentor)
        note = f"private note {mentorship}"
        session = act.log_session(mentorship, today, 45, "Went well", mentor, private_note=note)
        return mentorship, session.id

    learning = mentored(mentor_id, learner_id, "Wikidata")
    others = mentored(mentor_id, other_id, "Wikidata")
    teaching = mentored(learner_id, mentee_id, "Storytelling")
    act.request_mentorship(asking_id, learner_id, "Storytelling", "Teach me, please")
    swap_id = act.propose_swap(mentor_id, learner_id, "SPARQL", "Storytelling", "Swap?").id
    others_swap = act.propose_swap(other_id, mentor_id, "Outreach", "SPARQL").id
    act.hide_skill_profile(other_id)
    act.answer_needs_survey(["Wikidata"], ["Outreach"], "sw", "KE")
    services.projections.catch_up()
    return MentoringSamples(
        mentor_id, mentee_id, learning, teaching, swap_id, (*others, others_swap)
    )


def more_progress_of_someone_else(world: World) -> None:
    """The other learner finishes the shared course and withdraws from their own."""
    act, other = world.services.app, world.someone_else.person_id
    world.services.caught_up(act.view_slide(other, world.shared_course, "more", "cats"))
    world.services.caught_up(act.withdraw(other, world.own_course))


def record_dispatches(world: World):
    """Note which rule and method each request reached; returns the receiver to keep alive."""

    def receiver(_sender, **_):
        if request.url_rule is not None:
            world.dispatched.add((request.url_rule.rule, request.method))

    request_started.connect(receiver, world.app)
    return receiver


# --- sending and checking -----------------------------------------------------------------

TRACEBACK = re.compile(
    r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+"
    r"|\b[A-Z]\w*(?:Error|Exception)\b|\b(?:sqlalchemy|psycopg|werkzeug|jinja2)\.\w"
)
TAG = re.compile(r"<[^>]+>")
HTML_LANG = re.compile(r'<html lang="([^"]*)" dir="([^"]*)"')


def send(
    visitor: Visitor,
    method: str,
    url: str,
    *,
    data=None,
    query=None,
    headers=None,
    with_token: bool = True,
    **kwargs,
):
    """One request as `visitor`, with a valid CSRF token unless told otherwise."""
    visitor.restore()
    form_like = "json" not in kwargs and (data is None or isinstance(data, dict | MultiDict))
    if method not in ("GET", "HEAD", "OPTIONS") and with_token and form_like:
        data = MultiDict(data or {})
        if "csrf_token" not in data:
            data.add("csrf_token", visitor.token())
    return visitor.client.open(
        url, method=method, data=data, query_string=query, headers=headers or {}, **kwargs
    )


def exchange(world: World, visitor: Visitor, method: str, url: str, what: str, **kwargs):
    """Send, then check the answer; return it."""
    before = world.writes()
    response = send(visitor, method, url, **kwargs)
    where = "" if url[:100] in what else f" ({method} {url[:100]})"
    check_answer(
        response,
        what=f"{visitor.name}: {what}{where}",
        wrote=world.writes() != before,
        sent=_sent_values(kwargs),
    )
    return response


def _sent_values(kwargs) -> list[str]:
    values: list[str] = []
    for key in ("data", "query"):
        given = kwargs.get(key)
        if isinstance(given, dict | MultiDict | list):
            values += [v for _, v in MultiDict(given).items(multi=True) if isinstance(v, str)]
        elif isinstance(given, str):
            values.append(given)
    return values


def check_answer(response, *, what: str, wrote: bool, sent: Iterable[str] = ()) -> None:
    """What every answer to hostile input must be: no 5xx, no traceback, no script echoed, no
    redirect off-site; a refusal explains itself on a page and records nothing."""
    status = response.status_code
    body = text_of(response)
    assert status < 500, f"{what}: answered {status}\n{_plain(body)[:500]}"
    echoed = " ".join(sent)
    leaks = [m for m in TRACEBACK.findall(body) if m not in echoed]
    assert not leaks, f"{what}: the page shows internals {leaks[:3]}"
    for payload in XSS:
        assert payload not in body, f"{what}: the page echoes {payload!r} unescaped"
    for header in ("Location", "HX-Redirect"):
        target = response.headers.get(header)
        if target:
            parts = urlsplit(target)
            assert parts.netloc in ("", "localhost") and parts.scheme in ("", "http"), (
                f"{what}: {header} leads off-site to {target!r}"
            )
            assert not target.startswith(("//", "/\\")), f"{what}: {header} is {target!r}"
    if not 300 <= status < 400:  # werkzeug's own redirect stubs are not our pages
        check_language(body, what)
    if status >= 400:
        assert not wrote, f"{what}: refused with {status} but recorded events"
        message = json_error(response) if response.is_json else alert_text(body)
        assert any(c.isalpha() for c in message), (
            f"{what}: refused with {status} but shows no message:\n{_plain(body)[:300]}"
        )


def text_of(response) -> str:
    """The body as text; empty for images and PDFs, which carry no page to check."""
    if response.mimetype.startswith(("image/png", "application/pdf")):
        return ""
    return response.get_data(as_text=True)


def json_error(response) -> str:
    """The message of a refusal from the JSON API: its `error` member."""
    answer = response.get_json(silent=True)
    return str(answer.get("error", "")) if isinstance(answer, dict) else ""


def check_language(body: str, what: str, expected: str | None = None) -> None:
    """Whole pages name their language and direction; today only English ships (issue 6
    adds catalogs and other languages: then `expected` follows the negotiation)."""
    if "<html" not in body:
        return
    found = HTML_LANG.search(body)
    assert found, f"{what}: <html> without lang and dir"
    language, direction = found.groups()
    if expected is not None:
        assert language == expected, f"{what}: <html lang={language!r}>, expected {expected!r}"
    assert direction == ("rtl" if language.split("-")[0] in RIGHT_TO_LEFT else "ltr"), what


def alert_text(body: str) -> str:
    """The message of the first role="alert" element: what a refusal must say."""
    parser = _AlertParser()
    parser.feed(body)
    return parser.message


class _AlertParser(HTMLParser):
    """Finds the first text inside the first element with role="alert"."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.depth = 0  # > 0 while inside the alert
        self.message = ""

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += tag not in VOID_TAGS
        elif ("role", "alert") in attrs and not self.message:
            self.depth = 1

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth and not self.message and data.strip():
            self.message = " ".join(data.split())


VOID_TAGS = frozenset({"br", "hr", "img", "input", "meta", "link", "wbr", "source"})


def _plain(body: str) -> str:
    return " ".join(TAG.sub(" ", body).split())


# --- forms --------------------------------------------------------------------------------


@dataclass
class Field:
    name: str
    kind: str  # the input type, or "textarea", "select", "button"
    options: list[str] = field(default_factory=list)

    @property
    def is_choice(self) -> bool:
        return self.kind in ("radio", "checkbox", "select")


@dataclass
class Form:
    page: str
    method: str
    action: str
    fields: dict[str, Field] = field(default_factory=dict)
    endpoint: str = ""

    def __str__(self) -> str:
        return f"{self.method} {self.action} (form on {self.page})"

    @property
    def signature(self) -> tuple:
        return (self.method, self.endpoint, tuple(sorted(self.fields)))

    def add(self, name: str, kind: str, value: str | None) -> None:
        found = self.fields.setdefault(name, Field(name, kind))
        if value is not None and value not in found.options:
            found.options.append(value)


class FormParser(HTMLParser):
    """Collects the <form>s of a page with their fields, options and actions."""

    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms = page, []
        self._form: Form | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            action = urljoin(self.page, a.get("action") or self.page)
            self._form = Form(self.page, (a.get("method") or "get").upper(), action)
        elif self._form is None or not (a.get("name") or tag == "option"):
            return
        elif tag == "input":
            self._form.add(a["name"], (a.get("type") or "text").lower(), a.get("value"))
        elif tag in ("textarea", "button"):
            self._form.add(a["name"], tag, a.get("value"))
        elif tag == "select":
            self._select = a["name"]
            self._form.add(a["name"], "select", None)
        elif tag == "option" and self._select:
            self._form.add(self._select, "select", a.get("value"))

    def handle_endtag(self, tag):
        if tag == "form" and self._form is not None:
            self.forms.append(self._form)
            self._form = None
        elif tag == "select":
            self._select = None


def forms_on(page: str, html: str) -> list[Form]:
    parser = FormParser(page)
    parser.feed(html)
    return parser.forms


def discover_forms(world: World, visitor: Visitor) -> list[Form]:
    """Every distinct form on every page `visitor` can open with valid arguments."""
    adapter = world.app.url_map.bind("localhost")
    found: dict[tuple, Form] = {}
    for route in routes_of(world.app):
        if route.method != "GET":
            continue
        for values in world.arguments_for(route) or [{}]:
            url = route.url({k: encoded(v) for k, v in values.items()})
            response = send(visitor, "GET", url)
            if response.status_code != 200 or "html" not in response.content_type:
                continue
            for form in forms_on(url, response.get_data(as_text=True)):
                parts = urlsplit(form.action)
                form.endpoint = adapter.match(parts.path, method=form.method)[0]
                found.setdefault(form.signature, form)
    return list(found.values())


SUSPICIOUS_NAMES = ("person_id", "user_id", "course_id", "roles", "is_admin", "csrf_token")


@st.composite
def submissions(draw, form: Form, foreign: list[str]):
    """Values for a form: each field missing, single or repeated, with hostile values; some
    extra fields; sometimes as htmx; sometimes a file where text is expected."""
    pairs: list[tuple[str, object]] = []
    for f in form.fields.values():
        if f.name == "csrf_token":
            continue
        values = draw(st.lists(_value_strategy(f, foreign), min_size=0, max_size=3))
        pairs += [(f.name, v) for v in values]
    extra_names = st.one_of(st.sampled_from(SUSPICIOUS_NAMES), st.text(min_size=1, max_size=20))
    pairs += draw(st.lists(st.tuples(extra_names, text_strategy(foreign)), max_size=3))
    if pairs and form.method == "POST" and draw(st.integers(0, 9)) == 0:
        pairs[0] = (pairs[0][0], (io.BytesIO(b"\x00\xff not text"), "hostile.bin"))
    headers = {"HX-Request": "true"} if draw(st.booleans()) else {}
    language = draw(st.sampled_from(ACCEPT_LANGUAGES))
    if language is not None:
        headers["Accept-Language"] = language
    return pairs, headers


def _value_strategy(f: Field, foreign: list[str]) -> st.SearchStrategy[str]:
    if f.kind in ("number", "range"):
        return number_strategy()
    if f.is_choice:
        return st.one_of(st.sampled_from(f.options or [""]), number_strategy(), text_strategy())
    if f.kind in ("hidden", "button", "submit"):
        return st.one_of(st.sampled_from(f.options or [""]), text_strategy(foreign))
    return text_strategy(foreign)


def submit(world: World, visitor: Visitor, form: Form, pairs, headers, *, with_token=True):
    """Send a form as `visitor` and check the answer."""
    data = MultiDict(pairs)
    sent = [v for _, v in pairs if isinstance(v, str)]
    before = world.writes()
    if form.method == "GET":
        response = send(visitor, "GET", form.action, query=data, headers=headers)
    else:
        if with_token:
            data = MultiDict([("csrf_token", visitor.token()), *pairs])
        response = send(
            visitor, form.method, form.action, data=data, headers=headers, with_token=False
        )
    check_answer(
        response, what=f"{visitor.name}: {form}", wrote=world.writes() != before, sent=sent
    )
    return response
