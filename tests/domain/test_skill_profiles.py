"""The rules of skill profiles and the skill vocabulary, told without Flask or SQL."""

from datetime import UTC, datetime
from uuid import uuid4

import pytest

from domain.errors import (
    InvalidAvailabilityError,
    InvalidCapacityError,
    InvalidLanguagesError,
    InvalidLevelError,
    InvalidRegionError,
    InvalidSkillError,
    InvalidSurveyAnswerError,
    ProfileHiddenError,
    SkillNotMergeableError,
    SkillNotOfferedError,
    TooManySkillsError,
    UnknownSkillError,
)
from domain.needs import NeedsAnswer, NeedsResponse
from domain.skill_profiles import (
    DEFAULT_CAPACITY,
    MentoringDetails,
    SkillProfile,
    SkillVocabulary,
    checked_language,
    checked_region,
    cleaned,
    skill_profile_id_for,
)
from domain.skills import Skill

AT = datetime(2026, 5, 3, 18, 0, tzinfo=UTC)
ORGANISER = uuid4()
WIKIDATA = Skill("Wikidata", "individual")


def names(aggregate) -> list[str]:
    return [type(e).__name__ for e in aggregate.collect_events()]


@pytest.fixture
def vocabulary() -> SkillVocabulary:
    found = SkillVocabulary()
    found.collect_events()
    return found


@pytest.fixture
def profile() -> SkillProfile:
    found = SkillProfile(uuid4(), "sealed name", AT)
    found.collect_events()
    return found


# --- the vocabulary -----------------------------------------------------------------------


def test_curated_skills_are_known_whatever_their_case_or_spacing(vocabulary):
    assert vocabulary.resolve("  wikidata ") == WIKIDATA
    assert vocabulary.resolve("project   MANAGEMENT").name == "Project management"


def test_a_new_skill_is_added_once_with_its_first_spelling_and_category(vocabulary):
    added = vocabulary.add(" Wiki Loves  Monuments ", "organisational", ORGANISER, AT)
    assert added == Skill("Wiki Loves Monuments", "organisational")
    assert vocabulary.add("wiki loves monuments", "technical", uuid4(), AT) == added
    assert names(vocabulary) == ["SkillAdded"]


def test_adding_a_curated_skill_records_nothing(vocabulary):
    assert vocabulary.add("SPARQL", None, ORGANISER, AT).category == "technical"
    assert names(vocabulary) == []


@pytest.mark.parametrize(
    ("name", "category"),
    [
        ("Wiki Loves Monuments", None),
        ("Wiki Loves Monuments", "hobbies"),
        ("x", "technical"),
        ("y" * 61, "technical"),
        ("two\nlines", "technical"),
        ("nul\x00byte", "technical"),
        (42, "technical"),
        (None, "technical"),
    ],
)
def test_a_new_skill_needs_a_readable_name_and_a_category(vocabulary, name, category):
    with pytest.raises(InvalidSkillError):
        vocabulary.add(name, category, ORGANISER, AT)


def test_a_merged_skill_counts_as_its_target_and_follows_later_merges(vocabulary):
    vocabulary.add("WLM", "organisational", ORGANISER, AT)
    vocabulary.add("Photo contests", "organisational", ORGANISER, AT)
    vocabulary.merge("wlm", "Photo contests", ORGANISER, AT)
    assert vocabulary.resolve("WLM").name == "Photo contests"
    vocabulary.merge("photo contests", "outreach", ORGANISER, AT)
    assert vocabulary.resolve("WLM") == Skill("Outreach", "organisational")
    assert vocabulary.add("wlm", "technical", ORGANISER, AT).name == "Outreach"


@pytest.mark.parametrize(
    ("skill", "into", "error"),
    [
        ("Wikidata", "Outreach", SkillNotMergeableError),  # curated skills stay
        ("Never added", "Outreach", SkillNotMergeableError),
        ("WLM", "wlm", SkillNotMergeableError),
        ("WLM", "Nothing like it", UnknownSkillError),
        (None, "Outreach", SkillNotMergeableError),
    ],
)
def test_only_an_added_skill_merges_and_only_into_another_known_one(vocabulary, skill, into, error):
    vocabulary.add("WLM", "organisational", ORGANISER, AT)
    with pytest.raises(error):
        vocabulary.merge(skill, into, ORGANISER, AT)


