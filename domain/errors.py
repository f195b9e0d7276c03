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


# --- mentoring and skill exchange -----------------------------------------------------------


class InvalidSkillError(DomainError):
    """A new skill needs a name of 2–60 characters on one line and one of the four categories."""


class UnknownSkillError(DomainError):
    """No curated or added skill has this name."""


class SkillNotMergeableError(DomainError):
    """Only a skill people added (not a curated one, nor one merged already) can be merged,
    and never into itself."""


class InvalidLevelError(DomainError):
    """Levels are beginner, intermediate, advanced and expert."""


class TooManySkillsError(DomainError):
    """A profile lists at most 30 skills offered and 30 skills needed."""


class InvalidLanguagesError(DomainError):
    """Languages are up to 10 BCP 47 codes, such as en, sw or pt-BR."""


class InvalidRegionError(DomainError):
    """A region is an ISO 3166 country code (KE) or a Wikimedia affiliate's name (3–80
    characters on one line)."""


class InvalidAvailabilityError(DomainError):
    """Availability is 0–160 hours a month and a note of up to 200 characters on one line."""


class InvalidCapacityError(DomainError):
    """A mentor takes 0–20 active mentees at a time."""


class InvalidMessageError(DomainError):
    """Messages, summaries and notes are up to 2,000 characters without control characters;
    a mentorship request needs a message and a session a summary."""


class SkillProfileNotFoundError(NotFoundError):
    """The person has no skill profile."""


class ProfileHiddenError(DomainError):
    """The person has hidden their profile: they cannot be asked for mentoring or swaps now."""


class SkillNotOfferedError(DomainError):
    """The mentor does not offer this skill."""


class MentorFullError(DomainError):
    """The mentor has as many active mentees as their capacity allows."""


class SelfMentorshipError(DomainError):
    """Nobody can mentor themselves or swap skills with themselves."""


class MentorshipNotFoundError(NotFoundError):
    """No mentorship has this id."""


class MentorshipAlreadyActiveError(DomainError):
    """These two people already have a requested or accepted mentorship for this skill."""


class MentorshipNotPendingError(DomainError):
    """Only a requested mentorship can be accepted or declined."""


class MentorshipNotAcceptedError(DomainError):
    """Sessions are logged, confirmed and corrected only in an accepted mentorship."""


class MentorshipClosedError(DomainError):
    """The mentorship was declined or has ended: nothing more can happen in it."""


class SessionNotFoundError(NotFoundError):
    """The mentorship has no session with this id."""


class InvalidSessionError(DomainError):
    """A session lasts 1–600 minutes and is held on a date neither in the future nor before
    the mentorship was requested."""


class SessionNotAwaitingError(DomainError):
    """Only a session awaiting confirmation can be confirmed or disputed."""


class SessionConfirmedError(DomainError):
    """A confirmed session is settled: it is never corrected."""


class SwapNotFoundError(NotFoundError):
    """No skill swap has this id."""


class SwapMismatchError(DomainError):
    """A swap needs two different skills: each person offers the one the other needs."""


class SwapNotPendingError(DomainError):
    """Only a proposed swap can be accepted or declined."""


class InvalidSurveyAnswerError(DomainError):
    """A needs survey answer names 1–20 skills wanted or offered (at most 20 of each)."""


# --- course translations --------------------------------------------------------------------


class CourseVersionNotFoundError(NotFoundError):
    """The course has no version with this number."""


class UnknownTranslationLanguageError(DomainError):
    """A translation is into a language CLDR knows, named by a BCP 47 tag such as sw or pt-BR."""


class SameLanguageTranslationError(DomainError):
    """A course version is not translated into the language it is written in."""


class InvalidTranslationError(DomainError):
    """A translation covers the course's title and description and whole modules or slides of
    the version it translates, with their slugs and answer ids, each text within its limit.

    `part` names the text at fault as the translation form names its field
    ("modules.basics.slides.what.title"), so a page can point at it.
    """

    def __init__(self, part: str):
        super().__init__(part)
        self.part = part
