"""Skill profiles read model: what each person offers and needs, their details and history.
Part of the mentoring projection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
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

from domain.people import Person
from domain.skill_profiles import (
    DEFAULT_CAPACITY,
    LEVELS,
    SkillProfile,
    primary_language,
)
from domain.skills import CATEGORIES
from projections.skill_vocabulary import KnownSkills, skill_vocabulary
from projections.tables import metadata

mentor_profiles = Table(
    "mentor_profiles",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("profile_id", Uuid, nullable=False, unique=True),
    # Unsealed from the log: dropped when the person is forgotten.
    Column("display_name", Text, nullable=True),
    Column("languages", JSON, nullable=False),
    Column("region", Text, nullable=True),
    Column("availability", Text, nullable=True),
    Column("hours_per_month", Integer, nullable=True),
    Column("capacity", Integer, nullable=False),
    Column("active_mentees", Integer, nullable=False),
    Column("confirmed_minutes", Integer, nullable=False),
    Column("started_at", DateTime(timezone=True), nullable=False),
    Column("hidden", Boolean, nullable=False),
    # Derived when written, so the directory's order is an index: listed (offers something
    # and not hidden), full (no room for another mentee), then by name.
    Column("listed", Boolean, nullable=False),
    Column("full", Boolean, nullable=False),
    Column("sort_name", Text, nullable=False),
    Index("ix_mentor_profiles_directory", "listed", "full", "sort_name", "person_id"),
    Index("ix_mentor_profiles_region", "region"),
)

# One row per skill offered or needed ("offer" / "need"), under the name it counts as now:
# finding who offers or needs a skill is an index look-up, and swaps are one join.
mentor_skills = Table(
    "mentor_skills",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("kind", String(5), primary_key=True),
    Column("skill", Text, primary_key=True),
    Column("category", String(20), nullable=True),
    Column("level", String(20), nullable=False),
    Index("ix_mentor_skills_skill", "skill", "kind", "person_id"),
)

# Languages by their primary subtag, so pt-BR and pt-PT speakers share "pt".
mentor_languages = Table(
    "mentor_languages",
    metadata,
    Column("person_id", Uuid, primary_key=True),
    Column("language", String(8), primary_key=True),
    Index("ix_mentor_languages_language", "language", "person_id"),
)

skill_profile_history = Table(
    "skill_profile_history",
    metadata,
    Column("profile_id", Uuid, primary_key=True),
    Column("version", Integer, primary_key=True),
    Column("person_id", Uuid, nullable=False, index=True),
    Column("change", String(20), nullable=False),
    Column("skill", Text, nullable=True),
    Column("level", String(20), nullable=True),
    Column("capacity", Integer, nullable=True),
    Column("at", DateTime(timezone=True), nullable=False),
)

PROFILE_TABLES = (
    skill_vocabulary,
    mentor_profiles,
    mentor_skills,
    mentor_languages,
    skill_profile_history,
)

_CHANGES = {
    SkillProfile.Started: "started",
    SkillProfile.SkillOffered: "offered",
    SkillProfile.SkillNeeded: "needed",
    SkillProfile.OfferWithdrawn: "offer_withdrawn",
    SkillProfile.NeedWithdrawn: "need_withdrawn",
    SkillProfile.DetailsChanged: "details_changed",
    SkillProfile.CapacitySet: "capacity_set",
    SkillProfile.Hidden: "hidden",
    SkillProfile.Shown: "shown",
}
PROFILE_EVENTS = tuple(_CHANGES)
_KIND_OF = {
    SkillProfile.SkillOffered: "offer",
    SkillProfile.SkillNeeded: "need",
    SkillProfile.OfferWithdrawn: "offer",
    SkillProfile.NeedWithdrawn: "need",
}


class ProfileRows:
    """The profiles a run of events concerns: loaded once, changed event by event, written once.

    Besides profile events, a person's new display name changes it (`renamed`), and their
    mentorships change their load and confirmed minutes (`adjust`), so that the directory
    sorts and filters on one table.
    """

    def __init__(self, conn, events, person_ids: set[UUID]):
        ours = [e for e in events if isinstance(e, PROFILE_EVENTS)]
        profile_ids = {e.originator_id for e in ours}
        found = conn.execute(
            select(mentor_profiles).where(
                or_(
                    mentor_profiles.c.profile_id.in_(profile_ids),
                    mentor_profiles.c.person_id.in_(person_ids),
                )
            )
        ).mappings()
        self.rows = {row["person_id"]: dict(row) for row in found}
        self.person_of = {row["profile_id"]: person for person, row in self.rows.items()}
        started = {
            e.originator_id: e.person_id for e in ours if isinstance(e, SkillProfile.Started)
        }
        self.person_of.update(started)
        self.people = set(self.rows) | set(started.values())  # all whose rows the run may change
        self.skills = _skill_rows(conn, set(self.rows))
        self.history: list[dict] = []

    def started(self, e: SkillProfile.Started, opened: dict | None) -> None:
        self.skills.setdefault(e.person_id, {})
        self.rows[e.person_id] = {
            "person_id": e.person_id,
            "profile_id": e.originator_id,
            "display_name": (opened or {}).get("display_name"),
            "hidden": False,
            "languages": [],
            "region": None,
            "availability": None,
            "hours_per_month": None,
            "capacity": DEFAULT_CAPACITY,
            "active_mentees": 0,
            "confirmed_minutes": 0,
            "started_at": e.at,
        }

    def renamed(self, e: Person.ProfileChanged, opened: dict | None) -> None:
        if e.originator_id in self.rows:
            self.rows[e.originator_id]["display_name"] = (opened or {}).get("display_name")

    def apply(self, e, opened: dict | None, skills: KnownSkills) -> None:
        if isinstance(e, SkillProfile.Started):
            self.started(e, opened)
        person_id = self.person_of.get(e.originator_id)
        if person_id not in self.rows:  # forgotten since
            return
        self.history.append(_history_row(e, person_id))
        row, kind = self.rows[person_id], _KIND_OF.get(type(e))
        if isinstance(e, SkillProfile.Started):
            return
        if isinstance(e, SkillProfile.SkillOffered | SkillProfile.SkillNeeded):
            name, category = skills.resolve(e.skill)
            self.skills[person_id][(kind, name)] = {
                "person_id": person_id,
                "kind": kind,
                "skill": name,
                "category": category,
                "level": e.level,
            }
        elif kind is not None:
            self.skills[person_id].pop((kind, skills.resolve(e.skill)[0]), None)
        elif isinstance(e, SkillProfile.DetailsChanged):
            details = opened or {}  # nothing when the person's key was destroyed since
            row["languages"] = details.get("languages", [])
            row["region"] = details.get("region")
            row["availability"] = details.get("availability")
            row["hours_per_month"] = e.hours_per_month
        elif isinstance(e, SkillProfile.CapacitySet):
            row["capacity"] = e.capacity
        elif isinstance(e, SkillProfile.Hidden | SkillProfile.Shown):
            row["hidden"] = isinstance(e, SkillProfile.Hidden)

    def adjust(self, person_id: UUID, mentees: int = 0, minutes: int = 0) -> None:
        row = self.rows.get(person_id)
        if row is not None:
            row["active_mentees"] += mentees
            row["confirmed_minutes"] += minutes

    def write(self, conn) -> None:
        people = list(self.rows)
        if not people:
            return
        for table in (mentor_profiles, mentor_skills, mentor_languages):
            conn.execute(table.delete().where(table.c.person_id.in_(people)))
        conn.execute(
            mentor_profiles.insert(),
            [with_derived(row, self.skills[person]) for person, row in self.rows.items()],
        )
        skill_rows = [row for rows in self.skills.values() for row in rows.values()]
        if skill_rows:
            conn.execute(mentor_skills.insert(), skill_rows)
        language_rows = [
            {"person_id": person, "language": language}
            for person, row in self.rows.items()
            for language in dict.fromkeys(primary_language(tag) for tag in row["languages"])
        ]
        if language_rows:
            conn.execute(mentor_languages.insert(), language_rows)
        if self.history:
            conn.execute(skill_profile_history.insert(), self.history)


def with_derived(row: dict, skills: dict) -> dict:
    return {
        **row,
        "listed": not row["hidden"] and any(kind == "offer" for kind, _ in skills),
        "full": row["active_mentees"] >= row["capacity"],
        "sort_name": (row["display_name"] or "").casefold(),
    }


def _skill_rows(conn, people: set[UUID]) -> dict[UUID, dict]:
    rows: dict[UUID, dict] = {person: {} for person in people}
    if people:
        found = conn.execute(select(mentor_skills).where(mentor_skills.c.person_id.in_(people)))
        for row in found.mappings():
            rows[row["person_id"]][(row["kind"], row["skill"])] = dict(row)
    return rows


def _history_row(e, person_id: UUID) -> dict:
    return {
        "profile_id": e.originator_id,
        "version": e.originator_version,
        "person_id": person_id,
        "change": _CHANGES[type(e)],
        "skill": getattr(e, "skill", None),
        "level": getattr(e, "level", None),
        "capacity": getattr(e, "capacity", None),
        "at": e.at,
    }


def forget_profile(conn, person_id: UUID) -> None:
    for table in (mentor_profiles, mentor_skills, mentor_languages, skill_profile_history):
        conn.execute(table.delete().where(table.c.person_id == person_id))


# --- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class SkillEntry:
    skill: str
    category: str | None
    level: str


@dataclass(frozen=True)
class SkillProfileView:
    """A whole profile, hidden or not: for its owner, and for pages that checked visibility."""

    person_id: UUID
    hidden: bool
    offers: tuple[SkillEntry, ...]
    needs: tuple[SkillEntry, ...]
    languages: tuple[str, ...]
    region: str | None
    availability: str | None
    hours_per_month: int | None
    capacity: int
    active_mentees: int
    confirmed_minutes: int

    @property
    def is_full(self) -> bool:
        return self.active_mentees >= self.capacity

    @property
    def is_listed(self) -> bool:
        """In the directory: offers something and is not hidden."""
        return bool(self.offers) and not self.hidden


@dataclass(frozen=True)
class ProfileChange:
    change: str
    skill: str | None
    level: str | None
    capacity: int | None
    at: datetime


@dataclass(frozen=True)
class AddedSkill:
    skill: str
    category: str
    merged_into: str | None
    uses: int


def skill_order(entry: SkillEntry) -> tuple:
    """Taxonomy category order, then name; skills of no known category last."""
    rank = CATEGORIES.index(entry.category) if entry.category in CATEGORIES else len(CATEGORIES)
    return (rank, entry.skill.casefold(), -LEVELS.index(entry.level))


def skills_of(conn, people: list[UUID], kind: str) -> dict[UUID, tuple[SkillEntry, ...]]:
    """Each person's skills of one kind, in taxonomy order."""
    found: dict[UUID, list[SkillEntry]] = {person: [] for person in people}
    rows = conn.execute(
        select(mentor_skills).where(
            mentor_skills.c.person_id.in_(people), mentor_skills.c.kind == kind
        )
    ).mappings()
    for row in rows:
        found[row["person_id"]].append(SkillEntry(row["skill"], row["category"], row["level"]))
    return {person: tuple(sorted(entries, key=skill_order)) for person, entries in found.items()}


