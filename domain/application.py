"""The Mafunzo application: its methods are the use cases, each load → decide → save."""

from __future__ import annotations

import contextlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.content import CourseContent
from domain.courses import Course, course_id_for
from domain.enrolments import Enrolment, enrolment_id_for, outline_of
from domain.errors import (
    ConcurrentChangeError,
    CourseModuleNotFoundError,
    CourseNotFoundError,
    CourseNotPublishedError,
    EnrolmentNotFoundError,
    NotAllowedError,
    PersonNotFoundError,
    SlideNotFoundError,
    UsernameTakenError,
)
from domain.people import (
    RESET_LINK_LIFETIME,
    Person,
    PersonalDataVault,
    Profile,
    Username,
    reset_token_digest,
    roles_of,
    username_id_for,
)


@dataclass(frozen=True)
class Recorded:
    """What a command did: the aggregate it concerned and the log position of its last event.

    `position` is None when the command changed nothing, so there is nothing to wait for.
    `events` are the (position, event) pairs the command logged, for projecting them at once.
    """

    id: UUID
    position: int | None
    events: tuple[tuple[int, object], ...] = ()


@dataclass(frozen=True)
class PasswordResetLink:
    """A reset link just issued: the token is shown once to the admin and kept nowhere."""

    recorded: Recorded
    token: str
    expires_at: datetime


@dataclass(frozen=True)
class QuizOutcome:
    recorded: Recorded
    correct: bool


