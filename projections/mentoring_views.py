"""Queries over the mentorships read model: the mentor's dashboard, the mentee's view, one
mentorship, swaps, and the confirmed hours that recognition policies count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID

from sqlalchemy import func, or_, select

from projections.mentorships import mentoring_hours, mentoring_sessions, mentorships, skill_swaps
from projections.people import people
from projections.skill_vocabulary import counted_as

NO_CONTACT_DAYS = 30
CLOSED_SHOWN = 20


@dataclass(frozen=True)
class SkillHours:
    skill: str
    minutes: int
    sessions: int


@dataclass(frozen=True)
class MentorshipSummary:
    """A mentorship seen by one side: `other_*` is the person on the other side."""

    mentorship_id: UUID
    mentor_id: UUID
    mentee_id: UUID
    other_id: UUID
    other_name: str
    skill: str
    status: str
    swap_id: UUID | None
    message: str | None
    requested_at: datetime
    accepted_at: datetime | None
    closed_at: datetime | None
    closed_by: UUID | None
    close_reason: str | None


@dataclass(frozen=True)
class ActiveMentee:
    mentorship: MentorshipSummary
    last_contact: date
    no_contact_30_days: bool


@dataclass(frozen=True)
class SessionView:
    """A session as both sides see it: never the mentor's private note."""

    session_id: UUID
    mentorship_id: UUID
    mentor_id: UUID
    mentee_id: UUID
    skill: str
    held_on: date
    minutes: int
    summary: str | None
    state: str
    dispute_reason: str | None
    corrections: int
    logged_at: datetime


@dataclass(frozen=True)
class MentorDashboard:
    mentees: tuple[ActiveMentee, ...]
    requests: tuple[MentorshipSummary, ...]
    awaiting: tuple[SessionView, ...]  # logged, waiting for the mentee
    disputed: tuple[SessionView, ...]  # waiting for the mentor's correction
    hours: tuple[SkillHours, ...]


@dataclass(frozen=True)
class MenteeView:
    mentors: tuple[MentorshipSummary, ...]  # accepted
    requests: tuple[MentorshipSummary, ...]  # waiting for the mentor
    closed: tuple[MentorshipSummary, ...]  # declined or ended, most recent first
    sessions: tuple[SessionView, ...]  # most recent first
    to_confirm: tuple[SessionView, ...]  # waiting for me


@dataclass(frozen=True)
class MentorshipView:
    mentorship: MentorshipSummary
    mentor_name: str
    mentee_name: str
    sessions: tuple[SessionView, ...]


@dataclass(frozen=True)
class SwapView:
    swap_id: UUID
    proposer_id: UUID
    partner_id: UUID
    other_name: str
    proposer_teaches: str
    partner_teaches: str
    message: str | None
    status: str
    decline_reason: str | None
    proposed_at: datetime
    proposer_mentorship_id: UUID | None
    partner_mentorship_id: UUID | None

    def awaits(self, person_id: UUID) -> bool:
        """Whether the person is the one to accept or decline it."""
        return self.status == "proposed" and person_id == self.partner_id


# --- mentorships ----------------------------------------------------------------------------


def _mentorships(conn, side, person_id: UUID, *conditions) -> list[MentorshipSummary]:
    """The person's mentorships on one side (mentor_id or mentee_id), newest first."""
    other = mentorships.c.mentee_id if side is mentorships.c.mentor_id else mentorships.c.mentor_id
    rows = conn.execute(
        select(mentorships, other.label("other_id"), people.c.display_name.label("other_name"))
        .join(people, people.c.person_id == other)
        .where(side == person_id, *conditions)
        .order_by(mentorships.c.requested_at.desc(), mentorships.c.mentorship_id)
    ).mappings()
    return [_summary(row) for row in rows]


def _summary(row) -> MentorshipSummary:
    return MentorshipSummary(**{f: row[f] for f in MentorshipSummary.__dataclass_fields__})


def _sessions(conn, *conditions) -> list[SessionView]:
    rows = conn.execute(
        select(mentoring_sessions)
        .where(*conditions)
        .order_by(mentoring_sessions.c.held_on.desc(), mentoring_sessions.c.logged_at.desc())
    ).mappings()
    return [SessionView(**{f: row[f] for f in SessionView.__dataclass_fields__}) for row in rows]


def _last_contacts(conn, mentorship_ids: list[UUID]) -> dict[UUID, date]:
    found = conn.execute(
        select(mentoring_sessions.c.mentorship_id, func.max(mentoring_sessions.c.held_on))
        .where(mentoring_sessions.c.mentorship_id.in_(mentorship_ids))
        .group_by(mentoring_sessions.c.mentorship_id)
    )
    return dict(found.all())


def _active_mentee(summary: MentorshipSummary, last_session: date | None, today: date):
    # Contact is the acceptance or the latest session logged, whichever is later.
    last = max(summary.accepted_at.date(), last_session or date.min)
    return ActiveMentee(summary, last, today - last > timedelta(days=NO_CONTACT_DAYS))


