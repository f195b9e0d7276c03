"""The mentoring use cases of the Mafunzo application: skill profiles, mentorships, sessions,
skill swaps and the needs survey."""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING
from uuid import UUID, uuid4

from eventsourcing.application import AggregateNotFoundError

from domain.achievements import checked_reason
from domain.errors import (
    ConcurrentChangeError,
    MentorshipNotFoundError,
    NotAllowedError,
    PersonNotFoundError,
    SelfMentorshipError,
    SkillNotOfferedError,
    SkillProfileNotFoundError,
    SwapMismatchError,
    SwapNotFoundError,
    UnknownSkillError,
)
from domain.mentorships import (
    MentoringRecord,
    MentorLoad,
    Mentorship,
    Pairing,
    checked_message,
    mentor_load_id_for,
    mentoring_record_id_for,
    pairing_id_for,
)
from domain.needs import NeedsAnswer, NeedsResponse
from domain.skill_profiles import (
    SKILL_VOCABULARY_ID,
    MentoringDetails,
    SkillProfile,
    SkillVocabulary,
    skill_profile_id_for,
)
from domain.skills import Skill
from domain.swaps import Swap, check_reciprocal

if TYPE_CHECKING:
    from domain.application import Recorded

# A command tried again after a concurrent one took the place it wanted (a mentor's last
# free place, a new skill's name) reads afresh and is refused or succeeds for good.
_ATTEMPTS = 5


