"""People and their usernames; personal data travels only sealed under a per-person key."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidDisplayNameError,
    InvalidEmailError,
    InvalidLanguageError,
    InvalidPasswordError,
    InvalidUsernameError,
    OwnAdminRoleError,
    PasswordIsUsernameError,
    PersonForgottenError,
    ResetLinkExpiredError,
    ResetLinkNotFoundError,
    ResetLinkUsedError,
    UnknownRoleError,
)

USERNAME_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/username")
USERNAME_PATTERN = re.compile(r"[\w.-]{3,40}")
ROLES = ("learner", "mentor", "organiser", "admin")
DISPLAY_NAME_MAX = 80
EMAIL_MAX = 254
EMAIL_PATTERN = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
# A BCP 47 shape; which languages a deployment offers is the web layer's to say.
LANGUAGE_PATTERN = re.compile(r"[a-z]{2,3}(-[A-Za-z0-9]{1,8})*")
PASSWORD_MIN, PASSWORD_MAX = 10, 200
RESET_LINK_LIFETIME = timedelta(hours=24)
# Control characters, and the line and paragraph separators that would break a name in two.
_UNPRINTABLE = frozenset({"Cc", "Zl", "Zp"})


class PersonalDataVault(Protocol):
    """Seals personal data under a key per person; destroying the key forgets the person."""

    def seal(self, person_id: UUID, data: dict) -> str: ...

    def unseal_all(self, sealed: dict[UUID, str]) -> dict[UUID, dict]:
        """The data of everyone not forgotten; the forgotten are simply absent."""
        ...

    def forget(self, person_id: UUID) -> None: ...


# --- rules for what people type -------------------------------------------------------------


def normalise_username(username: str) -> str:
    username = username.strip().casefold()
    if not USERNAME_PATTERN.fullmatch(username):
        raise InvalidUsernameError(username)
    return username


def username_id_for(username: str) -> UUID:
    return uuid5(USERNAME_NAMESPACE, normalise_username(username))


def check_password(password: str, username: str) -> None:
    """A new password's rules. Only its hash goes further, so this runs before hashing."""
    if not PASSWORD_MIN <= len(password) <= PASSWORD_MAX:
        raise InvalidPasswordError()
    if password.strip().casefold() == username.strip().casefold():
        raise PasswordIsUsernameError()


def _printable(text: str) -> bool:
    return not any(unicodedata.category(c) in _UNPRINTABLE for c in text)


def _looks_like_email(email: str) -> bool:
    # Printable too: a NUL would pass the pattern, and PostgreSQL refuses to store one.
    return len(email) <= EMAIL_MAX and _printable(email) and bool(EMAIL_PATTERN.fullmatch(email))


@dataclass(frozen=True)
class Profile:
    """What a person says about themselves, checked; sealed whenever it travels in an event.

    The preferred language is sealed with the rest: alone it says little, but next to a
    region and a set of skills a rare language can single someone out, and forgetting a
    person should leave nothing of what they told us.
    """

    display_name: str
    language: str
    email: str | None = None

    @classmethod
    def of(cls, display_name: str, language: str, email: str | None = None) -> Profile:
        name = unicodedata.normalize("NFC", display_name).strip()
        if not 1 <= len(name) <= DISPLAY_NAME_MAX or not _printable(name):
            raise InvalidDisplayNameError()
        if not LANGUAGE_PATTERN.fullmatch(language):
            raise InvalidLanguageError(language)
        email = (email or "").strip() or None
        if email is not None and not _looks_like_email(email):
            raise InvalidEmailError()
        return cls(name, language, email)

    def as_dict(self) -> dict:
        return asdict(self)


def roles_of(roles) -> tuple[str, ...]:
    """Known roles in their usual order; everyone is a learner."""
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise UnknownRoleError(sorted(unknown))
    return tuple(r for r in ROLES if r in set(roles) | {"learner"})


def reset_token_digest(token: str) -> str:
    """What the log keeps of a reset token: its SHA-256, useless for resetting anything."""
    return hashlib.sha256(token.encode()).hexdigest()


# --- aggregates -----------------------------------------------------------------------------


