"""Translations of a course version: its texts in another language, checked part for part."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import asdict, dataclass, replace

from babel import Locale, UnknownLocaleError

from domain.content import CourseContent, Module, Quiz, Slide
from domain.errors import (
    InvalidLanguagesError,
    InvalidTranslationError,
    SameLanguageTranslationError,
    UnknownTranslationLanguageError,
)
from domain.skill_profiles import checked_language, cleaned, primary_language

TITLE_MAX = 300
TEXT_MAX = 10_000  # descriptions, questions, answers and explanations
HTML_MAX = 100_000  # a slide: thirty times the longest in the Wiki Education library


def translation_language(tag, original_language: str) -> str:
    """`tag` in its usual case (pt-BR), if CLDR knows it and it is not the original's language."""
    try:
        language = checked_language(tag)
        known = str(Locale.parse(language, sep="-")).replace("_", "-")
    except (InvalidLanguagesError, UnknownLocaleError, ValueError, TypeError):
        raise UnknownTranslationLanguageError(tag) from None
    if known != language:  # Babel filled in a guess: "und" and "en-ZZ" both become en-US
        raise UnknownTranslationLanguageError(tag)
    if language.casefold() == original_language.strip().casefold():
        raise SameLanguageTranslationError(language)
    return language


def language_candidates(wanted: str) -> tuple[str, ...]:
    """The translations that serve a reader of `wanted` (pt_BR or pt-BR), best first: that very
    language, then the language without its region or script (pt)."""
    tag = wanted.replace("_", "-")
    return tuple(dict.fromkeys((tag, primary_language(tag))))


def same_language(one: str, other: str) -> bool:
    """Whether a reader of one reads the other without help: pt-BR and pt, say."""
    return primary_language(one).casefold() == primary_language(other).casefold()


# --- the translation ----------------------------------------------------------------------


@dataclass(frozen=True)
class AnswerTranslation:
    id: int
    text: str
    explanation: str


@dataclass(frozen=True)
class QuizTranslation:
    question: str
    answers: tuple[AnswerTranslation, ...]

    def applied_to(self, quiz: Quiz) -> Quiz:
        """The quiz in these words; which answer is right never changes."""
        texts = {a.id: a for a in self.answers}
        answers = tuple(
            replace(a, text=texts[a.id].text, explanation=texts[a.id].explanation)
            for a in quiz.answers
        )
        return replace(quiz, question=self.question, answers=answers)


@dataclass(frozen=True)
class SlideTranslation:
    slug: str
    title: str
    content_html: str
    quiz: QuizTranslation | None = None

    def applied_to(self, slide: Slide) -> Slide:
        quiz = self.quiz.applied_to(slide.quiz) if self.quiz and slide.quiz else slide.quiz
        return replace(slide, title=self.title, content_html=self.content_html, quiz=quiz)


@dataclass(frozen=True)
class ModuleTranslation:
    slug: str
    title: str
    description: str
    slides: tuple[SlideTranslation, ...] = ()

    def slide(self, slug: str) -> SlideTranslation | None:
        return next((s for s in self.slides if s.slug == slug), None)

    def applied_to(self, module: Module) -> Module:
        slides = tuple(
            found.applied_to(s) if (found := self.slide(s.slug)) else s for s in module.slides
        )
        return replace(module, title=self.title, description=self.description, slides=slides)