def test_a_skill_merged_once_cannot_be_merged_again(vocabulary):
    vocabulary.add("WLM", "organisational", ORGANISER, AT)
    vocabulary.merge("WLM", "Outreach", ORGANISER, AT)
    with pytest.raises(SkillNotMergeableError):
        vocabulary.merge("WLM", "Storytelling", ORGANISER, AT)


# --- profiles -----------------------------------------------------------------------------


def test_a_profile_belongs_to_one_person():
    person = uuid4()
    assert SkillProfile(person, "sealed", AT).id == skill_profile_id_for(person)


def test_offering_again_at_another_level_changes_the_level_and_the_same_records_nothing(
    profile,
):
    profile.offer(WIKIDATA, "intermediate", AT)
    profile.offer(WIKIDATA, "intermediate", AT)
    profile.offer(WIKIDATA, "expert", AT)
    assert profile.offers == {"Wikidata": "expert"}
    assert names(profile) == ["SkillOffered", "SkillOffered"]


@pytest.mark.parametrize("level", ["guru", "", None, 3, "Expert"])
def test_levels_come_from_the_scale(profile, level):
    with pytest.raises(InvalidLevelError):
        profile.offer(WIKIDATA, level, AT)
    with pytest.raises(InvalidLevelError):
        profile.need(WIKIDATA, level, AT)


def test_a_profile_lists_at_most_thirty_skills_of_each_kind(profile):
    for n in range(30):
        profile.need(Skill(f"Skill {n}", "technical"), "beginner", AT)
    with pytest.raises(TooManySkillsError):
        profile.need(Skill("One more", "technical"), "beginner", AT)
    profile.need(Skill("Skill 3", "technical"), "expert", AT)  # changing a level still works
    profile.offer(Skill("One more", "technical"), "beginner", AT)


def test_withdrawing_reaches_skills_offered_under_a_name_merged_since(profile, vocabulary):
    wlm = vocabulary.add("WLM", "organisational", ORGANISER, AT)
    profile.offer(wlm, "expert", AT)
    profile.offer(vocabulary.resolve("Outreach"), "beginner", AT)
    vocabulary.merge("WLM", "Outreach", ORGANISER, AT)
    assert profile.offered(vocabulary) == {"Outreach"}
    profile.collect_events()
    profile.withdraw_offer(vocabulary.resolve("outreach"), vocabulary, AT)
    assert profile.offers == {}
    assert names(profile) == ["OfferWithdrawn", "OfferWithdrawn"]


def test_withdrawing_a_skill_never_offered_records_nothing(profile, vocabulary):
    profile.withdraw_offer(WIKIDATA, vocabulary, AT)
    profile.withdraw_need(WIKIDATA, vocabulary, AT)
    assert names(profile) == []


def test_a_hidden_profile_cannot_be_asked_and_an_unoffered_skill_neither(profile, vocabulary):
    profile.offer(WIKIDATA, "expert", AT)
    profile.check_offers(WIKIDATA, vocabulary)
    with pytest.raises(SkillNotOfferedError):
        profile.check_offers(Skill("SPARQL", "technical"), vocabulary)
    profile.hide(AT)
    profile.hide(AT)
    with pytest.raises(ProfileHiddenError):
        profile.check_offers(WIKIDATA, vocabulary)
    profile.show(AT)
    profile.check_offers(WIKIDATA, vocabulary)
    assert names(profile) == ["SkillOffered", "Hidden", "Shown"]


def test_capacity_starts_at_the_default_and_stays_within_zero_to_twenty(profile):
    assert profile.capacity == DEFAULT_CAPACITY
    profile.set_capacity(0, AT)
    profile.set_capacity(20, AT)
    profile.set_capacity(20, AT)
    assert names(profile) == ["CapacitySet", "CapacitySet"]
    for bad in (-1, 21, "5", 2.5, True, None):
        with pytest.raises(InvalidCapacityError):
            profile.set_capacity(bad, AT)


# --- what people type ---------------------------------------------------------------------


def test_details_are_normalised():
    details = MentoringDetails.of(["EN", "pt-br", "zh-hant-tw", "en"], " ke ", 10, " evenings ")
    assert details.languages == ("en", "pt-BR", "zh-Hant-TW")
    assert details.region == "KE"
    assert details.availability == "evenings"
    assert details.sealed_part() == {
        "languages": ["en", "pt-BR", "zh-Hant-TW"],
        "region": "KE",
        "availability": "evenings",
    }


def test_a_region_is_a_country_code_or_an_affiliate_name():
    assert checked_region("Wikimedia  Kenya") == "Wikimedia Kenya"
    assert checked_region("   ") is None
    assert checked_region(None) is None
    for bad in ("ZZ", "EU", "QQ", "K", "x" * 81, "line\nbreak", 254):
        with pytest.raises(InvalidRegionError):
            checked_region(bad)


@pytest.mark.parametrize(
    "languages",
    ["en", ["english"], ["e"], [None], [5], ["en"] * 11, {"en": 1}, ["en-"], ["en" + "-abc" * 9]],
)
def test_languages_are_a_list_of_up_to_ten_bcp47_codes(languages):
    with pytest.raises(InvalidLanguagesError):
        MentoringDetails.of(languages)


@pytest.mark.parametrize(
    "availability",
    [{"hours_per_month": -1}, {"hours_per_month": 161}, {"hours_per_month": "10"},
     {"hours_per_month": True}, {"availability": "a" * 201}, {"availability": "bell\x07"},
     {"availability": 7}],
)  # fmt: skip
def test_availability_is_hours_a_month_and_a_short_note(availability):
    with pytest.raises(InvalidAvailabilityError):
        MentoringDetails.of(["en"], **availability)


def test_cleaned_text_refuses_control_characters_and_lone_surrogates():
    assert cleaned(" line\r\nbreak ", 20, multiline=True) == "line\nbreak"
    assert cleaned("a  b", 20) == "a b"
    assert cleaned("\ud800", 20) is None
    assert cleaned("x" * 21, 20) is None
    assert checked_language("SW") == "sw"


# --- the needs survey ---------------------------------------------------------------------


def test_a_survey_answer_counts_known_skills_once_under_their_current_name(vocabulary):
    vocabulary.add("WLM", "organisational", ORGANISER, AT)
    vocabulary.merge("WLM", "Outreach", ORGANISER, AT)
    answer = NeedsAnswer.of(["wikidata", "Wikidata", "wlm"], [], "SW", "tz", vocabulary)
    assert answer == NeedsAnswer(("Wikidata", "Outreach"), (), "sw", "TZ")


def test_a_survey_answer_records_nothing_that_names_who_answered():
    answer = NeedsAnswer(("Wikidata",), ("Outreach",), "sw", "TZ")
    [answered] = NeedsResponse.answering(answer, AT).collect_events()
    facts = {k for k in vars(answered) if not k.startswith("originator_")} - {"timestamp"}
    assert facts == {"wanted", "offered", "language", "region", "at"}


@pytest.mark.parametrize(
    ("wanted", "offered", "error"),
    [
        ([], [], InvalidSurveyAnswerError),
        ("Wikidata", [], InvalidSurveyAnswerError),
        (["Wikidata"] * 21, [], InvalidSurveyAnswerError),
        (["Basket weaving"], [], UnknownSkillError),
        ([None], [], UnknownSkillError),
    ],
)
def test_a_survey_answer_names_one_to_twenty_known_skills(vocabulary, wanted, offered, error):
    with pytest.raises(error):
        NeedsAnswer.of(wanted, offered, None, None, vocabulary)
