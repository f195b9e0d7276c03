"""Domain errors: each names a rule a command broke; lms/errors.py maps them to HTTP answers."""


class DomainError(Exception):
    """A command was refused because it breaks a rule of the domain."""


class NotFoundError(DomainError):
    """Something the command names does not exist."""


class CourseNotFoundError(NotFoundError):
    """No course has this id."""


class CourseModuleNotFoundError(NotFoundError):
    """The course version has no module with this slug."""


class SlideNotFoundError(NotFoundError):
    """The module has no slide with this slug."""


class EnrolmentNotFoundError(NotFoundError):
    """The person is not enrolled in this course."""


class PersonNotFoundError(NotFoundError):
    """No person has this id."""


class NotEnrolledError(DomainError):
    """Progress can only be recorded on an active enrolment."""


class EnrolmentWithdrawnError(NotEnrolledError):
    """The learner withdrew from this course."""


class AlreadyEnrolledError(DomainError):
    """The person already has an active enrolment in this course."""


class NotAQuizError(DomainError):
    """The slide has no quiz to answer."""


class UnknownAnswerError(DomainError):
    """The chosen answer is not one of the quiz's answers."""


class CourseNotPublishedError(DomainError):
    """Nobody can enrol in a course that has no published version."""


class InvalidContentError(DomainError):
    """The course content breaks a structural rule (e.g. no modules)."""


class UsernameTakenError(DomainError):
    """Another person already uses this username."""


class InvalidUsernameError(DomainError):
    """Usernames are 3–40 letters, digits, '.', '-' or '_'."""


class ConcurrentChangeError(DomainError):
    """Someone changed the same thing at the same moment; trying again will work."""


class InvalidDisplayNameError(DomainError):
    """Display names are 1–80 characters after trimming, without control characters."""


class InvalidEmailError(DomainError):
    """An email address, when given, looks like name@example.org and is at most 254 characters."""


class InvalidLanguageError(DomainError):
    """The preferred language is not one this deployment offers."""


class InvalidPasswordError(DomainError):
    """Passwords are 10–200 characters."""


class PasswordIsUsernameError(InvalidPasswordError):
    """A password must not be the username."""


class WrongPasswordError(DomainError):
    """The password given to confirm an action does not match the account's."""


class UnknownRoleError(DomainError):
    """Roles are learner, mentor, organiser and admin."""


class NotAllowedError(DomainError):
    """The person acting lacks the role this command needs."""


class OwnAdminRoleError(DomainError):
    """An admin cannot take the admin role from themselves, so someone always holds it."""


class PersonForgottenError(PersonNotFoundError):
    """The person asked to be forgotten; nothing more can happen to their account."""


class ResetLinkNotFoundError(NotFoundError):
    """No password reset link has this token."""


class ResetLinkUsedError(DomainError):
    """The reset link was used already, or a newer link or a password change replaced it."""


class ResetLinkExpiredError(DomainError):
    """The reset link is older than its lifetime."""


class InvalidAchievementError(DomainError):
    """An achievement needs a name (1–120 characters), a description and criteria (each up to
    4,000 characters), a kind (certificate or badge), and only existing, distinct courses."""


class AchievementNotFoundError(NotFoundError):
    """No achievement has this id."""


class CredentialNotFoundError(NotFoundError):
    """No credential has this id."""


class AlreadyAwardedError(DomainError):
    """The person already holds a credential for this achievement."""


class CredentialRevokedError(DomainError):
    """A revoked credential stays revoked: it cannot be suspended, reinstated or revoked again."""


class CredentialStatusError(DomainError):
    """Only an active credential can be suspended, and only a suspended one reinstated."""


class InvalidReasonError(DomainError):
    """A reason is needed here: 1–500 characters without control characters."""


class InvalidVisibilityError(DomainError):
    """A credential page is either public or unlisted."""
