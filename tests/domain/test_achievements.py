"""The rules of achievements and credentials, told without Flask or SQL."""

from datetime import UTC, datetime, timedelta
from uuid import uuid4

import pytest

from domain.achievements import (
    Achievement,
    AchievementDefinition,
    AchievementRules,
    checked_reason,
)
from domain.credentials import Credential, StatusIndex, credential_id_for
from domain.errors import (
    CredentialRevokedError,
    CredentialStatusError,
    InvalidAchievementError,
    InvalidReasonError,
    InvalidVisibilityError,
    NotAllowedError,
)

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
LATER = AT + timedelta(days=1)
ORGANISER = uuid4()
COURSE, OTHER_COURSE = uuid4(), uuid4()


def definition(**changes) -> AchievementDefinition:
    fields = {
        "name": "Wikidata querier",
        "description": "Writes SPARQL queries against Wikidata.",
        "criteria": "Complete every module of Querying Wikidata.",
        "kind": "certificate",
        "courses": (COURSE,),
        **changes,
    }
    return AchievementDefinition.of(**fields)


def names(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


# --- definitions --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"name": ""},
        {"name": "   "},
        {"name": "x" * 121},
        {"name": "two\nlines"},
        {"description": ""},
        {"criteria": "y" * 4001},
        {"criteria": "bell\x07"},
        {"kind": "trophy"},
        {"courses": (COURSE, COURSE)},
        {"courses": ("not-a-uuid",)},
        {"courses": tuple(uuid4() for _ in range(21))},
    ],
)
def test_a_broken_definition_is_refused(changes):
    with pytest.raises(InvalidAchievementError):
        definition(**changes)


def test_a_definition_is_trimmed_and_normalised():
    found = definition(name="  Cafe\u0301 badge ", criteria=" Line one\nLine two ")
    assert found.name == "Café badge"
    assert found.criteria == "Line one\nLine two"


def test_every_course_of_the_rule_must_be_completed():
    both = definition(courses=(COURSE, OTHER_COURSE))
    assert not both.is_earned_by({COURSE})
    assert both.is_earned_by({COURSE, OTHER_COURSE, uuid4()})


def test_an_achievement_without_courses_is_never_earned_automatically():
    assert not definition(courses=()).is_earned_by({COURSE})


def test_a_definition_survives_its_trip_through_an_event():
    original = definition(courses=(COURSE, OTHER_COURSE), image="iVBORw0KGgo=")
    assert AchievementDefinition.from_dict(original.to_dict()) == original


# --- versions -----------------------------------------------------------------------------


def test_revising_makes_a_new_version_and_keeps_the_old_one():
    achievement = Achievement(definition().to_dict(), ORGANISER, AT)
    assert achievement.revise(definition(name="Wikidata query writer"), ORGANISER, LATER)
    assert achievement.current_version == 2
    assert achievement.definition.name == "Wikidata query writer"
    assert achievement.definition_of(1).name == "Wikidata querier"
    assert names(achievement) == ["Defined", "Revised"]


def test_revising_to_the_same_definition_records_nothing():
    achievement = Achievement(definition().to_dict(), ORGANISER, AT)
    achievement.collect_events()
    assert not achievement.revise(definition(), ORGANISER, LATER)
    assert names(achievement) == []


def test_the_rules_index_finds_achievements_by_course_and_follows_revisions():
    rules, first, second = AchievementRules(), uuid4(), uuid4()
    rules.set_rule(first, (COURSE,))
    rules.set_rule(second, (COURSE, OTHER_COURSE))
    assert rules.earned_through(COURSE) == [first, second]
    rules.set_rule(second, (OTHER_COURSE,))
    assert rules.earned_through(COURSE) == [first]
    rules.collect_events()
    rules.set_rule(first, (COURSE,))
    assert names(rules) == []


# --- credentials --------------------------------------------------------------------------


def credential(person_id=None) -> Credential:
    found = Credential(uuid4(), person_id or uuid4(), 1, "public", 7, "sealed", None, None, at=AT)
    found.collect_events()
    return found


def test_one_credential_per_person_and_achievement():
    achievement, person = uuid4(), uuid4()
    assert credential_id_for(achievement, person) == credential_id_for(achievement, person)
    assert credential_id_for(achievement, person) != credential_id_for(achievement, uuid4())
    issued = Credential(achievement, person, 1, "p", 0, "s", None, None, at=AT)
    assert issued.id == credential_id_for(achievement, person)


def test_suspend_then_reinstate_then_revoke():
    found = credential()
    found.suspend("Under review", ORGANISER, AT)
    assert found.status == "suspended"
    found.reinstate("Review found nothing wrong", ORGANISER, LATER)
    assert found.status == "active"
    found.revoke("Awarded by mistake", ORGANISER, LATER)
    assert found.status == "revoked"
    assert names(found) == ["Suspended", "Reinstated", "Revoked"]


def test_a_suspended_credential_can_be_revoked():
    found = credential()
    found.suspend("Under review", ORGANISER, AT)
    found.revoke("Plagiarised work", ORGANISER, LATER)
    assert found.status == "revoked"


@pytest.mark.parametrize("action", ["revoke", "suspend", "reinstate"])
def test_nothing_changes_a_revoked_credential(action):
    found = credential()
    found.revoke("Awarded by mistake", ORGANISER, AT)
    with pytest.raises(CredentialRevokedError):
        getattr(found, action)("again", ORGANISER, LATER)


def test_only_an_active_credential_is_suspended_and_only_a_suspended_one_reinstated():
    found = credential()
    with pytest.raises(CredentialStatusError):
        found.reinstate("nothing to reinstate", ORGANISER, AT)
    found.suspend("Under review", ORGANISER, AT)
    with pytest.raises(CredentialStatusError):
        found.suspend("twice", ORGANISER, AT)


def test_only_the_holder_chooses_who_may_find_their_credential():
    holder = uuid4()
    found = credential(holder)
    with pytest.raises(NotAllowedError):
        found.change_visibility("public", ORGANISER, AT)
    with pytest.raises(InvalidVisibilityError):
        found.change_visibility("everyone", holder, AT)
    found.change_visibility("public", holder, AT)
    found.change_visibility("public", holder, LATER)
    assert found.visibility == "public"
    assert names(found) == ["VisibilityChanged"]


@pytest.mark.parametrize("bad", ["", "   ", "r" * 501, "tab\x00nul", None, 5])
def test_a_reason_is_required_and_readable(bad):
    with pytest.raises(InvalidReasonError):
        checked_reason(bad)


def test_status_places_are_handed_out_once_each():
    index = StatusIndex()
    assert [index.allocate() for _ in range(3)] == [0, 1, 2]
