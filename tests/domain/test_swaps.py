"""The rules of skill swaps, told without Flask or SQL."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.errors import (
    NotAllowedError,
    ProfileHiddenError,
    SkillNotOfferedError,
    SwapMismatchError,
    SwapNotPendingError,
)
from domain.skill_profiles import SkillProfile, SkillVocabulary
from domain.skills import Skill
from domain.swaps import Swap, check_reciprocal

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
WIKIDATA = Skill("Wikidata", "individual")
PROJECTS = Skill("Project management", "organisational")
SPARQL = Skill("SPARQL", "technical")
VOCABULARY = SkillVocabulary()


def profile(offers=(), needs=()) -> SkillProfile:
    found = SkillProfile(uuid4(), "sealed", AT)
    for skill in offers:
        found.offer(skill, "advanced", AT)
    for skill in needs:
        found.need(skill, "beginner", AT)
    return found


@pytest.fixture
def amina() -> SkillProfile:
    return profile(offers=[WIKIDATA], needs=[PROJECTS])


@pytest.fixture
def rahim() -> SkillProfile:
    return profile(offers=[PROJECTS], needs=[WIKIDATA])


def test_a_swap_matches_when_each_offers_what_the_other_needs(amina, rahim):
    check_reciprocal(amina, rahim, WIKIDATA, PROJECTS, VOCABULARY)
    check_reciprocal(rahim, amina, PROJECTS, WIKIDATA, VOCABULARY)


@pytest.mark.parametrize(
    ("teaches", "learns"),
    [
        (SPARQL, PROJECTS),  # the proposer does not offer it
        (WIKIDATA, WIKIDATA),  # one skill cannot go both ways
    ],
)
def test_a_swap_that_does_not_match_the_profiles_is_refused(amina, rahim, teaches, learns):
    with pytest.raises((SwapMismatchError, SkillNotOfferedError)):
        check_reciprocal(amina, rahim, teaches, learns, VOCABULARY)


def test_the_partner_must_need_what_the_proposer_teaches(amina):
    indifferent = profile(offers=[PROJECTS], needs=[SPARQL])
    with pytest.raises(SwapMismatchError):
        check_reciprocal(amina, indifferent, WIKIDATA, PROJECTS, VOCABULARY)


def test_the_proposer_must_need_what_they_learn(rahim):
    generous = profile(offers=[WIKIDATA], needs=[SPARQL])
    with pytest.raises(SwapMismatchError):
        check_reciprocal(generous, rahim, WIKIDATA, PROJECTS, VOCABULARY)


def test_the_partner_must_offer_what_the_proposer_learns(amina):
    with pytest.raises(SkillNotOfferedError):
        check_reciprocal(amina, profile(needs=[WIKIDATA]), WIKIDATA, PROJECTS, VOCABULARY)


def test_a_hidden_partner_cannot_be_asked(amina, rahim):
    rahim.hide(AT)
    with pytest.raises(ProfileHiddenError):
        check_reciprocal(amina, rahim, WIKIDATA, PROJECTS, VOCABULARY)


@pytest.fixture
def swap(amina, rahim) -> Swap:
    found = Swap(amina.person_id, rahim.person_id, "Wikidata", "Project management", None, AT)
    found.collect_events()
    return found


def test_only_the_partner_accepts_or_declines_and_only_once(swap, amina, rahim):
    with pytest.raises(NotAllowedError):
        swap.accept(amina.person_id, uuid4(), uuid4(), AT)
    with pytest.raises(NotAllowedError):
        swap.decline("sealed", amina.person_id, AT)
    swap.accept(rahim.person_id, uuid4(), uuid4(), AT)
    with pytest.raises(SwapNotPendingError):
        swap.decline("sealed", rahim.person_id, AT)


def test_a_declined_swap_is_not_accepted_later(swap, rahim):
    swap.decline("sealed", rahim.person_id, AT)
    with pytest.raises(SwapNotPendingError):
        swap.accept(rahim.person_id, uuid4(), uuid4(), AT)


def test_a_swap_is_completed_once_each_side_has_a_confirmed_session(swap, rahim):
    teaching, learning = uuid4(), uuid4()
    swap.accept(rahim.person_id, teaching, learning, AT)
    swap.confirm_side(teaching, AT)
    swap.confirm_side(teaching, AT)  # a second session on the same side changes nothing
    assert swap.status == "accepted"
    swap.confirm_side(learning, AT)
    assert swap.status == "completed"
    events = swap.collect_events()
    assert [type(e).__name__ for e in events] == [
        "Accepted",
        "FirstSessionConfirmed",
        "FirstSessionConfirmed",
        "Completed",
    ]
    assert (events[-1].proposer_id, events[-1].partner_id) == (swap.proposer_id, swap.partner_id)


def test_a_session_outside_the_swap_does_not_count_towards_it(swap, rahim):
    swap.accept(rahim.person_id, uuid4(), uuid4(), AT)
    swap.collect_events()
    swap.confirm_side(uuid4(), AT)
    assert swap.collect_events() == []
