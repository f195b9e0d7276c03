"""Skill profiles: what each person offers and needs, and skills people add to the taxonomy."""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from uuid import NAMESPACE_URL, UUID, uuid5

from babel import Locale
from eventsourcing.domain import Aggregate, event

from domain.errors import (
    InvalidAvailabilityError,
    InvalidCapacityError,
    InvalidLanguagesError,
    InvalidLevelError,
    InvalidRegionError,
    InvalidSkillError,
    ProfileHiddenError,
    SkillNotMergeableError,
    SkillNotOfferedError,
    TooManySkillsError,
    UnknownSkillError,
)
from domain.people import LANGUAGE_PATTERN
from domain.skills import CATEGORIES, Skill, skill_named

SKILL_PROFILE_NAMESPACE = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/skill-profile")
SKILL_VOCABULARY_ID = uuid5(NAMESPACE_URL, "https://mafunzo.org/ns/skill-vocabulary")

LEVELS = ("beginner", "intermediate", "advanced", "expert")
SKILLS_MAX = 30  # of each kind: offered, needed
SKILL_NAME_MIN, SKILL_NAME_MAX = 2, 60
LANGUAGES_MAX = 10
LANGUAGE_TAG_MAX = 35  # as long as a person's preferred language may be
REGION_MAX = 80
AVAILABILITY_MAX = 200
HOURS_PER_MONTH_MAX = 160
CAPACITY_MAX = 20
# Offering a skill is offering to mentor it: a mentor who never set a capacity takes a few.
DEFAULT_CAPACITY = 3

# CLDR's two-letter territories that are groupings or placeholders, not countries.
_NOT_COUNTRIES = frozenset({"EU", "EZ", "QO", "UN", "XA", "XB", "ZZ"})
_UNPRINTABLE = frozenset({"Cc", "Cs", "Zl", "Zp"})


def skill_profile_id_for(person_id: UUID) -> UUID:
    """One skill profile per person."""
    return uuid5(SKILL_PROFILE_NAMESPACE, str(person_id))


# --- rules for what people type -------------------------------------------------------------


def cleaned(text, maximum: int, *, multiline: bool = False) -> str | None:
    """Text as it is kept (NFC, trimmed; one line with single spaces unless `multiline`), or
    None when it is not a string, is longer than `maximum` or holds control characters."""
    if not isinstance(text, str):
        return None
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n")).strip()
    allowed = {"\n", "\t"} if multiline else set()
    if any(unicodedata.category(c) in _UNPRINTABLE and c not in allowed for c in text):
        return None
    if not multiline:
        text = " ".join(text.split())
    return text if len(text) <= maximum else None


def skill_key(name: str) -> str:
    """What makes two spellings one skill: case and spacing do not count."""
    return " ".join(unicodedata.normalize("NFC", name).split()).casefold()


def checked_level(level) -> str:
    if level not in LEVELS:
        raise InvalidLevelError(level)
    return level


def checked_capacity(capacity) -> int:
    if type(capacity) is not int or not 0 <= capacity <= CAPACITY_MAX:
        raise InvalidCapacityError(capacity)
    return capacity


def checked_language(tag) -> str:
    """A BCP 47 tag in its usual case: language lower, region upper, script title case."""
    if (
        not isinstance(tag, str)
        or len(tag.strip()) > LANGUAGE_TAG_MAX
        or not LANGUAGE_PATTERN.fullmatch(tag.strip().lower())
    ):
        raise InvalidLanguagesError(tag)
    first, *rest = tag.strip().split("-")
    return "-".join([first.lower(), *(_subtag_case(s) for s in rest)])


def _subtag_case(subtag: str) -> str:
    if len(subtag) == 2 and subtag.isalpha():
        return subtag.upper()
    return subtag.title() if len(subtag) == 4 and subtag.isalpha() else subtag.lower()


def primary_language(tag: str) -> str:
    """The language a tag names, without script or region: pt-BR and pt-PT are both pt."""
    return tag.split("-")[0]


@functools.cache
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-2 codes, from the CLDR data Babel ships."""
    return frozenset(c for c in Locale("en").territories if len(c) == 2 and c.isalpha()) - (
        _NOT_COUNTRIES
    )


def checked_region(region) -> str | None:
    """A country code (upper case) or an affiliate's name; None for no region."""
    if region is None or (isinstance(region, str) and not region.strip()):
        return None
    text = cleaned(region, REGION_MAX)
    if text is None:
        raise InvalidRegionError(region)
    if len(text) == 2 and text.upper() in country_codes():
        return text.upper()
    if len(text) < 3:
        raise InvalidRegionError(region)
    return text


