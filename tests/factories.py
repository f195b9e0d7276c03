"""Test data with unique names, so tests never collide even when they share a database."""

from __future__ import annotations

import itertools
import uuid

from domain.content import Answer, CourseContent, Module, Quiz, Slide
from lms.passwords import hash_password

PASSWORD = "correct horse battery"
_HASH = hash_password(PASSWORD)  # hashing is slow on purpose: do it once per test run
_counter = itertools.count(1)


def unique(prefix: str) -> str:
    return f"{prefix}{next(_counter)}{uuid.uuid4().hex[:6]}"


def quiz() -> Quiz:
    return Quiz(
        "Which statement is best?",
        (
            Answer(1, "Change the value", "Not quite: the old value is history worth keeping."),
            Answer(2, "Add a qualifier", "Yes: qualifiers keep both values."),
        ),
        correct_answer_id=2,
    )


def course_content(slug: str | None = None, title: str = "Querying Wikidata") -> CourseContent:
    basics = Module(
        "basics",
        "Basics",
        "What a query is",
        10,
        (
            Slide("what", "What is a query?", "<p>A question to a database.</p>"),
            Slide("check", "Check yourself", "<p>Pick one.</p>", quiz()),
        ),
    )
    more = Module(
        "more",
        "More",
        "Going further",
        5,
        (Slide("cats", "Cats", "<p>Every cat on Wikidata.</p>"),),
    )
    return CourseContent(
        slug=slug or unique("course-"),
        title=title,
        description="Learn SPARQL step by step",
        language="en",
        licence="CC BY-SA 4.0",
        attribution="Wiki Education, Wiki Education Dashboard training library",
        source_url="https://dashboard.wikiedu.org/training",
        skills=("Wikidata",),
        modules=(basics, more),
    )


def register(services, username: str | None = None, roles=("learner",)):
    username = username or unique("user")
    recorded = services.caught_up(
        services.app.register_person(username, username.title(), _HASH, roles)
    )
    return recorded.id, username


def course_variant(
    title: str,
    *,
    description: str = "Learn SPARQL step by step",
    skills: tuple[str, ...] = ("Wikidata",),
    language: str = "en",
    minutes: tuple[int, int] = (10, 5),
) -> CourseContent:
    """Like `course_content()`, with its own title, description, skills, language and length."""
    from dataclasses import replace  # appended helper: keeps the imports above as they were

    base = course_content(title=title)
    modules = tuple(
        replace(module, estimated_minutes=n)
        for module, n in zip(base.modules, minutes, strict=True)
    )
    return replace(base, description=description, skills=skills, language=language, modules=modules)


class Clock:
    """A clock a test moves by hand: expiry and time windows without sleeping. Pass it to
    `build_services(settings, clock=...)`; the app and the login throttle both read it."""

    def __init__(self, start):
        self.now = start

    def __call__(self):
        return self.now

    def advance(self, delta) -> None:
        self.now += delta
