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

# The rules of every achievement in one place, so a completed course finds what it earns
# without a read model that might lag behind the log.
ACHIEVEMENT_RULES_ID = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/achievement-rules")


def _clean(text: str) -> str:
    return unicodedata.normalize("NFC", text).strip()


def _is_printable(text: str, allow_newlines: bool) -> bool:
    allowed = {"\n", "\t"} if allow_newlines else set()
    return not any(
        unicodedata.category(c) in {"Cc", "Zl", "Zp"} and c not in allowed for c in text
    )


def checked_reason(reason: str) -> str:
    """Revocations, suspensions and manual awards say why, in words people can read later."""
    reason = _clean(reason if isinstance(reason, str) else "")
    if not 1 <= len(reason) <= REASON_MAX or not _is_printable(reason, allow_newlines=True):
        raise InvalidReasonError()
    return reason


@dataclass(frozen=True)
class AchievementDefinition:
    """One version of an achievement, checked.

    `courses` is the earning rule: completing every one of them earns the achievement (one
    course is the common case). No courses means it is only ever awarded by hand.
    `image` is the organiser's PNG (base64), or None for the default badge art.
    """

    name: str
    description: str
    criteria: str
    kind: str
    courses: tuple[UUID, ...] = ()
    image: str | None = None

    @classmethod
    def of(
        cls,
        name: str,
        description: str,
        criteria: str,
        kind: str,
        courses=(),
        image: str | None = None,
    ) -> AchievementDefinition:
        name, description, criteria = _clean(name), _clean(description), _clean(criteria)
        courses = tuple(courses)
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
        return cls(name, description, criteria, kind, courses, image)

    def is_earned_by(self, completed_courses: set[UUID]) -> bool:
        return bool(self.courses) and set(self.courses) <= completed_courses

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

    def set_rule(self, achievement_id: UUID, courses: tuple[UUID, ...]) -> None:
        if self.rules.get(achievement_id, ()) != tuple(courses):
            self._set_rule(achievement_id, [str(c) for c in courses])

    def earned_through(self, course_id: UUID) -> list[UUID]:
        """Achievements whose rule includes this course, in the order they were defined."""
        return [a for a, courses in self.rules.items() if course_id in courses]

    @event("RuleSet", topic="mafunzo.AchievementRules.RuleSet")
    def _set_rule(self, achievement_id: UUID, courses: list[str]) -> None:
        self.rules[achievement_id] = tuple(UUID(c) for c in courses)
