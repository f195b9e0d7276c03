"""Mentors' private notes on sessions: the one table that holds them, read only by their mentor.

A projection of its own, so no other read model ever unseals a note: pages, partials and
exports built on the other mentoring tables cannot show one by mistake.
"""

from __future__ import annotations

from uuid import UUID

from sqlalchemy import Column, Table, Text, Uuid, or_, select

from domain.mentorships import Mentorship
from domain.people import Person, PersonalDataVault
from projections.sealed import unseal_batch
from projections.tables import load_rows, metadata, replace_rows

private_notes = Table(
    "mentoring_private_notes",
    metadata,
    Column("session_id", Uuid, primary_key=True),
    Column("mentor_id", Uuid, nullable=False, index=True),
    Column("mentee_id", Uuid, nullable=False, index=True),
    Column("note", Text, nullable=True),
)

_NOTE_EVENTS = (Mentorship.SessionLogged, Mentorship.SessionCorrected)


class PrivateNotesProjection:
    name = "private_notes"
    tables = (private_notes,)

    def __init__(self, vault: PersonalDataVault):
        self.vault = vault

    def project(self, events, conn) -> None:
        relevant = [e for e in events if isinstance(e, (*_NOTE_EVENTS, Person.Forgotten))]
        if not relevant:
            return
        opened = unseal_batch(self.vault, relevant, _sealed_note)
        sessions = {e.session_id for e in relevant if isinstance(e, _NOTE_EVENTS)}
        rows = load_rows(conn, private_notes, "session_id", sessions)
        for index, e in enumerate(relevant):
            if isinstance(e, Person.Forgotten):
                rows = _forget(conn, rows, e.originator_id)
            elif isinstance(e, Mentorship.SessionLogged):
                rows[e.session_id] = {
                    "session_id": e.session_id,
                    "mentor_id": e.by,
                    "mentee_id": e.mentee_id,
                    "note": _note(opened.get(index)),
                }
            elif e.session_id in rows:
                rows[e.session_id]["note"] = _note(opened.get(index))
        replace_rows(conn, private_notes, "session_id", list(rows.values()))


def _sealed_note(e) -> tuple[UUID, str] | None:
    if isinstance(e, _NOTE_EVENTS) and e.sealed_note:
        return e.by, e.sealed_note
    return None


def _note(opened: dict | None) -> str | None:
    return opened["note"] if opened else None


def _forget(conn, rows: dict, person_id: UUID) -> dict:
    """Notes by the person, and notes about them: a mentor's note describes their mentee."""
    conn.execute(
        private_notes.delete().where(
            or_(private_notes.c.mentor_id == person_id, private_notes.c.mentee_id == person_id)
        )
    )
    return {
        session: row
        for session, row in rows.items()
        if person_id not in (row["mentor_id"], row["mentee_id"])
    }


def session_private_note(conn, session_id: UUID, mentor_id: UUID) -> str | None:
    """The note on a session, for its mentor; None for anyone else, or when there is none."""
    return conn.execute(
        select(private_notes.c.note).where(
            private_notes.c.session_id == session_id, private_notes.c.mentor_id == mentor_id
        )
    ).scalar_one_or_none()
