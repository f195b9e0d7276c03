"""The event log is append-only in the database and its hash chain exposes tampering."""

from __future__ import annotations

import sqlite3
import threading
import uuid

import psycopg
import pytest
from eventsourcing.application import Application
from eventsourcing.domain import Aggregate, event

from lms.eventstore import LogVerification, event_store_env, verify_log
from lms.eventstore.chain import GENESIS, link
from lms.settings import Settings

REFUSED = (sqlite3.IntegrityError, psycopg.IntegrityError)


class Note(Aggregate):
    def __init__(self, text: str):
        self.text = text

    @event("Edited")
    def edit(self, text: str) -> None:
        self.text = text


class Notebook(Application):
    def write(self, *texts: str) -> list[Note]:
        notes = [Note(text) for text in texts]
        self.save(*notes)
        return notes


@pytest.fixture
def notebook(backend):
    app = Notebook(env=event_store_env(backend))
    yield app
    app.close()


def run_sql(settings: Settings, statement: str, *params: object) -> None:
    """Raw SQL straight to the database; `{table}` and `{position}` are filled in per backend."""
    if settings.is_postgres:
        table = f'"{settings.database_schema}".stored_events'
        statement = statement.format(table=table, position="notification_id")
        with psycopg.connect(settings.database_url, autocommit=True) as conn:
            conn.execute(statement.replace("?", "%s"), params)
    else:
        statement = statement.format(table="stored_events", position="rowid")
        with sqlite3.connect(settings.sqlite_path) as conn:
            conn.execute(statement, params)
        conn.close()


def drop_append_only_guard(settings: Settings) -> None:
    if settings.is_postgres:
        run_sql(settings, "DROP TRIGGER stored_events_no_update_or_delete ON {table}")
    else:
        run_sql(settings, "DROP TRIGGER stored_events_no_update")
        run_sql(settings, "DROP TRIGGER stored_events_no_delete")


def positions(app: Application) -> list[int]:
    return [n.id for n in app.recorder.select_notifications(start=None, limit=1000)]


def test_saved_events_are_readable_and_the_log_verifies(notebook, backend):
    first, second = notebook.write("one", "two")
    first.edit("one, edited")
    notebook.save(first)

    notifications = notebook.notification_log.select(start=1, limit=10)
    assert [n.originator_id for n in notifications] == [first.id, second.id, first.id]
    assert notebook.repository.get(first.id).text == "one, edited"
    assert verify_log(backend) == LogVerification(True, 3, None, "3 events verified")


def test_a_log_that_does_not_exist_yet_verifies_empty(backend):
    result = verify_log(backend)
    assert (result.ok, result.count, result.first_bad_position) == (True, 0, None)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE {table} SET topic = 'forged'", "DELETE FROM {table}"],
    ids=["update", "delete"],
)
def test_the_database_refuses_to_change_the_log(notebook, backend, statement):
    notebook.write("one", "two")

    with pytest.raises(REFUSED, match="append-only"):
        run_sql(backend, statement)

    assert verify_log(backend).count == 2


def test_postgres_refuses_truncate(postgres_settings):
    app = Notebook(env=event_store_env(postgres_settings))
    app.write("one")
    app.close()

    with pytest.raises(psycopg.IntegrityError, match="append-only"):
        run_sql(postgres_settings, "TRUNCATE {table}")


def test_altered_content_is_reported_at_its_position(notebook, backend):
    notebook.write("one", "two", "three", "four")
    tampered = positions(notebook)[2]
    drop_append_only_guard(backend)

    run_sql(backend, "UPDATE {table} SET state = ? WHERE {position} = ?", b"{}", tampered)

    result = verify_log(backend)
    assert (result.ok, result.first_bad_position, result.count) == (False, tampered, 2)
    assert "altered" in result.reason


def test_a_deleted_event_is_reported_at_the_next_position(notebook, backend):
    notebook.write("one", "two", "three", "four")
    _, deleted, following, _ = positions(notebook)
    drop_append_only_guard(backend)

    run_sql(backend, "DELETE FROM {table} WHERE {position} = ?", deleted)

    result = verify_log(backend)
    assert (result.ok, result.first_bad_position, result.count) == (False, following, 1)
    assert "missing" in result.reason


def test_many_aggregates_saved_in_many_transactions_verify(notebook, backend, monkeypatch):
    # Small batches, so the chain is carried across batch boundaries.
    monkeypatch.setattr("lms.eventstore.verify.BATCH_SIZE", 4)
    for batch in range(5):
        notes = notebook.write(*(f"note {batch}.{i}" for i in range(3)))
        for note in notes:
            note.edit(f"{note.text}, edited")
        notebook.save(*notes)

    assert verify_log(backend).count == 30
    assert verify_log(backend).ok


def test_two_writers_alternating_keep_one_valid_chain(backend):
    # Two applications have separate recorders and connection pools, like two processes.
    writers = [Notebook(env=event_store_env(backend)) for _ in range(2)]
    try:
        for turn in range(6):
            writers[turn % 2].write(f"turn {turn}")
        assert len(positions(writers[0])) == 6
    finally:
        for writer in writers:
            writer.close()

    result = verify_log(backend)
    assert (result.ok, result.count) == (True, 6)


def test_concurrent_writers_keep_one_valid_chain(backend):
    writers = [Notebook(env=event_store_env(backend)) for _ in range(2)]
    failures = []

    def write_many(writer: Notebook, name: str) -> None:
        for i in range(10):
            try:
                writer.write(f"{name}.{i}", f"{name}.{i} again")
            except Exception as error:  # collected, so the assertion shows what failed
                failures.append(error)

    threads = [
        threading.Thread(target=write_many, args=(writers[i % 2], f"thread {i}")) for i in range(4)
    ]
    try:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        for writer in writers:
            writer.close()

    assert failures == []
    assert verify_log(backend) == LogVerification(True, 80, None, "80 events verified")


def test_a_link_does_not_depend_on_how_the_id_is_spelled():
    originator_id = uuid.uuid4()
    as_uuid = link(GENESIS, originator_id, 1, "topic", b"state")
    assert as_uuid == link(GENESIS, originator_id.hex, 1, "topic", b"state")
    assert as_uuid == link(GENESIS, str(originator_id), 1, "topic", b"state")
    assert as_uuid != link(GENESIS, originator_id, 2, "topic", b"state")
