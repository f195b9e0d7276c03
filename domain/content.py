"""The shape of a course's content: modules, slides and quizzes, as plain immutable values."""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Answer:
    id: int
    text: str
    explanation: str


@dataclass(frozen=True)
class Quiz:
    question: str
    answers: tuple[Answer, ...]
    correct_answer_id: int

    def answer(self, answer_id: int) -> Answer | None:
        return next((a for a in self.answers if a.id == answer_id), None)

    def is_correct(self, answer_id: int) -> bool:
        return answer_id == self.correct_answer_id

    @classmethod
    def from_dict(cls, data: dict) -> Quiz:
        return cls(
            data["question"], tuple(Answer(**a) for a in data["answers"]), data["correct_answer_id"]
        )


@dataclass(frozen=True)
class Slide:
    slug: str
    title: str
    content_html: str
    quiz: Quiz | None = None


@dataclass(frozen=True)
class Module:
    slug: str
    title: str
    description: str
    estimated_minutes: int
    slides: tuple[Slide, ...]

    def slide(self, slug: str) -> Slide | None:
        return next((s for s in self.slides if s.slug == slug), None)


@dataclass(frozen=True)
class CourseContent:
    """Everything one version of a course teaches, and where it came from."""

    slug: str
    title: str
    description: str
    language: str
    licence: str
    attribution: str
    source_url: str
    skills: tuple[str, ...]
    modules: tuple[Module, ...]

    def module(self, slug: str) -> Module | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CourseContent:
        modules = tuple(_module_from_dict(m) for m in data["modules"])
        return cls(**{**data, "skills": tuple(data["skills"]), "modules": modules})

    def digest(self) -> str:
        """A stable fingerprint: equal content, equal digest, whatever the dict order."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _module_from_dict(data: dict) -> Module:
    slides = tuple(_slide_from_dict(s) for s in data["slides"])
    return Module(**{**data, "slides": slides})


def _slide_from_dict(data: dict) -> Slide:
    quiz = data.get("quiz")
    quiz = Quiz.from_dict(quiz) if quiz is not None else None
    return Slide(data["slug"], data["title"], data["content_html"], quiz)
