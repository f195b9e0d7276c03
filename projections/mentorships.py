"""Mentorships read model: mentorships, their sessions, confirmed hours and skill swaps.
Part of the mentoring projection; the pages' queries are in projections/mentoring_views.py."""

from __future__ import annotations

from datetime import date
from uuid import UUID

from sqlalchemy import (
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    String,
    Table,
    Text,
    Uuid,
    func,
    or_,
    select,
)

from domain.mentorships import Mentorship
from domain.swaps import Swap
from projections.skill_profiles import ProfileRows, mentor_profiles
from projections.skill_vocabulary import KnownSkills
from projections.tables import load_rows, metadata, replace_rows

mentorships = Table(
    "mentorships",
    metadata,
    Column("mentorship_id", Uuid, primary_key=True),
    Column("mentor_id", Uuid, nullable=False),
    Column("mentee_id", Uuid, nullable=False),
    Column("skill", Text, nullable=False),
    Column("status", String(10), nullable=False),
    Column("swap_id", Uuid, nullable=True),
    Column("message", Text, nullable=True),
    Column("requested_at", DateTime(timezone=True), nullable=False),
    Column("accepted_at", DateTime(timezone=True), nullable=True),
    Column("closed_at", DateTime(timezone=True), nullable=True),
    Column("closed_by", Uuid, nullable=True),
    Column("close_reason", Text, nullable=True),
    Index("ix_mentorships_mentor", "mentor_id", "status"),
    Index("ix_mentorships_mentee", "mentee_id", "status"),
)

# Summaries and dispute reasons are for both sides; the mentor's private notes are not
# here, nor anywhere but projections/private_notes.py.
mentoring_sessions = Table(
    "mentoring_sessions",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("mentorship_id", Uuid, nullable=False, index=True),
    Column("mentor_id", Uuid, nullable=False),
    Column("mentee_id", Uuid, nullable=False),
    Column("skill", Text, nullable=False),
    Column("held_on", Date, nullable=False),
    Column("minutes", Integer, nullable=False),
    Column("summary", Text, nullable=True),
    Column("state", String(10), nullable=False),
    Column("dispute_reason", Text, nullable=True),
    Column("corrections", Integer, nullable=False),
    Column("logged_at", DateTime(timezone=True), nullable=False),
    Column("changed_at", DateTime(timezone=True), nullable=False),
    Index("ix_mentoring_sessions_mentor", "mentor_id", "state"),
    Index("ix_mentoring_sessions_mentee", "mentee_id", "state"),
)

# Confirmed minutes per mentor and skill: they stay when a mentee is forgotten, because
# they are the mentor's record, and name nobody else.
mentoring_hours = Table(
    "mentoring_hours",
    metadata,
    Column("mentor_id", Uuid, primary_key=True),
    Column("skill", Text, primary_key=True),
    Column("minutes", Integer, nullable=False),
    Column("sessions", Integer, nullable=False),
)

skill_swaps = Table(
    "skill_swaps",
    metadata,
    Column("swap_id", Uuid, primary_key=True),
    Column("proposer_id", Uuid, nullable=False, index=True),
    Column("partner_id", Uuid, nullable=False, index=True),
    Column("proposer_teaches", Text, nullable=False),
    Column("partner_teaches", Text, nullable=False),
    Column("message", Text, nullable=True),
    Column("status", String(10), nullable=False),
    Column("decline_reason", Text, nullable=True),
    Column("proposed_at", DateTime(timezone=True), nullable=False),
    Column("decided_at", DateTime(timezone=True), nullable=True),
    Column("completed_at", DateTime(timezone=True), nullable=True),
    Column("proposer_mentorship_id", Uuid, nullable=True),
    Column("partner_mentorship_id", Uuid, nullable=True),
)

MENTORSHIP_TABLES = (mentorships, mentoring_sessions, mentoring_hours, skill_swaps)

_SESSION_EVENTS = (
    Mentorship.SessionLogged,
    Mentorship.SessionCorrected,
    Mentorship.SessionConfirmed,
    Mentorship.SessionDisputed,
)
MENTORSHIP_EVENTS = (
    Mentorship.Requested,
    Mentorship.Accepted,
    Mentorship.Declined,
    Mentorship.Ended,
    *_SESSION_EVENTS,
)
SWAP_EVENTS = (Swap.Proposed, Swap.Accepted, Swap.Declined, Swap.Completed)


