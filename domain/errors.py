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
