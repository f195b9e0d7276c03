"""The `lms` console script, run in-process on each backend with settings from the environment."""

from __future__ import annotations

import re
import sqlite3
from contextlib import contextmanager
from pathlib import Path

import psycopg
import pytest

import lms
from domain.courses import course_id_for
from lms.cli import main
from lms.services import build_services
from lms.settings import Settings
from projections.catalog import catalog
from projections.digest import read_model_digest
from projections.progress import progress_of_person
from projections.tables import positions

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus"
LIBRARIES = (
    "instructors",
    "professional-development",
    "students",
    "wikidata-professional",
    "wikimedia-commons",
)
# The shipped Wikidata sample: quicker to import than the whole corpus, for tests that need
# courses and progress but not every library.
SAMPLE = Path(lms.__file__).parent / "demo_content"
OUTCOME_LINE = re.compile(r"^  (\S+)\s+(created|unchanged|new version \d+|skipped)$", re.M)


@pytest.fixture
def settings(backend, monkeypatch) -> Settings:
    """The backend's settings, given to the CLI the only way it takes them: the environment."""
    monkeypatch.setenv("LMS_DATABASE_URL", backend.database_url)
    monkeypatch.setenv("LMS_DATABASE_SCHEMA", backend.database_schema)
    monkeypatch.setenv("LMS_INSTANCE_DIR", str(backend.instance_dir))
    monkeypatch.setenv("LMS_KEYS_DIR", str(backend.keys_dir))
    return backend


@pytest.fixture
def corpus() -> Path:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared training corpus is not at {CORPUS}")
    return CORPUS


@contextmanager
def services_for(settings: Settings):
    services = build_services(settings)
    try:
        yield services
    finally:
        services.close()


def head(settings: Settings) -> int:
    with services_for(settings) as services:
        return services.app.recorder.max_notification_id() or 0


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def outcomes(out: str) -> dict[str, str]:
    return dict(OUTCOME_LINE.findall(out))


def read_model_tables(services) -> list:
    return [t for p in services.projections.projections for t in p.tables] + [positions]


def test_importing_the_corpus_creates_courses_and_importing_again_changes_nothing(
    settings, corpus, capsys
):
    code, out, err = run(capsys, "import-wikiedu", str(corpus))

    assert (code, err) == (0, "")
    assert outcomes(out) == dict.fromkeys(LIBRARIES, "created")
    assert "Unresolved references (3)" in out
    assert "wikidata-professional: slide 'identifiers-and-databses-together'" in out
    before = head(settings)

    code, out, err = run(capsys, "import-wikiedu", str(corpus))

    assert (code, err) == (0, "")
    assert outcomes(out) == dict.fromkeys(LIBRARIES, "unchanged")
    assert head(settings) == before


def test_rebuilding_the_projections_reproduces_every_read_model(settings, capsys):
    assert run(capsys, "demo", "--corpus", str(SAMPLE))[0] == 0
    with services_for(settings) as services:
        tables = read_model_tables(services)
        before = read_model_digest(services.engine, tables)
        empty = read_model_digest(services.engine, [])

    code, out, err = run(capsys, "projections", "rebuild")

    assert (code, err) == (0, "")
    with services_for(settings) as services:
        assert out.startswith(f"Rebuilt {len(services.projections.projections)} projections")
        after = read_model_digest(services.engine, read_model_tables(services))
    assert after == before
    assert before != empty


def test_the_digest_notices_a_changed_row(settings, capsys):
    assert run(capsys, "demo", "--corpus", str(SAMPLE))[0] == 0
    with services_for(settings) as services:
        tables = read_model_tables(services)
        before = read_model_digest(services.engine, tables)
        with services.engine.begin() as conn:
            conn.execute(catalog.update().values(title="Changed"))
        assert read_model_digest(services.engine, tables) != before


def test_projection_status_shows_no_lag_once_caught_up(settings, capsys):
    assert run(capsys, "import-wikiedu", str(SAMPLE))[0] == 0

    code, out, err = run(capsys, "projections", "status")

    assert (code, err) == (0, "")
    header, *rows = [line.split() for line in out.splitlines()]
    assert header == ["name", "position", "head", "lag"]
    assert {r[0] for r in rows} == {
        "catalog",
        "outline",
        "progress",
        "history",
        "people",
        "credentials",
        "mentoring",
        "private_notes",
        "translations",
    }
    expected = str(head(settings))
    assert all(r[1:] == [expected, expected, "0"] for r in rows)
    assert expected != "0"


def test_log_verify_passes_then_names_the_position_of_a_tampered_event(settings, capsys):
    assert run(capsys, "demo", "--corpus", str(SAMPLE))[0] == 0
    events = head(settings)

    code, out, err = run(capsys, "log", "verify")

    assert (code, out, err) == (0, f"OK: {events} events verified\n", "")

    tamper_with_event(settings, position=3)
    code, out, err = run(capsys, "log", "verify")

    assert code == 1
    assert out == ""
    assert err.count("\n") == 1
    assert err.startswith("FAILED at position 3: ")
    assert "altered" in err


