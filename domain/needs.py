"""The needs survey: anonymous answers about skills wanted and offered, for the capacity map."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from eventsourcing.domain import Aggregate, event

from domain.errors import InvalidSurveyAnswerError, UnknownSkillError
from domain.skill_profiles import Resolver, checked_language, checked_region

SURVEY_SKILLS_MAX = 20  # of each kind: wanted, offered


@dataclass(frozen=True)
class NeedsAnswer:
    """One answer, checked: known skills by the names they count under, language and region.

    Only skills the platform knows are accepted: anyone may answer without an account, so
    new names come through skill profiles, where someone stands behind them.
    """

    wanted: tuple[str, ...]
    offered: tuple[str, ...]
    language: str | None = None
    region: str | None = None

    @classmethod
    def of(cls, wanted, offered, language, region, vocabulary: Resolver) -> NeedsAnswer:
        wanted, offered = _skills(wanted, vocabulary), _skills(offered, vocabulary)
        if not wanted and not offered:
            raise InvalidSurveyAnswerError()
        language = None if not language else checked_language(language)
        return cls(wanted, offered, language, checked_region(region))


def _skills(names, vocabulary: Resolver) -> tuple[str, ...]:
    if not isinstance(names, list | tuple) or len(names) > SURVEY_SKILLS_MAX:
        raise InvalidSurveyAnswerError()
    found = []
    for name in names:
        skill = vocabulary.resolve(name)
        if skill is None:
            raise UnknownSkillError(name)
        found.append(skill.name)
    return tuple(dict.fromkeys(found))


class NeedsResponse(Aggregate):
    """One answer to the needs survey; it names nobody, so nothing in it is personal."""

    TOPIC = "mafunzo.NeedsResponse"

    class Created(Aggregate.Created):  # base of Answered; the library wants every topic named
        TOPIC = "mafunzo.NeedsResponse.Created"

    @event("Answered", topic="mafunzo.NeedsResponse.Answered")
    def __init__(
        self,
        wanted: tuple[str, ...],
        offered: tuple[str, ...],
        language: str | None,
        region: str | None,
        at: datetime,
    ):
        pass  # nothing to decide later: the answer is for the capacity map to count

    @classmethod
    def answering(cls, answer: NeedsAnswer, at: datetime) -> NeedsResponse:
        return cls(answer.wanted, answer.offered, answer.language, answer.region, at)
