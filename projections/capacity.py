"""Capacity map: needs against offers per skill, region and language, from skill profiles and
anonymous needs survey answers. The survey tables are part of the mentoring projection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Column, DateTime, Index, String, Table, Text, Uuid, func, literal, select

from domain.needs import NeedsResponse
from domain.skill_profiles import primary_language
from domain.skills import CATEGORIES
from projections.skill_profiles import mentor_languages, mentor_profiles, mentor_skills
from projections.skill_vocabulary import KnownSkills, as_typed
from projections.tables import metadata

needs_responses = Table(
    "needs_responses",
    metadata,
    Column("response_id", Uuid, primary_key=True),
    Column("language", String(8), nullable=True),  # primary subtag, as in mentor_languages
    Column("region", Text, nullable=True),
    Column("answered_at", DateTime(timezone=True), nullable=False),
)

needs_response_skills = Table(
    "needs_response_skills",
    metadata,
    Column("response_id", Uuid, primary_key=True),
    Column("kind", String(5), primary_key=True),  # "need" or "offer", as in mentor_skills
    Column("skill", Text, primary_key=True),
    Column("category", String(20), nullable=True),
    Index("ix_needs_response_skills_skill", "skill"),
)

SURVEY_TABLES = (needs_responses, needs_response_skills)
CSV_COLUMNS = ("skill", "category", "region", "language", "needs", "offers")
# A spreadsheet runs a cell that starts with these as a formula; names here are typed by anyone.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def survey_rows(events, skills: KnownSkills) -> tuple[list[dict], list[dict]]:
    """The response and skill rows of a run's survey answers."""
    answers = [e for e in events if isinstance(e, NeedsResponse.Answered)]
    responses = [
        {
            "response_id": e.originator_id,
            "language": primary_language(e.language) if e.language else None,
            "region": e.region,
            "answered_at": e.at,
        }
        for e in answers
    ]
    rows: dict[tuple, dict] = {}
    for e in answers:
        for kind, names in (("need", e.wanted), ("offer", e.offered)):
            for name in names:
                skill, category = skills.resolve(name)
                rows[(e.originator_id, kind, skill)] = {
                    "response_id": e.originator_id,
                    "kind": kind,
                    "skill": skill,
                    "category": category,
                }
    return responses, list(rows.values())


def write_survey_rows(conn, responses: list[dict], skill_rows: list[dict]) -> None:
    if responses:
        conn.execute(needs_responses.insert(), responses)
    if skill_rows:
        conn.execute(needs_response_skills.insert(), skill_rows)


# --- queries --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CapacityCell:
    """How many need and how many offer one skill in one region and language (None: unsaid)."""

    skill: str
    category: str | None
    region: str | None
    language: str | None
    needs: int
    offers: int

    @property
    def gap(self) -> int:
        """Positive where more people need the skill than offer it."""
        return self.needs - self.offers


def _profile_counts(category: str | None, language: str | None):
    # Hidden profiles stay out: their owners asked not to be found, and a small cell of a
    # rare language and region could find them.
    statement = (
        select(
            mentor_skills.c.skill,
            mentor_skills.c.category,
            mentor_profiles.c.region,
            mentor_languages.c.language,
            mentor_skills.c.kind,
            func.count().label("people"),
        )
        .join(mentor_profiles, mentor_profiles.c.person_id == mentor_skills.c.person_id)
        .join(
            mentor_languages,
            mentor_languages.c.person_id == mentor_skills.c.person_id,
            isouter=True,
        )
        .where(mentor_profiles.c.hidden == literal(False))
        .group_by(
            mentor_skills.c.skill,
            mentor_skills.c.category,
            mentor_profiles.c.region,
            mentor_languages.c.language,
            mentor_skills.c.kind,
        )
    )
    if category:
        statement = statement.where(mentor_skills.c.category == category)
    if language:
        statement = statement.where(mentor_languages.c.language == primary_language(language))
    return statement


def _survey_counts(category: str | None, language: str | None):
    skills, responses = needs_response_skills, needs_responses
    statement = (
        select(
            skills.c.skill,
            skills.c.category,
            responses.c.region,
            responses.c.language,
            skills.c.kind,
            func.count().label("people"),
        )
        .join(responses, responses.c.response_id == skills.c.response_id)
        .group_by(
            skills.c.skill,
            skills.c.category,
            responses.c.region,
            responses.c.language,
            skills.c.kind,
        )
    )
    if category:
        statement = statement.where(skills.c.category == category)
    if language:
        statement = statement.where(responses.c.language == primary_language(language))
    return statement


def capacity_map(
    conn, category: str | None = None, language: str | None = None
) -> list[CapacityCell]:
    """Needs and offers per skill × region × language, from profiles and survey answers.

    A person counts once in each of their languages. Rows come in taxonomy order of
    category, then by skill, region and language, the unsaid (None) last.
    """
    category, language = as_typed(category), as_typed(language).lower()
    cells: dict[tuple, list[int]] = {}
    for statement in (_profile_counts(category, language), _survey_counts(category, language)):
        for skill, skill_category, region, lang, kind, people in conn.execute(statement):
            counts = cells.setdefault((skill, skill_category, region, lang), [0, 0])
            counts[0 if kind == "need" else 1] += people
    found = [CapacityCell(*key, needs, offers) for key, (needs, offers) in cells.items()]
    return sorted(found, key=_cell_order)


def _cell_order(cell: CapacityCell) -> tuple:
    rank = CATEGORIES.index(cell.category) if cell.category in CATEGORIES else len(CATEGORIES)
    return (
        rank,
        cell.skill.casefold(),
        cell.skill,
        cell.region is None,
        cell.region or "",
        cell.language is None,
        cell.language or "",
    )


def capacity_csv(cells: Iterable[CapacityCell]) -> str:
    """The map as CSV text, with a header; unsaid region or language left empty."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for cell in cells:
        writer.writerow(
            [
                _inert(cell.skill),
                cell.category or "",
                _inert(cell.region or ""),
                cell.language or "",
                cell.needs,
                cell.offers,
            ]
        )
    return out.getvalue()


def _inert(text: str) -> str:
    """A typed name a spreadsheet shows as text instead of running it as a formula."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text
