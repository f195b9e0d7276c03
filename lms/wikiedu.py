"""Reads the Wiki Education Dashboard training library (YAML files) into CourseContent values."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml

from domain.content import Answer, CourseContent, Module, Quiz, Slide
from lms.sanitise import clean_html, clean_text, markdown_text

# The C loader (when PyYAML was built with libyaml) reads the corpus several times faster.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
DASHBOARD_URL = "https://dashboard.wikiedu.org/"
LICENCE = "CC BY-SA 4.0"
ATTRIBUTION = (
    "Adapted from the Wiki Education Dashboard training library by Wiki Education (CC BY-SA 4.0)"
)

_T = TypeVar("_T")
# Shape errors in hand-edited YAML (a missing key, a list where a mapping belongs, a non-numeric
# id) surface as these; one odd file must be reported, not abort the whole import.
_SHAPE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
_NUMERIC_PREFIX = re.compile(r"^\d+-")
_DURATION = re.compile(r"(\d+)(?:\s*-\s*(\d+))?\s*(hours?|hrs?|minutes?|mins?)\b", re.IGNORECASE)


class CorpusNotFoundError(FileNotFoundError):
    """No Wiki Education training content (a wiki_ed folder with libraries/) where expected."""


@dataclass(frozen=True)
class LibraryImport:
    """One library read as a course, with what could not be resolved, described for people."""

    content: CourseContent
    unresolved: tuple[str, ...]


def find_wiki_ed_root(path: Path) -> Path:
    """The wiki_ed folder at `path`, or below it as wiki_ed/ or training_content/wiki_ed/."""
    path = Path(path)
    for candidate in (path, path / "wiki_ed", path / "training_content" / "wiki_ed"):
        if (candidate / "libraries").is_dir():
            return candidate
    raise CorpusNotFoundError(
        f"no Wiki Education training content at {path}: expected a folder with libraries/, "
        "modules/ and slides/ there, or below it as wiki_ed/ or training_content/wiki_ed/"
    )


def read_corpus(root: Path) -> tuple[LibraryImport, ...]:
    """Every library of the corpus, in file-name order."""
    index = _Index.of(find_wiki_ed_root(root))
    files = sorted((index.root / "libraries").glob("*.yml"))
    return tuple(_LibraryReader(index, path).read() for path in files)


def read_library(root: Path, library_file: Path) -> LibraryImport:
    """One library; a library file that cannot be read gives a course with no modules."""
    index = _Index.of(find_wiki_ed_root(root))
    return _LibraryReader(index, Path(library_file)).read()


class _Unusable(Exception):
    """A YAML file that cannot be used; the message goes into `unresolved`."""


@dataclass(frozen=True)
class _Index:
    """Module and slide files by slug, so each reference is a lookup rather than a search."""

    root: Path
    modules: dict[str, tuple[Path, ...]]
    slides: dict[str, tuple[Path, ...]]

    @classmethod
    def of(cls, root: Path) -> _Index:
        modules = _by_slug(root / "modules", lambda path: path.stem)
        slides = _by_slug(root / "slides", lambda path: _NUMERIC_PREFIX.sub("", path.stem))
        return cls(root, modules, slides)

    def load(self, path: Path) -> dict:
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)  # noqa: S506
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            summary = " ".join(str(error).split())
            raise _Unusable(f"{self.relative(path)} is not readable YAML ({summary})") from error
        if not isinstance(data, dict):
            raise _Unusable(f"{self.relative(path)} does not hold a YAML mapping")
        return data

    def relative(self, path: Path) -> str:
        if path.is_relative_to(self.root):
            return path.relative_to(self.root).as_posix()
        return str(path)


def _by_slug(folder: Path, slug_of: Callable[[Path], str]) -> dict[str, tuple[Path, ...]]:
    found: dict[str, list[Path]] = {}
    for path in sorted(folder.rglob("*.yml")):
        found.setdefault(slug_of(path), []).append(path)
    return {slug: tuple(paths) for slug, paths in found.items()}


class _LibraryReader:
    """Reads one library, collecting every reference it cannot resolve instead of failing."""

    def __init__(self, index: _Index, library_file: Path) -> None:
        self.index = index
        self.file = library_file
        self.slug = library_file.stem
        self.unresolved: list[str] = []

    def read(self) -> LibraryImport:
        try:
            data = self.index.load(self.file)
        except _Unusable as problem:
            self.unresolved.append(f"library '{self.slug}': {problem}")
            data = {}
        content = self._convert(f"library '{self.slug}'", self._course, data)
        return LibraryImport(content or self._course({}), tuple(self.unresolved))

    def _course(self, data: dict) -> CourseContent:
        return CourseContent(
            slug=self.slug,
            title=clean_text(_text(data.get("name"))) or self.slug,
            description=markdown_text(_text(data.get("introduction"))),
            language="en",
            licence=LICENCE,
            attribution=ATTRIBUTION,
            source_url=f"{DASHBOARD_URL}training/{self.slug}",
            skills=_skills(self.slug),
            modules=self._modules(data.get("categories") or ()),
        )

    def _modules(self, categories: list) -> tuple[Module, ...]:
        slugs = [
            entry["slug"] for category in categories for entry in category.get("modules") or ()
        ]
        # A module listed in two categories is still taught once in a course.
        modules = (self._module(slug) for slug in dict.fromkeys(slugs))
        return tuple(module for module in modules if module is not None)

    def _module(self, slug: str) -> Module | None:
        listed = f"module '{slug}' (listed by library '{self.slug}')"
        data = self._find(listed, self.index.modules.get(slug, ()))
        if data is None:
            return None
        module = self._convert(listed, lambda d: _module(slug, d, self._slides(slug, d)), data)
        if module is not None and not module.slides:
            self.unresolved.append(f"{listed} has no slides that resolve; skipped")
            return None
        return module

    def _slides(self, module_slug: str, data: dict) -> tuple[Slide, ...]:
        slides = (self._slide(entry["slug"], module_slug) for entry in data.get("slides") or ())
        return tuple(slide for slide in slides if slide is not None)

    def _slide(self, slug: str, module_slug: str) -> Slide | None:
        described = f"slide '{slug}' of module '{module_slug}'"
        data = self._find(described, self.index.slides.get(slug, ()))
        if data is None:
            return None
        return self._convert(described, lambda d: _slide(slug, d), data)

    def _find(self, described: str, paths: tuple[Path, ...]) -> dict | None:
        if not paths:
            self.unresolved.append(f"{described} not found")
            return None
        # Several files for one slug make the reference ambiguous: use the first in path order,
        # so imports are repeatable, and report it rather than choose silently.
        if len(paths) > 1:
            others = ", ".join(self.index.relative(path) for path in paths[1:])
            self.unresolved.append(
                f"{described} is defined by several files; used "
                f"{self.index.relative(paths[0])}, ignored {others}"
            )
        try:
            return self.index.load(paths[0])
        except _Unusable as problem:
            self.unresolved.append(f"{described}: {problem}")
            return None

    def _convert(self, described: str, convert: Callable[[dict], _T], data: dict) -> _T | None:
        try:
            return convert(data)
        except _SHAPE_ERRORS as error:
            self.unresolved.append(f"{described} is malformed ({type(error).__name__}: {error})")
            return None


def _module(slug: str, data: dict, slides: tuple[Slide, ...]) -> Module:
    return Module(
        slug=slug,
        title=clean_text(_text(data.get("name"))) or slug,
        description=markdown_text(_text(data.get("description"))),
        estimated_minutes=_minutes(data.get("estimated_ttc")),
        slides=slides,
    )


def _slide(slug: str, data: dict) -> Slide:
    assessment = data.get("assessment")
    return Slide(
        slug=slug,
        title=clean_text(_text(data.get("title"))) or slug,
        content_html=clean_html(_text(data.get("content")), base_url=DASHBOARD_URL),
        quiz=_quiz(_plain_keys(assessment)) if assessment else None,
    )


def _quiz(data: dict) -> Quiz:
    answers = tuple(_answer(_plain_keys(answer)) for answer in data["answers"])
    correct = int(data["correct_answer_id"])
    if not any(answer.id == correct for answer in answers):
        raise ValueError(f"correct_answer_id {correct} matches no answer")
    return Quiz(markdown_text(_text(data["question"])), answers, correct)


def _answer(data: dict) -> Answer:
    text = markdown_text(_text(data["text"]))
    return Answer(int(data["id"]), text, markdown_text(_text(data.get("explanation"))))


def _plain_keys(data: dict) -> dict:
    # Some quizzes were written with Ruby symbol keys (":question"), which the Dashboard reads as
    # the plain keys.
    return {str(key).removeprefix(":"): value for key, value in data.items()}


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _minutes(estimated_ttc: Any) -> int:
    match = _DURATION.search(_text(estimated_ttc))
    if match is None:
        return 0
    # For a range ("10-20 minutes") take the upper bound: learners plan better with the longer time.
    amount = int(match.group(2) or match.group(1))
    return amount * 60 if match.group(3).lower().startswith("h") else amount


# What each Wiki Education library teaches, in the names of the taxonomy (domain/skills.py).
# Changing a library's skills changes its content: the next import publishes a new version.
_LIBRARY_SKILLS = {
    "instructors": ("Teaching with Wikipedia", "Wikipedia editing"),
    "professional-development": ("Wikipedia editing",),
    "students": ("Wikipedia editing", "Citing sources", "Translation"),
    "wikidata-professional": ("Wikidata",),
    "wikimedia-commons": ("Wikimedia Commons", "Open licensing"),
}


def _skills(library_slug: str) -> tuple[str, ...]:
    if library_slug in _LIBRARY_SKILLS:
        return _LIBRARY_SKILLS[library_slug]
    # A library we have not curated yet: guess from its name.
    if "wikidata" in library_slug:
        return ("Wikidata",)
    if "commons" in library_slug:
        return ("Wikimedia Commons",)
    return ("Wikipedia editing",)
