"""The rules of learning progress, told without Flask or SQL."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.content import Answer, CourseContent, Module, Quiz, Slide
from domain.enrolments import Enrolment, outline_of
from domain.errors import (
    CourseModuleNotFoundError,
    EnrolmentWithdrawnError,
    NotAQuizError,
    SlideNotFoundError,
    UnknownAnswerError,
)

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
QUIZ = Quiz("Which?", (Answer(1, "Wrong", "No: because."), Answer(2, "Right", "Yes!")), 2)


def course() -> CourseContent:
    intro = Module("intro", "Intro", "", 5, (Slide("hello", "Hello", "<p>Hi</p>"),))
    quiz = Module(
        "check",
        "Check",
        "",
        5,
        (Slide("read", "Read", "<p>Read</p>"), Slide("quiz", "Quiz", "", QUIZ)),
    )
    return CourseContent("c", "C", "", "en", "CC BY-SA 4.0", "x", "u", (), (intro, quiz))


@pytest.fixture
def enrolment() -> Enrolment:
    e = Enrolment(uuid4(), uuid4(), 1, outline_of(course()), at=AT)
    e.collect_events()
    return e


def names(enrolment: Enrolment) -> list[str]:
    return [type(e).__name__ for e in enrolment.collect_events()]


def test_a_module_of_plain_slides_completes_when_its_last_slide_is_viewed(enrolment):
    enrolment.view_slide("intro", "hello", AT)
    assert names(enrolment) == ["SlideViewed", "ModuleCompleted"]


def test_viewing_a_slide_twice_records_nothing_new(enrolment):
    enrolment.view_slide("check", "read", AT)
    enrolment.collect_events()
    enrolment.view_slide("check", "read", AT)
    assert names(enrolment) == []


def test_a_module_with_a_quiz_needs_the_right_answer(enrolment):
    enrolment.view_slide("check", "read", AT)
    assert enrolment.answer_quiz("check", "quiz", QUIZ, 1, AT) is False
    assert "check" not in enrolment.completed_modules
    assert enrolment.answer_quiz("check", "quiz", QUIZ, 2, AT) is True
    assert names(enrolment) == ["SlideViewed", "QuizAnswered", "QuizAnswered", "ModuleCompleted"]


def test_answering_a_passed_quiz_again_records_nothing(enrolment):
    enrolment.answer_quiz("check", "quiz", QUIZ, 2, AT)
    enrolment.collect_events()
    assert enrolment.answer_quiz("check", "quiz", QUIZ, 1, AT) is False
    assert names(enrolment) == []


def test_the_course_completes_exactly_once_with_its_last_module(enrolment):
    enrolment.view_slide("intro", "hello", AT)
    enrolment.view_slide("check", "read", AT)
    assert not enrolment.is_course_completed
    enrolment.answer_quiz("check", "quiz", QUIZ, 2, AT)
    assert names(enrolment).count("CourseCompleted") == 1
    enrolment.view_slide("intro", "hello", AT)
    enrolment.answer_quiz("check", "quiz", QUIZ, 2, AT)
    assert names(enrolment) == []


def test_no_progress_after_withdrawing_and_progress_again_after_rejoining(enrolment):
    enrolment.withdraw(AT)
    with pytest.raises(EnrolmentWithdrawnError):
        enrolment.view_slide("intro", "hello", AT)
    with pytest.raises(EnrolmentWithdrawnError):
        enrolment.answer_quiz("check", "quiz", QUIZ, 2, AT)
    enrolment.withdraw(AT)
    assert names(enrolment) == ["Withdrawn"]
    enrolment.rejoin(AT)
    enrolment.view_slide("intro", "hello", AT)
    assert names(enrolment) == ["Rejoined", "SlideViewed", "ModuleCompleted"]


@pytest.mark.parametrize(
    ("module", "slide", "error"),
    [("nope", "hello", CourseModuleNotFoundError), ("intro", "nope", SlideNotFoundError)],
)
def test_unknown_modules_and_slides_are_refused(enrolment, module, slide, error):
    with pytest.raises(error):
        enrolment.view_slide(module, slide, AT)
    assert names(enrolment) == []


def test_only_quiz_slides_take_answers_and_only_known_answers(enrolment):
    with pytest.raises(NotAQuizError):
        enrolment.answer_quiz("check", "read", QUIZ, 2, AT)
    with pytest.raises(UnknownAnswerError):
        enrolment.answer_quiz("check", "quiz", QUIZ, 99, AT)
    assert names(enrolment) == []


def test_progress_is_measured_against_the_version_enrolled_in():
    first = Enrolment(uuid4(), uuid4(), 1, outline_of(course()), at=AT)
    assert set(first.outline) == {"intro", "check"}
    assert first.outline["check"]["quizzes"] == ["quiz"]


def test_a_copy_of_an_enrolment_changes_independently_of_the_original(enrolment):
    import copy

    clone = copy.deepcopy(enrolment)
    clone.view_slide("intro", "hello", AT)
    assert enrolment.viewed == set()
    assert enrolment.completed_modules == set()
    assert names(enrolment) == []
    assert names(clone) == ["SlideViewed", "ModuleCompleted"]
    assert clone.version == enrolment.version + 2
