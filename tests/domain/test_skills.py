"""The skills taxonomy: every skill in one of four categories, found by name whatever its case."""

from __future__ import annotations

import pytest

from domain.skills import (
    CATEGORIES,
    SKILLS,
    Skill,
    canonical_name,
    category_of,
    skill_named,
    skills_in,
)


def test_there_are_exactly_the_four_categories_of_the_design():
    assert CATEGORIES == ("individual", "organisational", "technical", "governance")


def test_every_category_has_skills_and_every_skill_one_known_category():
    assert all(skills_in(category) for category in CATEGORIES)
    assert {skill.category for skill in SKILLS} == set(CATEGORIES)
    assert sum(len(skills_in(category)) for category in CATEGORIES) == len(SKILLS)


def test_skill_names_are_unique_even_ignoring_case():
    names = [skill.name.casefold() for skill in SKILLS]
    assert len(names) == len(set(names))
    assert all(skill.name == skill.name.strip() and skill.name for skill in SKILLS)


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Wikidata", "individual"),
        ("WikiCite", "individual"),
        ("Wikipedia editing", "individual"),
        ("Wikimedia Commons", "individual"),
        ("Translation", "individual"),
        ("Storytelling", "organisational"),
        ("Project management", "organisational"),
        ("Partnerships", "organisational"),
        ("Outreach", "organisational"),
        ("Teaching with Wikipedia", "organisational"),
        ("SPARQL", "technical"),
        ("Board training", "governance"),
        ("Strategic planning", "governance"),
    ],
)
def test_the_movements_examples_are_in_the_taxonomy(name, category):
    assert category_of(name) == category


def test_names_match_whatever_their_case_and_surrounding_spaces():
    assert category_of("  wikidata ") == "individual"
    assert skill_named("sparql") == Skill("SPARQL", "technical")
    assert canonical_name(" board TRAINING") == "Board training"


def test_a_skill_outside_the_taxonomy_has_no_category_and_keeps_its_name():
    assert category_of("Knitting") is None
    assert category_of("") is None
    assert skill_named("Wiki") is None
    assert canonical_name(" Knitting ") == "Knitting"
    assert skills_in("unknown") == ()


def test_a_skill_cannot_be_given_a_category_outside_the_four():
    with pytest.raises(ValueError, match="unknown category"):
        Skill("Knitting", "crafts")
