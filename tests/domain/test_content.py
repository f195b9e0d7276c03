"""CourseContent survives a dict (and JSON) round trip, and its digest is a stable fingerprint."""

from __future__ import annotations

import json
from dataclasses import replace

from domain.content import Answer, CourseContent, Module, Quiz, Slide


def _content() -> CourseContent:
    quiz = Quiz(
        "Which query language does Wikidata use?",
        (Answer(1, "SQL", "INCORRECT! Close, but no."), Answer(2, "SPARQL", "CORRECT!")),
        correct_answer_id=2,
    )
    slides = (
        Slide("whats-sparql", "What's SPARQL?", "<p>A query language.</p>"),
        Slide("sparql-quiz", "Quiz", "", quiz),
    )
    module = Module("querying-wikidata", "Querying Wikidata", "How to query.", 15, slides)
    return CourseContent(
        slug="wikidata-professional",
        title="Wikidata",
        description="The basics of contributing to Wikidata.",
        language="en",
        licence="CC BY-SA 4.0",
        attribution="Wiki Education",
        source_url="https://dashboard.wikiedu.org/training/wikidata-professional",
        skills=("Wikidata",),
        modules=(module, Module("empty", "Nothing yet", "", 0, ())),
    )


def test_to_dict_and_back_gives_an_equal_value():
    content = _content()

    assert CourseContent.from_dict(content.to_dict()) == content


def test_a_json_round_trip_gives_an_equal_value_with_the_same_digest():
    content = _content()

    restored = CourseContent.from_dict(json.loads(json.dumps(content.to_dict())))

    assert restored == content
    assert restored.digest() == content.digest()
    assert isinstance(restored.skills, tuple)
    assert isinstance(restored.modules[0].slides, tuple)
    assert restored.module("querying-wikidata").slide("sparql-quiz").quiz.is_correct(2)


def test_digest_is_stable_whatever_the_dict_order():
    content = _content()
    data = content.to_dict()
    reversed_keys = dict(reversed(list(data.items())))

    assert CourseContent.from_dict(reversed_keys).digest() == content.digest()
    assert content.digest() == _content().digest()
    assert len(content.digest()) == 64


def test_digest_changes_when_any_content_changes():
    content = _content()
    module = content.modules[0]
    edited_slide = replace(module.slides[0], content_html="<p>A different text.</p>")
    edited = replace(content, modules=(replace(module, slides=(edited_slide,)),))

    assert edited.digest() != content.digest()
    assert replace(content, licence="CC BY 4.0").digest() != content.digest()
