"""The Mafunzo application: its methods are the use cases, each load → decide → save."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError, Application
from eventsourcing.persistence import IntegrityError

from domain.achievements import (
    ACHIEVEMENT_RULES_ID,
    Achievement,
    AchievementDefinition,
    AchievementRules,
    checked_reason,
)
from domain.content import CourseContent
from domain.courses import Course, course_id_for
from domain.credentials import (
    STATUS_INDEX_ID,
    Credential,
    CredentialFacts,
    CredentialSigner,
    Evidence,
    StatusIndex,
    credential_id_for,
)
from domain.enrolments import Enrolment, enrolment_id_for, outline_of
from domain.errors import (
    AchievementNotFoundError,
    AlreadyAwardedError,
    ConcurrentChangeError,
    CourseModuleNotFoundError,
    CourseNotFoundError,
    CourseNotPublishedError,
    CredentialNotFoundError,
    EnrolmentNotFoundError,
    NotAllowedError,
    PersonNotFoundError,
    SlideNotFoundError,
    UsernameTakenError,
)
from domain.mentoring_commands import MentoringCommands
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
from domain.translations import CourseTranslation


@dataclass(frozen=True)
class Recorded:
    """What a command did: the aggregate it concerned and the log position of its last event.

    `position` is None when the command changed nothing, so there is nothing to wait for.
    `events` are the (position, event) pairs the command logged, for projecting them at once.
    """

    id: UUID
    position: int | None
    events: tuple[tuple[int, object], ...] = ()

    def followed_by(self, later: Recorded) -> Recorded:
        """This command's record extended by what a policy did because of it."""
        if later.position is None:
            return self
        return Recorded(self.id, later.position, self.events + later.events)


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


logger = logging.getLogger(__name__)

# Issuing retries when a concurrent issue took the same status-list place first.
_ISSUE_ATTEMPTS = 5


class Mafunzo(MentoringCommands, Application):
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
        signer: CredentialSigner,
    ):
        super().__init__(env=env)
        self.clock = clock
        self.vault = vault
        self.signer = signer
        # Published versions never change, so their parsed content can be kept for good.
        self._published: dict[tuple[UUID, int], CourseContent] = {}
        # Nor do translation revisions: (course, version, language, revision) → translation.
        self._translations: dict[tuple[UUID, int, str, int], CourseTranslation] = {}

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

    def publish_translation(
        self, course_id: UUID, version: int, translation: CourseTranslation, by: UUID
    ) -> Recorded:
        """An organiser publishes a translation of one version, as its next revision; the
        same translation as the latest records nothing."""
        self._check_has_role(by, "organiser", "admin")
        course = self._get_of_type(course_id, Course, CourseNotFoundError)
        course.publish_translation(version, translation, by, self.clock())
        return self._save(course_id, course)

    def course_translation(
        self, course_id: UUID, version: int, language: str
    ) -> CourseTranslation | None:
        """The latest revision of a version's translation into `language` (a tag as it was
        published: pt-BR, not pt_BR), or None."""
        course = self._get_course(course_id)
        revision = course.translation_revision(version, language)
        if not revision:
            return None
        key = (course_id, version, language, revision)
        if key not in self._translations:
            self._translations[key] = course.translation(version, language)
        return self._translations[key]

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
        return self._with_earned_credentials(self._save(enrolment.id, enrolment), enrolment)

    def answer_quiz(
        self, person_id: UUID, course_id: UUID, module: str, slide: str, answer_id: int
    ) -> QuizOutcome:
        enrolment = self._get_enrolment(person_id, course_id)
        quiz = self._quiz(course_id, enrolment.course_version, module, slide)
        correct = enrolment.answer_quiz(module, slide, quiz, answer_id, self.clock())
        recorded = self._with_earned_credentials(self._save(enrolment.id, enrolment), enrolment)
        return QuizOutcome(recorded, correct)

    def withdraw(self, person_id: UUID, course_id: UUID) -> Recorded:
        enrolment = self._get_enrolment(person_id, course_id)
        enrolment.withdraw(self.clock())
        return self._save(enrolment.id, enrolment)

    # --- achievements -----------------------------------------------------------------

    def define_achievement(self, definition: AchievementDefinition, by: UUID) -> Recorded:
        self._check_has_role(by, "organiser", "admin")
        self._check_rule(definition)
        achievement = Achievement(definition.to_dict(), by, self.clock())
        return self._save(achievement.id, achievement, self._rules_for(achievement.id, definition))

    def revise_achievement(
        self, achievement_id: UUID, definition: AchievementDefinition, by: UUID
    ) -> Recorded:
        """A new version; credentials already issued keep the version they certify."""
        self._check_has_role(by, "organiser", "admin")
        self._check_rule(definition)
        achievement = self._get_achievement(achievement_id)
        achievement.revise(definition, by, self.clock())
        return self._save(achievement_id, achievement, self._rules_for(achievement_id, definition))

    def _rules_for(self, achievement_id: UUID, definition: AchievementDefinition):
        rules = self._achievement_rules()
        rules.set_rule(achievement_id, definition.courses)
        rules.set_mentoring_rule(achievement_id, definition.mentoring_skill)
        return rules

    def achievement_definition(self, achievement_id: UUID, version: int) -> AchievementDefinition:
        """A version as it was defined: what the credentials issued under it certify."""
        achievement = self._get_achievement(achievement_id)
        if not 1 <= version <= achievement.current_version:
            raise AchievementNotFoundError(achievement_id)
        return achievement.definition_of(version)

    # --- credentials ------------------------------------------------------------------

    def issue_earned_credentials(self, person_id: UUID, course_id: UUID) -> Recorded:
        """The issuing policy: credentials this course (with others done) has now earned.

        Safe to run any number of times, for any completion, in any order: a credential's id
        is derived from achievement and person, so it can be saved only once.
        """
        recorded = Recorded(person_id, None)
        for achievement_id in self._achievement_rules().earned_through(course_id):
            if self._credential_exists(achievement_id, person_id):
                continue
            achievement = self._get_achievement(achievement_id)
            if achievement.definition.is_earned_by(self._completed_courses(person_id, achievement)):
                recorded = recorded.followed_by(
                    self._issue(achievement, person_id, awarded_by=None, reason=None)
                )
        return recorded

    def issue_mentoring_credentials(self, mentor_id: UUID) -> Recorded:
        """The issuing policy for mentoring hours: badges the mentor's confirmed hours earned."""
        recorded = Recorded(mentor_id, None)
        for achievement_id, skill in self._achievement_rules().earned_through_mentoring().items():
            if self._credential_exists(achievement_id, mentor_id):
                continue
            achievement = self._get_achievement(achievement_id)
            minutes = self.confirmed_mentoring_minutes(mentor_id, skill)
            if achievement.definition.is_earned_by_mentoring(minutes):
                recorded = recorded.followed_by(
                    self._issue(achievement, mentor_id, awarded_by=None, reason=None)
                )
        return recorded

    def issue_all_earned_credentials(self) -> int:
        """Run the policy over every completion in the log; returns how many it issued.

        For credentials a failed issue missed, or achievements defined after people
        completed their courses.
        """
        issued = 0
        for enrolment_id in self._originators_of("mafunzo.Enrolment.CourseCompleted"):
            enrolment = self.repository.get(enrolment_id)
            try:
                recorded = self.issue_earned_credentials(enrolment.person_id, enrolment.course_id)
            except PersonNotFoundError:  # forgotten since: nobody to name on a credential
                continue
            issued += sum(isinstance(e, Credential.Issued) for _, e in recorded.events)
        for record_id in self._originators_of("mafunzo.MentoringRecord.Started"):
            mentor_id = self.repository.get(record_id).mentor_id
            try:
                recorded = self.issue_mentoring_credentials(mentor_id)
            except PersonNotFoundError:
                continue
            issued += sum(isinstance(e, Credential.Issued) for _, e in recorded.events)
        return issued

    def award_credential(
        self, achievement_id: UUID, person_id: UUID, reason: str, by: UUID
    ) -> Recorded:
        """An organiser awards an achievement by hand, saying why."""
        self._check_has_role(by, "organiser", "admin")
        reason = checked_reason(reason)
        achievement = self._get_achievement(achievement_id)
        if self._credential_exists(achievement_id, person_id):
            raise AlreadyAwardedError(achievement_id)
        return self._issue(achievement, person_id, awarded_by=by, reason=reason)

    def revoke_credential(self, credential_id: UUID, reason: str, by: UUID) -> Recorded:
        self._check_has_role(by, "organiser", "admin")
        credential = self._get_credential(credential_id)
        credential.revoke(checked_reason(reason), by, self.clock())
        return self._save(credential_id, credential)

    def suspend_credential(self, credential_id: UUID, reason: str, by: UUID) -> Recorded:
        self._check_has_role(by, "organiser", "admin")
        credential = self._get_credential(credential_id)
        credential.suspend(checked_reason(reason), by, self.clock())
        return self._save(credential_id, credential)

    def reinstate_credential(self, credential_id: UUID, reason: str, by: UUID) -> Recorded:
        self._check_has_role(by, "organiser", "admin")
        credential = self._get_credential(credential_id)
        credential.reinstate(checked_reason(reason), by, self.clock())
        return self._save(credential_id, credential)

    def change_credential_visibility(
        self, credential_id: UUID, visibility: str, by: UUID
    ) -> Recorded:
        credential = self._get_credential(credential_id)
        credential.change_visibility(visibility, by, self.clock())
        return self._save(credential_id, credential)

    def _with_earned_credentials(self, recorded: Recorded, enrolment: Enrolment) -> Recorded:
        if not any(isinstance(e, Enrolment.CourseCompleted) for _, e in recorded.events):
            return recorded
        return self._with_policy(
            recorded,
            lambda: self.issue_earned_credentials(enrolment.person_id, enrolment.course_id),
        )

    def _with_mentoring_credentials(self, recorded: Recorded, mentor_id: UUID) -> Recorded:
        return self._with_policy(recorded, lambda: self.issue_mentoring_credentials(mentor_id))

    def _with_policy(self, recorded: Recorded, policy: Callable[[], Recorded]) -> Recorded:
        try:
            issued = policy()
        except Exception:
            # The command's facts are logged whatever happens here; `lms credentials
            # reconcile` issues what this missed, and the person's action must not fail with it.
            logger.exception("issuing credentials after position %s failed", recorded.position)
            return recorded
        return recorded.followed_by(issued)

    def _issue(
        self, achievement: Achievement, person_id: UUID, awarded_by: UUID | None, reason: str | None
    ) -> Recorded:
        person = self._get_person(person_id)
        profile = self.vault.unseal_all({person_id: person.sealed_profile})[person_id]
        evidence = (
            self._evidence(person_id, achievement)
            or self._mentoring_evidence(person_id, achievement.definition)
            or ((Evidence("Awarded by an organiser", reason),) if reason else ())
        )
        for _attempt in range(_ISSUE_ATTEMPTS):
            status_index = self._status_index()
            facts = CredentialFacts(
                # Hex, so an id never starts with "-" and reads as an option on a command line.
                public_id=secrets.token_hex(16),
                achievement_id=achievement.id,
                achievement_version=achievement.current_version,
                achievement=achievement.definition,
                subject_name=profile["display_name"],
                subject_email=profile.get("email"),
                issued_at=self.clock(),
                evidence=evidence,
                status_index=status_index.allocate(),
            )
            credential = Credential(
                achievement.id,
                person_id,
                achievement.current_version,
                facts.public_id,
                facts.status_index,
                self.vault.seal(person_id, {"document": self.signer.sign(facts)}),
                awarded_by,
                reason,
                at=facts.issued_at,
            )
            try:
                return self._save(credential.id, credential, status_index)
            except ConcurrentChangeError:
                if self._credential_exists(achievement.id, person_id):
                    return Recorded(credential.id, None)  # a concurrent request issued it
        raise ConcurrentChangeError(achievement.id)

    def _evidence(self, person_id: UUID, achievement: Achievement) -> tuple[Evidence, ...]:
        """The completed courses of the rule; a manual award may come before any of them."""
        evidence = []
        completed = self._completed_courses(person_id, achievement)
        for course_id in (c for c in achievement.definition.courses if c in completed):
            enrolment = self._get_enrolment(person_id, course_id)
            content = self.course_version(course_id, enrolment.course_version)
            modules = "; ".join(m.title for m in content.modules)
            evidence.append(
                Evidence(
                    name=content.title,
                    narrative=(
                        f"Completed all {len(content.modules)} modules of “{content.title}” "
                        f"(version {enrolment.course_version}) on "
                        f"{enrolment.completed_at:%Y-%m-%d}: {modules}."
                    ),
                )
            )
        return tuple(evidence)

    def _mentoring_evidence(
        self, person_id: UUID, definition: AchievementDefinition
    ) -> tuple[Evidence, ...]:
        if definition.mentoring_skill is None:
            return ()
        skill = definition.mentoring_skill
        hours = self.confirmed_mentoring_minutes(person_id, skill) / 60
        if not hours:
            return ()
        return (
            Evidence(
                name=f"Mentoring in {skill}",
                narrative=(
                    f"{hours:g} hours of mentoring sessions in {skill}, each confirmed by the "
                    f"mentee, by {self.clock():%Y-%m-%d}."
                ),
            ),
        )

    def _completed_courses(self, person_id: UUID, achievement: Achievement) -> set[UUID]:
        done = set()
        for course_id in achievement.definition.courses:
            with contextlib.suppress(EnrolmentNotFoundError):
                if self._get_enrolment(person_id, course_id).is_course_completed:
                    done.add(course_id)
        return done

    def _originators_of(self, topic: str) -> list[UUID]:
        """The aggregates that logged an event of this topic, in log order."""
        ids, start = [], 1
        while True:
            batch = self.recorder.select_notifications(start, 1000, topics=[topic])
            ids.extend(n.originator_id for n in batch)
            if len(batch) < 1000:
                return ids
            start = batch[-1].id + 1

    def _credential_exists(self, achievement_id: UUID, person_id: UUID) -> bool:
        try:
            self.repository.get(credential_id_for(achievement_id, person_id))
        except AggregateNotFoundError:
            return False
        return True

    def _achievement_rules(self) -> AchievementRules:
        try:
            return self.repository.get(ACHIEVEMENT_RULES_ID)
        except AggregateNotFoundError:
            return AchievementRules()

    def _status_index(self) -> StatusIndex:
        try:
            return self.repository.get(STATUS_INDEX_ID)
        except AggregateNotFoundError:
            return StatusIndex()

    def _get_achievement(self, achievement_id: UUID) -> Achievement:
        return self._get_of_type(achievement_id, Achievement, AchievementNotFoundError)

    def _get_credential(self, credential_id: UUID) -> Credential:
        return self._get_of_type(credential_id, Credential, CredentialNotFoundError)

    def _get_of_type(self, aggregate_id: UUID, kind: type, not_found: type[Exception]):
        try:
            aggregate = self.repository.get(aggregate_id)
        except AggregateNotFoundError:
            raise not_found(aggregate_id) from None
        if not isinstance(aggregate, kind):  # someone passed the id of something else
            raise not_found(aggregate_id)
        return aggregate

    def _check_rule(self, definition: AchievementDefinition) -> None:
        """The courses must be published, and the mentoring skill one people can log."""
        if definition.mentoring_skill is not None:
            self._known_skill(self._skill_vocabulary(), definition.mentoring_skill)
        for course_id in definition.courses:
            if not self._get_course(course_id).is_published():
                raise CourseNotPublishedError(course_id)

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
        self._check_has_role(by, "admin")

    def _check_has_role(self, by: UUID, *roles: str) -> None:
        try:
            actor = self._get_person(by)
        except PersonNotFoundError:
            raise NotAllowedError(by) from None
        if not set(roles) & set(actor.roles):
            raise NotAllowedError(by)

    def _quiz(self, course_id: UUID, version: int, module: str, slide: str):
        part = self.course_version(course_id, version).module(module)
        if part is None:
            raise CourseModuleNotFoundError(module)
        found = part.slide(slide)
        if found is None:
            raise SlideNotFoundError(slide)
        return found.quiz