@dataclass(frozen=True)
class CourseTranslation:
    """One course version in `language`: always its title and description, and any of its
    modules and slides, each whole (a slide with its quiz); what it leaves out stays in the
    original language, and learners are told so."""

    language: str
    title: str
    description: str
    modules: tuple[ModuleTranslation, ...] = ()

    @classmethod
    def of(
        cls, language, data, original: CourseContent, clean_html: Callable[[str], str]
    ) -> CourseTranslation:
        """A checked translation of `original` from untrusted `data`, shaped like `to_dict()`
        (its "language", if there, must be `language`). Slide HTML goes through `clean_html`,
        the sanitiser imported content goes through, before it is checked."""
        language = translation_language(language, original.language)
        fields = _fields(data, "translation", {"title", "description"}, {"modules", "language"})
        if fields.get("language", language) != language:
            raise InvalidTranslationError("language")
        modules = _items(fields.get("modules", []), "modules")
        translation = cls(
            language,
            _text(fields["title"], "title", TITLE_MAX),
            _text(fields["description"], "description", TEXT_MAX, multiline=True),
            tuple(_module(m, clean_html) for m in modules),
        )
        translation.check_translates(original)
        return translation.in_order_of(original)

    def check_translates(self, original: CourseContent) -> None:
        """Refuses a translation that does not fit `original`: another language's tag, a part
        the version lacks, a part twice, or a text left empty (or filled where it is empty)."""
        if translation_language(self.language, original.language) != self.language:
            raise UnknownTranslationLanguageError(self.language)
        _check_filled(self.title, original.title, "title")
        _check_filled(self.description, original.description, "description")
        _check_unique([m.slug for m in self.modules], "modules")
        for module in self.modules:
            _check_module(module, original.module(module.slug))

    def in_order_of(self, original: CourseContent) -> CourseTranslation:
        """The same translation with its parts in the original's order, so equal translations
        have equal digests however they were sent."""
        modules = []
        for module in _sorted_like(self.modules, original.modules):
            source = original.module(module.slug)
            slides = tuple(
                _answers_in_order(s, source.slide(s.slug))
                for s in _sorted_like(module.slides, source.slides)
            )
            modules.append(replace(module, slides=slides))
        return replace(self, modules=tuple(modules))

    def module(self, slug: str) -> ModuleTranslation | None:
        return next((m for m in self.modules if m.slug == slug), None)

    def parts(self) -> frozenset[tuple[str, str | None]]:
        """What this translates besides the course's title and description: `(module, None)`
        for a module's own title and description, `(module, slide)` for a slide."""
        modules = {(m.slug, None) for m in self.modules}
        return frozenset(modules | {(m.slug, s.slug) for m in self.modules for s in m.slides})

    def localised(self, original: CourseContent) -> LocalisedCourse:
        """The course as a reader of this language sees it: translated where this covers it,
        the original elsewhere. The content's `language` is this one; `language_of` names
        each part's."""
        modules = tuple(
            found.applied_to(m) if (found := self.module(m.slug)) else m for m in original.modules
        )
        content = replace(
            original,
            title=self.title,
            description=self.description,
            language=self.language,
            modules=modules,
        )
        languages = PartLanguages(self.language, original.language, self.language, self.parts())
        return LocalisedCourse(content, languages)

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> CourseTranslation:
        modules = tuple(
            ModuleTranslation(
                m["slug"],
                m["title"],
                m["description"],
                tuple(_slide_from_dict(s) for s in m["slides"]),
            )
            for m in data["modules"]
        )
        return cls(data["language"], data["title"], data["description"], modules)

    def digest(self) -> str:
        """A stable fingerprint: equal translations, equal digests."""
        canonical = json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(canonical.encode()).hexdigest()


def _sorted_like(parts, originals) -> tuple:
    order = {o.slug: i for i, o in enumerate(originals)}
    return tuple(sorted(parts, key=lambda p: order[p.slug]))


def _answers_in_order(slide: SlideTranslation, original: Slide) -> SlideTranslation:
    if slide.quiz is None:
        return slide
    order = {a.id: i for i, a in enumerate(original.quiz.answers)}
    answers = tuple(sorted(slide.quiz.answers, key=lambda a: order[a.id]))
    return replace(slide, quiz=replace(slide.quiz, answers=answers))


def _slide_from_dict(data: dict) -> SlideTranslation:
    quiz = data["quiz"]
    if quiz is not None:
        answers = tuple(AnswerTranslation(**a) for a in quiz["answers"])
        quiz = QuizTranslation(quiz["question"], answers)
    return SlideTranslation(data["slug"], data["title"], data["content_html"], quiz)


# --- which language each part is in ---------------------------------------------------------


@dataclass(frozen=True)
class PartLanguages:
    """Which language each part of a course is shown in, for a reader who wants `wanted`.

    The course's own title and description are in `translation` when there is one; a module's
    title and description (`(module, None)`) and a slide (`(module, slide)`) are in it when
    `translated` holds them, and in `original` otherwise. Pages mark each part with `lang`
    and tell the reader when a part is not in their language.
    """

    wanted: str
    original: str
    translation: str | None = None
    translated: frozenset[tuple[str, str | None]] = frozenset()

    def language_of(self, module: str | None = None, slide: str | None = None) -> str:
        if self.translation is None:
            return self.original
        if module is None or (module, slide) in self.translated:
            return self.translation
        return self.original

    def is_fallback(self, module: str | None = None, slide: str | None = None) -> bool:
        """Shown in a language the reader did not ask for: the page says so."""
        return not same_language(self.language_of(module, slide), self.wanted)


@dataclass(frozen=True)
class LocalisedCourse:
    content: CourseContent
    languages: PartLanguages

    def language_of(self, module: str | None = None, slide: str | None = None) -> str:
        return self.languages.language_of(module, slide)


# --- reading untrusted data -----------------------------------------------------------------


