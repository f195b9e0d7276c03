"""Achievements and credentials read models: what organisers manage and holders carry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import JSON, Column, DateTime, Integer, String, Table, Text, Uuid, func, select

from domain.achievements import Achievement
from domain.credentials import Credential
from domain.people import Person, PersonalDataVault
from projections.sealed import unseal_batch
from projections.tables import load_rows, metadata, replace_rows

achievements = Table(
    "achievements",
    metadata,
    Column("achievement_id", Uuid, primary_key=True),
    Column("version", Integer, nullable=False),
    Column("name", Text, nullable=False),
    Column("description", Text, nullable=False),
    Column("criteria", Text, nullable=False),
    Column("kind", String(20), nullable=False),
    Column("courses", JSON, nullable=False),
    Column("image", Text, nullable=True),
    Column("mentoring_skill", Text, nullable=True),
    Column("mentoring_hours", Integer, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

credentials = Table(
    "credentials",
    metadata,
    Column("credential_id", Uuid, primary_key=True),
    Column("public_id", String(32), nullable=False, unique=True),
    Column("achievement_id", Uuid, nullable=False, index=True),
    Column("achievement_version", Integer, nullable=False),
    Column("person_id", Uuid, nullable=False, index=True),
    Column("issued_at", DateTime(timezone=True), nullable=False),
    Column("status", String(20), nullable=False),
    Column("status_reason", Text, nullable=True),
    Column("status_changed_at", DateTime(timezone=True), nullable=True),
    Column("status_index", Integer, nullable=False, unique=True),
    Column("visibility", String(20), nullable=False),
    # The signed document; NULL once its holder is forgotten (their copies stay valid).
    Column("document", Text, nullable=True),
    Column("awarded_by", Uuid, nullable=True),
    Column("award_reason", Text, nullable=True),
)

_ACHIEVEMENT_EVENTS = (Achievement.Defined, Achievement.Revised)
_CREDENTIAL_EVENTS = (
    Credential.Issued,
    Credential.Revoked,
    Credential.Suspended,
    Credential.Reinstated,
    Credential.VisibilityChanged,
)
_STATUS_OF = {
    Credential.Revoked: "revoked",
    Credential.Suspended: "suspended",
    Credential.Reinstated: "active",
}


class CredentialsProjection:
    name = "credentials"
    tables = (achievements, credentials)

    def __init__(self, vault: PersonalDataVault):
        self.vault = vault

    def project(self, events, conn) -> None:
        self._project_achievements([e for e in events if isinstance(e, _ACHIEVEMENT_EVENTS)], conn)
        relevant = [e for e in events if isinstance(e, (*_CREDENTIAL_EVENTS, Person.Forgotten))]
        if relevant:
            self._project_credentials(relevant, conn)

    def _project_achievements(self, events, conn) -> None:
        rows = load_rows(conn, achievements, "achievement_id", {e.originator_id for e in events})
        for e in events:
            version = getattr(e, "number", 1)
            rows[e.originator_id] = {
                "achievement_id": e.originator_id,
                "version": version,
                **{k: e.definition[k] for k in ("name", "description", "criteria", "kind")},
                "courses": e.definition["courses"],
                "image": e.definition["image"],
                # Definitions from before mentoring rules have neither.
                "mentoring_skill": e.definition.get("mentoring_skill"),
                "mentoring_hours": e.definition.get("mentoring_hours", 0),
                "updated_at": e.at,
            }
        replace_rows(conn, achievements, "achievement_id", list(rows.values()))

    def _project_credentials(self, events, conn) -> None:
        opened = unseal_batch(self.vault, events, _sealed_document)
        rows = load_rows(conn, credentials, "credential_id", {e.originator_id for e in events})
        forgotten = set()
        for index, e in enumerate(events):
            if isinstance(e, Person.Forgotten):
                forgotten.add(e.originator_id)
            elif isinstance(e, Credential.Issued):
                rows[e.originator_id] = _issued(e, opened.get(index))
            else:
                _change(rows[e.originator_id], e)
        replace_rows(conn, credentials, "credential_id", list(rows.values()))
        if forgotten:
            conn.execute(
                credentials.update()
                .where(credentials.c.person_id.in_(forgotten))
                .values(document=None)
            )


def _sealed_document(e) -> tuple[UUID, str] | None:
    return (e.person_id, e.sealed_document) if isinstance(e, Credential.Issued) else None


def _issued(e, opened: dict | None) -> dict:
    return {
        "credential_id": e.originator_id,
        "public_id": e.public_id,
        "achievement_id": e.achievement_id,
        "achievement_version": e.achievement_version,
        "person_id": e.person_id,
        "issued_at": e.at,
        "status": "active",
        "status_reason": None,
        "status_changed_at": None,
        "status_index": e.status_index,
        "visibility": "unlisted",
        "document": opened["document"] if opened else None,
        "awarded_by": e.awarded_by,
        "award_reason": e.reason,
    }


def _change(row: dict, e) -> None:
    if isinstance(e, Credential.VisibilityChanged):
        row["visibility"] = e.visibility
    else:
        row.update(status=_STATUS_OF[type(e)], status_reason=e.reason, status_changed_at=e.at)


# --- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class AchievementView:
    achievement_id: UUID
    version: int
    name: str
    description: str
    criteria: str
    kind: str
    courses: tuple[UUID, ...]
    image: str | None
    mentoring_skill: str | None
    mentoring_hours: int
    updated_at: datetime


@dataclass(frozen=True)
class CredentialView:
    credential_id: UUID
    public_id: str
    achievement_id: UUID
    achievement_name: str
    achievement_kind: str
    achievement_version: int
    person_id: UUID
    issued_at: datetime
    status: str
    status_reason: str | None
    status_changed_at: datetime | None
    status_index: int
    visibility: str
    document: str | None
    awarded_by: UUID | None
    award_reason: str | None


def _achievement_view(row) -> AchievementView:
    return AchievementView(
        row["achievement_id"],
        row["version"],
        row["name"],
        row["description"],
        row["criteria"],
        row["kind"],
        tuple(UUID(c) for c in row["courses"]),
        row["image"],
        row["mentoring_skill"],
        row["mentoring_hours"],
        row["updated_at"],
    )


def list_achievements(conn) -> list[AchievementView]:
    found = conn.execute(select(achievements).order_by(achievements.c.name)).mappings()
    return [_achievement_view(row) for row in found]


def get_achievement(conn, achievement_id: UUID) -> AchievementView | None:
    row = (
        conn.execute(select(achievements).where(achievements.c.achievement_id == achievement_id))
        .mappings()
        .first()
    )
    return _achievement_view(row) if row else None


_CREDENTIAL_COLUMNS = (
    credentials,
    achievements.c.name.label("achievement_name"),
    achievements.c.kind.label("achievement_kind"),
)


def _credential_query():
    # The achievement's current name labels the credential in lists; the signed document
    # keeps the name it was issued under.
    return select(*_CREDENTIAL_COLUMNS).join(
        achievements, achievements.c.achievement_id == credentials.c.achievement_id
    )


def _credential_view(row) -> CredentialView:
    return CredentialView(**{f: row[f] for f in CredentialView.__dataclass_fields__})


def credentials_of_person(conn, person_id: UUID) -> list[CredentialView]:
    found = conn.execute(
        _credential_query()
        .where(credentials.c.person_id == person_id)
        .order_by(credentials.c.issued_at.desc())
    ).mappings()
    return [_credential_view(row) for row in found]


def list_credentials(conn, achievement_id: UUID | None = None) -> list[CredentialView]:
    statement = _credential_query().order_by(credentials.c.issued_at, credentials.c.public_id)
    if achievement_id is not None:
        statement = statement.where(credentials.c.achievement_id == achievement_id)
    return [_credential_view(row) for row in conn.execute(statement).mappings()]


def credential_by_public_id(conn, public_id: str) -> CredentialView | None:
    row = (
        conn.execute(_credential_query().where(credentials.c.public_id == public_id))
        .mappings()
        .first()
    )
    return _credential_view(row) if row else None


def credential_counts(conn) -> dict[UUID, int]:
    """How many credentials each achievement has, whatever their status."""
    found = conn.execute(
        select(credentials.c.achievement_id, func.count()).group_by(credentials.c.achievement_id)
    )
    return dict(found.all())


def last_status_index(conn) -> int | None:
    return conn.execute(select(func.max(credentials.c.status_index))).scalar()


def status_bits(conn, status: str, first: int, size: int) -> list[int]:
    """Places in one status list (indices first … first+size-1) whose credential has `status`.

    A revoked credential is set in the revocation list only; a suspended one in the
    suspension list only.
    """
    found = conn.execute(
        select(credentials.c.status_index).where(
            credentials.c.status == status,
            credentials.c.status_index >= first,
            credentials.c.status_index < first + size,
        )
    )
    return [index - first for (index,) in found]