def mentor_dashboard(conn, mentor_id: UUID, now: datetime) -> MentorDashboard:
    """Active mentees (flagging no contact in 30 days before `now`), pending requests,
    sessions awaiting the mentee or disputed, and confirmed hours per skill."""
    mine = mentorships.c.mentor_id
    accepted = _mentorships(conn, mine, mentor_id, mentorships.c.status == "accepted")
    contacts = _last_contacts(conn, [m.mentorship_id for m in accepted])
    mentees = sorted(
        (_active_mentee(m, contacts.get(m.mentorship_id), now.date()) for m in accepted),
        key=lambda a: (a.last_contact, a.mentorship.other_name.casefold()),
    )
    of_mine = mentoring_sessions.c.mentor_id == mentor_id
    return MentorDashboard(
        tuple(mentees),
        tuple(_mentorships(conn, mine, mentor_id, mentorships.c.status == "requested")),
        tuple(_sessions(conn, of_mine, mentoring_sessions.c.state == "awaiting")),
        tuple(_sessions(conn, of_mine, mentoring_sessions.c.state == "disputed")),
        tuple(hours_by_skill(conn, mentor_id)),
    )


def mentee_view(conn, mentee_id: UUID) -> MenteeView:
    """My mentors, my requests, my closed mentorships, my sessions and what waits for me."""
    side, status = mentorships.c.mentee_id, mentorships.c.status
    of_mine = mentoring_sessions.c.mentee_id == mentee_id
    return MenteeView(
        tuple(_mentorships(conn, side, mentee_id, status == "accepted")),
        tuple(_mentorships(conn, side, mentee_id, status == "requested")),
        tuple(_mentorships(conn, side, mentee_id, status.in_(("declined", "ended"))))[
            :CLOSED_SHOWN
        ],
        tuple(_sessions(conn, of_mine)),
        tuple(_sessions(conn, of_mine, mentoring_sessions.c.state == "awaiting")),
    )


def mentorship_view(conn, mentorship_id: UUID, viewer_id: UUID) -> MentorshipView | None:
    """One mentorship with its sessions, for its mentor or mentee; None for anyone else."""
    for side in (mentorships.c.mentor_id, mentorships.c.mentee_id):
        found = _mentorships(conn, side, viewer_id, mentorships.c.mentorship_id == mentorship_id)
        if found:
            summary = found[0]
            names = _names(conn, [summary.mentor_id, summary.mentee_id])
            sessions = _sessions(conn, mentoring_sessions.c.mentorship_id == mentorship_id)
            return MentorshipView(
                summary, names[summary.mentor_id], names[summary.mentee_id], tuple(sessions)
            )
    return None


def _names(conn, person_ids: list[UUID]) -> dict[UUID, str]:
    found = conn.execute(
        select(people.c.person_id, people.c.display_name).where(people.c.person_id.in_(person_ids))
    )
    return dict(found.all())


# --- swaps ----------------------------------------------------------------------------------


def swaps_of(conn, person_id: UUID) -> list[SwapView]:
    """The person's swaps, either side, newest first."""
    mine = or_(skill_swaps.c.proposer_id == person_id, skill_swaps.c.partner_id == person_id)
    rows = conn.execute(
        select(skill_swaps).where(mine).order_by(skill_swaps.c.proposed_at.desc())
    ).mappings()
    rows = list(rows)
    others = [r["partner_id"] if r["proposer_id"] == person_id else r["proposer_id"] for r in rows]
    names = _names(conn, others)
    fields = [f for f in SwapView.__dataclass_fields__ if f != "other_name"]
    return [
        SwapView(**{f: row[f] for f in fields}, other_name=names[other])
        for row, other in zip(rows, others, strict=True)
        if other in names
    ]


# --- recognition ----------------------------------------------------------------------------


def hours_by_skill(conn, person_id: UUID) -> list[SkillHours]:
    """Confirmed mentoring per skill, most first: the facts behind mentoring badges."""
    rows = conn.execute(
        select(mentoring_hours.c.skill, mentoring_hours.c.minutes, mentoring_hours.c.sessions)
        .where(mentoring_hours.c.mentor_id == person_id)
        .order_by(mentoring_hours.c.minutes.desc(), mentoring_hours.c.skill)
    )
    return [SkillHours(*row) for row in rows]


def confirmed_minutes(conn, person_id: UUID, skill: str | None = None) -> int:
    """Minutes of confirmed sessions the person mentored, in one skill (merged skills count
    under their target) or in all."""
    statement = select(func.coalesce(func.sum(mentoring_hours.c.minutes), 0)).where(
        mentoring_hours.c.mentor_id == person_id
    )
    if skill is not None:
        statement = statement.where(mentoring_hours.c.skill == counted_as(conn, skill))
    return conn.execute(statement).scalar_one()


def completed_swaps(conn, person_id: UUID) -> int:
    """How many of the person's swaps are completed (each side had a confirmed session)."""
    return conn.execute(
        select(func.count()).where(
            skill_swaps.c.status == "completed",
            or_(skill_swaps.c.proposer_id == person_id, skill_swaps.c.partner_id == person_id),
        )
    ).scalar_one()