def _fields(value, part: str, required: set[str], optional: frozenset[str] = frozenset()) -> dict:
    """`value` as a dict with every required key and no other than the optional ones."""
    if not isinstance(value, dict) or not required <= set(value) <= required | optional:
        raise InvalidTranslationError(part)
    return value


def _items(value, part: str) -> list:
    if not isinstance(value, list):
        raise InvalidTranslationError(part)
    return value


def _slug(fields: dict, part: str) -> str:
    if not isinstance(fields["slug"], str):
        raise InvalidTranslationError(part)
    return fields["slug"]


def _text(value, part: str, limit: int, *, multiline: bool = False) -> str:
    text = cleaned(value, limit, multiline=multiline)
    if text is None:
        raise InvalidTranslationError(part)
    return text


def _module(value, clean_html: Callable[[str], str]) -> ModuleTranslation:
    fields = _fields(value, "modules", {"slug", "title", "description"}, {"slides"})
    m = f"modules.{_slug(fields, 'modules')}"
    slides = _items(fields.get("slides", []), f"{m}.slides")
    return ModuleTranslation(
        fields["slug"],
        _text(fields["title"], f"{m}.title", TITLE_MAX),
        _text(fields["description"], f"{m}.description", TEXT_MAX, multiline=True),
        tuple(_slide(s, f"{m}.slides", clean_html) for s in slides),
    )


def _slide(value, container: str, clean_html: Callable[[str], str]) -> SlideTranslation:
    fields = _fields(value, container, {"slug", "title", "content_html"}, {"quiz"})
    s = f"{container}.{_slug(fields, container)}"
    html = _text(fields["content_html"], f"{s}.content_html", HTML_MAX, multiline=True)
    quiz = fields.get("quiz")
    return SlideTranslation(
        fields["slug"],
        _text(fields["title"], f"{s}.title", TITLE_MAX),
        clean_html(html).strip(),
        None if quiz is None else _quiz(quiz, f"{s}.quiz"),
    )


def _quiz(value, q: str) -> QuizTranslation:
    fields = _fields(value, q, {"question", "answers"})
    answers = []
    for item in _items(fields["answers"], f"{q}.answers"):
        answer = _fields(item, f"{q}.answers", {"id", "text", "explanation"})
        if type(answer["id"]) is not int:
            raise InvalidTranslationError(f"{q}.answers")
        a = f"{q}.answers.{answer['id']}"
        answers.append(
            AnswerTranslation(
                answer["id"],
                _text(answer["text"], f"{a}.text", TEXT_MAX, multiline=True),
                _text(answer["explanation"], f"{a}.explanation", TEXT_MAX, multiline=True),
            )
        )
    return QuizTranslation(
        _text(fields["question"], f"{q}.question", TEXT_MAX, multiline=True), tuple(answers)
    )


# --- checking against the original ----------------------------------------------------------


def _check_filled(text: str, original: str, part: str) -> None:
    """A text is translated exactly where the original has one."""
    if bool(text.strip()) != bool(original.strip()):
        raise InvalidTranslationError(part)


def _check_unique(keys: list, part: str) -> None:
    if len(set(keys)) != len(keys):
        raise InvalidTranslationError(part)


def _check_module(module: ModuleTranslation, original: Module | None) -> None:
    m = f"modules.{module.slug}"
    if original is None:
        raise InvalidTranslationError(m)
    _check_filled(module.title, original.title, f"{m}.title")
    _check_filled(module.description, original.description, f"{m}.description")
    _check_unique([s.slug for s in module.slides], f"{m}.slides")
    for slide in module.slides:
        _check_slide(slide, original.slide(slide.slug), f"{m}.slides.{slide.slug}")


def _check_slide(slide: SlideTranslation, original: Slide | None, s: str) -> None:
    if original is None:
        raise InvalidTranslationError(s)
    _check_filled(slide.title, original.title, f"{s}.title")
    _check_filled(slide.content_html, original.content_html, f"{s}.content_html")
    if (slide.quiz is None) != (original.quiz is None):
        raise InvalidTranslationError(f"{s}.quiz")
    if slide.quiz is None:
        return
    ids = [a.id for a in slide.quiz.answers]
    if sorted(ids) != sorted(a.id for a in original.quiz.answers):
        raise InvalidTranslationError(f"{s}.quiz.answers")
    _check_filled(slide.quiz.question, original.quiz.question, f"{s}.quiz.question")
    for answer in slide.quiz.answers:
        before, a = original.quiz.answer(answer.id), f"{s}.quiz.answers.{answer.id}"
        _check_filled(answer.text, before.text, f"{a}.text")
        _check_filled(answer.explanation, before.explanation, f"{a}.explanation")
