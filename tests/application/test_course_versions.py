"""Re-importing changed content publishes a new course version; past learners keep theirs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import lms
from domain.courses import course_id_for
from lms.content_import import import_wikiedu
from lms.demo import complete_modules
from projections.catalog import get_course
from projections.outline import course_outline
from projections.progress import progress_for

SAMPLE = Path(lms.__file__).parent / "demo_content" / "wiki_ed"
COURSE = "wikidata-professional"
RETITLED_SLIDE = "slides/50-introduction-wikidata-professional/5001-wikidata-definition.yml"
OLD_TITLE = 'title: "Part I: What is Wikidata?"'
NEW_TITLE = 'title: "Part I: What is Wikidata, really?"'


@pytest.fixture
def corpus(tmp_path) -> Path:
    """A private copy of the shipped sample, free to edit."""
    copy = tmp_path / "wiki_ed"
    shutil.copytree(SAMPLE, copy)
    return copy


def retitle_a_slide(corpus: Path) -> None:
    slide = corpus / RETITLED_SLIDE
    text = slide.read_text(encoding="utf-8")
    assert OLD_TITLE in text
    slide.write_text(text.replace(OLD_TITLE, NEW_TITLE), encoding="utf-8")


def learner(services, name: str):
    return services.app.register_person(name, name.title(), "not-a-real-hash").id


def retitled_slide_title(services, course_id, version: int) -> str:
    with services.engine.connect() as conn:
        modules = {m.slug: m for m in course_outline(conn, course_id, version)}
    return modules["introduction-wikidata-professional"].slides[0].title


def test_changed_content_becomes_version_two_and_past_learners_keep_version_one(services, corpus):
    course_id = course_id_for(COURSE)
    assert import_wikiedu(services, corpus).outcomes == {COURSE: "created"}
    amina = learner(services, "amina")
    services.app.enrol(amina, course_id)
    version_one = services.app.course_version(course_id)
    complete_modules(services, amina, course_id, version_one, (m.slug for m in version_one.modules))

    retitle_a_slide(corpus)
    report = import_wikiedu(services, corpus)

    assert report.outcomes == {COURSE: "new version 2"}
    with services.engine.connect() as conn:
        amina_progress = progress_for(conn, amina, course_id)
        assert get_course(conn, course_id).version == 2
    assert (amina_progress.status, amina_progress.course_version) == ("completed", 1)
    assert services.app.course_version(course_id, 1) == version_one
    assert retitled_slide_title(services, course_id, 1) == "Part I: What is Wikidata?"
    assert retitled_slide_title(services, course_id, 2) == "Part I: What is Wikidata, really?"

    rahim = learner(services, "rahim")
    services.caught_up(services.app.enrol(rahim, course_id))

    with services.engine.connect() as conn:
        rahim_progress = progress_for(conn, rahim, course_id)
    assert (rahim_progress.status, rahim_progress.course_version) == ("active", 2)


def test_importing_unchanged_content_publishes_nothing(services, corpus):
    import_wikiedu(services, corpus)
    before = services.app.recorder.max_notification_id()

    report = import_wikiedu(services, corpus)

    assert report.outcomes == {COURSE: "unchanged"}
    assert report.unresolved == (
        f"{COURSE}: slide 'identifiers-and-databses-together' of module "
        "'databases-and-linked-data' not found",
    )
    assert services.app.recorder.max_notification_id() == before


def test_a_library_without_modules_is_skipped_and_reported(services, corpus):
    (corpus / "libraries" / "empty.yml").write_text("name: Empty\ncategories: []\n")

    report = import_wikiedu(services, corpus)

    assert report.outcomes == {"empty": "skipped", COURSE: "created"}
    assert report.unresolved[0].startswith("empty: not published: ")
