"""Achievements: what a credential certifies, with the rule that earns it, in versions."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass
from datetime import datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidAchievementError, InvalidReasonError

KINDS = ("certificate", "badge")
NAME_MAX = 120
TEXT_MAX = 4000
REASON_MAX = 500
RULE_COURSES_MAX = 20
MENTORING_HOURS_MAX = 1000

# The rules of every achievement in one place, so a completed course finds what it earns
# without a read model that might lag behind the log.
ACHIEVEMENT_RULES_ID = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/achievement-rules")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _is_printable(text: str, allow_newlines: bool) -> bool:
    allowed = {"\n", "\t"} if allow_newlines else set()
    return not any(unicodedata.category(c) in {"Cc", "Zl", "Zp"} and c not in allowed for c in text)


def checked_reason(reason: str) -> str:
    """Revocations, suspensions and manual awards say why, in words people can read later."""
    reason = _clean(reason if isinstance(reason, str) else "")
    if not 1 <= len(reason) <= REASON_MAX or not _is_printable(reason, allow_newlines=True):
        raise InvalidReasonError()
    return reason


def _is_mentoring_rule(skill, hours, courses) -> bool:
    """No mentoring rule at all, or a skill name with 1–1000 hours and no courses beside it."""
    if skill is None:
        return hours == 0
    return (
        isinstance(skill, str)
        and 1 <= len(skill.strip()) <= NAME_MAX
        and isinstance(hours, int)
        and not isinstance(hours, bool)
        and 1 <= hours <= MENTORING_HOURS_MAX
        and not courses
    )


@dataclass(frozen=True)
class AchievementDefinition:
    """One version of an achievement, checked.

    The earning rule is one of: completing every one of `courses` (one course is the common
    case), or `mentoring_hours` confirmed hours mentoring in `mentoring_skill`. Neither means
    it is only ever awarded by hand.
    `image` is the organiser's PNG (base64), or None for the default badge art.
    """

    name: str
    description: str
    criteria: str
    kind: str
    courses: tuple[UUID, ...] = ()
    image: str | None = None
    mentoring_skill: str | None = None
    mentoring_hours: int = 0

    @classmethod
    def of(
        cls,
        name: str,
        description: str,
        criteria: str,
        kind: str,
        courses=(),
        image: str | None = None,
        mentoring_skill: str | None = None,
        mentoring_hours: int = 0,
    ) -> AchievementDefinition:
        name, description, criteria = _clean(name), _clean(description), _clean(criteria)
        courses = tuple(courses)
        if not _is_mentoring_rule(mentoring_skill, mentoring_hours, courses):
            raise InvalidAchievementError()
        if not (
            1 <= len(name) <= NAME_MAX
            and _is_printable(name, allow_newlines=False)
            and all(
                1 <= len(text) <= TEXT_MAX and _is_printable(text, allow_newlines=True)
                for text in (description, criteria)
            )
            and kind in KINDS
            and len(courses) <= RULE_COURSES_MAX
            and len(set(courses)) == len(courses)
            and all(isinstance(c, UUID) for c in courses)
        ):
            raise InvalidAchievementError()
        return cls(
            name, description, criteria, kind, courses, image, mentoring_skill, mentoring_hours
        )

    def is_earned_by(self, completed_courses: set[UUID]) -> bool:
        return bool(self.courses) and set(self.courses) <= completed_courses

    def is_earned_by_mentoring(self, confirmed_minutes: int) -> bool:
        return self.mentoring_skill is not None and confirmed_minutes >= self.mentoring_hours * 60

    def to_dict(self) -> dict:
        return {**asdict(self), "courses": [str(c) for c in self.courses]}

    @classmethod
    def from_dict(cls, data: dict) -> AchievementDefinition:
        return cls(**{**data, "courses": tuple(UUID(c) for c in data["courses"])})


class Achievement(Aggregate):
    TOPIC = "mafunzo.Achievement"

    class Created(Aggregate.Created):  # base of Defined; the library wants every topic named
        TOPIC = "mafunzo.Achievement.Created"

    @event("Defined", topic="mafunzo.Achievement.Defined")
    def __init__(self, definition: dict, by: UUID, at: datetime):
        self.versions: list[dict] = [definition]

    @property
    def current_version(self) -> int:
        return len(self.versions)

    @property
    def definition(self) -> AchievementDefinition:
        return AchievementDefinition.from_dict(self.versions[-1])

    def definition_of(self, version: int) -> AchievementDefinition:
        return AchievementDefinition.from_dict(self.versions[version - 1])

    def revise(self, definition: AchievementDefinition, by: UUID, at: datetime) -> bool:
        """Publish a new version; the same definition again records nothing."""
        if definition.to_dict() == self.versions[-1]:
            return False
        self._revise(self.current_version + 1, definition.to_dict(), by, at)
        return True

    @event("Revised", topic="mafunzo.Achievement.Revised")
    def _revise(self, number: int, definition: dict, by: UUID, at: datetime) -> None:
        self.versions.append(definition)


class AchievementRules(Aggregate):
    """Which courses earn which achievements: the index the issuing policy reads."""

    TOPIC = "mafunzo.AchievementRules"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.AchievementRules.Created"

    @staticmethod
    def create_id() -> UUID:
        return ACHIEVEMENT_RULES_ID

    @event("Started", topic="mafunzo.AchievementRules.Started")
    def __init__(self):
        self.rules: dict[UUID, tuple[UUID, ...]] = {}
        self.mentoring: dict[UUID, str] = {}  # achievement → the skill its hours are in

    def set_mentoring_rule(self, achievement_id: UUID, skill: str | None) -> None:
        if self.mentoring.get(achievement_id) != skill:
            self._set_mentoring_rule(achievement_id, skill)

    def earned_through_mentoring(self) -> dict[UUID, str]:
        return dict(self.mentoring)

    @event("MentoringRuleSet", topic="mafunzo.AchievementRules.MentoringRuleSet")
    def _set_mentoring_rule(self, achievement_id: UUID, skill: str | None) -> None:
        if skill is None:
            self.mentoring.pop(achievement_id, None)
        else:
            self.mentoring[achievement_id] = skill

    def set_rule(self, achievement_id: UUID, courses: tuple[UUID, ...]) -> None:
        if self.rules.get(achievement_id, ()) != tuple(courses):
            self._set_rule(achievement_id, [str(c) for c in courses])

    def earned_through(self, course_id: UUID) -> list[UUID]:
        """Achievements whose rule includes this course, in the order they were defined."""
        return [a for a, courses in self.rules.items() if course_id in courses]

    @event("RuleSet", topic="mafunzo.AchievementRules.RuleSet")
    def _set_rule(self, achievement_id: UUID, courses: list[str]) -> None:
        self.rules[achievement_id] = tuple(UUID(c) for c in courses)
