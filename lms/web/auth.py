"""Signing in and out (accounts beyond the demo ones arrive with registration)."""

from __future__ import annotations

from flask import Blueprint, redirect, request, session, url_for
from flask_babel import lazy_gettext as _l

from lms.access import services, sign_in
from lms.htmx import render
from lms.passwords import password_matches
from projections import people

blueprint = Blueprint("auth", __name__)

MAX_FIELD_LENGTH = 200


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render("auth/login.html", next=_safe_next(request.args.get("next")))
    username = request.form.get("username", "")[:MAX_FIELD_LENGTH]
    password = request.form.get("password", "")[:MAX_FIELD_LENGTH]
    with services().engine.connect() as conn:
        account = people.account_for_username(conn, username)
    if account is None or not password_matches(account.password_hash, password):
        return render(
            "auth/login.html",
            status=400,
            username=username,
            next=_safe_next(request.form.get("next")),
            error=_l("That username and password do not match."),
        )
    sign_in(account.person_id)
    return redirect(_safe_next(request.form.get("next")) or url_for("learn.dashboard"), 303)


@blueprint.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("catalog.home"), 303)


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: an open redirect would let others borrow our name."""
    if target and target.startswith("/") and not target.startswith(("//", "/\\")):
        return target
    return None