def skill_profile(conn, person_id: UUID) -> SkillProfileView | None:
    """The person's whole profile, or None if they have none."""
    row = (
        conn.execute(select(mentor_profiles).where(mentor_profiles.c.person_id == person_id))
        .mappings()
        .first()
    )
    if row is None:
        return None
    return SkillProfileView(
        person_id,
        row["hidden"],
        skills_of(conn, [person_id], "offer")[person_id],
        skills_of(conn, [person_id], "need")[person_id],
        tuple(row["languages"]),
        row["region"],
        row["availability"],
        row["hours_per_month"],
        row["capacity"],
        row["active_mentees"],
        row["confirmed_minutes"],
    )


def profile_history(conn, person_id: UUID, limit: int = 100) -> list[ProfileChange]:
    """The person's profile changes, most recent first."""
    rows = conn.execute(
        select(
            skill_profile_history.c.change,
            skill_profile_history.c.skill,
            skill_profile_history.c.level,
            skill_profile_history.c.capacity,
            skill_profile_history.c.at,
        )
        .where(skill_profile_history.c.person_id == person_id)
        .order_by(skill_profile_history.c.version.desc())
        .limit(limit)
    )
    return [ProfileChange(*row) for row in rows]


def added_skills(conn) -> list[AddedSkill]:
    """Skills people added, with how many profiles use them: what an organiser may merge."""
    uses = (
        select(func.count())
        .where(mentor_skills.c.skill == skill_vocabulary.c.skill)
        .scalar_subquery()
    )
    rows = conn.execute(
        select(
            skill_vocabulary.c.skill,
            skill_vocabulary.c.category,
            skill_vocabulary.c.merged_into,
            uses,
        ).order_by(skill_vocabulary.c.skill)
    )
    return [AddedSkill(*row) for row in rows]
