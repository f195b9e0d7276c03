"""The catalog read model: search, filters, sorts and pages as SQL, on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

import lms.wikiedu
from domain.skills import canonical_name, skill_named
from projections.catalog import (
    CatalogProjection,
    CatalogQuery,
    SkillTag,
    filter_options,
    get_course,
    list_courses,
    search_courses,
    skills_of_course,
)
from projections.digest import read_model_digest
from tests.factories import course_content, course_variant

SAMPLE = Path(lms.wikiedu.__file__).parent / "demo_content"


def publish(services, content):
    return services.caught_up(services.app.publish_course(content)).id


@pytest.fixture
def shelf(services) -> dict[str, object]:
    """Four courses that differ in every way the catalog can filter on, published in this order."""
    courses = {
        "sparql": course_variant(
            "Querying Wikidata", skills=("Wikidata", "SPARQL"), minutes=(10, 5)
        ),
        "board": course_variant(
            "Board basics",
            description="Gouvernance pour les conseils d'administration",
            skills=("Board training", "Strategic planning"),
            language="fr",
            minutes=(30, 30),
        ),
        "stories": course_variant(
            "storytelling for outreach",
            description="Tell the story of your community",
            skills=("Storytelling", "Outreach"),
            minutes=(90, 60),
        ),
        "commons": course_variant(
            "Commons: 100% free_media",
            description="Picha za Wikimedia Commons",
            skills=("Wikimedia Commons",),
            language="sw",
            minutes=(0, 0),
        ),
    }
    return {name: publish(services, content) for name, content in courses.items()}


def found(services, page_size: int = 12, **query) -> list[str]:
    with services.engine.connect() as conn:
        page = search_courses(conn, CatalogQuery(**query), page_size=page_size)
    return [entry.title for entry in page.entries]


def test_a_published_course_has_its_skills_with_their_categories(services):
    content = replace(course_content(), skills=("wikidata ", "SPARQL", "Wikidata", "Knitting"))
    course_id = publish(services, content)
    with services.engine.connect() as conn:
        assert skills_of_course(conn, course_id) == (
            SkillTag("Wikidata", "individual"),
            SkillTag("SPARQL", "technical"),
            SkillTag("Knitting", None),
        )
        assert get_course(conn, course_id).skills == ("Wikidata", "SPARQL", "Knitting")


def test_a_new_version_replaces_the_skills_of_the_old_one(services):
    content = replace(course_content(), skills=("Wikidata", "SPARQL"))
    course_id = publish(services, content)
    publish(services, replace(content, skills=("Outreach",)))
    with services.engine.connect() as conn:
        assert skills_of_course(conn, course_id) == (SkillTag("Outreach", "organisational"),)
        assert search_courses(conn, CatalogQuery(skill="SPARQL")).total == 0


def test_search_matches_every_word_in_titles_descriptions_skills_and_modules(services, shelf):
    assert found(services, text="wikidata") == ["Querying Wikidata"]
    assert found(services, text="wikimedia") == ["Commons: 100% free_media"]
    assert found(services, text="GOUVERNANCE conseils") == ["Board basics"]
    assert found(services, text="sparql") == ["Querying Wikidata"]  # a skill
    assert len(found(services, text="basics more")) == 4  # every course has these modules
    assert found(services, text="story knitting") == []


def test_sql_wildcards_in_a_search_match_only_themselves(services, shelf):
    assert found(services, text="100%") == ["Commons: 100% free_media"]
    assert found(services, text="free_media") == ["Commons: 100% free_media"]
    assert found(services, text="%") == ["Commons: 100% free_media"]
    assert found(services, text="_") == ["Commons: 100% free_media"]
    assert found(services, text="e_i") == []  # "_" is not "any character"
    assert found(services, text="\\") == []


def test_search_ignores_case_beyond_ascii(services):
    publish(services, course_variant("Straße und Éditions", description="ΣΟΦΊΑ"))
    assert found(services, text="STRASSE") == ["Straße und Éditions"]
    assert found(services, text="éditions σοφία") == ["Straße und Éditions"]


def test_each_filter_narrows_the_results(services, shelf):
    assert found(services, category="governance") == ["Board basics"]
    assert found(services, category="technical") == ["Querying Wikidata"]
    assert found(services, category="individual") == [
        "Commons: 100% free_media",
        "Querying Wikidata",
    ]
    assert found(services, skill="Outreach") == ["storytelling for outreach"]
    assert found(services, language="fr") == ["Board basics"]
    assert found(services, language="sw") == ["Commons: 100% free_media"]
    assert found(services, length="short") == ["Querying Wikidata"]
    assert found(services, length="medium") == ["Board basics"]
    assert found(services, length="long") == ["storytelling for outreach"]


def test_filters_combine_with_and(services, shelf):
    assert found(services, category="individual", language="en") == ["Querying Wikidata"]
    assert found(services, category="individual", length="short") == ["Querying Wikidata"]
    assert found(services, category="governance", language="en") == []
    assert found(services, text="picha", skill="Wikimedia Commons", language="sw") == [
        "Commons: 100% free_media"
    ]
    assert found(services, skill="SPARQL", category="governance") == []


def test_sorts_by_title_length_or_publication(services, shelf):
    assert found(services) == [
        "Board basics",
        "Commons: 100% free_media",
        "Querying Wikidata",
        "storytelling for outreach",  # title order ignores case
    ]
    assert found(services, sort="shortest") == [
        "Querying Wikidata",
        "Board basics",
        "storytelling for outreach",
        "Commons: 100% free_media",  # unknown length last
    ]
    assert found(services, sort="newest") == [
        "Commons: 100% free_media",
        "storytelling for outreach",
        "Board basics",
        "Querying Wikidata",
    ]


def test_results_come_in_pages_and_an_out_of_range_page_is_clamped(services, shelf):
    with services.engine.connect() as conn:
        second = search_courses(conn, CatalogQuery(page=2), page_size=3)
        beyond = search_courses(conn, CatalogQuery(page=10**9), page_size=3)
        before = search_courses(conn, CatalogQuery(page=-5), page_size=3)
        none = search_courses(conn, CatalogQuery(text="knitting", page=7), page_size=3)
    assert (second.total, second.page, second.pages) == (4, 2, 2)
    assert [e.title for e in second.entries] == ["storytelling for outreach"]
    assert (second.first, second.last) == (4, 4)
    assert beyond.page == 2 and beyond.entries == second.entries
    assert before.page == 1 and (before.first, before.last) == (1, 3)
    assert (none.total, none.page, none.pages, none.first, none.last) == (0, 1, 1, 0, 0)


def test_pages_never_overlap_nor_skip_a_course(services, shelf):
    for sort in ("title", "shortest", "newest"):
        pages = [found(services, page_size=3, sort=sort, page=n) for n in (1, 2)]
        assert pages[0] + pages[1] == found(services, sort=sort)


def test_the_pager_shows_the_ends_and_the_pages_near_the_current_one():
    from projections.catalog import CatalogPage

    def pager(page, pages):
        return CatalogPage((), 0, page, pages, 12).nearby_pages()

    assert pager(1, 1) == [1]
    assert pager(2, 3) == [1, 2, 3]
    assert pager(1, 9) == [1, 2, 3, None, 9]
    assert pager(5, 9) == [1, None, 3, 4, 5, 6, 7, None, 9]
    assert pager(9, 9) == [1, None, 7, 8, 9]


def test_the_filter_values_are_those_the_published_courses_have(services, shelf):
    publish(services, replace(course_content(), skills=("Knitting",)))
    with services.engine.connect() as conn:
        filters = filter_options(conn)
    assert filters.categories == ("individual", "organisational", "technical", "governance")
    assert filters.languages == ("en", "fr", "sw")
    grouped = [
        (category, [t.name for t in tags]) for category, tags in filters.skills_by_category()
    ]
    assert grouped == [
        ("individual", ["Wikidata", "Wikimedia Commons"]),
        ("organisational", ["Outreach", "Storytelling"]),
        ("technical", ["SPARQL"]),
        ("governance", ["Board training", "Strategic planning"]),
        (None, ["Knitting"]),
    ]


def test_a_rebuild_reproduces_the_catalog_exactly(services, shelf):
    publish(services, replace(course_content(), skills=("Knitting", "wikidata")))
    tables = CatalogProjection.tables
    before = read_model_digest(services.engine, tables)
    services.projections.rebuild()
    assert read_model_digest(services.engine, tables) == before
    with services.engine.connect() as conn:
        assert len(list_courses(conn)) == 5


def test_the_shipped_wiki_education_sample_is_filed_under_its_skills(services):
    from lms.content_import import import_wikiedu

    import_wikiedu(services, SAMPLE)
    services.projections.catch_up()
    assert found(services, skill="Wikidata") == [
        "Wikidata Professional Development Training Modules"
    ]
    assert found(services, category="individual", length="long") == [
        "Wikidata Professional Development Training Modules"
    ]


@pytest.mark.parametrize(
    "library",
    [
        "instructors",
        "professional-development",
        "students",
        "wikidata-professional",
        "wikimedia-commons",
    ],
)
def test_every_wiki_education_library_is_given_taxonomy_skills(library):
    skills = lms.wikiedu._skills(library)
    assert skills
    assert all(skill_named(s) is not None and canonical_name(s) == s for s in skills)
