"""Translating a course version: what a translation must match, what it may leave out, and
how a learner's course is put together from it and the original, told without I/O."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from domain.courses import Course
from domain.errors import (
    CourseVersionNotFoundError,
    InvalidTranslationError,
    SameLanguageTranslationError,
    UnknownTranslationLanguageError,
)
from domain.translation_texts import (
    carried_over,
    texts_by_part,
    translatable_texts,
    translation_data,
)
from domain.translations import (
    CourseTranslation,
    ModuleTranslation,
    PartLanguages,
    language_candidates,
)
from tests.factories import course_content

AT = datetime(2026, 5, 3, tzinfo=UTC)
ORIGINAL = course_content(slug="wikidata")


def keep(html: str) -> str:
    return html


def swahili(**changes) -> dict:
    """A Swahili translation of the course, its first module and that module's quiz slide."""
    data = {
        "title": "Kuuliza Wikidata",
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
                        "content_html": "<p>Chagua moja.</p>",
                        "quiz": {
                            "question": "Kauli ipi ni bora?",
                            "answers": [
                                {"id": 2, "text": "Ongeza kiambishi", "explanation": "Ndiyo."},
                                {"id": 1, "text": "Badilisha thamani", "explanation": "Hapana."},
                            ],
                        },
                    }
                ],
            }
        ],
    }
    return {**data, **changes}


def translated(data=None, language="sw", original=ORIGINAL) -> CourseTranslation:
    return CourseTranslation.of(language, swahili() if data is None else data, original, keep)


def refused_part(data, language="sw") -> str:
    with pytest.raises(InvalidTranslationError) as refused:
        CourseTranslation.of(language, data, ORIGINAL, keep)
    return refused.value.part


def module_with(**changes) -> dict:
    return {**swahili()["modules"][0], **changes}


def slide_with(**changes) -> dict:
    return {**swahili()["modules"][0]["slides"][0], **changes}


def quiz_with(**changes) -> dict:
    return {**slide_with()["quiz"], **changes}


# --- what a translation must match ---------------------------------------------------------


def test_a_translation_may_cover_some_slides_and_keeps_the_original_order():
    translation = translated()
    assert translation.language == "sw"
    (module,) = translation.modules
    assert [s.slug for s in module.slides] == ["check"]
    assert [a.id for a in module.slides[0].quiz.answers] == [1, 2]  # as in the original


def test_the_course_title_and_description_are_always_translated():
    assert refused_part({**swahili(), "title": "  "}) == "title"
    assert refused_part({k: v for k, v in swahili().items() if k != "description"}) == (
        "translation"
    )


@pytest.mark.parametrize(
    ("modules", "part"),
    [
        ([module_with(slug="advanced")], "modules.advanced"),
        ([module_with(), module_with()], "modules"),
        ([module_with(title="")], "modules.basics.title"),
        ([module_with(slides=[slide_with(slug="nope")])], "modules.basics.slides.nope"),
        ([module_with(slides=[slide_with(), slide_with()])], "modules.basics.slides"),
        (
            [module_with(slides=[slide_with(content_html="")])],
            "modules.basics.slides.check.content_html",
        ),
        ([module_with(slides=[slide_with(quiz=None)])], "modules.basics.slides.check.quiz"),
        (
            [module_with(slides=[{**slide_with(slug="what"), "quiz": quiz_with()}])],
            "modules.basics.slides.what.quiz",
        ),
    ],
)
def test_slugs_must_be_the_versions_and_each_part_whole(modules, part):
    assert refused_part(swahili(modules=modules)) == part


