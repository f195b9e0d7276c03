"""Who is asking: the signed-in person from the session, and the guard for signed-in pages."""

from __future__ import annotations

from functools import wraps
from uuid import UUID

from flask import current_app, g, redirect, request, session, url_for

from lms.services import Services
from projections import people


def services() -> Services:
    return current_app.extensions["mafunzo"]


def current_person() -> people.PersonView | None:
    if "person" not in g:
        g.person = _person_from_session()
    return g.person


def _person_from_session() -> people.PersonView | None:
    raw = session.get("person_id")
    if not raw:
        return None
    with services().engine.connect() as conn:
        found = people.person(conn, UUID(raw))
    if found is None:
        session.clear()  # the person was forgotten, or the database was replaced
    return found


def sign_in(person_id: UUID) -> None:
    session.clear()
    session["person_id"] = str(person_id)


def login_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_person() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded
