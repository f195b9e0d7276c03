"""Credentials: signed awards of an achievement to a person, revocable, never edited."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.achievements import AchievementDefinition
from domain.errors import (
    CredentialRevokedError,
    CredentialStatusError,
    InvalidVisibilityError,
    NotAllowedError,
)

CREDENTIAL_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/credential")
STATUS_INDEX_ID = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/status-index")
VISIBILITIES = ("unlisted", "public")


def credential_id_for(achievement_id: UUID, person_id: UUID) -> UUID:
    """One credential per person and achievement: a second issue of it cannot be saved."""
    return uuid5(CREDENTIAL_NAMESPACE, f"{achievement_id}/{person_id}")


@dataclass(frozen=True)
class Evidence:
    """A learning fact that earned the credential, in words for the person who checks it."""

    name: str
    narrative: str


@dataclass(frozen=True)
class CredentialFacts:
    """Everything a signed credential states; the signer turns it into a document."""

    public_id: str
    achievement_id: UUID
    achievement_version: int
    achievement: AchievementDefinition
    subject_name: str
    subject_email: str | None
    issued_at: datetime
    evidence: tuple[Evidence, ...]
    status_index: int


class CredentialSigner(Protocol):
    """Turns facts into a signed Open Badges credential (JSON text); lms/ implements it."""

    def sign(self, facts: CredentialFacts) -> str: ...


class Credential(Aggregate):
    """A credential held by a person.

    The signed document is sealed under the holder's personal-data key, because it names
    them: forgetting the person darkens our copy, while copies they hold stay verifiable.
    """

    TOPIC = "mafunzo.Credential"

    class Created(Aggregate.Created):  # base of Issued; the library wants every topic named
        TOPIC = "mafunzo.Credential.Created"

    @staticmethod
    def create_id(achievement_id: UUID, person_id: UUID, **_) -> UUID:
        return credential_id_for(achievement_id, person_id)

    @event("Issued", topic="mafunzo.Credential.Issued")
    def __init__(
        self,
        achievement_id: UUID,
        person_id: UUID,
        achievement_version: int,
        public_id: str,
        status_index: int,
        sealed_document: str,
        awarded_by: UUID | None,
        reason: str | None,
        at: datetime,
    ):
        self.person_id = person_id
        self.public_id = public_id
        self.status_index = status_index
        self.status = "active"
        self.visibility = "unlisted"

    # --- commands ---------------------------------------------------------------------

    def revoke(self, reason: str, by: UUID, at: datetime) -> None:
        self.check_not_revoked()
        self._revoke(reason, by, at)

    def suspend(self, reason: str, by: UUID, at: datetime) -> None:
        self.check_not_revoked()
        if self.status != "active":
            raise CredentialStatusError(self.id)
        self._suspend(reason, by, at)

    def reinstate(self, reason: str, by: UUID, at: datetime) -> None:
        self.check_not_revoked()
        if self.status != "suspended":
            raise CredentialStatusError(self.id)
        self._reinstate(reason, by, at)

    def change_visibility(self, visibility: str, by: UUID, at: datetime) -> None:
        """Only the holder decides who may find their credential page."""
        if by != self.person_id:
            raise NotAllowedError(by)
        if visibility not in VISIBILITIES:
            raise InvalidVisibilityError(visibility)
        if visibility != self.visibility:
            self._change_visibility(visibility, at)

    def check_not_revoked(self) -> None:
        if self.status == "revoked":
            raise CredentialRevokedError(self.id)

    # --- events -----------------------------------------------------------------------

    @event("Revoked", topic="mafunzo.Credential.Revoked")
    def _revoke(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = "revoked"

    @event("Suspended", topic="mafunzo.Credential.Suspended")
    def _suspend(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = "suspended"

    @event("Reinstated", topic="mafunzo.Credential.Reinstated")
    def _reinstate(self, reason: str, by: UUID, at: datetime) -> None:
        self.status = "active"

    @event("VisibilityChanged", topic="mafunzo.Credential.VisibilityChanged")
    def _change_visibility(self, visibility: str, at: datetime) -> None:
        self.visibility = visibility


class StatusIndex(Aggregate):
    """Hands out each credential's place in the status lists, each place once.

    Saved together with the credential it numbers, so two issues at once cannot share a
    place: the second save conflicts and is tried again.
    """

    TOPIC = "mafunzo.StatusIndex"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.StatusIndex.Created"

    @staticmethod
    def create_id() -> UUID:
        return STATUS_INDEX_ID

    @event("Started", topic="mafunzo.StatusIndex.Started")
    def __init__(self):
        self.next_index = 0

    def allocate(self) -> int:
        index = self.next_index
        self._allocate(index)
        return index

    @event("Allocated", topic="mafunzo.StatusIndex.Allocated")
    def _allocate(self, index: int) -> None:
        self.next_index = index + 1
