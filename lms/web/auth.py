"""Registering, signing in and out, and setting a password with a one-time reset link."""

from __future__ import annotations

from babel import Locale
from flask import Blueprint, current_app, redirect, request, session, url_for
from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l

from domain import errors as domain
from domain.people import reset_token_digest
from lms.access import services, sign_in
from lms.errors import BadInput, answer_for
from lms.htmx import render
from lms.i18n import SUPPORTED_LANGUAGES
from lms.passwords import new_password_hash, password_matches
from lms.ratelimit import LoginThrottle
from projections import people

blueprint = Blueprint("auth", __name__)

# Longer than any rule allows, so an over-long value is refused rather than cut to fit.
MAX_FIELD_LENGTH = 1000
SIGN_IN_FAILED = _l("That username and password do not match.")
PROFILE_FIELDS = ("display_name", "language", "email")

# Which field a refusal is about, so the form can point at it.
_ERROR_FIELDS = (
    (domain.InvalidUsernameError, "username"),
    (domain.UsernameTakenError, "username"),
    (domain.InvalidDisplayNameError, "display_name"),
    (domain.InvalidEmailError, "email"),
    (domain.InvalidLanguageError, "language"),
    (domain.InvalidPasswordError, "password"),
    (domain.WrongPasswordError, "current_password"),
)


class FieldError(BadInput):
    """A form value is wrong; the form shows the message and marks the field."""

    def __init__(self, field: str, message):
        super().__init__(message)
        self.field = field


class TooManyAttempts(Exception):
    """Too many failed passwords lately; `seconds` until the next try is allowed."""

    def __init__(self, seconds: int):
        super().__init__(seconds)
        self.seconds = seconds


@blueprint.route("/register", methods=["GET", "POST"])
def register():
    if request.method == "GET":
        return render("auth/register.html", form={"language": str(get_locale())}, **choices())
    form = {name: field(name) for name in ("username", *PROFILE_FIELDS)}
    try:
        password_hash = new_password(form["username"])
        recorded = services().app.register_person(
            form["username"],
            form["display_name"],
            password_hash,
            email=form["email"],
            language=offered_language(form["language"]),
        )
    except (domain.DomainError, BadInput) as error:
        return form_error("auth/register.html", error, form=form, **choices())
    sign_in(services().caught_up(recorded).id, password_hash)
    return redirect(url_for("learn.dashboard"), 303)


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    next_ = _safe_next(request.values.get("next"))
    if request.method == "GET":
        return render("auth/login.html", next=next_)
    username = field("username")
    try:
        account = verified_account(username, field("password"))
    except domain.WrongPasswordError:
        return form_error(
            "auth/login.html", BadInput(SIGN_IN_FAILED), username=username, next=next_
        )
    except TooManyAttempts as error:
        return form_error("auth/login.html", error, username=username, next=next_)
    sign_in(account.person.person_id, account.password_hash)
    return redirect(next_ or url_for("learn.dashboard"), 303)


@blueprint.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("catalog.home"), 303)


@blueprint.route("/reset/<token>", methods=["GET", "POST"])
def reset_password(token: str):
    link = _usable_reset_link(token)
    if request.method == "GET":
        return render("auth/reset.html", token=token, username=link.username)
    try:
        password_hash = new_password(link.username)
        recorded = services().app.reset_password(link.person_id, token, password_hash)
    except (domain.InvalidPasswordError, BadInput) as error:
        return form_error("auth/reset.html", error, token=token, username=link.username)
    sign_in(services().caught_up(recorded).id, password_hash)
    return redirect(url_for("learn.dashboard"), 303)


# --- helpers shared by the account pages ----------------------------------------------------


def field(name: str) -> str:
    value = request.form.get(name, "")
    return value[:MAX_FIELD_LENGTH] if isinstance(value, str) else ""


def new_password(username: str) -> str:
    """The hash of the new password in the form, typed the same twice and within the rules."""
    password = field("password")
    if password != field("password_again"):
        raise FieldError("password_again", _l("The two new passwords are not the same."))
    return new_password_hash(password, username)


def offered_language(language: str) -> str:
    if language not in SUPPORTED_LANGUAGES:
        raise domain.InvalidLanguageError(language)
    return language


def choices() -> dict:
    """The languages a person can choose, each named in itself."""
    return {"languages": [(code, Locale.parse(code).display_name) for code in SUPPORTED_LANGUAGES]}


def login_throttle() -> LoginThrottle:
    return current_app.extensions["login_throttle"]


def verified_account(username: str, password: str) -> people.Account:
    """The account if the password is right; failures count towards the throttle."""
    throttle, address = login_throttle(), request.remote_addr
    wait = throttle.retry_after(username, address)
    if wait is not None:
        raise TooManyAttempts(wait)
    with services().engine.connect() as conn:
        account = people.account_for_username(conn, username)
    if not password_matches(account.password_hash if account else None, password):
        throttle.failed(username, address)
        raise domain.WrongPasswordError()
    throttle.succeeded(username)
    return account


def form_error(template: str, error: Exception, **context):
    """The form again, with the refusal in words and the field it concerns marked."""
    headers = {}
    if isinstance(error, TooManyAttempts):
        minutes = -(-error.seconds // 60)
        status, headers["Retry-After"] = 429, str(error.seconds)
        message = ngettext(
            "Too many failed attempts. Please try again in %(num)d minute.",
            "Too many failed attempts. Please try again in %(num)d minutes.",
            minutes,
        )
    elif isinstance(error, BadInput):
        status, message = 400, str(error.message)
    else:
        status, message = answer_for(error)
    response = render(
        template, status=status, error=message, error_field=_field_of(error), **context
    )
    response.headers.update(headers)
    return response


def _field_of(error: Exception) -> str | None:
    if isinstance(error, FieldError):
        return error.field
    return next((name for cls, name in _ERROR_FIELDS if isinstance(error, cls)), None)


def _usable_reset_link(token: str) -> people.ResetLink:
    """The link's person, if the link can still be used; the page says why not otherwise."""
    with services().engine.connect() as conn:
        link = people.reset_link(conn, reset_token_digest(token[:MAX_FIELD_LENGTH]))
    if link is None:
        raise domain.ResetLinkNotFoundError()
    if link.spent:
        raise domain.ResetLinkUsedError()
    if services().app.clock() >= link.expires_at:
        raise domain.ResetLinkExpiredError()
    return link


def _safe_next(target: str | None) -> str | None:
    """Only paths on this site: an open redirect would let others borrow our name. Browsers
    drop tabs and newlines from addresses and read a backslash as a slash, so none may pass."""
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(not c.isprintable() or c.isspace() for c in target):
        return None
    return target
