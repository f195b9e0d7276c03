"""The mentoring projection: skill profiles, mentorships, swaps and survey answers, kept in one
projection so that a merge of skills and a mentor's load change all of them consistently."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from uuid import UUID

from sqlalchemy import Table, select, update

from domain.needs import NeedsResponse
from domain.people import Person, PersonalDataVault
from domain.skill_profiles import SkillProfile, SkillVocabulary
from domain.swaps import Swap
from projections.capacity import (
    SURVEY_TABLES,
    needs_response_skills,
    survey_rows,
    write_survey_rows,
)
from projections.mentorships import (
    MENTORSHIP_EVENTS,
    MENTORSHIP_TABLES,
    SWAP_EVENTS,
    MentorshipRows,
    forget_mentoring,
    mentoring_hours,
    mentoring_sessions,
    mentorships,
    sealed_text,
    skill_swaps,
)
from projections.sealed import unseal_batch
from projections.skill_profiles import (
    PROFILE_EVENTS,
    PROFILE_TABLES,
    ProfileRows,
    forget_profile,
    mentor_skills,
)
from projections.skill_vocabulary import KnownSkills, skill_vocabulary

# Merges and forgettings change rows anywhere in the tables: the events between them are
# projected in runs, in memory, and these apply to the tables between runs.
_BETWEEN_RUNS = (SkillVocabulary.SkillMerged, Person.Forgotten)
_RELEVANT = (
    *_BETWEEN_RUNS,
    SkillVocabulary.SkillAdded,
    Person.ProfileChanged,
    *PROFILE_EVENTS,
    *MENTORSHIP_EVENTS,
    *SWAP_EVENTS,
    NeedsResponse.Answered,
)


class MentoringProjection:
    name = "mentoring"
    tables = (*PROFILE_TABLES, *MENTORSHIP_TABLES, *SURVEY_TABLES)

    def __init__(self, vault: PersonalDataVault):
        self.vault = vault

    def project(self, events, conn) -> None:
        for run, between in _runs([e for e in events if isinstance(e, _RELEVANT)]):
            if run:
                self._project_run(run, conn)
            if isinstance(between, SkillVocabulary.SkillMerged):
                merge_skill(conn, between.skill, between.into, between.category)
            elif isinstance(between, Person.Forgotten):
                forget_profile(conn, between.originator_id)
                forget_mentoring(conn, between.originator_id)

    def _project_run(self, run: Sequence, conn) -> None:
        skills = KnownSkills(conn, {name for e in run for name in _skill_names(e)})
        mentoring = MentorshipRows(conn, run)
        renamed = {e.originator_id for e in run if isinstance(e, Person.ProfileChanged)}
        profiles = ProfileRows(conn, run, mentoring.mentor_ids(run) | renamed)
        opened = unseal_batch(self.vault, run, _sealed_by(profiles))
        for index, e in enumerate(run):
            if isinstance(e, Person.ProfileChanged):
                profiles.renamed(e, opened.get(index))
            elif isinstance(e, SkillVocabulary.SkillAdded):
                skills.add(e)
            elif isinstance(e, PROFILE_EVENTS):
                profiles.apply(e, opened.get(index), skills)
            elif isinstance(e, (*MENTORSHIP_EVENTS, *SWAP_EVENTS)):
                mentoring.apply(e, opened.get(index), skills, profiles)
        skills.write(conn)
        profiles.write(conn)
        mentoring.write(conn)
        write_survey_rows(conn, *survey_rows(run, skills))


def _runs(events: Sequence) -> Iterator[tuple[list, object | None]]:
    """Runs of events, each with the merge or forgetting that ends it (None for the last)."""
    run: list = []
    for e in events:
        if isinstance(e, _BETWEEN_RUNS):
            yield run, e
            run = []
        else:
            run.append(e)
    yield run, None


def _sealed_by(profiles: ProfileRows) -> Callable:
    def sealed(e) -> tuple[UUID, str] | None:
        if isinstance(e, SkillProfile.Started):
            return e.person_id, e.sealed_name
        if isinstance(e, SkillProfile.DetailsChanged):
            person_id = profiles.person_of.get(e.originator_id)
            return None if person_id is None else (person_id, e.sealed_details)
        if isinstance(e, Person.ProfileChanged):
            # Only names the directory shows: everyone else's profile stays sealed here.
            known = e.originator_id in profiles.people
            return (e.originator_id, e.sealed_profile) if known else None
        return sealed_text(e)

    return sealed


def _skill_names(e) -> tuple[str, ...]:
    if isinstance(e, NeedsResponse.Answered):
        return (*e.wanted, *e.offered)
    if isinstance(e, Swap.Proposed):
        return (e.proposer_teaches, e.partner_teaches)
    skill = getattr(e, "skill", None)
    return (skill,) if isinstance(skill, str) else ()


# --- merges ---------------------------------------------------------------------------------


def merge_skill(conn, skill: str, into: str, category: str) -> None:
    """Count everything recorded under `skill` under `into` from now on, in every table."""
    conn.execute(
        update(skill_vocabulary)
        .where(skill_vocabulary.c.merged_into == skill)
        .values(merged_into=into)
    )
    conn.execute(
        update(skill_vocabulary).where(skill_vocabulary.c.skill == skill).values(merged_into=into)
    )
    _move_rows(conn, mentor_skills, skill, into, {"category": category})
    _move_rows(conn, needs_response_skills, skill, into, {"category": category})
    _move_rows(conn, mentoring_hours, skill, into, {}, combine=_add_hours)
    for table, column in (
        (mentorships, "skill"),
        (mentoring_sessions, "skill"),
        (skill_swaps, "proposer_teaches"),
        (skill_swaps, "partner_teaches"),
    ):
        conn.execute(update(table).where(table.c[column] == skill).values({column: into}))


def _add_hours(kept: dict, moved: dict) -> dict:
    return {
        **kept,
        "minutes": kept["minutes"] + moved["minutes"],
        "sessions": kept["sessions"] + moved["sessions"],
    }


def _move_rows(conn, table: Table, skill: str, into: str, changes: dict, combine=None) -> None:
    """Rename `skill` to `into` in a table keyed by it. Where the row under the new name is
    there already, keep that row (or `combine` the two)."""
    moved = [dict(r) for r in conn.execute(select(table).where(table.c.skill == skill)).mappings()]
    if not moved:
        return
    conn.execute(table.delete().where(table.c.skill == skill))
    key = [c.name for c in table.primary_key.columns]
    there = {
        tuple(r[c] for c in key): dict(r)
        for r in conn.execute(select(table).where(table.c.skill == into)).mappings()
    }
    fresh = []
    for row in moved:
        row.update(skill=into, **changes)
        kept = there.get(tuple(row[c] for c in key))
        if kept is None:
            fresh.append(row)
        elif combine is not None:
            where = [table.c[c] == kept[c] for c in key]
            conn.execute(table.update().where(*where).values(combine(kept, row)))
    if fresh:
        conn.execute(table.insert(), fresh)