@pytest.mark.parametrize(
    ("answers", "part"),
    [
        ([{"id": 2, "text": "Ndiyo", "explanation": "Ndiyo."}], "answers"),
        (
            [
                {"id": 1, "text": "A", "explanation": "B"},
                {"id": 3, "text": "C", "explanation": "D"},
            ],
            "answers",
        ),
        (
            [
                {"id": 1, "text": "A", "explanation": "B"},
                {"id": 1, "text": "C", "explanation": "D"},
            ],
            "answers",
        ),
        (
            [
                {"id": 1, "text": "A", "explanation": "B"},
                {"id": 2, "text": "C", "explanation": " "},
            ],
            "answers.2.explanation",
        ),
        (
            [
                {"id": "1", "text": "A", "explanation": "B"},
                {"id": 2, "text": "C", "explanation": "D"},
            ],
            "answers",
        ),
    ],
)
def test_a_quiz_translates_exactly_the_original_answers(answers, part):
    slide = slide_with(quiz=quiz_with(answers=answers))
    refused = refused_part(swahili(modules=[module_with(slides=[slide])]))
    assert refused == f"modules.basics.slides.check.quiz.{part}"


@pytest.mark.parametrize(
    ("data", "part"),
    [
        (None, "translation"),
        ([], "translation"),
        ("Kuuliza Wikidata", "translation"),
        ({**swahili(), "editor": "me"}, "translation"),
        (swahili(modules={"basics": {}}), "modules"),
        (swahili(modules=[module_with(slug=7)]), "modules"),
        (swahili(title=["Kuuliza"]), "title"),
        (swahili(title=12), "title"),
        (swahili(title="Kuuliza\nWikidata\x00"), "title"),
        (swahili(title="K" * 301), "title"),
        (swahili(description="\x1b[31m"), "description"),
        (swahili(modules=[module_with(slides=[slide_with(content_html="x" * 100_001)])]), None),
        (swahili(language="fr"), "language"),
    ],
)
def test_malformed_data_is_refused_naming_the_part(data, part):
    refused = refused_part(data)
    assert refused == (part or "modules.basics.slides.check.content_html")


def test_slide_html_is_sanitised_before_it_is_checked():
    def drop_scripts(html: str) -> str:
        return html.replace("<script>alert(1)</script>", "")

    slide = slide_with(content_html="<script>alert(1)</script>")
    with pytest.raises(InvalidTranslationError) as refused:
        CourseTranslation.of(
            "sw", swahili(modules=[module_with(slides=[slide])]), ORIGINAL, drop_scripts
        )
    assert refused.value.part == "modules.basics.slides.check.content_html"


@pytest.mark.parametrize("language", ["xx", "und", "en-ZZ", "", "sw_KE", "a" * 40, None, 3])
def test_a_translation_is_into_a_language_cldr_knows(language):
    with pytest.raises(UnknownTranslationLanguageError):
        translated(language=language)


def test_language_tags_are_kept_in_their_usual_case():
    assert translated(language="PT-br").language == "pt-BR"
    assert translated(language="sat").language == "sat"  # Santali


def test_a_course_is_not_translated_into_its_own_language():
    with pytest.raises(SameLanguageTranslationError):
        translated(language="EN")


def test_equal_translations_have_equal_digests_whatever_the_order_they_came_in():
    data = swahili()
    answers = data["modules"][0]["slides"][0]["quiz"]["answers"]
    reordered = swahili(
        modules=[module_with(slides=[slide_with(quiz=quiz_with(answers=answers[::-1]))])]
    )
    assert translated(data).digest() == translated(reordered).digest()
    assert translated(data) == CourseTranslation.from_dict(translated(data).to_dict())


# --- the Course keeps translations per version, in revisions -------------------------------


def published_course() -> Course:
    course = Course("wikidata", None, AT)
    course.publish(ORIGINAL, None, AT)
    return course


def test_a_course_records_a_revision_only_when_the_translation_changes():
    course = published_course()
    assert course.publish_translation(1, translated(), None, AT) is True
    assert course.publish_translation(1, translated(), None, AT) is False
    retitled = translated(swahili(title="Kuuliza Wikidata kwa SPARQL"))
    assert course.publish_translation(1, retitled, None, AT) is True
    assert course.translation_revision(1, "sw") == 2
    assert course.translation(1, "sw") == retitled
    events = course.collect_events()
    assert [e.revision for e in events if isinstance(e, Course.TranslationPublished)] == [1, 2]


