"""Mentorships: a mentor and a mentee around a skill, and the sessions the mentor logs in them."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidMessageError,
    InvalidSessionError,
    MentorFullError,
    MentorshipAlreadyActiveError,
    MentorshipClosedError,
    MentorshipNotAcceptedError,
    MentorshipNotPendingError,
    NotAllowedError,
    SessionConfirmedError,
    SessionNotAwaitingError,
    SessionNotFoundError,
)
from domain.skill_profiles import cleaned, skill_key

PAIRING_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/mentorship-pairing")
MENTOR_LOAD_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/mentor-load")
MENTORING_RECORD_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/mentoring-record")
MINUTES_MIN, MINUTES_MAX = 1, 600
MESSAGE_MAX = 2000
OPEN = ("requested", "accepted")


def checked_message(text, *, required: bool) -> str | None:
    """A message, summary or note as kept; None for an optional one left empty."""
    found = None if text is None else cleaned(text, MESSAGE_MAX, multiline=True)
    if (text is not None and found is None) or (required and not found):
        raise InvalidMessageError()
    return found or None


def pairing_id_for(person_id: UUID, other_id: UUID, skill: str) -> UUID:
    """The same for both ways round: A mentoring B and B mentoring A share it."""
    first, second = sorted((str(person_id), str(other_id)))
    return uuid5(PAIRING_NAMESPACE, f"{first}/{second}/{skill_key(skill)}")


def mentoring_record_id_for(mentor_id: UUID) -> UUID:
    return uuid5(MENTORING_RECORD_NAMESPACE, str(mentor_id))


def mentor_load_id_for(mentor_id: UUID) -> UUID:
    return uuid5(MENTOR_LOAD_NAMESPACE, str(mentor_id))


@dataclass(frozen=True)
class Session:
    """What decisions about a logged session need; its texts are for people, in projections."""

    state: str  # "awaiting" (confirmation), "confirmed" or "disputed"
    minutes: int
    skill: str


class Mentorship(Aggregate):
    """A mentor and a mentee around a skill: requested, accepted or declined, then ended.

    Sessions live inside it: the mentor logs and corrects them, the mentee confirms or
    disputes them, and only confirmed ones count. Texts arrive sealed under their author's key.
    """

    TOPIC = "mafunzo.Mentorship"

    class Created(Aggregate.Created):  # base of Requested; the library wants every topic named
        TOPIC = "mafunzo.Mentorship.Created"

    @event("Requested", topic="mafunzo.Mentorship.Requested")
    def __init__(
        self,
        mentor_id: UUID,
        mentee_id: UUID,
        skill: str,
        sealed_message: str | None,
        swap_id: UUID | None,
        at: datetime,
    ):
        self.mentor_id = mentor_id
        self.mentee_id = mentee_id
        self.skill = skill
        self.swap_id = swap_id
        self.requested_on = at.date()
        self.status = "requested"
        self.sessions: dict[UUID, Session] = {}

    @classmethod
    def arranged_by_swap(
        cls, swap_id: UUID, mentor_id: UUID, mentee_id: UUID, skill: str, by: UUID, at: datetime
    ) -> Mentorship:
        """Requested and accepted at once: both people agreed in the swap."""
        mentorship = cls(mentor_id, mentee_id, skill, None, swap_id, at)
        mentorship._accept(by, at)
        return mentorship

    # --- commands ---------------------------------------------------------------------

    def accept(self, by: UUID, at: datetime) -> None:
        self.check_is_mentor(by)
        self.check_is_pending()
        self._accept(by, at)

    def decline(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        self.check_is_mentor(by)
        self.check_is_pending()
        self._decline(sealed_reason, by, at)

    def end(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        """Either side ends it; a mentee ending a request withdraws it."""
        self.check_is_party(by)
        self.check_is_open()
        self._end(sealed_reason, by, at)

    def log_session(
        self,
        session_id: UUID,
        held_on: date,
        minutes: int,
        skill: str,
        sealed_summary: str,
        sealed_note: str | None,
        by: UUID,
        at: datetime,
    ) -> None:
        self.check_is_mentor(by)
        self.check_is_accepted()
        held_on = self.checked_session(held_on, minutes, at)
        self._log_session(
            session_id, self.mentee_id, held_on, minutes, skill, sealed_summary, sealed_note, by, at
        )

    def correct_session(
        self,
        session_id: UUID,
        held_on: date,
        minutes: int,
        skill: str,
        sealed_summary: str,
        sealed_note: str | None,
        by: UUID,
        at: datetime,
    ) -> None:
        """Replace what a session says, as a new fact; the mentee confirms it afresh."""
        self.check_is_mentor(by)
        self.check_is_accepted()
        if self.session(session_id).state == "confirmed":
            raise SessionConfirmedError(session_id)
        held_on = self.checked_session(held_on, minutes, at)
        self._correct_session(
            session_id, held_on, minutes, skill, sealed_summary, sealed_note, by, at
        )

    def confirm_session(self, session_id: UUID, by: UUID, at: datetime) -> None:
        self.check_is_mentee(by)
        self.check_is_accepted()
        session = self.check_is_awaiting(session_id)
        self._confirm_session(session_id, self.mentor_id, session.skill, session.minutes, by, at)

    def dispute_session(self, session_id: UUID, sealed_reason: str, by: UUID, at: datetime):
        self.check_is_mentee(by)
        self.check_is_accepted()
        self.check_is_awaiting(session_id)
        self._dispute_session(session_id, sealed_reason, by, at)

    # --- questions and guards ---------------------------------------------------------

    @property
    def has_confirmed_session(self) -> bool:
        return any(s.state == "confirmed" for s in self.sessions.values())

    def session(self, session_id: UUID) -> Session:
        if session_id not in self.sessions:
            raise SessionNotFoundError(session_id)
        return self.sessions[session_id]

    def check_is_mentor(self, by: UUID) -> None:
        if by != self.mentor_id:
            raise NotAllowedError(by)

    def check_is_mentee(self, by: UUID) -> None:
        if by != self.mentee_id:
            raise NotAllowedError(by)

    def check_is_party(self, by: UUID) -> None:
        if by not in (self.mentor_id, self.mentee_id):
            raise NotAllowedError(by)

    def check_is_open(self) -> None:
        if self.status not in OPEN:
            raise MentorshipClosedError(self.id)

    def check_is_pending(self) -> None:
        self.check_is_open()
        if self.status != "requested":
            raise MentorshipNotPendingError(self.id)

    def check_is_accepted(self) -> None:
        self.check_is_open()
        if self.status != "accepted":
            raise MentorshipNotAcceptedError(self.id)

    def check_is_awaiting(self, session_id: UUID) -> Session:
        session = self.session(session_id)
        if session.state != "awaiting":
            raise SessionNotAwaitingError(session_id)
        return session

    def checked_session(self, held_on, minutes, at: datetime) -> str:
        """The session's date as ISO text, after checking date and length."""
        if isinstance(held_on, datetime):
            held_on = held_on.date()
        if (
            not isinstance(held_on, date)
            or not self.requested_on <= held_on <= at.date()
            or type(minutes) is not int
            or not MINUTES_MIN <= minutes <= MINUTES_MAX
        ):
            raise InvalidSessionError()
        return held_on.isoformat()

    # --- events -----------------------------------------------------------------------

    @event("Accepted", topic="mafunzo.Mentorship.Accepted")
    def _accept(self, by: UUID, at: datetime) -> None:
        self.status = "accepted"

    @event("Declined", topic="mafunzo.Mentorship.Declined")
    def _decline(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        self.status = "declined"

    @event("Ended", topic="mafunzo.Mentorship.Ended")
    def _end(self, sealed_reason: str, by: UUID, at: datetime) -> None:
        self.status = "ended"

    @event("SessionLogged", topic="mafunzo.Mentorship.SessionLogged")
    def _log_session(
        self,
        session_id: UUID,
        mentee_id: UUID,
        held_on: str,
        minutes: int,
        skill: str,
        sealed_summary: str,
        sealed_note: str | None,
        by: UUID,
        at: datetime,
    ) -> None:
        self.sessions[session_id] = Session("awaiting", minutes, skill)

    @event("SessionCorrected", topic="mafunzo.Mentorship.SessionCorrected")
    def _correct_session(
        self,
        session_id: UUID,
        held_on: str,
        minutes: int,
        skill: str,
        sealed_summary: str,
        sealed_note: str | None,
        by: UUID,
        at: datetime,
    ) -> None:
        self.sessions[session_id] = Session("awaiting", minutes, skill)

    @event("SessionConfirmed", topic="mafunzo.Mentorship.SessionConfirmed")
    def _confirm_session(
        self, session_id: UUID, mentor_id: UUID, skill: str, minutes: int, by: UUID, at: datetime
    ) -> None:
        self.sessions[session_id] = replace(self.sessions[session_id], state="confirmed")

    @event("SessionDisputed", topic="mafunzo.Mentorship.SessionDisputed")
    def _dispute_session(self, session_id: UUID, sealed_reason: str, by: UUID, at: datetime):
        self.sessions[session_id] = replace(self.sessions[session_id], state="disputed")


class Pairing(Aggregate):
    """The one open mentorship two people have for a skill, whichever of them mentors.

    Its id is derived from the pair and the skill, and it is saved with the mentorship it
    names, so a second open mentorship cannot be saved, even at the same moment.
    """

    TOPIC = "mafunzo.Pairing"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.Pairing.Created"

    @event("Started", topic="mafunzo.Pairing.Started")
    def __init__(self, id: UUID):
        self.mentorship_id: UUID | None = None

    def check_is_free(self) -> None:
        if self.mentorship_id is not None:
            raise MentorshipAlreadyActiveError(self.mentorship_id)

    def claim(self, mentorship_id: UUID) -> None:
        self.check_is_free()
        self._claim(mentorship_id)

    def release(self, mentorship_id: UUID) -> None:
        if self.mentorship_id == mentorship_id:
            self._release(mentorship_id)

    @event("Claimed", topic="mafunzo.Pairing.Claimed")
    def _claim(self, mentorship_id: UUID) -> None:
        self.mentorship_id = mentorship_id

    @event("Released", topic="mafunzo.Pairing.Released")
    def _release(self, mentorship_id: UUID) -> None:
        self.mentorship_id = None


class MentorLoad(Aggregate):
    """A mentor's active mentees, saved with every accept and end.

    Two accepts at the same moment both change it, so the second save conflicts, and when
    tried again it sees the first mentee taken.
    """

    TOPIC = "mafunzo.MentorLoad"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.MentorLoad.Created"

    @staticmethod
    def create_id(mentor_id: UUID) -> UUID:
        return mentor_load_id_for(mentor_id)

    @event("Started", topic="mafunzo.MentorLoad.Started")
    def __init__(self, mentor_id: UUID):
        self.mentor_id = mentor_id
        self.active: dict[UUID, UUID] = {}  # mentorship → mentee

    def mentees(self) -> set[UUID]:
        return set(self.active.values())

    def check_room(self, capacity: int, gone: set[UUID]) -> None:
        """Mentees who were forgotten since no longer take a place: nobody can end for them."""
        if sum(1 for m in self.active.values() if m not in gone) >= capacity:
            raise MentorFullError(self.mentor_id)

    def take(self, mentorship_id: UUID, mentee_id: UUID, capacity: int, gone: set[UUID]):
        self.check_room(capacity, gone)
        self._take(mentorship_id, mentee_id)

    def release(self, mentorship_id: UUID) -> None:
        if mentorship_id in self.active:
            self._release(mentorship_id)

    @event("MenteeTaken", topic="mafunzo.MentorLoad.MenteeTaken")
    def _take(self, mentorship_id: UUID, mentee_id: UUID) -> None:
        self.active[mentorship_id] = mentee_id

    @event("MenteeReleased", topic="mafunzo.MentorLoad.MenteeReleased")
    def _release(self, mentorship_id: UUID) -> None:
        del self.active[mentorship_id]


class MentoringRecord(Aggregate):
    """A mentor's confirmed minutes per skill, saved with each confirmation.

    What mentoring badges count: kept in the log beside the confirmations, so the issuing
    policy decides from the same facts however far the read models have got.
    """

    TOPIC = "mafunzo.MentoringRecord"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.MentoringRecord.Created"

    @staticmethod
    def create_id(mentor_id: UUID) -> UUID:
        return mentoring_record_id_for(mentor_id)

    @event("Started", topic="mafunzo.MentoringRecord.Started")
    def __init__(self, mentor_id: UUID):
        self.mentor_id = mentor_id
        self.minutes: dict[str, int] = {}  # skill as recorded → confirmed minutes

    def add(self, skill: str, minutes: int) -> None:
        self._add(skill, minutes)

    def minutes_in(self, same_skill) -> int:
        """Minutes in every recorded skill name `same_skill(name)` says means the skill."""
        return sum(m for name, m in self.minutes.items() if same_skill(name))

    @event("MinutesConfirmed", topic="mafunzo.MentoringRecord.MinutesConfirmed")
    def _add(self, skill: str, minutes: int) -> None:
        self.minutes[skill] = self.minutes.get(skill, 0) + minutes