class Person(Aggregate):
    """Someone with an account; everything that identifies them is sealed."""

    TOPIC = "mafunzo.Person"

    class Created(Aggregate.Created):  # base of Registered; the library wants every topic named
        TOPIC = "mafunzo.Person.Created"

    @event("Registered", topic="mafunzo.Person.Registered")
    def __init__(self, id: UUID, sealed_profile: str, roles: tuple[str, ...], at: datetime):
        self.roles = tuple(roles)
        self.sealed_profile = sealed_profile  # what credentials name the person by
        self.is_forgotten = False
        self.reset_links: dict[str, datetime] = {}  # token digest → expiry, while usable
        self.spent_reset_links: set[str] = set()  # used, or replaced by a newer link

    # --- commands ---------------------------------------------------------------------

    def change_profile(self, sealed_profile: str, at: datetime) -> None:
        self.check_not_forgotten()
        self._change_profile(sealed_profile, at)

    def change_password(self, sealed_password: str, at: datetime) -> None:
        self.check_not_forgotten()
        self._change_password(sealed_password, at)

    def change_roles(self, roles, by: UUID, at: datetime) -> None:
        """Give the person exactly these roles; the same roles again record nothing."""
        self.check_not_forgotten()
        roles = roles_of(roles)
        self.check_admin_keeps_own_admin_role(roles, by)
        if roles != self.roles:
            self._change_roles(roles, by, at)

    def issue_password_reset(
        self, token_digest: str, expires_at: datetime, by: UUID, at: datetime
    ) -> None:
        """Open a reset link; any older one stops working."""
        self.check_not_forgotten()
        self._issue_password_reset(token_digest, expires_at, by, at)

    def reset_password(self, sealed_password: str, token_digest: str, at: datetime) -> None:
        self.check_not_forgotten()
        self.check_reset_link_is_usable(token_digest, at)
        self._reset_password(sealed_password, token_digest, at)

    def forget(self, at: datetime) -> None:
        """Mark the person forgotten; forgetting twice records nothing more."""
        if not self.is_forgotten:
            self._forget(at)

    # --- guards -----------------------------------------------------------------------

    def check_not_forgotten(self) -> None:
        if self.is_forgotten:
            raise PersonForgottenError(self.id)

    def check_admin_keeps_own_admin_role(self, roles: tuple[str, ...], by: UUID) -> None:
        if by == self.id and "admin" in self.roles and "admin" not in roles:
            raise OwnAdminRoleError(self.id)

    def check_reset_link_is_usable(self, token_digest: str, at: datetime) -> None:
        if token_digest in self.spent_reset_links:
            raise ResetLinkUsedError()
        expires_at = self.reset_links.get(token_digest)
        if expires_at is None:
            raise ResetLinkNotFoundError()
        if at >= expires_at:
            raise ResetLinkExpiredError()

    # --- events -----------------------------------------------------------------------

    @event("ProfileChanged", topic="mafunzo.Person.ProfileChanged")
    def _change_profile(self, sealed_profile: str, at: datetime) -> None:
        self.sealed_profile = sealed_profile

    @event("PasswordChanged", topic="mafunzo.Person.PasswordChanged")
    def _change_password(self, sealed_password: str, at: datetime) -> None:
        self._spend_reset_links()

    @event("RolesChanged", topic="mafunzo.Person.RolesChanged")
    def _change_roles(self, roles: tuple[str, ...], by: UUID, at: datetime) -> None:
        self.roles = tuple(roles)

    @event("PasswordResetIssued", topic="mafunzo.Person.PasswordResetIssued")
    def _issue_password_reset(
        self, token_digest: str, expires_at: datetime, by: UUID, at: datetime
    ) -> None:
        self._spend_reset_links()
        self.reset_links[token_digest] = expires_at

    @event("PasswordReset", topic="mafunzo.Person.PasswordReset")
    def _reset_password(self, sealed_password: str, token_digest: str, at: datetime) -> None:
        self._spend_reset_links()

    @event("Forgotten", topic="mafunzo.Person.Forgotten")
    def _forget(self, at: datetime) -> None:
        self.is_forgotten = True
        self._spend_reset_links()

    def _spend_reset_links(self) -> None:
        self.spent_reset_links.update(self.reset_links)
        self.reset_links.clear()


class Username(Aggregate):
    """Claims a username for one person: its id is derived from the name, so it is unique.

    A forgotten person's claim stays, because the log cannot change: a username, once
    registered, can never be registered again. The claim's id is a hash of the name, so only
    someone who already knows the name can match it to the claim.
    """

    TOPIC = "mafunzo.Username"

    class Created(Aggregate.Created):  # base of Claimed; the library wants every topic named
        TOPIC = "mafunzo.Username.Created"

    @event("Claimed", topic="mafunzo.Username.Claimed")
    def __init__(self, id: UUID, person_id: UUID):
        # Only the derived id is stored: the name itself is personal data and stays sealed.
        self.person_id = person_id