def test_log_verify_notices_events_cut_from_the_end_of_the_log(settings, capsys):
    assert run(capsys, "demo", "--corpus", str(SAMPLE))[0] == 0
    events = head(settings)
    delete_last_event(settings)

    code, _, err = run(capsys, "log", "verify")

    assert code == 1
    assert err.startswith(f"FAILED at position {events}: the log ends at {events - 1}")


def delete_last_event(settings: Settings) -> None:
    if settings.is_postgres:
        table = f'"{settings.database_schema}".stored_events'
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f"DROP TRIGGER stored_events_no_update_or_delete ON {table}")
            conn.execute(
                f"DELETE FROM {table} WHERE notification_id = "
                f"(SELECT max(notification_id) FROM {table})"
            )
    else:
        conn = sqlite3.connect(settings.sqlite_path)
        with conn:
            conn.execute("DROP TRIGGER stored_events_no_delete")
            conn.execute(
                "DELETE FROM stored_events WHERE rowid = (SELECT max(rowid) FROM stored_events)"
            )
        conn.close()


def tamper_with_event(settings: Settings, position: int) -> None:
    """Rewrite one stored event behind the application's back, as an attacker with SQL might."""
    if settings.is_postgres:
        table = f'"{settings.database_schema}".stored_events'
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(f"DROP TRIGGER stored_events_no_update_or_delete ON {table}")
            select = f"SELECT state FROM {table} WHERE notification_id = %s"
            (state,) = conn.execute(select, (position,)).fetchone()
            conn.execute(
                f"UPDATE {table} SET state = %s WHERE notification_id = %s",
                (altered(state), position),
            )
    else:
        conn = sqlite3.connect(settings.sqlite_path)
        with conn:
            conn.execute("DROP TRIGGER stored_events_no_update")
            conn.execute("DROP TRIGGER stored_events_no_delete")
            select = "SELECT state FROM stored_events WHERE rowid = ?"
            (state,) = conn.execute(select, (position,)).fetchone()
            conn.execute(
                "UPDATE stored_events SET state = ? WHERE rowid = ?", (altered(state), position)
            )
        conn.close()


def altered(state: bytes) -> bytes:
    """The same bytes with the last one changed."""
    state = bytes(state)
    return state[:-1] + bytes([state[-1] ^ 1])


def test_importing_from_a_missing_path_fails_with_one_line(settings, capsys, tmp_path):
    missing = tmp_path / "nonexistent"

    code, out, err = run(capsys, "import-wikiedu", str(missing))

    assert code != 0
    assert err == f"no Wiki Education content found at {missing}\n"
    assert "Traceback" not in out + err


def test_importing_a_folder_without_content_fails_with_one_line(settings, capsys, tmp_path):
    code, _, err = run(capsys, "import-wikiedu", str(tmp_path))

    assert code != 0
    assert err.startswith(f"no Wiki Education training content at {tmp_path}")
    assert err.count("\n") == 1


def test_bad_arguments_fail_with_one_line(capsys):
    code, out, err = run(capsys, "projections")

    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "ACTION" in err


def test_an_unreachable_database_fails_with_one_line(monkeypatch, capsys):
    monkeypatch.setenv("LMS_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/test")

    code, out, err = run(capsys, "projections", "status")

    assert code == 1
    assert err.startswith("database error: ")
    assert err.count("\n") == 1
    assert "Traceback" not in out + err


def test_the_demo_loads_once_and_amina_has_completed_the_wikidata_course(settings, capsys):
    code, out, err = run(capsys, "demo")

    assert (code, err) == (0, "")
    assert "Created demo accounts: amina, rahim, organiser, admin, mentor" in out
    assert outcomes(out)["wikidata-professional"] == "created"
    events = head(settings)

    code, out, err = run(capsys, "demo")

    assert (code, err) == (0, "")
    assert "Demo accounts already there: amina, rahim, organiser, admin, mentor" in out
    assert set(outcomes(out).values()) == {"unchanged"}
    assert head(settings) == events

    course_id = course_id_for("wikidata-professional")
    with services_for(settings) as services, services.engine.connect() as conn:
        amina = services.app.person_id_for_username("amina")
        rahim = services.app.person_id_for_username("rahim")
        (amina_progress,) = progress_of_person(conn, amina)
        (rahim_progress,) = progress_of_person(conn, rahim)
        modules = services.app.course_version(course_id).modules
    assert amina_progress.course_id == course_id
    assert amina_progress.status == "completed"
    assert amina_progress.percent == 100
    assert rahim_progress.status == "active"
    assert rahim_progress.completed_modules == {modules[0].slug}
