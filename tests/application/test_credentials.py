"""Achievements and credentials through the application, on both backends: the issuing policy
issues each earned credential exactly once, and organisers award, suspend and revoke."""

from __future__ import annotations

import json

import pytest

from domain.achievements import AchievementDefinition
from domain.errors import (
    AlreadyAwardedError,
    InvalidReasonError,
    NotAllowedError,
)
from lms.services import build_services
from projections.credentials import (
    credential_by_public_id,
    credentials_of_person,
    list_credentials,
    status_bits,
)
from tests.factories import course_content, register, unique


def definition(*courses, name="Wikidata querier", kind="certificate") -> AchievementDefinition:
    return AchievementDefinition.of(
        name, "Writes SPARQL queries.", "Complete every module of the course.", kind, courses
    )


def publish(services) -> object:
    return services.caught_up(services.app.publish_course(course_content())).id


def complete(services, person_id, course_id):
    """Enrol and work through the factory course; returns the last action's record."""
    app = services.app
    services.caught_up(app.enrol(person_id, course_id))
    app.view_slide(person_id, course_id, "basics", "what")
    app.answer_quiz(person_id, course_id, "basics", "check", 2)
    return services.caught_up(app.view_slide(person_id, course_id, "more", "cats"))


def held(services, person_id):
    with services.engine.connect() as conn:
        return credentials_of_person(conn, person_id)


@pytest.fixture
def organiser(services):
    return register(services, roles=("organiser",))[0]


@pytest.fixture
def course_id(services):
    return publish(services)


@pytest.fixture
def achievement_id(services, organiser, course_id):
    return services.caught_up(services.app.define_achievement(definition(course_id), organiser)).id


def test_completing_the_course_issues_its_credential_in_the_same_request(
    services, achievement_id, course_id
):
    learner, _ = register(services)
    complete(services, learner, course_id)
    [credential] = held(services, learner)
    assert credential.achievement_id == achievement_id
    assert credential.status == "active"
    document = json.loads(credential.document)
    assert document["name"] == "Wikidata querier"
    assert document["issuer"]["id"] == services.issuer.did
    subject = document["credentialSubject"]
    assert subject["achievement"]["name"] == "Wikidata querier"
    assert learner_name(subject) == services_name(services, learner)
    assert "Querying Wikidata" in document["evidence"][0]["narrative"]


def learner_name(subject) -> str:
    [name] = [i["identityHash"] for i in subject["identifier"] if i["identityType"] == "name"]
    return name


def services_name(services, person_id) -> str:
    from projections.people import person

    with services.engine.connect() as conn:
        return person(conn, person_id).display_name


def test_retries_replays_and_rebuilds_never_issue_twice(services, achievement_id, course_id):
    learner, _ = register(services)
    complete(services, learner, course_id)
    app = services.app
    assert app.issue_earned_credentials(learner, course_id).position is None
    assert app.issue_all_earned_credentials() == 0
    services.projections.rebuild()
    assert app.issue_all_earned_credentials() == 0
    assert len(held(services, learner)) == 1


def test_two_processes_issuing_at_once_issue_one_credential(
    backend, services, achievement_id, course_id
):
    learner, _ = register(services)
    complete(services, learner, course_id)
    elsewhere = build_services(backend)
    try:
        # The other process has not seen the credential yet: its policy runs as well.
        assert elsewhere.app.issue_earned_credentials(learner, course_id).position is None
        other_learner, _ = register(elsewhere)
        # Its copy of the status places is stale: the save conflicts, and it tries again.
        complete(elsewhere, other_learner, course_id)
        assert len(held(elsewhere, other_learner)) == 1
    finally:
        elsewhere.close()
    services.projections.catch_up()
    with services.engine.connect() as conn:
        indices = [c.status_index for c in list_credentials(conn, achievement_id)]
    assert sorted(indices) == [0, 1]


def test_an_achievement_defined_later_is_issued_by_running_the_policy_over_the_log(
    services, organiser, course_id
):
    learner, _ = register(services)
    complete(services, learner, course_id)
    services.caught_up(services.app.define_achievement(definition(course_id), organiser))
    assert held(services, learner) == []
    assert services.app.issue_all_earned_credentials() == 1
    services.projections.catch_up()
    assert len(held(services, learner)) == 1


