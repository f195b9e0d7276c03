"""One place that turns refusals into answers: domain error class → HTTP status + message."""

from __future__ import annotations

from flask import Flask, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from domain import errors as domain

# Most specific first: the first matching class decides.
DOMAIN_ANSWERS = (
    # accounts
    (
        domain.ResetLinkNotFoundError,
        404,
        _l("This password reset link is not valid. Ask an admin for a new one."),
    ),
    (
        domain.ResetLinkUsedError,
        410,
        _l("This password reset link was used already or replaced. Ask an admin for a new one."),
    ),
    (
        domain.ResetLinkExpiredError,
        410,
        _l("This password reset link has expired. Ask an admin for a new one."),
    ),
    (
        domain.InvalidDisplayNameError,
        400,
        _l("Display names are 1 to 80 characters, without line breaks or control characters."),
    ),
    (
        domain.InvalidEmailError,
        400,
        _l("Please give an email address like name@example.org, or leave the field empty."),
    ),
    (domain.InvalidLanguageError, 400, _l("Please choose one of the languages offered.")),
    (domain.PasswordIsUsernameError, 400, _l("Your password must not be your username.")),
    (domain.InvalidPasswordError, 400, _l("Passwords are 10 to 200 characters long.")),
    (domain.WrongPasswordError, 400, _l("Your current password is not right.")),
    (domain.UnknownRoleError, 400, _l("Please choose roles from the list.")),
    (domain.NotAllowedError, 403, _l("You are not allowed to do that.")),
    (
        domain.OwnAdminRoleError,
        409,
        _l("You cannot take away your own admin role. Ask another admin to do it."),
    ),
    (domain.CourseNotFoundError, 404, _l("There is no such course.")),
    # achievements and credentials
    (domain.AchievementNotFoundError, 404, _l("There is no such achievement.")),
    (domain.CredentialNotFoundError, 404, _l("There is no such credential.")),
    (
        domain.InvalidAchievementError,
        400,
        _l(
            "An achievement needs a name (1 to 120 characters), a description and criteria "
            "(each up to 4,000 characters), a kind (certificate or badge), and at most 20 "
            "different courses."
        ),
    ),
    (domain.AlreadyAwardedError, 409, _l("This person already holds this achievement.")),
    (
        domain.CredentialRevokedError,
        409,
        _l("This credential is revoked, and a revoked credential stays revoked."),
    ),
    (
        domain.CredentialStatusError,
        409,
        _l("Only an active credential can be suspended, and only a suspended one reinstated."),
    ),
    (
        domain.InvalidReasonError,
        400,
        _l("Please give a reason of 1 to 500 characters, without control characters."),
    ),
    (domain.InvalidVisibilityError, 400, _l("Please choose public or unlisted.")),
    (domain.CourseModuleNotFoundError, 404, _l("This course has no such module.")),
    (domain.SlideNotFoundError, 404, _l("This module has no such slide.")),
    (domain.EnrolmentNotFoundError, 409, _l("Enrol in the course first.")),
    (domain.NotFoundError, 404, _l("We could not find that.")),
    (
        domain.EnrolmentWithdrawnError,
        409,
        _l("You withdrew from this course. Enrol again to continue."),
    ),
    (domain.CourseNotPublishedError, 409, _l("This course is not open for enrolment yet.")),
    (domain.NotAQuizError, 400, _l("This slide has no quiz.")),
    (domain.UnknownAnswerError, 400, _l("Please choose one of the answers.")),
    (domain.UsernameTakenError, 409, _l("That username is taken.")),
    (
        domain.InvalidUsernameError,
        400,
        _l("Usernames are 3 to 40 letters, digits, '.', '-' or '_'."),
    ),
    (
        domain.ConcurrentChangeError,
        409,
        _l("Someone changed this at the same moment. Please try again."),
    ),
    (domain.DomainError, 409, _l("That cannot be done right now.")),
)

HTTP_MESSAGES = {
    400: _l("The request could not be understood."),
    403: _l("You are not allowed to do that."),
    404: _l("There is nothing here."),
    405: _l("That action is not possible on this page."),
    413: _l("What you sent is too large."),
    429: _l("Too many attempts. Please wait a while and try again."),
}


class BadInput(Exception):
    """A form or query value was missing or malformed; the view says which in plain words."""

    def __init__(self, message):
        super().__init__(str(message))
        self.message = message


def answer_for(error: domain.DomainError) -> tuple[int, str]:
    for cls, status, message in DOMAIN_ANSWERS:
        if isinstance(error, cls):
            return status, str(message)
    raise AssertionError("DomainError is the last entry")  # pragma: no cover


def render_error(status: int, message: str):
    template = "_error.html" if getattr(request, "htmx", False) else "error.html"
    return render_template(template, status=status, message=message), status


def init_app(app: Flask) -> None:
    @app.errorhandler(domain.DomainError)
    def _domain_error(error):
        return render_error(*answer_for(error))

    @app.errorhandler(BadInput)
    def _bad_input(error):
        return render_error(400, str(error.message))

    @app.errorhandler(CSRFError)
    def _csrf_error(_error):
        return render_error(
            400,
            str(
                _l(
                    "This form expired or did not come from this site. "
                    "Please go back, reload the page and try again."
                )
            ),
        )

    @app.errorhandler(HTTPException)
    def _http_error(error):
        status = error.code or 500
        return render_error(status, str(HTTP_MESSAGES.get(status, error.name)))

    @app.errorhandler(Exception)
    def _unexpected(error):
        app.logger.exception("unexpected error", exc_info=error)
        return render_error(
            500, str(_l("Something went wrong on our side. Nothing was lost; please try again."))
        )