def sealed_text(e) -> tuple[UUID, str] | None:
    """Whose key sealed the event's text, and the text; None for an event without one."""
    if isinstance(e, Mentorship.Requested):
        return (e.mentee_id, e.sealed_message) if e.sealed_message else None
    if isinstance(e, Swap.Proposed):
        return (e.proposer_id, e.sealed_message) if e.sealed_message else None
    if isinstance(e, Mentorship.SessionLogged | Mentorship.SessionCorrected):
        return e.by, e.sealed_summary
    if isinstance(e, Mentorship.Declined | Mentorship.Ended | Mentorship.SessionDisputed):
        return e.by, e.sealed_reason
    if isinstance(e, Swap.Declined):
        return e.by, e.sealed_reason
    return None


class MentorshipRows:
    """The mentorships, sessions, swaps and hours a run of events concerns, changed in memory
    and written once; the mentors' load and minutes go to their profile rows."""

    def __init__(self, conn, events):
        ours = [e for e in events if isinstance(e, MENTORSHIP_EVENTS)]
        self.mentorships = load_rows(
            conn, mentorships, "mentorship_id", {e.originator_id for e in ours}
        )
        sessions = {e.session_id for e in ours if isinstance(e, _SESSION_EVENTS)}
        self.sessions = load_rows(conn, mentoring_sessions, "session_id", sessions)
        swaps = {e.originator_id for e in events if isinstance(e, SWAP_EVENTS)}
        self.swaps = load_rows(conn, skill_swaps, "swap_id", swaps)
        confirmed = {e.mentor_id for e in ours if isinstance(e, Mentorship.SessionConfirmed)}
        self.hours = _hours_rows(conn, confirmed)

    def mentor_ids(self, events) -> set[UUID]:
        """Whose profile rows the run changes through their mentoring."""
        requested = {e.mentor_id for e in events if isinstance(e, Mentorship.Requested)}
        return requested | {row["mentor_id"] for row in self.mentorships.values()}

    def apply(self, e, opened: dict | None, skills: KnownSkills, profiles: ProfileRows) -> None:
        """`opened` is the event's unsealed text, None once its author's key is destroyed."""
        text = next(iter(opened.values())) if opened else None  # each seals one text
        if isinstance(e, SWAP_EVENTS):
            self._apply_swap(e, text, skills)
        elif isinstance(e, Mentorship.Requested):
            self.mentorships[e.originator_id] = _requested(e, text, skills)
        elif e.originator_id in self.mentorships:  # absent once someone in it was forgotten
            row = self.mentorships[e.originator_id]
            if isinstance(e, _SESSION_EVENTS):
                self._apply_session(e, row, text, skills, profiles)
            else:
                _change_status(row, e, text, profiles)

    def _apply_session(self, e, mentorship: dict, text, skills: KnownSkills, profiles) -> None:
        if isinstance(e, Mentorship.SessionLogged):
            self.sessions[e.session_id] = _logged(e, mentorship, text, skills)
            return
        row = self.sessions[e.session_id]
        row["changed_at"] = e.at
        if isinstance(e, Mentorship.SessionCorrected):
            row.update(
                held_on=date.fromisoformat(e.held_on),
                minutes=e.minutes,
                skill=skills.resolve(e.skill)[0],
                summary=text,
                state="awaiting",
                dispute_reason=None,
                corrections=row["corrections"] + 1,
            )
        elif isinstance(e, Mentorship.SessionDisputed):
            row.update(state="disputed", dispute_reason=text)
        else:
            row["state"] = "confirmed"
            self._add_hours(e.mentor_id, skills.resolve(e.skill)[0], e.minutes)
            profiles.adjust(e.mentor_id, minutes=e.minutes)

    def _add_hours(self, mentor_id: UUID, skill: str, minutes: int) -> None:
        row = self.hours.setdefault(
            (mentor_id, skill),
            {"mentor_id": mentor_id, "skill": skill, "minutes": 0, "sessions": 0},
        )
        row["minutes"] += minutes
        row["sessions"] += 1

    def _apply_swap(self, e, text: str | None, skills: KnownSkills) -> None:
        if isinstance(e, Swap.Proposed):
            self.swaps[e.originator_id] = _proposed(e, text, skills)
            return
        row = self.swaps.get(e.originator_id)
        if row is None:  # someone in it was forgotten
            return
        if isinstance(e, Swap.Accepted):
            row.update(
                status="accepted",
                decided_at=e.at,
                proposer_mentorship_id=e.proposer_mentors,
                partner_mentorship_id=e.partner_mentors,
            )
        elif isinstance(e, Swap.Declined):
            row.update(status="declined", decided_at=e.at, decline_reason=text)
        else:
            row.update(status="completed", completed_at=e.at)

    def write(self, conn) -> None:
        replace_rows(conn, mentorships, "mentorship_id", list(self.mentorships.values()))
        replace_rows(conn, mentoring_sessions, "session_id", list(self.sessions.values()))
        replace_rows(conn, skill_swaps, "swap_id", list(self.swaps.values()))
        if self.hours:
            mentors = list({mentor for mentor, _ in self.hours})
            conn.execute(mentoring_hours.delete().where(mentoring_hours.c.mentor_id.in_(mentors)))
            conn.execute(mentoring_hours.insert(), list(self.hours.values()))