def test_a_rule_of_several_courses_waits_for_the_last_of_them(services, organiser, course_id):
    second_course = publish(services)
    services.caught_up(
        services.app.define_achievement(definition(course_id, second_course), organiser)
    )
    learner, _ = register(services)
    complete(services, learner, course_id)
    assert held(services, learner) == []
    complete(services, learner, second_course)
    [credential] = held(services, learner)
    assert len(json.loads(credential.document)["evidence"]) == 2


def test_a_failing_signer_never_fails_the_learners_action(
    services, achievement_id, course_id, monkeypatch
):
    class BrokenSigner:
        def sign(self, facts):
            raise OSError("keys directory unreadable")

    learner, _ = register(services)
    monkeypatch.setattr(services.app, "signer", BrokenSigner())
    complete(services, learner, course_id)
    assert held(services, learner) == []
    monkeypatch.undo()
    assert services.app.issue_all_earned_credentials() == 1


def test_a_revision_applies_to_credentials_issued_after_it(
    services, organiser, achievement_id, course_id
):
    first, _ = register(services)
    complete(services, first, course_id)
    services.caught_up(
        services.app.revise_achievement(
            achievement_id, definition(course_id, name="SPARQL writer"), organiser
        )
    )
    second, _ = register(services)
    complete(services, second, course_id)
    [old], [new] = held(services, first), held(services, second)
    assert json.loads(old.document)["name"] == "Wikidata querier"
    assert json.loads(new.document)["name"] == "SPARQL writer"
    assert old.achievement_name == new.achievement_name == "SPARQL writer"


def test_only_organisers_and_admins_define_achievements(services, course_id):
    learner, _ = register(services)
    with pytest.raises(NotAllowedError):
        services.app.define_achievement(definition(course_id), learner)
    admin = register(services, roles=("admin",))[0]
    services.app.define_achievement(definition(course_id), admin)


def test_an_achievement_names_only_published_courses(services, organiser):
    import uuid

    from domain.errors import CourseNotFoundError

    with pytest.raises(CourseNotFoundError):
        services.app.define_achievement(definition(uuid.uuid4()), organiser)


def test_a_manual_award_says_why_and_happens_once(services, organiser):
    badge = services.caught_up(
        services.app.define_achievement(definition(kind="badge", name="Helper"), organiser)
    ).id
    learner, _ = register(services)
    with pytest.raises(InvalidReasonError):
        services.app.award_credential(badge, learner, "  ", organiser)
    with pytest.raises(NotAllowedError):
        services.app.award_credential(badge, learner, "Helped at the editathon", learner)
    services.caught_up(
        services.app.award_credential(badge, learner, "Helped at the editathon", organiser)
    )
    with pytest.raises(AlreadyAwardedError):
        services.app.award_credential(badge, learner, "Again", organiser)
    [credential] = held(services, learner)
    assert credential.award_reason == "Helped at the editathon"
    assert credential.awarded_by == organiser


def test_suspension_and_revocation_show_in_their_status_lists(
    services, organiser, achievement_id, course_id
):
    suspended_learner, _ = register(services)
    revoked_learner, _ = register(services)
    complete(services, suspended_learner, course_id)
    complete(services, revoked_learner, course_id)
    [suspended], [revoked] = held(services, suspended_learner), held(services, revoked_learner)
    app = services.app
    services.caught_up(app.suspend_credential(suspended.credential_id, "Under review", organiser))
    services.caught_up(app.revoke_credential(revoked.credential_id, "Plagiarism", organiser))
    with services.engine.connect() as conn:
        assert status_bits(conn, "suspended", 0, 131072) == [suspended.status_index]
        assert status_bits(conn, "revoked", 0, 131072) == [revoked.status_index]
        assert credential_by_public_id(conn, revoked.public_id).status_reason == "Plagiarism"
    services.caught_up(app.reinstate_credential(suspended.credential_id, "Cleared", organiser))
    with services.engine.connect() as conn:
        assert status_bits(conn, "suspended", 0, 131072) == []
    with pytest.raises(NotAllowedError):
        app.revoke_credential(suspended.credential_id, "Because", suspended_learner)


