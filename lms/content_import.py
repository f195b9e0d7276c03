"""Importing Wiki Education training libraries as courses: one use case for the CLI and the demo."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from domain.courses import course_id_for
from domain.errors import CourseNotFoundError, InvalidContentError
from lms.wikiedu import read_corpus

if TYPE_CHECKING:
    from domain.content import CourseContent
    from lms.services import Services

CREATED = "created"
UNCHANGED = "unchanged"
SKIPPED = "skipped"


@dataclass(frozen=True)
class CourseOutcome:
    """What importing one library did to its course."""

    slug: str
    # "created", "new version N", "unchanged", or "skipped" (content a course cannot hold).
    outcome: str
    unresolved: tuple[str, ...] = ()


@dataclass(frozen=True)
class ImportReport:
    courses: tuple[CourseOutcome, ...]

    @property
    def outcomes(self) -> dict[str, str]:
        """Outcome per course slug, in import order."""
        return {course.slug: course.outcome for course in self.courses}

    @property
    def unresolved(self) -> tuple[str, ...]:
        """Every reference the import could not resolve, each prefixed with its library."""
        return tuple(f"{c.slug}: {problem}" for c in self.courses for problem in c.unresolved)

    @property
    def changed(self) -> bool:
        return any(c.outcome not in (UNCHANGED, SKIPPED) for c in self.courses)


def import_wikiedu(services: Services, path: Path) -> ImportReport:
    """Publish every library found at `path`; unchanged libraries record nothing.

    Raises `lms.wikiedu.CorpusNotFoundError` (a FileNotFoundError) when `path` holds no
    Wiki Education content.
    """
    courses = tuple(
        _publish(services, library.content, library.unresolved)
        for library in read_corpus(Path(path))
    )
    services.projections.catch_up()
    return ImportReport(courses)


def _publish(services: Services, content: CourseContent, unresolved: tuple[str, ...]):
    app = services.app
    course_id = course_id_for(content.slug)
    try:
        app.course_version(course_id)
        existed = True
    except CourseNotFoundError:
        existed = False
    try:
        recorded = app.publish_course(content)
    except InvalidContentError as refused:
        return CourseOutcome(content.slug, SKIPPED, (*unresolved, f"not published: {refused}"))
    if recorded.position is None:
        outcome = UNCHANGED
    elif not existed:
        outcome = CREATED
    else:
        outcome = f"new version {app.repository.get(course_id).current_version}"
    return CourseOutcome(content.slug, outcome, unresolved)
