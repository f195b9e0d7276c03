"""Benchmark: the mentor directory and swap suggestions over 10,000 people with realistic
skill profiles, against the 50 ms p50 target.

Run with `.venv/bin/python bench/mentoring.py [--backend sqlite|postgres|both] [--people N]
[--queries Q]`. See bench/README.md for how the people are made and what each row means.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from uuid import UUID

from common import run_on_backends
from learner_actions import percentile, postgres_backend, sqlite_backend

from domain.errors import DomainError
from domain.skill_profiles import MentoringDetails, SkillProfile, skill_profile_id_for
from domain.skills import SKILLS
from lms.services import Services, build_services
from projections.mentor_directory import (
    directory_filters,
    mentor_profile,
    search_mentors,
    swap_suggestions,
)

TARGET_P50_MS = 50.0
SHARED_HASH = "bench-not-a-real-argon2-hash"  # one for all: hashing is not what we measure
SAVE_EVERY = 500
# Languages and regions of the movement, roughly as often as people would name them.
LANGUAGES = {
    "en": 40,
    "fr": 10,
    "es": 9,
    "ar": 6,
    "sw": 6,
    "pt": 5,
    "de": 5,
    "hi": 3,
    "bn": 3,
    "id": 3,
    "ha": 2,
    "yo": 2,
    "ru": 2,
    "zh": 2,
    "pt-BR": 2,
    "uk": 1,
    "ig": 1,
}
REGIONS = {
    "KE": 8,
    "NG": 8,
    "IN": 8,
    "US": 6,
    "GH": 5,
    "BR": 5,
    "DE": 5,
    "FR": 4,
    "UG": 4,
    "TZ": 4,
    "ZA": 4,
    "BD": 4,
    "ID": 3,
    "MX": 3,
    "AR": 3,
    "EG": 3,
    "UA": 2,
    "PH": 2,
    "Wikimedia Deutschland": 2,
    "Wikimedia UK": 2,
    "Wikimedia Community User Group Ghana": 1,
    "Art+Feminism": 1,
    "Wiki Loves Africa": 1,
}
LEVELS = ("beginner", "intermediate", "advanced", "expert")


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


@dataclass
class Population:
    """Who was made, and what they chose, to draw realistic queries from."""

    people: list[UUID] = field(default_factory=list)
    mentors: list[UUID] = field(default_factory=list)
    offered: list[str] = field(default_factory=list)  # one entry per skill offered
    languages: list[str] = field(default_factory=list)  # one entry per person speaking it
    regions: list[str] = field(default_factory=list)


def weighted(rng: random.Random, weights: dict[str, int], k: int) -> list[str]:
    chosen: list[str] = []
    while len(chosen) < k:
        pick = rng.choices(list(weights), list(weights.values()))[0]
        if pick not in chosen:
            chosen.append(pick)
    return chosen


# Some skills are asked for far more than others: the n-th most popular about 1/n as often.
SKILL_WEIGHTS = {skill.name: 1 / (rank + 1) for rank, skill in enumerate(SKILLS)}


def profile_of(rng: random.Random, person_id: UUID, sealed_name: str, services: Services, at):
    """A skill profile as a person would make it: 0–4 skills offered (six in ten offer one),
    1–3 wanted, 1–3 languages, a region (nine in ten), hours, a capacity; one in twenty hidden."""
    profile = SkillProfile(person_id, sealed_name, at)
    offers = weighted(rng, SKILL_WEIGHTS, rng.choice((0, 0, 0, 0, 1, 1, 2, 2, 3, 4)))
    needs = [s for s in weighted(rng, SKILL_WEIGHTS, rng.randint(1, 3)) if s not in offers]
    skills = {skill.name: skill for skill in SKILLS}
    for name in offers:
        profile.offer(skills[name], rng.choice(LEVELS[1:]), at)
    for name in needs:
        profile.need(skills[name], rng.choice(LEVELS[:3]), at)
    details = MentoringDetails.of(
        weighted(rng, LANGUAGES, rng.choice((1, 1, 2, 2, 3))),
        weighted(rng, REGIONS, 1)[0] if rng.random() < 0.9 else None,
        rng.choice((None, 2, 4, 8, 12, 20)),
    )
    sealed = services.vault.seal(person_id, details.sealed_part())
    profile.change_details(sealed, details.hours_per_month, at)
    profile.set_capacity(rng.randint(1, 5), at)
    if rng.random() < 0.05:
        profile.hide(at)
    return profile, offers, details


def fill(services: Services, count: int, mentorships: int, rng: random.Random) -> Population:
    """Register `count` people through the application, give them profiles (decided by the
    SkillProfile aggregate, saved 500 to a transaction), then mentorships by command."""
    app, found = services.app, Population()
    for n in range(count):
        name = f"Volunteer {n:05d}"
        person_id = app.register_person(f"bench{n:05d}", name, SHARED_HASH).id
        found.people.append(person_id)
    log(f"registered {count} people; making their profiles")
    pending, at = [], datetime.now(UTC)
    for person_id, n in zip(found.people, range(count), strict=True):
        sealed = services.vault.seal(person_id, {"display_name": f"Volunteer {n:05d}"})
        profile, offers, details = profile_of(rng, person_id, sealed, services, at)
        pending.append(profile)
        if offers and not profile.is_hidden:
            found.mentors.append(person_id)
            found.offered += offers
        found.languages += details.languages
        found.regions += [details.region] if details.region else []
        if len(pending) >= SAVE_EVERY:
            app.save(*pending)
            pending = []
    if pending:
        app.save(*pending)
    log(f"profiles saved; {mentorships} mentorships requested and accepted by command")
    add_mentorships(services, found, mentorships, rng)
    started = time.perf_counter()
    services.projections.catch_up()
    log(f"projected the log in {time.perf_counter() - started:.1f} s")
    return found


def add_mentorships(services: Services, found: Population, count: int, rng: random.Random):
    """Mentees ask mentors for a skill they offer; most are accepted, so some mentors fill up."""
    app, made, tries = services.app, 0, 0
    while made < count and tries < count * 5:
        tries += 1
        mentor, mentee = rng.choice(found.mentors), rng.choice(found.people)
        profile = app.repository.get(skill_profile_id_for(mentor))
        skill = rng.choice(sorted(profile.offers))
        try:
            mentorship = app.request_mentorship(mentee, mentor, skill, "Please help me").id
            if rng.random() < 0.8:
                app.accept_mentorship(mentorship, mentor)
        except DomainError:  # a full mentor, a pair already paired, oneself: pick others
            continue
        made += 1


# --- timing -------------------------------------------------------------------------------------


@dataclass
class Row:
    measure: str
    times_ms: list[float]

    def line(self, width: int) -> str:
        ordered = sorted(self.times_ms)
        p50, p99 = percentile(ordered, 0.5), percentile(ordered, 0.99)
        verdict = "PASS" if p50 <= TARGET_P50_MS else "FAIL"
        return (
            f"{self.measure:<{width}} | {len(ordered):>7} | {p50:>8.2f} | {p99:>8.2f} | "
            f"{statistics.fmean(ordered):>8.2f} | {verdict}"
        )


def timed(services: Services, query: Callable, times: int) -> list[float]:
    """Each query in its own connection, as a page opens one."""
    found = []
    for _ in range(times):
        started = time.perf_counter_ns()
        with services.engine.connect() as conn:
            query(conn)
        found.append((time.perf_counter_ns() - started) / 1e6)
    return found


def measure(services: Services, found: Population, queries: int, rng: random.Random):
    skill = lambda: rng.choice(found.offered)  # noqa: E731 - chosen as people search
    language = lambda: rng.choice(found.languages).split("-")[0]  # noqa: E731
    region = lambda: rng.choice(found.regions)  # noqa: E731
    searches = {
        "search_mentors: no filter": lambda c: search_mentors(c),
        "search_mentors: no filter, page 5": lambda c: search_mentors(c, page=5),
        "search_mentors: skill": lambda c: search_mentors(c, skill()),
        "search_mentors: language": lambda c: search_mentors(c, language=language()),
        "search_mentors: region": lambda c: search_mentors(c, region=region()),
        "search_mentors: skill + language": lambda c: search_mentors(c, skill(), language()),
        "search_mentors: skill + region": lambda c: search_mentors(c, skill(), region=region()),
        "search_mentors: skill + language + region": lambda c: search_mentors(
            c, skill(), language(), region()
        ),
        "directory_filters (the search form)": directory_filters,
        "mentor_profile": lambda c: mentor_profile(c, rng.choice(found.mentors)),
        "swap_suggestions": lambda c: swap_suggestions(c, rng.choice(found.people)),
    }
    for query in searches.values():  # warm the caches and the connection pool, untimed
        timed(services, query, 5)
    return [Row(name, timed(services, query, queries)) for name, query in searches.items()]


def bench_backend(backend, args: argparse.Namespace) -> tuple[str, list[Row], str]:
    rng = random.Random(args.seed)
    services = build_services(backend.settings)
    try:
        started = time.perf_counter()
        found = fill(services, args.people, args.mentorships, rng)
        made = f"filled in {time.perf_counter() - started:.0f} s"
        listed = len(found.mentors)
        log(f"{backend.name}: {listed} listed mentors; timing {args.queries} of each query")
        rows = measure(services, found, args.queries, rng)
        note = f"{args.people} people, {listed} listed mentors, {made}"
        return backend.name, rows, note
    finally:
        services.close()


def print_report(name: str, rows: list[Row], note: str) -> None:
    width = max(len(r.measure) for r in rows)
    header = f"{'measure':<{width}} | queries |  p50 ms  |  p99 ms  |  mean ms | p50 <= 50 ms"
    print(f"\n== {name}: {note} ==")
    print(header)
    print("-" * len(header))
    for row in rows:
        print(row.line(width))


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--people", type=int, default=10_000)
    parser.add_argument("--mentorships", type=int, default=1_500, help="requested by command")
    parser.add_argument("--queries", type=int, default=200, help="timed runs of each query")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args(argv)
    if args.people < 10 or args.queries < 1:
        parser.error("--people must be at least 10 and --queries at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    makers = {"sqlite": sqlite_backend, "postgres": postgres_backend}
    reports = run_on_backends(
        args.backend, makers, lambda b: bench_backend(b, args), "mafunzo-mentoring-", log
    )
    for report in reports:
        print_report(*report)
    print(f"\n  target: each query p50 <= {TARGET_P50_MS:.0f} ms (issue 5, 'Speed')")


if __name__ == "__main__":
    main()