def test_forgetting_the_holder_darkens_our_copy_even_after_a_rebuild(
    services, achievement_id, course_id
):
    learner, _ = register(services)
    complete(services, learner, course_id)
    services.caught_up(services.app.forget_person(learner))
    [credential] = held(services, learner)
    assert credential.document is None
    services.projections.rebuild()
    assert held(services, learner)[0].document is None


def test_only_the_holder_makes_their_credential_public(services, achievement_id, course_id):
    learner, _ = register(services)
    someone_else, _ = register(services, unique("other"))
    complete(services, learner, course_id)
    [credential] = held(services, learner)
    with pytest.raises(NotAllowedError):
        services.app.change_credential_visibility(credential.credential_id, "public", someone_else)
    services.caught_up(
        services.app.change_credential_visibility(credential.credential_id, "public", learner)
    )
    assert held(services, learner)[0].visibility == "public"


# --- mentoring hours ----------------------------------------------------------------------


def mentoring_badge(hours: int, skill: str = "Wikidata") -> AchievementDefinition:
    return AchievementDefinition.of(
        f"{hours} hours mentoring in {skill}",
        "Mentored others, session by session.",
        f"{hours} hours of mentoring sessions in {skill}, each confirmed by the mentee.",
        "badge",
        mentoring_skill=skill,
        mentoring_hours=hours,
    )


def today():
    from datetime import UTC, datetime

    return datetime.now(UTC).date()


def mentored(services, minutes_each: list[int], skill: str = "Wikidata"):
    """A mentor and a mentee with one session confirmed per entry of `minutes_each`."""
    from tests.application.test_mentoring import accepted, person

    mentor = person(services, offers=[skill])
    mentee = person(services, needs=[skill])
    mentorship_id = accepted(services, mentor, mentee, skill)
    app = services.app
    for minutes in minutes_each:
        session = app.log_session(mentorship_id, today(), minutes, "Queries", mentor).id
        services.caught_up(app.confirm_session(mentorship_id, session, mentee))
    return mentor, mentee, mentorship_id


def test_confirmed_mentoring_hours_earn_the_badge_once(services, organiser):
    badge = services.caught_up(services.app.define_achievement(mentoring_badge(2), organiser)).id
    first_mentor, _, _ = mentored(services, [60])
    assert held(services, first_mentor) == []

    mentor, _, _ = mentored(services, [60, 45, 15, 30])

    [credential] = held(services, mentor)
    assert credential.achievement_id == badge
    evidence = json.loads(credential.document)["evidence"]
    # Issued at the confirmation that reached two hours, not after the last one.
    assert "2 hours of mentoring sessions in Wikidata" in evidence[0]["narrative"]
    assert services.app.issue_all_earned_credentials() == 0


def test_unconfirmed_sessions_do_not_count(services, organiser):
    services.caught_up(services.app.define_achievement(mentoring_badge(1), organiser))
    mentor, _, mentorship_id = mentored(services, [30])
    services.caught_up(services.app.log_session(mentorship_id, today(), 90, "Lua", mentor))
    assert held(services, mentor) == []


def test_a_badge_defined_later_reaches_mentors_through_the_policy_over_the_log(services, organiser):
    mentor, _, _ = mentored(services, [60])
    services.caught_up(services.app.define_achievement(mentoring_badge(1), organiser))
    assert services.app.issue_all_earned_credentials() == 1
    services.projections.catch_up()
    assert len(held(services, mentor)) == 1


def test_a_mentoring_rule_names_a_known_skill_and_no_courses(services, organiser, course_id):
    from domain.errors import InvalidAchievementError, UnknownSkillError

    with pytest.raises(UnknownSkillError):
        services.app.define_achievement(mentoring_badge(3, skill="Underwater basket"), organiser)
    with pytest.raises(InvalidAchievementError):
        AchievementDefinition.of(
            "Both", "d", "c", "badge", (course_id,), mentoring_skill="Wikidata", mentoring_hours=1
        )
    with pytest.raises(InvalidAchievementError):
        AchievementDefinition.of("None", "d", "c", "badge", mentoring_skill="Wikidata")
