"""The Enrolment aggregate: one person's progress through one version of one course."""

from __future__ import annotations

import copy
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.content import CourseContent, Quiz
from domain.errors import (
    CourseModuleNotFoundError,
    EnrolmentWithdrawnError,
    NotAQuizError,
    SlideNotFoundError,
    UnknownAnswerError,
)

ENROLMENT_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/enrolment")


def enrolment_id_for(person_id: UUID, course_id: UUID) -> UUID:
    """One enrolment per person and course, so a double submit cannot enrol twice."""
    return uuid5(ENROLMENT_NAMESPACE, f"{person_id}/{course_id}")


def outline_of(content: CourseContent) -> list[dict]:
    """What progress is measured against: each module's slides and which of them hold quizzes."""
    return [
        {
            "module": m.slug,
            "slides": [s.slug for s in m.slides],
            "quizzes": [s.slug for s in m.slides if s.quiz is not None],
        }
        for m in content.modules
    ]


def _is_container(value: object) -> bool:
    return isinstance(value, set | list | dict)


def step_key(module: str, slide: str) -> str:
    return f"{module}/{slide}"


class Enrolment(Aggregate):
    TOPIC = "mafunzo.Enrolment"

    class Created(Aggregate.Created):  # base of Enrolled; the library wants every topic named
        TOPIC = "mafunzo.Enrolment.Created"

    @staticmethod
    def create_id(person_id: UUID, course_id: UUID, **_) -> UUID:
        return enrolment_id_for(person_id, course_id)

    @event("Enrolled", topic="mafunzo.Enrolment.Enrolled")
    def __init__(
        self,
        person_id: UUID,
        course_id: UUID,
        course_version: int,
        outline: list[dict],
        at: datetime,
    ):
        self.person_id = person_id
        self.course_id = course_id
        self.course_version = course_version
        self.outline = {m["module"]: m for m in outline}
        self.viewed: set[str] = set()
        self.passed: set[str] = set()
        self.completed_modules: set[str] = set()
        self.is_course_completed = False
        self.completed_at: datetime | None = None
        self.is_withdrawn = False

    def __deepcopy__(self, memo: dict) -> Enrolment:
        # The repository copies cached aggregates on every load, and a generic deep copy was
        # most of a learner action's cost. Ids, dates, strings and the outline (fixed at
        # enrolment) are immutable and shared; only the mutable containers are copied, and
        # their items are immutable too, so shallow copies of them suffice.
        clone = object.__new__(type(self))
        memo[id(self)] = clone
        clone.__dict__.update(
            (name, copy.copy(value) if _is_container(value) and name != "outline" else value)
            for name, value in self.__dict__.items()
        )
        return clone

    # --- commands ---------------------------------------------------------------------

    def view_slide(self, module: str, slide: str, at: datetime) -> None:
        """Record the first view of a slide; later views record nothing."""
        self.check_is_active()
        self.check_slide_exists(module, slide)
        if step_key(module, slide) in self.viewed:
            return
        self._view_slide(module, slide, at)
        self._complete_module_if_done(module, at)

    def answer_quiz(
        self, module: str, slide: str, quiz: Quiz, answer_id: int, at: datetime
    ) -> bool:
        """Record an attempt until the quiz is passed; return whether the answer is right."""
        self.check_is_active()
        self.check_slide_has_quiz(module, slide)
        if quiz.answer(answer_id) is None:
            raise UnknownAnswerError(answer_id)
        correct = quiz.is_correct(answer_id)
        if step_key(module, slide) not in self.passed:
            self._answer_quiz(module, slide, answer_id, correct, at)
            self._complete_module_if_done(module, at)
        return correct

    def withdraw(self, at: datetime) -> None:
        if not self.is_withdrawn:
            self._withdraw(at)

    def rejoin(self, at: datetime) -> None:
        if self.is_withdrawn:
            self._rejoin(at)

    # --- guards -----------------------------------------------------------------------

    def check_is_active(self) -> None:
        if self.is_withdrawn:
            raise EnrolmentWithdrawnError(self.id)

    def check_slide_exists(self, module: str, slide: str) -> None:
        if module not in self.outline:
            raise CourseModuleNotFoundError(module)
        if slide not in self.outline[module]["slides"]:
            raise SlideNotFoundError(slide)

    def check_slide_has_quiz(self, module: str, slide: str) -> None:
        self.check_slide_exists(module, slide)
        if slide not in self.outline[module]["quizzes"]:
            raise NotAQuizError(slide)

    # --- rules that decide completion -------------------------------------------------

    def is_module_done(self, module: str) -> bool:
        part = self.outline[module]
        return all(step_key(module, s) in self.viewed for s in part["slides"]) and all(
            step_key(module, q) in self.passed for q in part["quizzes"]
        )

    def _complete_module_if_done(self, module: str, at: datetime) -> None:
        if module in self.completed_modules or not self.is_module_done(module):
            return
        self._complete_module(module, at)
        if not self.is_course_completed and self.completed_modules == set(self.outline):
            self._complete_course(at)

    # --- events -----------------------------------------------------------------------

    @event("SlideViewed", topic="mafunzo.Enrolment.SlideViewed")
    def _view_slide(self, module: str, slide: str, at: datetime) -> None:
        self.viewed.add(step_key(module, slide))

    @event("QuizAnswered", topic="mafunzo.Enrolment.QuizAnswered")
    def _answer_quiz(self, module: str, slide: str, answer_id: int, correct: bool, at: datetime):
        # Answering is proof of having seen the slide.
        self.viewed.add(step_key(module, slide))
        if correct:
            self.passed.add(step_key(module, slide))

    @event("ModuleCompleted", topic="mafunzo.Enrolment.ModuleCompleted")
    def _complete_module(self, module: str, at: datetime) -> None:
        self.completed_modules.add(module)

    @event("CourseCompleted", topic="mafunzo.Enrolment.CourseCompleted")
    def _complete_course(self, at: datetime) -> None:
        self.is_course_completed = True
        self.completed_at = at

    @event("Withdrawn", topic="mafunzo.Enrolment.Withdrawn")
    def _withdraw(self, at: datetime) -> None:
        self.is_withdrawn = True

    @event("Rejoined", topic="mafunzo.Enrolment.Rejoined")
    def _rejoin(self, at: datetime) -> None:
        self.is_withdrawn = False
