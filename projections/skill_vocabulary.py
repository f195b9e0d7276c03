"""The skills people added to the taxonomy, and the names skills count under after merges.
Part of the mentoring projection."""

from __future__ import annotations

from sqlalchemy import Column, DateTime, String, Table, Text, func, select

from domain.skill_profiles import SkillVocabulary
from domain.skills import skill_named
from projections.tables import metadata

# One row per skill people added; a merged one names the skill it now counts as.
skill_vocabulary = Table(
    "skill_vocabulary",
    metadata,
    Column("skill", Text, primary_key=True),
    Column("category", String(20), nullable=False),
    Column("added_at", DateTime(timezone=True), nullable=False),
    Column("merged_into", Text, nullable=True),
)


class KnownSkills:
    """Skill names as the read models count them: a merged skill under its target."""

    def __init__(self, conn, names: set[str]):
        self.rows = _vocabulary_rows(conn, {n for n in names if skill_named(n) is None})
        targets = {r["merged_into"] for r in self.rows.values() if r["merged_into"]}
        self.rows.update(_vocabulary_rows(conn, targets - set(self.rows)))
        self.added: list[dict] = []

    def add(self, e: SkillVocabulary.SkillAdded) -> None:
        row = {"skill": e.name, "category": e.category, "added_at": e.at, "merged_into": None}
        self.rows[e.name] = row
        self.added.append(row)

    def resolve(self, name: str) -> tuple[str, str | None]:
        """The name a skill counts under now, and its category (None if nobody knows it)."""
        curated = skill_named(name)
        if curated is not None:
            return curated.name, curated.category
        row = self.rows.get(name)
        if row is not None and row["merged_into"]:
            return self.resolve(row["merged_into"])  # merges always point at a final name
        return name, row["category"] if row else None

    def write(self, conn) -> None:
        if self.added:
            conn.execute(skill_vocabulary.insert(), self.added)


def _vocabulary_rows(conn, names: set[str]) -> dict[str, dict]:
    if not names:
        return {}
    found = conn.execute(select(skill_vocabulary).where(skill_vocabulary.c.skill.in_(names)))
    return {row["skill"]: dict(row) for row in found.mappings()}


def as_typed(text) -> str:
    """Query text a database can compare: printable characters only, single spaces.

    No stored name holds control characters, and PostgreSQL refuses a NUL outright.
    """
    if not isinstance(text, str):
        return ""
    return " ".join("".join(c for c in text if c.isprintable()).split())


def counted_as(conn, name: str) -> str:
    """The name a skill someone typed counts under: curated spelling, the first spelling of
    an added skill (any case), or what it was merged into."""
    name = as_typed(name)
    curated = skill_named(name)
    if curated is not None:
        return curated.name
    row = conn.execute(
        select(skill_vocabulary.c.skill, skill_vocabulary.c.merged_into).where(
            func.lower(skill_vocabulary.c.skill) == name.lower()
        )
    ).first()
    return name if row is None else row.merged_into or row.skill
