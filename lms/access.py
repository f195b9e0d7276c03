"""Who is asking: the signed-in person from the session, and the guards for their pages."""

from __future__ import annotations

import hashlib
from functools import wraps
from uuid import UUID

from flask import abort, current_app, g, redirect, request, session, url_for

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
        found = people.account(conn, UUID(raw))
    stamp = session.get("stamp")
    if found is None or (stamp is not None and stamp != _stamp(found.password_hash)):
        # Forgotten, the database replaced, or the password changed since this session began.
        # (Sessions signed before stamps existed carry none; they expire with their lifetime.)
        session.clear()
        return None
    return found.person


def sign_in(person_id: UUID, password_hash: str) -> None:
    """A fresh session (against fixation) that ends when the password changes."""
    session.clear()
    session.permanent = True
    session["person_id"] = str(person_id)
    session["stamp"] = _stamp(password_hash)
    g.pop("person", None)


def _stamp(password_hash: str) -> str:
    # The session cookie is signed, not encrypted: it carries a digest, never the hash.
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def login_required(view):
    @wraps(view)
    def guarded(*args, **kwargs):
        if current_person() is None:
            return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
        return view(*args, **kwargs)

    return guarded


def role_required(role: str):
    """Signed-in people with `role` only; others get 403 (the commands check again)."""

    def decorate(view):
        @wraps(view)
        @login_required
        def guarded(*args, **kwargs):
            if role not in current_person().roles:
                abort(403)
            return view(*args, **kwargs)

        return guarded

    return decorate
