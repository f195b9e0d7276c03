"""Queries of the mentor directory and of swap suggestions, over the skill profiles read model."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from sqlalchemy import and_, case, exists, func, literal, or_, select

from domain.skill_profiles import primary_language
from projections.catalog import CatalogPage, SkillTag
from projections.mentoring_views import SkillHours, hours_by_skill
from projections.mentorships import skill_swaps
from projections.skill_profiles import (
    SkillEntry,
    mentor_languages,
    mentor_profiles,
    mentor_skills,
    skill_order,
    skills_of,
)
from projections.skill_vocabulary import as_typed, counted_as

PAGE_SIZE = 20
SUGGESTIONS_MAX = 50


@dataclass(frozen=True)
class MentorCard:
    """A mentor as the directory lists them."""

    person_id: UUID
    display_name: str
    offers: tuple[SkillEntry, ...]
    languages: tuple[str, ...]
    region: str | None
    hours_per_month: int | None
    capacity: int
    active_mentees: int
    confirmed_minutes: int

    @property
    def is_full(self) -> bool:
        """Full mentors are shown as such, and cannot be asked."""
        return self.active_mentees >= self.capacity


@dataclass(frozen=True)
class MentorProfile(MentorCard):
    """A mentor's public page: the card, with needs, availability and hours per skill."""

    needs: tuple[SkillEntry, ...] = ()
    availability: str | None = None
    hours: tuple[SkillHours, ...] = ()


@dataclass(frozen=True)
class MentorPage(CatalogPage):
    """One page of mentors (`entries` are MentorCards), with the catalog's pager."""


@dataclass(frozen=True)
class DirectoryFilters:
    """The values present in the directory, for the search form."""

    skills: tuple[SkillTag, ...]
    languages: tuple[str, ...]
    regions: tuple[str, ...]


@dataclass(frozen=True)
class SwapSuggestion:
    """Someone who offers what the person needs and needs what they offer."""

    partner_id: UUID
    display_name: str
    they_teach: tuple[str, ...]
    i_teach: tuple[str, ...]
    shared_languages: tuple[str, ...]
    same_region: bool
    region: str | None
    hours_per_month: int | None


def _listed():
    return mentor_profiles.c.listed == literal(True)


def _offering(skill_name: str):
    return mentor_profiles.c.person_id.in_(
        select(mentor_skills.c.person_id).where(
            mentor_skills.c.skill == skill_name, mentor_skills.c.kind == "offer"
        )
    )


def _speaking(language: str):
    return mentor_profiles.c.person_id.in_(
        select(mentor_languages.c.person_id).where(mentor_languages.c.language == language)
    )


def region_key(region: str) -> str:
    """Country codes are kept in upper case; affiliates as first written."""
    return region.upper() if len(region) == 2 else region


def _conditions(conn, skill, language, region) -> list:
    conditions = [_listed()]
    skill, language, region = as_typed(skill), as_typed(language), as_typed(region)
    if skill:
        conditions.append(_offering(counted_as(conn, skill)))
    if language:
        conditions.append(_speaking(primary_language(language.lower())))
    if region:
        conditions.append(mentor_profiles.c.region == region_key(region))
    return conditions


def search_mentors(
    conn,
    skill: str | None = None,
    language: str | None = None,
    region: str | None = None,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> MentorPage:
    """Listed mentors offering `skill`, speaking `language`, in `region` (each optional): those
    with room first, then by name. An out-of-range page is clamped."""
    conditions = _conditions(conn, skill, language, region)
    count = select(func.count()).select_from(mentor_profiles).where(*conditions)
    total = conn.execute(count).scalar_one()
    pages = max(1, -(-total // page_size))
    page = min(max(page, 1), pages)
    rows = conn.execute(
        select(mentor_profiles)
        .where(*conditions)
        .order_by(
            mentor_profiles.c.listed,
            mentor_profiles.c.full,
            mentor_profiles.c.sort_name,
            mentor_profiles.c.person_id,
        )
        .limit(page_size)
        .offset((page - 1) * page_size)
    ).mappings()
    rows = list(rows)
    offers = skills_of(conn, [row["person_id"] for row in rows], "offer")
    cards = tuple(_card(row, offers[row["person_id"]]) for row in rows)
    return MentorPage(cards, total, page, pages, page_size)


def _card(row, offers: tuple[SkillEntry, ...]) -> MentorCard:
    return MentorCard(
        row["person_id"],
        row["display_name"],
        offers,
        tuple(row["languages"]),
        row["region"],
        row["hours_per_month"],
        row["capacity"],
        row["active_mentees"],
        row["confirmed_minutes"],
    )


def mentor_profile(conn, person_id: UUID) -> MentorProfile | None:
    """A listed mentor's page; None for anyone hidden, offering nothing, or unknown."""
    row = (
        conn.execute(
            select(mentor_profiles).where(mentor_profiles.c.person_id == person_id, _listed())
        )
        .mappings()
        .first()
    )
    if row is None:
        return None
    card = _card(row, skills_of(conn, [person_id], "offer")[person_id])
    return MentorProfile(
        **card.__dict__,
        needs=skills_of(conn, [person_id], "need")[person_id],
        availability=row["availability"],
        hours=tuple(hours_by_skill(conn, person_id)),
    )


def directory_filters(conn) -> DirectoryFilters:
    """Skills offered, languages and regions of listed mentors, for the search form."""
    listed = select(mentor_profiles.c.person_id).where(_listed())
    skills = conn.execute(
        select(mentor_skills.c.skill, mentor_skills.c.category)
        .where(mentor_skills.c.kind == "offer", mentor_skills.c.person_id.in_(listed))
        .distinct()
    ).all()
    languages = conn.execute(
        select(mentor_languages.c.language)
        .where(mentor_languages.c.person_id.in_(listed))
        .distinct()
        .order_by(mentor_languages.c.language)
    ).scalars()
    regions = conn.execute(
        select(mentor_profiles.c.region)
        .where(mentor_profiles.c.region.is_not(None), _listed())
        .distinct()
        .order_by(mentor_profiles.c.region)
    ).scalars()
    ordered = sorted(skills, key=lambda s: skill_order(SkillEntry(s[0], s[1], "beginner")))
    return DirectoryFilters(
        tuple(SkillTag(name, category) for name, category in ordered),
        tuple(languages),
        tuple(regions),
    )


# --- swap suggestions -----------------------------------------------------------------------


def _skills_of_kind(conn, person_id: UUID, kind: str) -> list[str]:
    return list(
        conn.execute(
            select(mentor_skills.c.skill).where(
                mentor_skills.c.person_id == person_id, mentor_skills.c.kind == kind
            )
        ).scalars()
    )


def _with_any(kind: str, skills: list[str]):
    return select(mentor_skills.c.person_id).where(
        mentor_skills.c.kind == kind, mentor_skills.c.skill.in_(skills)
    )


def _open_swap_with(person_id: UUID):
    """Whether the person and the candidate already have a swap proposed or under way."""
    candidate = mentor_profiles.c.person_id
    return exists().where(
        skill_swaps.c.status.in_(("proposed", "accepted")),
        or_(
            and_(skill_swaps.c.proposer_id == person_id, skill_swaps.c.partner_id == candidate),
            and_(skill_swaps.c.proposer_id == candidate, skill_swaps.c.partner_id == person_id),
        ),
    )


def swap_suggestions(conn, person_id: UUID, limit: int = 20) -> list[SwapSuggestion]:
    """Reciprocal matches for the person, best first: most shared languages, then the same
    region, then the most hours a month. Hidden or full partners, and partners with whom a
    swap is already open, are left out.

    Candidates are those who offer something the person needs and need something they offer:
    two index look-ups intersected, so the cost follows the matches, not everyone."""
    me = (
        conn.execute(select(mentor_profiles).where(mentor_profiles.c.person_id == person_id))
        .mappings()
        .first()
    )
    needs, offers = (
        _skills_of_kind(conn, person_id, "need"),
        _skills_of_kind(conn, person_id, "offer"),
    )
    if me is None or not needs or not offers:
        return []
    mine = sorted({primary_language(tag) for tag in me["languages"]})
    shared = (
        select(func.count())
        .where(
            mentor_languages.c.person_id == mentor_profiles.c.person_id,
            mentor_languages.c.language.in_(mine),
        )
        .scalar_subquery()
    )
    same_region = case((mentor_profiles.c.region == literal(me["region"]), 1), else_=0)
    candidates = _with_any("offer", needs).intersect(_with_any("need", offers))
    ranked = conn.execute(
        select(mentor_profiles, same_region.label("same_region"))
        .where(
            mentor_profiles.c.person_id.in_(candidates),
            mentor_profiles.c.person_id != person_id,
            mentor_profiles.c.hidden == literal(False),
            mentor_profiles.c.full == literal(False),
            ~_open_swap_with(person_id),
        )
        .order_by(
            shared.desc(),
            same_region.desc(),
            func.coalesce(mentor_profiles.c.hours_per_month, -1).desc(),
            mentor_profiles.c.person_id,
        )
        .limit(min(max(limit, 1), SUGGESTIONS_MAX))
    ).mappings()
    ranked = list(ranked)
    teaching = _teaching(conn, [row["person_id"] for row in ranked], set(needs), set(offers))
    return [
        _suggestion(row, mine, me["region"], *teaching[row["person_id"]])
        for row in ranked
        if teaching[row["person_id"]] != ((), ())
    ]


def _teaching(conn, partners: list[UUID], needs: set[str], offers: set[str]) -> dict:
    """What each partner would teach and learn: skills they offer that the person needs, and
    skills they need that the person offers (one skill cannot go both ways)."""
    found = {partner: ([], []) for partner in partners}
    rows = conn.execute(
        select(mentor_skills.c.person_id, mentor_skills.c.kind, mentor_skills.c.skill)
        .where(mentor_skills.c.person_id.in_(partners))
        .order_by(func.lower(mentor_skills.c.skill), mentor_skills.c.skill)
    )
    for partner, kind, skill in rows:
        if kind == "offer" and skill in needs:
            found[partner][0].append(skill)
        elif kind == "need" and skill in offers:
            found[partner][1].append(skill)
    return {
        partner: (tuple(teach), tuple(learn)) if _can_swap(teach, learn) else ((), ())
        for partner, (teach, learn) in found.items()
    }


def _can_swap(teach: list[str], learn: list[str]) -> bool:
    return any(x != y for x in teach for y in learn)


def _suggestion(row, mine: list[str], region, they_teach, i_teach) -> SwapSuggestion:
    shared = tuple(tag for tag in row["languages"] if primary_language(tag) in mine)
    return SwapSuggestion(
        row["person_id"],
        row["display_name"],
        they_teach,
        i_teach,
        shared,
        region is not None and bool(row["same_region"]),
        row["region"],
        row["hours_per_month"],
    )