@dataclass(frozen=True)
class MentoringDetails:
    """How to match someone: languages, region and availability, checked.

    Languages, region and the availability note travel sealed: together with a set of skills
    they can single a person out. The hours are a bare number and stay plain.
    """

    languages: tuple[str, ...] = ()
    region: str | None = None
    hours_per_month: int | None = None
    availability: str | None = None

    @classmethod
    def of(
        cls, languages=(), region=None, hours_per_month=None, availability=None
    ) -> MentoringDetails:
        if not isinstance(languages, list | tuple) or len(languages) > LANGUAGES_MAX:
            raise InvalidLanguagesError(languages)
        tags = tuple(dict.fromkeys(checked_language(tag) for tag in languages))
        if hours_per_month is not None and (
            type(hours_per_month) is not int or not 0 <= hours_per_month <= HOURS_PER_MONTH_MAX
        ):
            raise InvalidAvailabilityError(hours_per_month)
        note = None if availability is None else cleaned(availability, AVAILABILITY_MAX)
        if availability is not None and note is None:
            raise InvalidAvailabilityError()
        return cls(tags, checked_region(region), hours_per_month, note or None)

    def sealed_part(self) -> dict:
        return {
            "languages": list(self.languages),
            "region": self.region,
            "availability": self.availability,
        }


class Resolver(Protocol):
    def resolve(self, name) -> Skill | None: ...


# --- aggregates -----------------------------------------------------------------------------


class SkillVocabulary(Aggregate):
    """Skills people added beyond the curated taxonomy, and merges of them into other skills.

    One aggregate for all: adding a new name is rare, and keeping every addition in one place
    makes its first spelling and its category the skill's for everyone.
    """

    TOPIC = "mafunzo.SkillVocabulary"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.SkillVocabulary.Created"

    @staticmethod
    def create_id() -> UUID:
        return SKILL_VOCABULARY_ID

    @event("Started", topic="mafunzo.SkillVocabulary.Started")
    def __init__(self):
        self.added: dict[str, Skill] = {}  # skill key → the skill as first spelt
        self.merged: dict[str, Skill] = {}  # skill key → the skill it counts as now

    def resolve(self, name) -> Skill | None:
        """The skill a name means now: curated, added, or what it was merged into."""
        if not isinstance(name, str):
            return None
        key = skill_key(name)
        return skill_named(key) or self.merged.get(key) or self.added.get(key)

    def add(self, name, category, by: UUID, at: datetime) -> Skill:
        """The skill this name means, added as a new skill in `category` if nobody knows it."""
        known = self.resolve(name)
        if known is not None:
            return known
        name = cleaned(name, SKILL_NAME_MAX)
        if name is None or len(name) < SKILL_NAME_MIN or category not in CATEGORIES:
            raise InvalidSkillError(name)
        self._add(name, category, by, at)
        return Skill(name, category)

    def merge(self, skill, into, by: UUID, at: datetime) -> Skill:
        """Count an added skill as another from now on (and everything recorded under it)."""
        key = skill_key(skill) if isinstance(skill, str) else None
        if key not in self.added or key in self.merged:
            raise SkillNotMergeableError(skill)
        target = self.resolve(into)
        if target is None:
            raise UnknownSkillError(into)
        if skill_key(target.name) == key:
            raise SkillNotMergeableError(skill)
        self._merge(self.added[key].name, target.name, target.category, by, at)
        return target

    @event("SkillAdded", topic="mafunzo.SkillVocabulary.SkillAdded")
    def _add(self, name: str, category: str, by: UUID, at: datetime) -> None:
        self.added[skill_key(name)] = Skill(name, category)

    @event("SkillMerged", topic="mafunzo.SkillVocabulary.SkillMerged")
    def _merge(self, skill: str, into: str, category: str, by: UUID, at: datetime) -> None:
        target = Skill(into, category)
        for key, now in self.merged.items():
            if now.name == skill:  # merged into this one earlier: follow it to its new home
                self.merged[key] = target
        self.merged[skill_key(skill)] = target


