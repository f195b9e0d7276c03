"""People and their usernames; personal data travels only sealed under a per-person key."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidUsernameError

USERNAME_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/username")
USERNAME_PATTERN = re.compile(r"[\w.-]{3,40}")
ROLES = ("learner", "mentor", "organiser", "admin")


class PersonalDataVault(Protocol):
    """Seals personal data under a key per person; destroying the key forgets the person."""

    def seal(self, person_id: UUID, data: dict) -> str: ...

    def unseal_all(self, sealed: dict[UUID, str]) -> dict[UUID, dict]:
        """The data of everyone not forgotten; the forgotten are simply absent."""
        ...


def normalise_username(username: str) -> str:
    username = username.strip().casefold()
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUsernameError(username)
    return username


def username_id_for(username: str) -> UUID:
    return uuid5(USERNAME_NAMESPACE, normalise_username(username))


class Person(Aggregate):
    """Someone with an account; everything that identifies them is sealed."""

    TOPIC = "mafunzo.Person"

    class Created(Aggregate.Created):  # base of Registered; the library wants every topic named
        TOPIC = "mafunzo.Person.Created"

    @event("Registered", topic="mafunzo.Person.Registered")
    def __init__(self, id: UUID, sealed_profile: str, roles: tuple[str, ...], at: datetime):
        self.roles = tuple(roles)

    @event("RolesChanged", topic="mafunzo.Person.RolesChanged")
    def change_roles(self, roles: tuple[str, ...], by: UUID, at: datetime) -> None:
        self.roles = tuple(roles)


class Username(Aggregate):
    """Claims a username for one person: its id is derived from the name, so it is unique."""

    TOPIC = "mafunzo.Username"

    class Created(Aggregate.Created):  # base of Claimed; the library wants every topic named
        TOPIC = "mafunzo.Username.Created"

    @event("Claimed", topic="mafunzo.Username.Claimed")
    def __init__(self, id: UUID, person_id: UUID):
        # Only the derived id is stored: the name itself is personal data and stays sealed.
        self.person_id = person_id
