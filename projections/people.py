"""People read model: usernames, display names and roles, unsealed from the log."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import JSON, Column, DateTime, String, Table, Text, Uuid, select

from domain.errors import InvalidUsernameError
from domain.people import Person, PersonalDataVault, normalise_username
from projections.tables import load_rows, metadata, replace_rows

people = Table(
    "people",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("roles", JSON, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)


@dataclass(frozen=True)
class PersonView:
    person_id: UUID
    username: str
    display_name: str
    roles: tuple[str, ...]


@dataclass(frozen=True)
class Account(PersonView):
    password_hash: str


class PeopleProjection:
    name = "people"
    tables = (people,)

    def __init__(self, vault: PersonalDataVault):
        self.vault = vault

    def project(self, events, conn) -> None:
        relevant = [e for e in events if isinstance(e, Person.Registered | Person.RolesChanged)]
        rows = load_rows(conn, people, "person_id", (e.originator_id for e in relevant))
        profiles = self.vault.unseal_all(
            {
                e.originator_id: e.sealed_profile
                for e in relevant
                if isinstance(e, Person.Registered)
            }
        )
        # A forgotten person is absent from `profiles`, and so from the rows: nothing to show.
        for e in relevant:
            if isinstance(e, Person.Registered) and e.originator_id in profiles:
                rows[e.originator_id] = _registered(e, profiles[e.originator_id])
            elif isinstance(e, Person.RolesChanged) and e.originator_id in rows:
                rows[e.originator_id] = {**rows[e.originator_id], "roles": list(e.roles)}
        replace_rows(conn, people, "person_id", list(rows.values()))


def _registered(e, profile: dict) -> dict:
    return {
        "person_id": e.originator_id,
        "username": normalise_username(profile["username"]),
        "display_name": profile["display_name"],
        "password_hash": profile["password_hash"],
        "roles": list(e.roles),
        "registered_at": e.at,
    }


def _view(row) -> PersonView:
    return PersonView(row["person_id"], row["username"], row["display_name"], tuple(row["roles"]))


def person(conn, person_id: UUID) -> PersonView | None:
    row = conn.execute(select(people).where(people.c.person_id == person_id)).mappings().first()
    return _view(row) if row else None


def account_for_username(conn, username: str) -> Account | None:
    try:
        key = normalise_username(username)
    except InvalidUsernameError:
        return None
    row = conn.execute(select(people).where(people.c.username == key)).mappings().first()
    if row is None:
        return None
    return Account(
        row["person_id"],
        row["username"],
        row["display_name"],
        tuple(row["roles"]),
        row["password_hash"],
    )