class SkillProfile(Aggregate):
    """What one person offers and needs, and how many mentees they take at a time.

    Skills are kept as recorded; a merge in the vocabulary may since count them as another,
    so questions about skills take the vocabulary.
    """

    TOPIC = "mafunzo.SkillProfile"

    class Created(Aggregate.Created):
        TOPIC = "mafunzo.SkillProfile.Created"

    @staticmethod
    def create_id(person_id: UUID, **_) -> UUID:
        return skill_profile_id_for(person_id)

    @event("Started", topic="mafunzo.SkillProfile.Started")
    def __init__(self, person_id: UUID, sealed_name: str, at: datetime):
        # The display name, sealed afresh, lets the directory list and sort people by name
        # without reading another read model; the person's profile changes follow it.
        self.person_id = person_id
        self.offers: dict[str, str] = {}  # skill name → level
        self.needs: dict[str, str] = {}  # skill name → level wanted
        self.capacity = DEFAULT_CAPACITY
        self.is_hidden = False

    # --- commands ---------------------------------------------------------------------

    def offer(self, skill: Skill, level, at: datetime) -> None:
        """Offer a skill at a level; offering it again at another level changes the level."""
        level = checked_level(level)
        if self.offers.get(skill.name) != level:
            self.check_room_for(self.offers, skill)
            self._offer(skill.name, level, at)

    def need(self, skill: Skill, level, at: datetime) -> None:
        """Ask for a skill, to reach a level."""
        level = checked_level(level)
        if self.needs.get(skill.name) != level:
            self.check_room_for(self.needs, skill)
            self._need(skill.name, level, at)

    def withdraw_offer(self, skill: Skill, vocabulary: Resolver, at: datetime) -> None:
        """Stop offering a skill, under whichever name it was offered; nothing if it was not."""
        for name in _recorded_as(self.offers, skill, vocabulary):
            self._withdraw_offer(name, at)

    def withdraw_need(self, skill: Skill, vocabulary: Resolver, at: datetime) -> None:
        for name in _recorded_as(self.needs, skill, vocabulary):
            self._withdraw_need(name, at)

    def change_details(self, sealed_details: str, hours_per_month: int | None, at: datetime):
        self._change_details(sealed_details, hours_per_month, at)

    def set_capacity(self, capacity, at: datetime) -> None:
        capacity = checked_capacity(capacity)
        if capacity != self.capacity:
            self._set_capacity(capacity, at)

    def hide(self, at: datetime) -> None:
        if not self.is_hidden:
            self._hide(at)

    def show(self, at: datetime) -> None:
        if self.is_hidden:
            self._show(at)

    # --- questions and guards ---------------------------------------------------------

    def offered(self, vocabulary: Resolver) -> set[str]:
        """The skills offered, by the names they count under now."""
        return {_now_named(name, vocabulary) for name in self.offers}

    def needed(self, vocabulary: Resolver) -> set[str]:
        return {_now_named(name, vocabulary) for name in self.needs}

    def check_room_for(self, skills: dict[str, str], skill: Skill) -> None:
        if skill.name not in skills and len(skills) >= SKILLS_MAX:
            raise TooManySkillsError(self.person_id)

    def check_offers(self, skill: Skill, vocabulary: Resolver) -> None:
        """Others can ask for this skill: it is offered and the profile is not hidden."""
        if self.is_hidden:
            raise ProfileHiddenError(self.person_id)
        if skill.name not in self.offered(vocabulary):
            raise SkillNotOfferedError(skill.name)

    # --- events -----------------------------------------------------------------------

    @event("SkillOffered", topic="mafunzo.SkillProfile.SkillOffered")
    def _offer(self, skill: str, level: str, at: datetime) -> None:
        self.offers[skill] = level

    @event("SkillNeeded", topic="mafunzo.SkillProfile.SkillNeeded")
    def _need(self, skill: str, level: str, at: datetime) -> None:
        self.needs[skill] = level

    @event("OfferWithdrawn", topic="mafunzo.SkillProfile.OfferWithdrawn")
    def _withdraw_offer(self, skill: str, at: datetime) -> None:
        del self.offers[skill]

    @event("NeedWithdrawn", topic="mafunzo.SkillProfile.NeedWithdrawn")
    def _withdraw_need(self, skill: str, at: datetime) -> None:
        del self.needs[skill]

    @event("DetailsChanged", topic="mafunzo.SkillProfile.DetailsChanged")
    def _change_details(self, sealed_details: str, hours_per_month: int | None, at: datetime):
        pass  # for people to read, not for decisions: projections unseal it

    @event("CapacitySet", topic="mafunzo.SkillProfile.CapacitySet")
    def _set_capacity(self, capacity: int, at: datetime) -> None:
        self.capacity = capacity

    @event("Hidden", topic="mafunzo.SkillProfile.Hidden")
    def _hide(self, at: datetime) -> None:
        self.is_hidden = True

    @event("Shown", topic="mafunzo.SkillProfile.Shown")
    def _show(self, at: datetime) -> None:
        self.is_hidden = False


def _now_named(name: str, vocabulary: Resolver) -> str:
    found = vocabulary.resolve(name)
    return found.name if found else name


def _recorded_as(skills: dict[str, str], skill: Skill, vocabulary: Resolver) -> list[str]:
    return [name for name in skills if _now_named(name, vocabulary) == skill.name]