class Mafunzo(Application):
    """Commands over the event log; read models live in projections/."""

    name = "mafunzo"
    env: dict[str, Any] = {  # noqa: RUF012 - the library reads this class attribute
        "AGGREGATE_CACHE_MAXSIZE": "5000",
        "IS_SNAPSHOTTING_ENABLED": "n",
    }

    def __init__(
        self,
        env: dict[str, str],
        clock: Callable[[], datetime],
        vault: PersonalDataVault,
    ):
        super().__init__(env=env)
        self.clock = clock
        self.vault = vault
        # Published versions never change, so their parsed content can be kept for good.
        self._published: dict[tuple[UUID, int], CourseContent] = {}

    # --- people -----------------------------------------------------------------------

    def register_person(
        self,
        username: str,
        display_name: str,
        password_hash: str,
        roles=("learner",),
        *,
        email: str | None = None,
        language: str = "en",
    ) -> Recorded:
        """Register a person; their names, email and password hash are sealed under their key."""
        claim_id = username_id_for(username)
        profile, roles = Profile.of(display_name, language, email), roles_of(roles)
        person_id = uuid4()
        sealed = self.vault.seal(
            person_id,
            {"username": username.strip(), "password_hash": password_hash, **profile.as_dict()},
        )
        person = Person(person_id, sealed, roles, self.clock())
        try:
            return self._save(person_id, person, Username(id=claim_id, person_id=person_id))
        except ConcurrentChangeError:
            self.vault.forget(person_id)  # the key sealed nothing that was kept
            raise UsernameTakenError(username) from None

    def person_id_for_username(self, username: str) -> UUID | None:
        try:
            return self.repository.get(username_id_for(username)).person_id
        except AggregateNotFoundError:
            return None

    def change_profile(
        self, person_id: UUID, display_name: str, language: str, email: str | None = None
    ) -> Recorded:
        """Replace display name, language and email; the username never changes."""
        person = self._get_person(person_id)
        profile = Profile.of(display_name, language, email)
        person.change_profile(self.vault.seal(person_id, profile.as_dict()), self.clock())
        return self._save(person_id, person)

    def change_password(self, person_id: UUID, password_hash: str) -> Recorded:
        """Seal a new password hash; open reset links stop working."""
        person = self._get_person(person_id)
        sealed = self.vault.seal(person_id, {"password_hash": password_hash})
        person.change_password(sealed, self.clock())
        return self._save(person_id, person)

    def change_roles(self, person_id: UUID, roles, by: UUID) -> Recorded:
        """An admin gives a person exactly these roles (learner always included)."""
        self._check_is_admin(by)
        person = self._get_person(person_id)
        person.change_roles(roles, by, self.clock())
        return self._save(person_id, person)

    def issue_password_reset(self, person_id: UUID, by: UUID) -> PasswordResetLink:
        """An admin opens a one-time reset link; the log keeps only the token's digest."""
        self._check_is_admin(by)
        person = self._get_person(person_id)
        token, now = secrets.token_urlsafe(32), self.clock()
        expires_at = now + RESET_LINK_LIFETIME
        person.issue_password_reset(reset_token_digest(token), expires_at, by, now)
        return PasswordResetLink(self._save(person_id, person), token, expires_at)

    def reset_password(self, person_id: UUID, token: str, password_hash: str) -> Recorded:
        """Use a reset link, once, before it expires, to set a new password."""
        person = self._get_person(person_id)
        sealed = self.vault.seal(person_id, {"password_hash": password_hash})
        person.reset_password(sealed, reset_token_digest(token), self.clock())
        return self._save(person_id, person)

    def forget_person(self, person_id: UUID) -> Recorded:
        """Record that the person is forgotten, then destroy their key (crypto-shredding).

        The event comes first: should destroying the key fail, forgetting again records
        nothing new and destroys it then.
        """
        person = self._get_person(person_id, forgotten_too=True)
        person.forget(self.clock())
        recorded = self._save(person_id, person)
        self.vault.forget(person_id)
        return recorded

    # --- courses ----------------------------------------------------------------------

    def publish_course(self, content: CourseContent, by: UUID | None = None) -> Recorded:
        """Create the course if new and publish its content as a version if it changed."""
        course_id = course_id_for(content.slug)
        try:
            course = self.repository.get(course_id)
        except AggregateNotFoundError:
            course = Course(content.slug, by, self.clock())
        course.publish(content, by, self.clock())
        return self._save(course_id, course)

    def course_version(self, course_id: UUID, version: int | None = None) -> CourseContent:
        if version is None or (course_id, version) not in self._published:
            course = self._get_course(course_id)
            version = version or course.current_version
            self._published[(course_id, version)] = course.content(version)
        return self._published[(course_id, version)]

    # --- learning ---------------------------------------------------------------------

    def enrol(self, person_id: UUID, course_id: UUID) -> Recorded:
        """Enrol in the current version; enrolling again (or after withdrawing) is harmless."""
        self._check_person_exists(person_id)
        enrolment_id = enrolment_id_for(person_id, course_id)
        try:
            enrolment = self.repository.get(enrolment_id)
            enrolment.rejoin(self.clock())
        except AggregateNotFoundError:
            course = self._get_course(course_id)
            if not course.is_published():
                raise CourseNotPublishedError(course_id) from None
            outline = outline_of(course.content())
            enrolment = Enrolment(
                person_id, course_id, course.current_version, outline, at=self.clock()
            )
        return self._save(enrolment_id, enrolment)

    def view_slide(self, person_id: UUID, course_id: UUID, module: str, slide: str) -> Recorded:
        enrolment = self._get_enrolment(person_id, course_id)
        enrolment.view_slide(module, slide, self.clock())
        return self._save(enrolment.id, enrolment)

    def answer_quiz(
        self, person_id: UUID, course_id: UUID, module: str, slide: str, answer_id: int
    ) -> QuizOutcome:
        enrolment = self._get_enrolment(person_id, course_id)
        quiz = self._quiz(course_id, enrolment.course_version, module, slide)
        correct = enrolment.answer_quiz(module, slide, quiz, answer_id, self.clock())
        return QuizOutcome(self._save(enrolment.id, enrolment), correct)

    def withdraw(self, person_id: UUID, course_id: UUID) -> Recorded:
        enrolment = self._get_enrolment(person_id, course_id)
        enrolment.withdraw(self.clock())
        return self._save(enrolment.id, enrolment)

    # --- helpers ----------------------------------------------------------------------

    def _save(self, id_: UUID, *aggregates) -> Recorded:
        try:
            recordings = self.save(*aggregates)
        except IntegrityError:
            # Another writer got there first: our cached copies are stale, so drop them.
            for aggregate in aggregates:
                self._evict(aggregate.id)
            raise ConcurrentChangeError(id_) from None
        logged = tuple(sorted((r.notification.id, r.domain_event) for r in recordings))
        return Recorded(id_, logged[-1][0] if logged else None, logged)

    def _evict(self, aggregate_id: UUID) -> None:
        if self.repository.cache is not None:
            with contextlib.suppress(KeyError):  # not cached: nothing to drop
                self.repository.cache.get(aggregate_id, evict=True)

    def _get_course(self, course_id: UUID) -> Course:
        try:
            # Courses are only read here, never changed, so the cached copy is safe to share.
            course = self.repository.get(course_id, deepcopy_from_cache=False)
        except AggregateNotFoundError:
            raise CourseNotFoundError(course_id) from None
        if not isinstance(course, Course):  # someone passed the id of something else
            raise CourseNotFoundError(course_id)
        return course

    def _get_enrolment(self, person_id: UUID, course_id: UUID) -> Enrolment:
        try:
            return self.repository.get(enrolment_id_for(person_id, course_id))
        except AggregateNotFoundError:
            raise EnrolmentNotFoundError(course_id) from None

    def _check_person_exists(self, person_id: UUID) -> None:
        self._get_person(person_id)

    def _get_person(self, person_id: UUID, forgotten_too: bool = False) -> Person:
        try:
            person = self.repository.get(person_id)
        except AggregateNotFoundError:
            raise PersonNotFoundError(person_id) from None
        if not isinstance(person, Person):  # the id of a course, say
            raise PersonNotFoundError(person_id)
        if not forgotten_too:
            person.check_not_forgotten()
        return person

    def _check_is_admin(self, by: UUID) -> None:
        try:
            actor = self._get_person(by)
        except PersonNotFoundError:
            raise NotAllowedError(by) from None
        if "admin" not in actor.roles:
            raise NotAllowedError(by)

    def _quiz(self, course_id: UUID, version: int, module: str, slide: str):
        part = self.course_version(course_id, version).module(module)
        if part is None:
            raise CourseModuleNotFoundError(module)
        found = part.slide(slide)
        if found is None:
            raise SlideNotFoundError(slide)
        return found.quiz
