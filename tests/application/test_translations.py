"""Course translations through the application and their read model, on both backends:
organisers publish revisions per version and language, and learners' pages and the catalog
find them."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from domain.courses import Course
from domain.errors import (
    CourseNotFoundError,
    CourseVersionNotFoundError,
    NotAllowedError,
    SameLanguageTranslationError,
)
from domain.translations import CourseTranslation
from lms.sanitise import clean_html
from projections.catalog import catalog
from projections.digest import read_model_digest
from projections.outline import course_outline, slide_page
from projections.translations import (
    TranslationsProjection,
    localised_outline,
    localised_slide,
    translated_into,
    translated_titles,
    translation_languages,
    translation_mentions,
    translations_of,
)
from tests.factories import course_content, register


def swahili_data(title: str = "Kuuliza Wikidata") -> dict:
    """The course's title and description, and its first module with the quiz slide."""
    return {
        "title": title,
        "description": "Jifunze SPARQL hatua kwa hatua",
        "modules": [
            {
                "slug": "basics",
                "title": "Misingi",
                "description": "Swali ni nini",
                "slides": [
                    {
                        "slug": "check",
                        "title": "Jipime",
                        "content_html": "<p>Chagua moja.</p><script>alert(1)</script>",
                        "quiz": {
                            "question": "Kauli ipi ni bora?",
                            "answers": [
                                {"id": 1, "text": "Badilisha thamani", "explanation": "Hapana."},
                                {"id": 2, "text": "Ongeza kiambishi", "explanation": "Ndiyo."},
                            ],
                        },
                    }
                ],
            }
        ],
    }


@pytest.fixture
def organiser(services):
    return register(services, roles=("learner", "organiser"))[0]


@pytest.fixture
def course(services):
    content = course_content()
    return services.caught_up(services.app.publish_course(content)).id, content


def translate(services, course, organiser, version=1, language="sw", **data):
    course_id, _ = course
    original = services.app.course_version(course_id, version)
    translation = CourseTranslation.of(language, {**swahili_data(), **data}, original, clean_html)
    return services.caught_up(
        services.app.publish_translation(course_id, version, translation, by=organiser)
    )


def head(services):
    return services.app.recorder.max_notification_id()


def test_an_organiser_publishes_a_translation_and_the_same_again_records_nothing(
    services, course, organiser
):
    course_id, _ = course
    recorded = translate(services, course, organiser)
    (event,) = [e for _, e in recorded.events]
    assert isinstance(event, Course.TranslationPublished)
    assert (event.version, event.language, event.revision, event.by) == (1, "sw", 1, organiser)
    before = head(services)
    assert translate(services, course, organiser).position is None
    assert head(services) == before
    found = services.app.course_translation(course_id, 1, "sw")
    assert found.title == "Kuuliza Wikidata"
    assert found.modules[0].slides[0].content_html == "<p>Chagua moja.</p>"  # sanitised


def test_a_changed_translation_is_the_next_revision(services, course, organiser):
    course_id, _ = course
    translate(services, course, organiser)
    translate(services, course, organiser, title="Kuuliza Wikidata kwa SPARQL")
    assert services.app.course_translation(course_id, 1, "sw").title == (
        "Kuuliza Wikidata kwa SPARQL"
    )
    with services.engine.connect() as conn:
        (summary,) = translations_of(conn, course_id)
    assert (summary.revision, summary.title) == (2, "Kuuliza Wikidata kwa SPARQL")
    assert (summary.module_count, summary.slide_count) == (1, 1)


def test_a_new_version_does_not_inherit_translations_and_learners_on_the_old_keep_theirs(
    services, course, organiser
):
    course_id, content = course
    translate(services, course, organiser)
    amina, _ = register(services)
    services.caught_up(services.app.enrol(amina, course_id))  # on version 1
    services.caught_up(services.app.publish_course(replace(content, title="Querying, again")))
    assert services.app.course_translation(course_id, 2, "sw") is None
    assert services.app.course_translation(course_id, 1, "sw").title == "Kuuliza Wikidata"
    with services.engine.connect() as conn:
        on_one = translated_titles(conn, {course_id: 1}, "sw")
        on_two = translated_titles(conn, {course_id: 2}, "sw")
    assert on_one[course_id].title == "Kuuliza Wikidata"
    assert on_two == {}


