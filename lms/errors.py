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
    # course translations
    (domain.CourseVersionNotFoundError, 404, _l("This course has no such version.")),
    (
        domain.UnknownTranslationLanguageError,
        400,
        _l("Please give the language as a code such as sw, fr or pt-BR."),
    ),
    (
        domain.SameLanguageTranslationError,
        400,
        _l("The course is written in this language already: choose another one."),
    ),
    (
        domain.InvalidTranslationError,
        400,
        _l(
            "A translation needs the course's title and description, and every module or "
            "slide it includes in full (a slide with its quiz), each text within its limit "
            "and without control characters."
        ),
    ),
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
    # mentoring and skill exchange
    (domain.SkillProfileNotFoundError, 404, _l("There is no such skill profile.")),
    (domain.MentorshipNotFoundError, 404, _l("There is no such mentorship.")),
    (domain.SessionNotFoundError, 404, _l("This mentorship has no such session.")),
    (domain.SwapNotFoundError, 404, _l("There is no such skill swap.")),
    (
        domain.InvalidSkillError,
        400,
        _l("A new skill needs a name of 2 to 60 characters, on one line, and a category."),
    ),
    (domain.UnknownSkillError, 400, _l("Please choose a skill from the list.")),
    (
        domain.SkillNotMergeableError,
        409,
        _l("Only a skill people added, and not merged yet, can be merged, never into itself."),
    ),
    (
        domain.InvalidLevelError,
        400,
        _l("Please choose a level: beginner, intermediate, advanced or expert."),
    ),
    (
        domain.TooManySkillsError,
        400,
        _l("A profile lists at most 30 skills offered and 30 skills wanted."),
    ),
    (
        domain.InvalidLanguagesError,
        400,
        _l("Please give up to 10 language codes, such as en, sw or pt-BR."),
    ),
    (
        domain.InvalidRegionError,
        400,
        _l(
            "A region is a country code such as KE, or a Wikimedia affiliate's name "
            "(3 to 80 characters)."
        ),
    ),
    (
        domain.InvalidAvailabilityError,
        400,
        _l("Availability is 0 to 160 hours a month and a note of up to 200 characters."),
    ),
    (domain.InvalidCapacityError, 400, _l("A mentor takes 0 to 20 mentees at a time.")),
    (
        domain.InvalidMessageError,
        400,
        _l(
            "Messages are up to 2,000 characters: a request needs a message, and a session "
            "a summary."
        ),
    ),
    (
        domain.ProfileHiddenError,
        409,
        _l("This person has hidden their profile: they cannot be asked right now."),
    ),
    (domain.SkillNotOfferedError, 400, _l("This person does not offer that skill.")),
    (
        domain.MentorFullError,
        409,
        _l("This mentor has as many mentees as they can take. Try another mentor, or later."),
    ),
    (
        domain.SelfMentorshipError,
        400,
        _l("You cannot mentor yourself or swap skills with yourself."),
    ),
    (
        domain.MentorshipAlreadyActiveError,
        409,
        _l("You two already have a mentorship in this skill, asked for or under way."),
    ),
    (domain.MentorshipNotPendingError, 409, _l("This request has been answered already.")),
    (
        domain.MentorshipNotAcceptedError,
        409,
        _l("Sessions are logged and confirmed once the mentor has accepted the request."),
    ),
    (
        domain.MentorshipClosedError,
        409,
        _l("This mentorship was declined or has ended: nothing more can happen in it."),
    ),
    (
        domain.InvalidSessionError,
        400,
        _l("A session lasts 1 to 600 minutes, on a day from the request until today."),
    ),
    (domain.SessionNotAwaitingError, 409, _l("This session is not waiting for confirmation.")),
    (
        domain.SessionConfirmedError,
        409,
        _l("A confirmed session is settled: it cannot be corrected."),
    ),
    (
        domain.SwapMismatchError,
        400,
        _l("A swap needs two different skills: each of you offers the one the other wants."),
    ),
    (domain.SwapNotPendingError, 409, _l("This swap has been answered already.")),
    (
        domain.InvalidSurveyAnswerError,
        400,
        _l("Please choose at least one skill, and at most 20 wanted and 20 offered."),
    ),
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
