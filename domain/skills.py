"""The skills taxonomy: curated skills of the Wikimedia movement, each in one category."""

from __future__ import annotations

from dataclasses import dataclass

# individual: on-wiki editing; organisational: running projects and communities;
# technical: tools, data and code; governance: boards, strategy and policy.
CATEGORIES = ("individual", "organisational", "technical", "governance")


@dataclass(frozen=True)
class Skill:
    name: str
    category: str

    def __post_init__(self) -> None:
        if self.category not in CATEGORIES:
            raise ValueError(f"skill {self.name!r} has unknown category {self.category!r}")


def _skills(category: str, *names: str) -> tuple[Skill, ...]:
    return tuple(Skill(name, category) for name in names)


SKILLS: tuple[Skill, ...] = (
    *_skills(
        "individual",
        "Wikipedia editing",
        "Wikidata",
        "WikiCite",
        "Wikimedia Commons",
        "Wikisource",
        "Wiktionary",
        "Citing sources",
        "Open licensing",
        "Translation",
    ),
    *_skills(
        "organisational",
        "Project management",
        "Storytelling",
        "Partnerships",
        "Outreach",
        "Event organising",
        "Teaching with Wikipedia",
        "Volunteer management",
        "Communications",
        "Fundraising",
    ),
    *_skills(
        "technical",
        "SPARQL",
        "OpenRefine",
        "Lua and templates",
        "Bots and automation",
        "MediaWiki API",
        "Data visualisation",
    ),
    *_skills(
        "governance",
        "Board training",
        "Strategic planning",
        "Financial oversight",
        "Conflict resolution",
        "Universal Code of Conduct",
        "Grant reporting",
    ),
)

# Names are matched without regard to case or surrounding spaces: "wikidata " is Wikidata.
_BY_KEY = {skill.name.casefold(): skill for skill in SKILLS}


def skill_named(name: str) -> Skill | None:
    """The taxonomy's skill of that name, or None for a skill it does not know."""
    return _BY_KEY.get(name.strip().casefold())


def category_of(skill_name: str) -> str | None:
    """The category of a known skill, or None for a skill outside the taxonomy."""
    skill = skill_named(skill_name)
    return skill.category if skill else None


def canonical_name(skill_name: str) -> str:
    """The taxonomy's spelling of a known skill; any other name trimmed but otherwise kept."""
    skill = skill_named(skill_name)
    return skill.name if skill else skill_name.strip()


def skills_in(category: str) -> tuple[Skill, ...]:
    """The taxonomy's skills of one category, in curated order (empty for an unknown one)."""
    return tuple(skill for skill in SKILLS if skill.category == category)