def test_only_organisers_and_admins_translate_and_refusals_record_nothing(
    services, course, organiser
):
    course_id, _ = course
    learner, _ = register(services)
    translation = CourseTranslation.of(
        "sw", swahili_data(), services.app.course_version(course_id, 1), clean_html
    )
    before = head(services)
    with pytest.raises(NotAllowedError):
        services.app.publish_translation(course_id, 1, translation, by=learner)
    with pytest.raises(CourseVersionNotFoundError):
        services.app.publish_translation(course_id, 2, translation, by=organiser)
    with pytest.raises(CourseNotFoundError):
        services.app.publish_translation(organiser, 1, translation, by=organiser)
    with pytest.raises(SameLanguageTranslationError):
        services.app.publish_translation(
            course_id, 1, replace(translation, language="en"), by=organiser
        )
    assert head(services) == before
    admin, _ = register(services, roles=("learner", "admin"))
    assert services.app.publish_translation(course_id, 1, translation, by=admin).position


def test_learner_pages_get_translated_texts_and_the_language_of_each_part(
    services, course, organiser
):
    course_id, _ = course
    translate(services, course, organiser)
    with services.engine.connect() as conn:
        modules = course_outline(conn, course_id, 1)
        shown, languages = localised_outline(conn, course_id, 1, "en", "sw", modules)
        page, page_languages = localised_slide(
            conn, course_id, 1, "en", "sw", slide_page(conn, course_id, 1, "basics", "check")
        )
        untouched, english = localised_outline(conn, course_id, 1, "en", "fr", modules)
    basics, more = shown
    assert (basics.title, basics.description, more.title) == ("Misingi", "Swali ni nini", "More")
    assert [s.title for s in basics.slides] == ["What is a query?", "Jipime"]
    assert languages.language_of("basics", "check") == "sw"
    assert languages.language_of("basics", "what") == "en"
    assert languages.is_fallback("more") and not languages.is_fallback("basics")
    assert (page.module_title, page.title, page.quiz.question) == (
        "Misingi",
        "Jipime",
        "Kauli ipi ni bora?",
    )
    assert page.quiz.answer(2).explanation == "Ndiyo." and page.quiz.correct_answer_id == 2
    assert page_languages.language_of("basics", "check") == "sw"
    assert untouched == modules and english.is_fallback("basics", "what")


def test_a_regional_reader_is_served_by_the_languages_translation(services, course, organiser):
    course_id, _ = course
    translate(services, course, organiser, language="pt", title="Consultando o Wikidata")
    with services.engine.connect() as conn:
        found = translated_titles(conn, {course_id: 1}, "pt_BR")
    assert (found[course_id].language, found[course_id].title) == ("pt", "Consultando o Wikidata")


def test_the_catalog_can_search_and_filter_by_the_languages_of_translations(
    services, course, organiser
):
    course_id, _ = course
    translate(services, course, organiser)
    other = services.caught_up(services.app.publish_course(course_content(title="Other"))).id
    shown = (catalog.c.course_id, catalog.c.version)

    def matching(condition) -> set:
        with services.engine.connect() as conn:
            return set(conn.execute(select(catalog.c.course_id).where(condition)).scalars())

    assert matching(translated_into(*shown, "sw")) == {course_id}
    assert matching(translated_into(*shown, "fr")) == set()
    assert matching(translation_mentions(*shown, "MISINGI")) == {course_id}
    assert matching(translation_mentions(*shown, "%")) == set()  # a literal percent sign
    assert other not in matching(translation_mentions(*shown, "kuuliza"))
    with services.engine.connect() as conn:
        assert translation_languages(conn, *shown) == ("sw",)


def test_the_read_model_rebuilds_identically(services, course, organiser):
    translate(services, course, organiser)
    translate(services, course, organiser, title="Kuuliza Wikidata kwa SPARQL")
    translate(services, course, organiser, language="fr", title="Interroger Wikidata")
    tables = TranslationsProjection.tables
    before = read_model_digest(services.engine, tables)
    services.projections.rebuild()
    assert read_model_digest(services.engine, tables) == before
