"""Demo mentoring: skill profiles for the demo mentor and learners, and one mentorship with a
confirmed session. Safe to load again: the second time it records nothing."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING
from uuid import UUID

from projections.mentoring_views import mentee_view
from projections.skill_profiles import skill_profile

if TYPE_CHECKING:
    from lms.services import Services


@dataclass(frozen=True)
class DemoProfile:
    offers: tuple[tuple[str, str], ...]  # (skill, level)
    needs: tuple[tuple[str, str], ...]
    languages: tuple[str, ...]
    region: str
    hours_per_month: int | None = None
    availability: str | None = None


DEMO_PROFILES = {
    "mentor": DemoProfile(
        offers=(("Wikidata", "expert"), ("WikiCite", "advanced")),
        needs=(),
        languages=("en", "sw"),
        region="KE",
        hours_per_month=8,
        availability="Weekday evenings, East Africa Time",
    ),
    "rahim": DemoProfile(
        offers=(("Project management", "advanced"),),
        needs=(("Wikidata", "intermediate"),),
        languages=("bn", "en"),
        region="BD",
    ),
    "amina": DemoProfile(
        offers=(("Storytelling", "advanced"),),
        needs=(("Wikidata", "beginner"),),
        languages=("sw", "en"),
        region="KE",
    ),
}
DEMO_MENTORSHIP = ("mentor", "rahim", "Wikidata")  # mentor, mentee, skill


def load_mentoring_demo(services: Services, people: dict[str, UUID]) -> None:
    """Give the demo accounts in `people` (username → person id) their skill profiles, and the
    mentor and rahim a mentorship in Wikidata with one confirmed session."""
    for username, profile in DEMO_PROFILES.items():
        _ensure_profile(services, people[username], profile)
    mentor, mentee, skill = DEMO_MENTORSHIP
    _ensure_mentorship(services, people[mentor], people[mentee], skill)
    services.projections.catch_up()


def _ensure_profile(services: Services, person_id: UUID, profile: DemoProfile) -> None:
    app = services.app
    # Declaring a skill already declared at the same level records nothing.
    for skill, level in profile.offers:
        app.offer_skill(person_id, skill, level)
    for skill, level in profile.needs:
        app.need_skill(person_id, skill, level)
    services.projections.catch_up()
    with services.engine.connect() as conn:
        current = skill_profile(conn, person_id)
    # Details are sealed afresh each time, so they are set only while the profile has none.
    if not current.languages:
        app.change_mentoring_details(
            person_id,
            languages=profile.languages,
            region=profile.region,
            hours_per_month=profile.hours_per_month,
            availability=profile.availability,
        )


def _ensure_mentorship(services: Services, mentor_id: UUID, mentee_id: UUID, skill: str) -> None:
    """Requested, accepted, one session logged and confirmed: unless the two already have a
    mentorship in this skill, in whatever state someone trying the demo left it."""
    with services.engine.connect() as conn:
        mine = mentee_view(conn, mentee_id)
    every = (*mine.mentors, *mine.requests, *mine.closed)
    if any(m.other_id == mentor_id and m.skill == skill for m in every):
        return
    app = services.app
    message = "I finished the first module of the Wikidata course. Can you help me go further?"
    mentorship_id = app.request_mentorship(mentee_id, mentor_id, skill, message).id
    app.accept_mentorship(mentorship_id, mentor_id)
    session_id = app.log_session(
        mentorship_id,
        app.clock().date(),
        60,
        "Items, statements and references; Rahim added his town's library.",
        mentor_id,
        private_note="Ready for SPARQL next time.",
    ).id
    app.confirm_session(mentorship_id, session_id, mentee_id)
