"""A person's own account: profile, password, and being forgotten."""

from __future__ import annotations

from flask import Blueprint, flash, redirect, request, session, url_for
from flask_babel import gettext as _

from domain.errors import DomainError
from lms.access import current_person, login_required, services, sign_in
from lms.errors import BadInput
from lms.htmx import render
from lms.web.auth import (
    PROFILE_FIELDS,
    TooManyAttempts,
    choices,
    field,
    form_error,
    new_password,
    offered_language,
    verified_account,
)

blueprint = Blueprint("account", __name__)


@blueprint.route("/account", methods=["GET", "POST"])
@login_required
def profile():
    me = current_person()
    if request.method == "GET":
        form = {name: getattr(me, name) or "" for name in PROFILE_FIELDS}
        return render("account/profile.html", form=form, **choices())
    form = {name: field(name) for name in PROFILE_FIELDS}
    try:
        language = offered_language(form["language"])
        recorded = services().app.change_profile(
            me.person_id, form["display_name"], language, form["email"]
        )
    except DomainError as error:
        return form_error("account/profile.html", error, form=form, **choices())
    services().caught_up(recorded)
    flash(_("Your profile is saved."))
    return redirect(url_for("account.profile"), 303)


@blueprint.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    if request.method == "GET":
        return render("account/password.html")
    me = current_person()
    try:
        verified_account(me.username, field("current_password"))
        password_hash = new_password(me.username)
        recorded = services().app.change_password(me.person_id, password_hash)
    except (DomainError, BadInput, TooManyAttempts) as error:
        return form_error("account/password.html", error)
    # This session goes on with the new password; every other session ends.
    sign_in(services().caught_up(recorded).id, password_hash)
    flash(_("Your password is changed."))
    return redirect(url_for("account.profile"), 303)


@blueprint.route("/account/forget", methods=["GET", "POST"])
@login_required
def forget():
    if request.method == "GET":
        return render("account/forget.html")
    me = current_person()
    try:
        verified_account(me.username, field("current_password"))
    except (DomainError, TooManyAttempts) as error:
        return form_error("account/forget.html", error)
    services().caught_up(services().app.forget_person(me.person_id))
    session.clear()
    return redirect(url_for("account.forgotten"), 303)


@blueprint.get("/account/forgotten")
def forgotten():
    return render("account/forgotten.html")