def test_a_translation_belongs_to_the_version_it_translates():
    course = published_course()
    course.publish_translation(1, translated(), None, AT)
    course.publish(course_content(slug="wikidata", title="Querying Wikidata, again"), None, AT)
    assert course.translation(2, "sw") is None
    assert course.translation(1, "sw") == translated()
    with pytest.raises(CourseVersionNotFoundError):
        course.publish_translation(3, translated(), None, AT)
    with pytest.raises(CourseVersionNotFoundError):
        course.publish_translation(0, translated(), None, AT)


def test_a_translation_of_another_course_shape_is_refused_by_the_course():
    course = published_course()
    stranger = CourseTranslation("sw", "Kichwa", "Maelezo", (ModuleTranslation("gone", "X", "Y"),))
    with pytest.raises(InvalidTranslationError):
        course.publish_translation(1, stranger, None, AT)
    assert course.translation_revision(1, "sw") == 0


# --- what learners see ---------------------------------------------------------------------


def test_the_localised_course_falls_back_to_the_original_and_says_which_is_which():
    localised = translated().localised(ORIGINAL)
    basics, more = localised.content.modules
    assert (localised.content.title, basics.title, more.title) == (
        "Kuuliza Wikidata",
        "Misingi",
        "More",
    )
    what, check = basics.slides
    assert (what.title, check.title) == ("What is a query?", "Jipime")
    assert check.quiz.question == "Kauli ipi ni bora?"
    assert check.quiz.answer(2).text == "Ongeza kiambishi"
    assert check.quiz.correct_answer_id == 2  # the right answer never changes
    assert localised.language_of() == "sw"
    assert localised.language_of("basics") == "sw"
    assert localised.language_of("basics", "check") == "sw"
    assert localised.language_of("basics", "what") == "en"
    assert localised.language_of("more") == "en"
    assert localised.languages.is_fallback("more", "cats")
    assert not localised.languages.is_fallback("basics", "check")


def test_without_a_translation_only_other_languages_readers_get_a_notice():
    assert PartLanguages("fr", "en").is_fallback("basics", "what")
    assert PartLanguages("fr", "en").language_of("basics") == "en"
    assert not PartLanguages("en-GB", "en").is_fallback("basics", "what")


def test_a_reader_of_a_regional_language_is_served_by_its_language_too():
    assert language_candidates("pt_BR") == ("pt-BR", "pt")
    assert language_candidates("sw") == ("sw",)


# --- the texts a translator fills in -------------------------------------------------------


def test_the_form_texts_name_each_part_and_skip_empty_originals():
    parts = [t.part for t in translatable_texts(ORIGINAL)]
    assert parts[:4] == [
        "title",
        "description",
        "modules.basics.title",
        "modules.basics.description",
    ]
    assert "modules.basics.slides.check.quiz.answers.2.explanation" in parts
    assert len(parts) == len(set(parts))


def test_form_fields_become_the_translation_of_every_part_filled_in():
    fields = texts_by_part(translated())
    data = translation_data(fields, ORIGINAL)
    assert CourseTranslation.of("sw", data, ORIGINAL, keep) == translated()
    assert [m["slug"] for m in data["modules"]] == ["basics"]


def test_a_slide_filled_in_by_half_is_refused_at_the_missing_text():
    fields = {**texts_by_part(translated()), "modules.more.slides.cats.title": "Paka"}
    with pytest.raises(InvalidTranslationError) as refused:
        CourseTranslation.of("sw", translation_data(fields, ORIGINAL), ORIGINAL, keep)
    assert refused.value.part == "modules.more.title"


def test_a_new_version_starts_from_the_texts_whose_original_it_kept():
    basics = ORIGINAL.modules[0]
    changed = replace(basics.slides[1], title="Check what you know")
    version_two = replace(
        ORIGINAL, modules=(replace(basics, slides=(basics.slides[0], changed)), ORIGINAL.modules[1])
    )
    prefilled = carried_over(translated(), ORIGINAL, version_two)
    assert prefilled["title"] == "Kuuliza Wikidata"
    assert prefilled["modules.basics.slides.check.content_html"] == "<p>Chagua moja.</p>"
    assert "modules.basics.slides.check.title" not in prefilled  # its original changed
