"""People read model: accounts unsealed from the log, and the password reset links issued."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    DateTime,
    String,
    Table,
    Text,
    Uuid,
    or_,
    select,
)

from domain.errors import InvalidUsernameError
from domain.people import Person, PersonalDataVault, normalise_username
from projections.sealed import unseal_batch
from projections.tables import load_rows, metadata, replace_rows

people = Table(
    "people",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("username", String(40), nullable=False, unique=True),
    Column("display_name", Text, nullable=False),
    Column("password_hash", Text, nullable=False),
    Column("email", Text, nullable=True),
    Column("language", String(35), nullable=False),
    Column("roles", JSON, nullable=False),
    Column("registered_at", DateTime(timezone=True), nullable=False),
)

# One row per link ever issued, so a page can tell a used link from a mistyped one.
password_resets = Table(
    "password_resets",
    metadata,
    Column("token_digest", String(64), primary_key=True),
    Column("person_id", Uuid, nullable=False, index=True),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("spent", Boolean, nullable=False),
)

_SEALED = (Person.Registered, Person.ProfileChanged, Person.PasswordChanged, Person.PasswordReset)
_RELEVANT = (*_SEALED, Person.RolesChanged, Person.PasswordResetIssued, Person.Forgotten)


@dataclass(frozen=True)
class PersonView:
    person_id: UUID
    username: str
    display_name: str
    roles: tuple[str, ...]
    language: str
    email: str | None


@dataclass(frozen=True)
class Account:
    """A person with what signing in checks; only the sign-in and account pages need it."""

    person: PersonView
    password_hash: str


@dataclass(frozen=True)
class ResetLink:
    person_id: UUID
    username: str
    expires_at: datetime
    spent: bool


class PeopleProjection:
    """Unseals each batch's personal data with the vault; the forgotten leave no row."""

    name = "people"
    tables = (people, password_resets)

    def __init__(self, vault: PersonalDataVault):
        self.vault = vault

    def project(self, events, conn) -> None:
        relevant = [e for e in events if isinstance(e, _RELEVANT)]
        if not relevant:
            return
        ids = {e.originator_id for e in relevant}
        batch = _Batch(
            load_rows(conn, people, "person_id", ids),
            _reset_rows(conn, ids),
            unseal_batch(self.vault, relevant, _sealed),
        )
        for index, e in enumerate(relevant):
            batch.apply(index, e)
        batch.write(conn, ids)


def _sealed(e) -> tuple[UUID, str] | None:
    if not isinstance(e, _SEALED):
        return None
    return e.originator_id, e.sealed_profile if hasattr(e, "sealed_profile") else e.sealed_password


class _Batch:
    """The rows of the people a batch concerns, changed event by event, then written once."""

    def __init__(self, rows: dict, resets: dict, opened: dict[int, dict]):
        self.rows, self.resets, self.opened = rows, resets, opened
        self.forgotten: set[UUID] = set()

    def apply(self, index: int, e) -> None:
        person_id, data = e.originator_id, self.opened.get(index)
        if isinstance(e, Person.Registered):
            if data is not None:  # absent when the person's key was destroyed: forgotten
                self.rows[person_id] = _registered(e, data)
        elif isinstance(e, Person.PasswordResetIssued):
            self._spend_links(person_id)
            self.resets[e.token_digest] = {
                "token_digest": e.token_digest,
                "person_id": person_id,
                "expires_at": e.expires_at,
                "spent": False,
            }
        elif isinstance(e, Person.Forgotten):
            self.rows.pop(person_id, None)
            self.resets = {d: r for d, r in self.resets.items() if r["person_id"] != person_id}
            self.forgotten.add(person_id)
        elif person_id in self.rows:
            self._change(self.rows[person_id], e, data)

    def _change(self, row: dict, e, data: dict | None) -> None:
        if isinstance(e, Person.RolesChanged):
            row["roles"] = list(e.roles)
        elif isinstance(e, Person.ProfileChanged) and data is not None:
            row.update((k, data[k]) for k in ("display_name", "language", "email"))
        elif isinstance(e, Person.PasswordChanged | Person.PasswordReset):
            self._spend_links(e.originator_id)
            if data is not None:
                row["password_hash"] = data["password_hash"]

    def _spend_links(self, person_id: UUID) -> None:
        for row in self.resets.values():
            if row["person_id"] == person_id:
                row["spent"] = True

    def write(self, conn, ids: set[UUID]) -> None:
        if self.forgotten:
            conn.execute(people.delete().where(people.c.person_id.in_(self.forgotten)))
        replace_rows(conn, people, "person_id", list(self.rows.values()))
        conn.execute(password_resets.delete().where(password_resets.c.person_id.in_(ids)))
        if self.resets:
            conn.execute(password_resets.insert(), list(self.resets.values()))


def _reset_rows(conn, ids: set[UUID]) -> dict[str, dict]:
    found = conn.execute(
        password_resets.select().where(password_resets.c.person_id.in_(ids))
    ).mappings()
    return {row["token_digest"]: dict(row) for row in found}


def _registered(e, profile: dict) -> dict:
    return {
        "person_id": e.originator_id,
        "username": normalise_username(profile["username"]),
        "display_name": profile["display_name"],
        "password_hash": profile["password_hash"],
        "email": profile.get("email"),
        "language": profile.get("language", "en"),  # accounts from before languages were asked
        "roles": list(e.roles),
        "registered_at": e.at,
    }


# --- queries --------------------------------------------------------------------------------


def _view(row) -> PersonView:
    return PersonView(
        row["person_id"],
        row["username"],
        row["display_name"],
        tuple(row["roles"]),
        row["language"],
        row["email"],
    )


def person(conn, person_id: UUID) -> PersonView | None:
    found = account(conn, person_id)
    return found.person if found else None


def account(conn, person_id: UUID) -> Account | None:
    row = conn.execute(select(people).where(people.c.person_id == person_id)).mappings().first()
    return Account(_view(row), row["password_hash"]) if row else None


def account_for_username(conn, username: str) -> Account | None:
    try:
        key = normalise_username(username)
    except InvalidUsernameError:
        return None
    row = conn.execute(select(people).where(people.c.username == key)).mappings().first()
    return Account(_view(row), row["password_hash"]) if row else None


def search_people(conn, query: str = "", limit: int = 100) -> list[PersonView]:
    """People whose username or display name contains `query` (any case), by username."""
    statement = select(people).order_by(people.c.username).limit(limit)
    # No name holds control characters, and PostgreSQL refuses a NUL in any string.
    query = "".join(c for c in query if c.isprintable()).strip()
    if query:
        statement = statement.where(
            or_(
                people.c.username.icontains(query, autoescape=True),
                people.c.display_name.icontains(query, autoescape=True),
            )
        )
    return [_view(row) for row in conn.execute(statement).mappings()]


def reset_link(conn, token_digest: str) -> ResetLink | None:
    """The link with this digest, if its person is still here to use it."""
    row = conn.execute(
        select(password_resets, people.c.username)
        .join(people, people.c.person_id == password_resets.c.person_id)
        .where(password_resets.c.token_digest == token_digest)
    ).first()
    if row is None:
        return None
    return ResetLink(row.person_id, row.username, _aware(row.expires_at), row.spent)


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no offset; every time we store is UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