class MentoringCommands:
    """Mixed into Mafunzo, whose repository, clock, vault, `_save` and person look-ups it uses.

    Every command names who acts (`by`) and checks here that they may: the web layer checks
    too, but the domain is the last line.
    """

    # --- skill profiles ---------------------------------------------------------------

    def offer_skill(
        self, by: UUID, skill: str, level: str, category: str | None = None
    ) -> Recorded:
        """Offer to mentor a skill at a level: a curated one, or a new one in `category`."""
        return self._retrying(lambda: self._declare(by, skill, category, SkillProfile.offer, level))

    def need_skill(self, by: UUID, skill: str, level: str, category: str | None = None) -> Recorded:
        """Ask for a skill, to reach a level: a curated one, or a new one in `category`."""
        return self._retrying(lambda: self._declare(by, skill, category, SkillProfile.need, level))

    def withdraw_offer(self, by: UUID, skill: str) -> Recorded:
        return self._withdraw(by, skill, SkillProfile.withdraw_offer)

    def withdraw_need(self, by: UUID, skill: str) -> Recorded:
        return self._withdraw(by, skill, SkillProfile.withdraw_need)

    def change_mentoring_details(
        self,
        by: UUID,
        languages=(),
        region: str | None = None,
        hours_per_month: int | None = None,
        availability: str | None = None,
    ) -> Recorded:
        """Languages, region and availability, sealed under the person's key."""
        self._check_actor(by)
        details = MentoringDetails.of(languages, region, hours_per_month, availability)
        at = self.clock()
        profile = self._own_skill_profile(by, at)
        sealed = self.vault.seal(by, details.sealed_part())
        profile.change_details(sealed, details.hours_per_month, at)
        return self._save(profile.id, profile)

    def set_mentoring_capacity(self, by: UUID, capacity: int) -> Recorded:
        """How many active mentees the person takes at a time (0–20)."""
        self._check_actor(by)
        at = self.clock()
        profile = self._own_skill_profile(by, at)
        profile.set_capacity(capacity, at)
        return self._save(profile.id, profile)

    def hide_skill_profile(self, by: UUID) -> Recorded:
        """Leave the directory and swap suggestions; nobody can send new requests."""
        self._check_actor(by)
        profile = self._get_skill_profile(by)
        profile.hide(self.clock())
        return self._save(profile.id, profile)

    def show_skill_profile(self, by: UUID) -> Recorded:
        self._check_actor(by)
        profile = self._get_skill_profile(by)
        profile.show(self.clock())
        return self._save(profile.id, profile)

    def merge_skill(self, skill: str, into: str, by: UUID) -> Recorded:
        """An organiser counts an added skill as another one, from now on and in the past."""
        self._check_has_role(by, "organiser", "admin")

        def attempt() -> Recorded:
            vocabulary = self._skill_vocabulary()
            vocabulary.merge(skill, into, by, self.clock())
            return self._save(vocabulary.id, vocabulary)

        return self._retrying(attempt)

    def _declare(self, by: UUID, name: str, category, declare: Callable, level) -> Recorded:
        self._check_actor(by)
        vocabulary, at = self._skill_vocabulary(), self.clock()
        skill = vocabulary.add(name, category, by, at)
        profile = self._own_skill_profile(by, at)
        declare(profile, skill, level, at)
        # The vocabulary first: projections meet a new skill's category before its first use.
        return self._save(profile.id, vocabulary, profile)

    def _withdraw(self, by: UUID, name: str, withdraw: Callable) -> Recorded:
        self._check_actor(by)
        vocabulary = self._skill_vocabulary()
        profile = self._get_skill_profile(by)
        withdraw(profile, self._known_skill(vocabulary, name), vocabulary, self.clock())
        return self._save(profile.id, profile)

    # --- mentorships ------------------------------------------------------------------

    def request_mentorship(self, by: UUID, mentor_id: UUID, skill: str, message: str) -> Recorded:
        """A mentee asks a mentor, who offers the skill and has room, with a message."""
        self._check_actor(by)
        message = checked_message(message, required=True)
        if mentor_id == by:
            raise SelfMentorshipError(by)
        self._get_person(mentor_id)
        vocabulary = self._skill_vocabulary()
        wanted = self._known_skill(vocabulary, skill)
        mentor = self._profile_or(mentor_id, SkillNotOfferedError)
        mentor.check_offers(wanted, vocabulary)
        sealed = self.vault.seal(by, {"message": message})

        def attempt() -> Recorded:
            self._check_room(self._mentor_load(mentor_id), mentor.capacity)
            pairing = self._pairing(mentor_id, by, wanted.name)
            mentorship = Mentorship(mentor_id, by, wanted.name, sealed, None, self.clock())
            pairing.claim(mentorship.id)
            return self._save(mentorship.id, mentorship, pairing)

        return self._retrying(attempt)

    def accept_mentorship(self, mentorship_id: UUID, by: UUID) -> Recorded:
        """The mentor accepts, if they still have room: concurrent accepts cannot overfill."""
        self._check_actor(by)

        def attempt() -> Recorded:
            mentorship = self._get_mentorship(mentorship_id)
            mentorship.accept(by, self.clock())
            self._get_person(mentorship.mentee_id)
            load = self._mentor_load(by)
            self._take(load, mentorship, self._get_skill_profile(by).capacity)
            return self._save(mentorship_id, mentorship, load)

        return self._retrying(attempt)

    def decline_mentorship(self, mentorship_id: UUID, reason: str, by: UUID) -> Recorded:
        """The mentor declines a request, saying why."""
        self._check_actor(by)
        sealed = self.vault.seal(by, {"reason": checked_reason(reason)})

        def attempt() -> Recorded:
            mentorship = self._get_mentorship(mentorship_id)
            mentorship.decline(sealed, by, self.clock())
            return self._save(mentorship_id, mentorship, *self._freed(mentorship))

        return self._retrying(attempt)

    def end_mentorship(self, mentorship_id: UUID, reason: str, by: UUID) -> Recorded:
        """Either side ends it, saying why; the mentee may then ask another mentor."""
        self._check_actor(by)
        sealed = self.vault.seal(by, {"reason": checked_reason(reason)})

        def attempt() -> Recorded:
            mentorship = self._get_mentorship(mentorship_id)
            mentorship.end(sealed, by, self.clock())
            return self._save(mentorship_id, mentorship, *self._freed(mentorship))

        return self._retrying(attempt)

    # --- sessions ---------------------------------------------------------------------

    def log_session(
        self,
        mentorship_id: UUID,
        held_on: date,
        minutes: int,
        summary: str,
        by: UUID,
        *,
        private_note: str | None = None,
        skill: str | None = None,
    ) -> Recorded:
        """The mentor logs a session (by default in the mentorship's skill); the record's id
        is the new session's. The private note is sealed apart, for the mentor's eyes only."""
        self._check_actor(by)
        texts = self._session_texts(summary, private_note, by)
        mentorship = self._get_mentorship(mentorship_id)
        session_id = uuid4()
        mentorship.log_session(
            session_id,
            held_on,
            minutes,
            self._session_skill(mentorship, skill),
            *texts,
            by,
            self.clock(),
        )
        self._get_person(mentorship.mentee_id)
        # Not tried again: a retry would log the session twice under two ids.
        return self._save(session_id, mentorship)

    def correct_session(
        self,
        mentorship_id: UUID,
        session_id: UUID,
        held_on: date,
        minutes: int,
        summary: str,
        by: UUID,
        *,
        private_note: str | None = None,
        skill: str | None = None,
    ) -> Recorded:
        """The mentor states a session anew; it awaits the mentee's confirmation again."""
        self._check_actor(by)
        texts = self._session_texts(summary, private_note, by)
        mentorship = self._get_mentorship(mentorship_id)
        mentorship.correct_session(
            session_id,
            held_on,
            minutes,
            self._session_skill(mentorship, skill),
            *texts,
            by,
            self.clock(),
        )
        return self._save(session_id, mentorship)

    def confirm_session(self, mentorship_id: UUID, session_id: UUID, by: UUID) -> Recorded:
        """The mentee confirms a session; from then on its minutes count.

        The first confirmed session of a swap's side is noted on the swap, in the same save,
        which completes the swap once both sides have one: confirmations of both sides at the
        same moment conflict there, and the one tried again sees the other.
        """
        self._check_actor(by)

        def attempt() -> Recorded:
            mentorship, at = self._get_mentorship(mentorship_id), self.clock()
            first = not mentorship.has_confirmed_session
            mentorship.confirm_session(session_id, by, at)
            self._get_person(mentorship.mentor_id)
            confirmed = mentorship.sessions[session_id]
            record = self._mentoring_record(mentorship.mentor_id)
            record.add(confirmed.skill, confirmed.minutes)
            changed = [mentorship, record]
            if mentorship.swap_id is not None and first:
                swap = self._get_swap(mentorship.swap_id)
                swap.confirm_side(mentorship.id, at)
                changed.append(swap)
            return self._save(session_id, *changed)

        recorded = self._retrying(attempt)
        mentor_id = self._get_mentorship(mentorship_id).mentor_id
        return self._with_mentoring_credentials(recorded, mentor_id)

    def dispute_session(
        self, mentorship_id: UUID, session_id: UUID, reason: str, by: UUID
    ) -> Recorded:
        """The mentee says a session did not happen as logged, and why."""
        self._check_actor(by)
        sealed = self.vault.seal(by, {"reason": checked_reason(reason)})
        mentorship = self._get_mentorship(mentorship_id)
        mentorship.dispute_session(session_id, sealed, by, self.clock())
        return self._save(session_id, mentorship)

    def _session_texts(self, summary, private_note, by: UUID) -> tuple[str, str | None]:
        summary = checked_message(summary, required=True)
        note = checked_message(private_note, required=False)
        return (
            self.vault.seal(by, {"summary": summary}),
            None if note is None else self.vault.seal(by, {"note": note}),
        )

    def _session_skill(self, mentorship: Mentorship, skill: str | None) -> str:
        if skill is None:
            return mentorship.skill
        return self._known_skill(self._skill_vocabulary(), skill).name

    # --- skill swaps ------------------------------------------------------------------

    def propose_swap(
        self, by: UUID, partner_id: UUID, teaches: str, learns: str, message: str | None = None
    ) -> Recorded:
        """Propose "I teach you `teaches`, you teach me `learns`", as both profiles say."""
        self._check_actor(by)
        message = checked_message(message, required=False)
        if partner_id == by:
            raise SelfMentorshipError(by)
        self._get_person(partner_id)
        vocabulary = self._skill_vocabulary()
        teaches_skill = self._known_skill(vocabulary, teaches)
        learns_skill = self._known_skill(vocabulary, learns)
        proposer = self._profile_or(by, SwapMismatchError)
        partner = self._profile_or(partner_id, SkillNotOfferedError)
        check_reciprocal(proposer, partner, teaches_skill, learns_skill, vocabulary)
        for skill in (teaches_skill, learns_skill):
            self._pairing(by, partner_id, skill.name).check_is_free()
        self._check_room(self._mentor_load(by), proposer.capacity)
        self._check_room(self._mentor_load(partner_id), partner.capacity)
        sealed = None if message is None else self.vault.seal(by, {"message": message})
        swap = Swap(by, partner_id, teaches_skill.name, learns_skill.name, sealed, self.clock())
        return self._save(swap.id, swap)

    def accept_swap(self, swap_id: UUID, by: UUID) -> Recorded:
        """The partner accepts: both mentorships start, accepted, in one save with the swap."""
        self._check_actor(by)

        def attempt() -> Recorded:
            swap, at = self._get_swap(swap_id), self.clock()
            swap.check_is_partner(by)
            swap.check_is_pending()
            self._get_person(swap.proposer_id)
            sides = (
                Mentorship.arranged_by_swap(
                    swap.id, swap.proposer_id, by, swap.proposer_teaches, by, at
                ),
                Mentorship.arranged_by_swap(
                    swap.id, by, swap.proposer_id, swap.partner_teaches, by, at
                ),
            )
            swap.accept(by, sides[0].id, sides[1].id, at)
            changed = [swap, *sides]
            for mentorship in sides:
                pairing = self._pairing(
                    mentorship.mentor_id, mentorship.mentee_id, mentorship.skill
                )
                pairing.claim(mentorship.id)
                load = self._mentor_load(mentorship.mentor_id)
                capacity = self._get_skill_profile(mentorship.mentor_id).capacity
                self._take(load, mentorship, capacity)
                changed += [pairing, load]
            return self._save(swap_id, *changed)

        return self._retrying(attempt)

    def decline_swap(self, swap_id: UUID, reason: str, by: UUID) -> Recorded:
        self._check_actor(by)
        sealed = self.vault.seal(by, {"reason": checked_reason(reason)})
        swap = self._get_swap(swap_id)
        swap.decline(sealed, by, self.clock())
        return self._save(swap_id, swap)

    # --- needs survey -----------------------------------------------------------------

    def answer_needs_survey(
        self, wanted, offered, language: str | None = None, region: str | None = None
    ) -> Recorded:
        """Record an anonymous answer: it names nobody, whoever gives it."""
        answer = NeedsAnswer.of(wanted, offered, language, region, self._skill_vocabulary())
        response = NeedsResponse.answering(answer, self.clock())
        return self._save(response.id, response)

    # --- helpers ----------------------------------------------------------------------

    def _retrying(self, attempt: Callable[[], Recorded]) -> Recorded:
        for _ in range(_ATTEMPTS - 1):
            with contextlib.suppress(ConcurrentChangeError):
                return attempt()
        return attempt()

    def _check_actor(self, by: UUID) -> None:
        try:
            self._get_person(by)
        except PersonNotFoundError:
            raise NotAllowedError(by) from None

    def _mentoring_record(self, mentor_id: UUID) -> MentoringRecord:
        try:
            return self.repository.get(mentoring_record_id_for(mentor_id))
        except AggregateNotFoundError:
            return MentoringRecord(mentor_id)

    def confirmed_mentoring_minutes(self, mentor_id: UUID, skill: str) -> int:
        """Confirmed minutes in `skill`, counting names merged into it since they were logged."""
        vocabulary = self._skill_vocabulary()
        wanted = vocabulary.resolve(skill)
        if wanted is None:
            return 0
        return self._mentoring_record(mentor_id).minutes_in(
            lambda name: vocabulary.resolve(name) == wanted
        )

    def _skill_vocabulary(self) -> SkillVocabulary:
        try:
            return self.repository.get(SKILL_VOCABULARY_ID)
        except AggregateNotFoundError:
            return SkillVocabulary()

    def _known_skill(self, vocabulary: SkillVocabulary, name) -> Skill:
        skill = vocabulary.resolve(name)
        if skill is None:
            raise UnknownSkillError(name)
        return skill

    def _find_skill_profile(self, person_id: UUID) -> SkillProfile | None:
        try:
            return self.repository.get(skill_profile_id_for(person_id))
        except AggregateNotFoundError:
            return None

    def _profile_or(self, person_id: UUID, error: type[Exception]) -> SkillProfile:
        profile = self._find_skill_profile(person_id)
        if profile is None:
            raise error(person_id)
        return profile

    def _get_skill_profile(self, person_id: UUID) -> SkillProfile:
        return self._profile_or(person_id, SkillProfileNotFoundError)

    def _own_skill_profile(self, person_id: UUID, at) -> SkillProfile:
        return self._find_skill_profile(person_id) or SkillProfile(
            person_id, self._sealed_name(person_id), at
        )

    def _sealed_name(self, person_id: UUID) -> str:
        person = self._get_person(person_id)
        profile = self.vault.unseal_all({person_id: person.sealed_profile})[person_id]
        return self.vault.seal(person_id, {"display_name": profile["display_name"]})

    def _get_mentorship(self, mentorship_id: UUID) -> Mentorship:
        return self._get_of_type(mentorship_id, Mentorship, MentorshipNotFoundError)

    def _get_swap(self, swap_id: UUID) -> Swap:
        return self._get_of_type(swap_id, Swap, SwapNotFoundError)

    def _pairing(self, person_id: UUID, other_id: UUID, skill: str) -> Pairing:
        pairing_id = pairing_id_for(person_id, other_id, skill)
        try:
            return self.repository.get(pairing_id)
        except AggregateNotFoundError:
            return Pairing(id=pairing_id)

    def _mentor_load(self, mentor_id: UUID) -> MentorLoad:
        try:
            return self.repository.get(mentor_load_id_for(mentor_id))
        except AggregateNotFoundError:
            return MentorLoad(mentor_id)

    def _gone(self, person_ids) -> set[UUID]:
        """Those of these people who were forgotten."""
        return {person_id for person_id in person_ids if not self._is_here(person_id)}

    def _is_here(self, person_id: UUID) -> bool:
        try:
            self._get_person(person_id)
        except PersonNotFoundError:
            return False
        return True

    def _check_room(self, load: MentorLoad, capacity: int) -> None:
        load.check_room(capacity, self._gone(load.mentees()))

    def _take(self, load: MentorLoad, mentorship: Mentorship, capacity: int) -> None:
        load.take(mentorship.id, mentorship.mentee_id, capacity, self._gone(load.mentees()))

    def _freed(self, mentorship: Mentorship) -> list:
        """The pairing and the mentor's load, letting go of this closed mentorship."""
        pairing = self._pairing(mentorship.mentor_id, mentorship.mentee_id, mentorship.skill)
        pairing.release(mentorship.id)
        try:
            load = self.repository.get(mentor_load_id_for(mentorship.mentor_id))
        except AggregateNotFoundError:  # the mentor never accepted anyone
            return [pairing]
        load.release(mentorship.id)
        return [pairing, load]