def _hours_rows(conn, mentors: set[UUID]) -> dict[tuple[UUID, str], dict]:
    if not mentors:
        return {}
    found = conn.execute(select(mentoring_hours).where(mentoring_hours.c.mentor_id.in_(mentors)))
    return {(row["mentor_id"], row["skill"]): dict(row) for row in found.mappings()}


def _requested(e, message: str | None, skills: KnownSkills) -> dict:
    return {
        "mentorship_id": e.originator_id,
        "mentor_id": e.mentor_id,
        "mentee_id": e.mentee_id,
        "skill": skills.resolve(e.skill)[0],
        "status": "requested",
        "swap_id": e.swap_id,
        "message": message,
        "requested_at": e.at,
        "accepted_at": None,
        "closed_at": None,
        "closed_by": None,
        "close_reason": None,
    }


def _change_status(row: dict, e, reason: str | None, profiles: ProfileRows) -> None:
    if isinstance(e, Mentorship.Accepted):
        row.update(status="accepted", accepted_at=e.at)
        profiles.adjust(row["mentor_id"], mentees=1)
        return
    if row["status"] == "accepted":
        profiles.adjust(row["mentor_id"], mentees=-1)
    status = "declined" if isinstance(e, Mentorship.Declined) else "ended"
    row.update(status=status, closed_at=e.at, closed_by=e.by, close_reason=reason)


def _logged(e, mentorship: dict, summary: str | None, skills: KnownSkills) -> dict:
    return {
        "session_id": e.session_id,
        "mentorship_id": e.originator_id,
        "mentor_id": mentorship["mentor_id"],
        "mentee_id": mentorship["mentee_id"],
        "skill": skills.resolve(e.skill)[0],
        "held_on": date.fromisoformat(e.held_on),
        "minutes": e.minutes,
        "summary": summary,
        "state": "awaiting",
        "dispute_reason": None,
        "corrections": 0,
        "logged_at": e.at,
        "changed_at": e.at,
    }


def _proposed(e, message: str | None, skills: KnownSkills) -> dict:
    return {
        "swap_id": e.originator_id,
        "proposer_id": e.proposer_id,
        "partner_id": e.partner_id,
        "proposer_teaches": skills.resolve(e.proposer_teaches)[0],
        "partner_teaches": skills.resolve(e.partner_teaches)[0],
        "message": message,
        "status": "proposed",
        "decline_reason": None,
        "proposed_at": e.at,
        "decided_at": None,
        "completed_at": None,
        "proposer_mentorship_id": None,
        "partner_mentorship_id": None,
    }


def forget_mentoring(conn, person_id: UUID) -> None:
    """Drop every mentorship, session and swap the person was in, and their own hours.

    Mentors keep the hours their sessions with the person earned (no row names the person),
    and a forgotten mentee no longer takes one of their mentor's places.
    """
    involved = or_(mentorships.c.mentor_id == person_id, mentorships.c.mentee_id == person_id)
    freed = conn.execute(
        select(mentorships.c.mentor_id, func.count())
        .where(mentorships.c.mentee_id == person_id, mentorships.c.status == "accepted")
        .group_by(mentorships.c.mentor_id)
    ).all()
    for mentor_id, count in freed:
        active = mentor_profiles.c.active_mentees - count
        conn.execute(
            mentor_profiles.update()
            .where(mentor_profiles.c.person_id == mentor_id)
            .values(active_mentees=active, full=active >= mentor_profiles.c.capacity)
        )
    ids = select(mentorships.c.mentorship_id).where(involved).scalar_subquery()
    conn.execute(mentoring_sessions.delete().where(mentoring_sessions.c.mentorship_id.in_(ids)))
    conn.execute(mentorships.delete().where(involved))
    conn.execute(mentoring_hours.delete().where(mentoring_hours.c.mentor_id == person_id))
    conn.execute(
        skill_swaps.delete().where(
            or_(skill_swaps.c.proposer_id == person_id, skill_swaps.c.partner_id == person_id)
        )
    )
