"""The ground the credential web tests stand on: an organiser, an achievement a course earns, and
a learner who finished the course and so holds its credential."""

from __future__ import annotations

import io
from dataclasses import dataclass
from uuid import UUID

import pytest
from PIL import Image

from domain.achievements import AchievementDefinition
from projections.credentials import CredentialView, credentials_of_person
from tests.factories import register
from tests.web.conftest import login_as


@dataclass(frozen=True)
class Holder:
    person_id: UUID
    username: str
    achievement_id: UUID
    credential: CredentialView


def definition(*courses, name="Wikidata querier", kind="certificate", image=None):
    return AchievementDefinition.of(
        name, "Writes SPARQL queries.", "Complete every module of the course.", kind, courses, image
    )


def complete(services, person_id: UUID, course_id: UUID) -> None:
    """Enrol and work through the factory course, which earns what it is the rule of."""
    app = services.app
    services.caught_up(app.enrol(person_id, course_id))
    services.caught_up(app.view_slide(person_id, course_id, "basics", "what"))
    services.caught_up(app.answer_quiz(person_id, course_id, "basics", "check", 2).recorded)
    services.caught_up(app.view_slide(person_id, course_id, "more", "cats"))


def held_by(services, person_id: UUID) -> list[CredentialView]:
    with services.engine.connect() as conn:
        return credentials_of_person(conn, person_id)


def png(colour: str, size: int = 64) -> bytes:
    encoded = io.BytesIO()
    Image.new("RGB", (size, size), colour).save(encoded, format="PNG")
    return encoded.getvalue()


@pytest.fixture
def organiser(services):
    return register(services, roles=("learner", "organiser"))


@pytest.fixture
def achievement_id(services, organiser, course_id):
    recorded = services.app.define_achievement(definition(course_id), by=organiser[0])
    return services.caught_up(recorded).id


@pytest.fixture
def holder(services, achievement_id, course_id) -> Holder:
    """A learner who finished the course; not signed in anywhere yet."""
    person_id, username = register(services)
    complete(services, person_id, course_id)
    (credential,) = held_by(services, person_id)
    return Holder(person_id, username, achievement_id, credential)


@pytest.fixture
def holder_client(app, holder):
    client = app.test_client()
    login_as(client, holder.username)
    return client


@pytest.fixture
def organiser_client(app, organiser):
    client = app.test_client()
    login_as(client, organiser[1])
    return client
