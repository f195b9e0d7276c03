"""Demo data: courses, demo accounts and learners with progress. Safe to load again.

The demo accounts share one password, LMS_DEMO_PASSWORD (default "mafunzo-demo"). It is for
demonstrations on a local machine only: never load the demo into a deployment people use.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING
from uuid import UUID

from domain.achievements import AchievementDefinition
from domain.courses import course_id_for
from lms.content_import import ImportReport, import_wikiedu
from lms.demo_mentoring import load_mentoring_demo
from lms.passwords import hash_password
from lms.wikiedu import CorpusNotFoundError, find_wiki_ed_root
from projections.credentials import list_achievements
from projections.progress import progress_for

if TYPE_CHECKING:
    from domain.content import CourseContent
    from lms.services import Services

SHARED_CORPUS = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
SHIPPED_SAMPLE = Path(__file__).resolve().parent / "demo_content" / "wiki_ed"
DEMO_COURSE = "wikidata-professional"


@dataclass(frozen=True)
class DemoAccount:
    username: str
    display_name: str
    roles: tuple[str, ...]


DEMO_ACCOUNTS = (
    DemoAccount("amina", "Amina Njeri", ("learner",)),
    DemoAccount("rahim", "Rahim Uddin", ("learner",)),
    DemoAccount("organiser", "Olu Organiser", ("organiser",)),
    DemoAccount("admin", "Ada Admin", ("admin", "organiser")),
    DemoAccount("mentor", "Maria Mentor", ("mentor",)),
)


@dataclass(frozen=True)
class DemoReport:
    source: Path
    imported: ImportReport
    created_accounts: tuple[str, ...]
    existing_accounts: tuple[str, ...]


def default_corpus() -> Path:
    """The full shared corpus next to the repository when present, else the shipped sample."""
    try:
        return find_wiki_ed_root(SHARED_CORPUS)
    except CorpusNotFoundError:
        return SHIPPED_SAMPLE


def load_demo(services: Services, corpus_path: Path | None = None) -> DemoReport:
    """Import the courses, create the demo accounts and their progress; records nothing new
    when the demo is already loaded."""
    source = Path(corpus_path) if corpus_path is not None else default_corpus()
    imported = import_wikiedu(services, source)
    people = {}
    created, existing = [], []
    for account in DEMO_ACCOUNTS:
        person_id, is_new = _ensure_account(services, account)
        people[account.username] = person_id
        (created if is_new else existing).append(account.username)

    course_id = course_id_for(DEMO_COURSE)
    _ensure_certificate(services, course_id, by=people["organiser"])
    amina = _enrolled_content(services, people["amina"], course_id)
    complete_modules(services, people["amina"], course_id, amina, (m.slug for m in amina.modules))
    rahim = _enrolled_content(services, people["rahim"], course_id)
    complete_modules(services, people["rahim"], course_id, rahim, (rahim.modules[0].slug,))
    load_mentoring_demo(services, people)
    services.projections.catch_up()
    return DemoReport(source, imported, tuple(created), tuple(existing))


def _ensure_account(services: Services, account: DemoAccount) -> tuple[UUID, bool]:
    app = services.app
    person_id = app.person_id_for_username(account.username)
    if person_id is not None:
        return person_id, False
    recorded = app.register_person(
        account.username,
        account.display_name,
        hash_password(services.settings.demo_password),
        account.roles,
    )
    return recorded.id, True


def _ensure_certificate(services: Services, course_id: UUID, by: UUID) -> None:
    """The certificate for finishing the demo course, so Amina holds a real credential."""
    with services.engine.connect() as conn:
        if any(a.courses == (course_id,) for a in list_achievements(conn)):
            return
    title = services.app.course_version(course_id).title
    certificate = AchievementDefinition.of(
        name=f"{title}: certificate",
        description=f"Completed the course “{title}” from the Wiki Education training library.",
        criteria=f"Read every slide of “{title}” and answer every quiz in it correctly.",
        kind="certificate",
        courses=(course_id,),
    )
    services.caught_up(services.app.define_achievement(certificate, by))


def _enrolled_content(services: Services, person_id: UUID, course_id: UUID) -> CourseContent:
    """Enrol (harmless when enrolled) and return the version the person is enrolled in."""
    services.caught_up(services.app.enrol(person_id, course_id))
    with services.engine.connect() as conn:
        progress = progress_for(conn, person_id, course_id)
    # A learner enrolled before a newer version was published keeps learning their version.
    version = progress.course_version if progress is not None else None
    return services.app.course_version(course_id, version)


def complete_modules(
    services: Services,
    person_id: UUID,
    course_id: UUID,
    content: CourseContent,
    module_slugs: Iterable[str],
) -> None:
    """View every slide of these modules and answer every quiz correctly.

    Slides already viewed and quizzes already passed record nothing, so this is repeatable.
    """
    app = services.app
    for slug in module_slugs:
        module = content.module(slug)
        for slide in module.slides:
            app.view_slide(person_id, course_id, module.slug, slide.slug)
            if slide.quiz is not None:
                app.answer_quiz(
                    person_id, course_id, module.slug, slide.slug, slide.quiz.correct_answer_id
                )
