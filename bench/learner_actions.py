"""Benchmark: learner actions committed and projected, against raw single-row transactions.

Run with `.venv/bin/python bench/learner_actions.py [--backend sqlite|postgres|both]
[--actions N]`; `--profile N` instead profiles N learner actions on SQLite with cProfile.
See bench/README.md for what each row of the printed tables means.
"""

from __future__ import annotations

import argparse
import cProfile
import math
import os
import pstats
import random
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol
from uuid import UUID

import psycopg
from common import POSTGRES_URL, run_on_backends, split_profile
from psycopg import sql

from domain.content import Answer, CourseContent, Module, Quiz, Slide
from domain.courses import course_id_for
from domain.enrolments import enrolment_id_for
from lms.services import Services, build_services
from lms.settings import Settings

TARGET_MEDIAN_MS = 2.0  # one learner action committed + projected, SQLite, median
TARGET_RAW_FRACTION = 1 / 3  # of the raw single-row transaction rate
TARGET_REBUILD_EPS = 20_000  # projection rebuild, events/s, SQLite

TARGETS_NOTE = (
    "targets: one learner action committed+projected <= 2 ms median on SQLite; "
    ">= 1/3 of raw single-row transaction rate; rebuild >= 20k events/s on SQLite"
)

LOREM = (
    "Wikipedia articles are written from a neutral point of view, cite reliable sources and "
    "are improved by many editors over time; this paragraph stands in for a slide's prose. "
)


# --- synthetic course and learner paths ---------------------------------------------------


def synthetic_course(slug: str, modules: int, slides: int, quiz_every: int) -> CourseContent:
    def quiz(m: int, s: int) -> Quiz:
        answers = tuple(Answer(i, f"Answer {i} to {m}.{s}", f"Because of {i}.") for i in range(4))
        return Quiz(f"Which answer to question {m}.{s} is right?", answers, (m + s) % 4)

    return CourseContent(
        slug=slug,
        title="Benchmark course",
        description="Synthetic content for bench/learner_actions.py.",
        language="en",
        licence="CC BY-SA 4.0",
        attribution="Synthetic benchmark content",
        source_url="https://example.org/bench",
        skills=("benchmarking",),
        modules=tuple(
            Module(
                slug=f"m{m:02d}",
                title=f"Module {m}",
                description=f"Module {m} of the benchmark course.",
                estimated_minutes=15,
                slides=tuple(
                    Slide(
                        slug=f"s{s:02d}",
                        title=f"Slide {m}.{s}",
                        content_html=f"<p>{LOREM * 3}</p>",
                        quiz=quiz(m, s) if s % quiz_every == 0 else None,
                    )
                    for s in range(1, slides + 1)
                ),
            )
            for m in range(1, modules + 1)
        ),
    )


@dataclass(frozen=True)
class Step:
    kind: str  # the action type reported: see ACTION_TYPES
    module: str
    slide: str
    answer_id: int | None = None


VIEW, VIEW_COMPLETING = "view slide", "view slide completing module"
ANSWER, ANSWER_COMPLETING = "answer quiz", "answer quiz completing module"
ACTION_TYPES = (VIEW, VIEW_COMPLETING, ANSWER, ANSWER_COMPLETING)


def learner_path(content: CourseContent, rng: random.Random) -> list[Step]:
    """A learner working through the course in order, sometimes answering a quiz wrong first.

    Module completion is never a command: the domain records it with the answer (or view)
    that finishes the module, so those actions are reported as their own type.
    """
    steps = []
    for module in content.modules:
        last_item = module.slides[-1].slug
        for slide in module.slides:
            completes = slide.slug == last_item
            if slide.quiz is None:
                steps.append(Step(VIEW_COMPLETING if completes else VIEW, module.slug, slide.slug))
                continue
            steps.append(Step(VIEW, module.slug, slide.slug))
            right = slide.quiz.correct_answer_id
            if rng.random() < 0.3:
                wrong = next(a.id for a in slide.quiz.answers if a.id != right)
                steps.append(Step(ANSWER, module.slug, slide.slug, wrong))
            kind = ANSWER_COMPLETING if completes else ANSWER
            steps.append(Step(kind, module.slug, slide.slug, right))
    return steps


# --- measuring ----------------------------------------------------------------------------


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile of an already sorted list."""
    if not sorted_values:
        return math.nan
    rank = max(1, math.ceil(q * len(sorted_values)))
    return sorted_values[rank - 1]


@dataclass
class Timings:
    """Durations in nanoseconds of one kind of operation."""

    total: list[int] = field(default_factory=list)
    command: list[int] = field(default_factory=list)
    projection: list[int] = field(default_factory=list)

    def extend(self, other: Timings) -> None:
        self.total += other.total
        self.command += other.command
        self.projection += other.projection

    def rate(self) -> float:
        return len(self.total) / (sum(self.total) / 1e9) if self.total else math.nan

    @staticmethod
    def ms(values: list[int], q: float) -> float:
        return percentile(sorted(values), q) / 1e6

    def p50(self, which: str = "total") -> float:
        return self.ms(getattr(self, which), 0.50)

    def p99(self, which: str = "total") -> float:
        return self.ms(getattr(self, which), 0.99)


@dataclass
class Row:
    measure: str
    ours: str
    baseline: str = ""
    ratio: str = ""


@dataclass
class Report:
    title: str
    rows: list[Row] = field(default_factory=list)
    checks: list[tuple[str, bool]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, measure: str, ours: str, baseline: str = "", ratio: str = "") -> None:
        self.rows.append(Row(measure, ours, baseline, ratio))

    def print(self) -> None:
        header = Row("measure", "ours", "baseline", "ratio")
        rows = [header, *self.rows]
        widths = [max(len(getattr(r, c)) for r in rows) for c in Row.__dataclass_fields__]

        def line(r: Row) -> str:
            return (
                f"{r.measure:<{widths[0]}} | {r.ours:>{widths[1]}} | "
                f"{r.baseline:>{widths[2]}} | {r.ratio:>{widths[3]}}"
            ).rstrip()

        rule = "-+-".join("-" * w for w in widths)
        print(f"\n== {self.title} ==")
        print(line(header))
        print(rule)
        for r in self.rows:
            print(line(r))
        for note in self.notes:
            print(f"  {note}")
        print(f"  {TARGETS_NOTE}")
        for text, ok in self.checks:
            print(f"  [{'PASS' if ok else 'FAIL'}] {text}")


def fmt_rate(value: float, unit: str = "/s") -> str:
    return f"{value:,.0f}{unit}"


def fmt_ms(value: float) -> str:
    return f"{value:.3f} ms"


def fmt_ratio(value: float) -> str:
    return f"{value:.2f}"


def fmt_times(value: float) -> str:
    return f"{value:.1f}x"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- backends and their raw baselines ------------------------------------------------------


SYNCHRONOUS_NAMES = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}


class RawWriter(Protocol):
    """Writes rows the size of stored events, one row per transaction, timing each."""

    description: str

    def write(self, count: int) -> list[int]: ...

    def close(self) -> None: ...


@dataclass
class Backend:
    name: str
    settings: Settings
    # (services, state size, topic length) -> the raw single-row baseline for this database
    raw_writer: Callable[[Services, int, int], RawWriter]


@contextmanager
def sqlite_backend(tmp: Path) -> Iterator[Backend]:
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'mafunzo.db'}",
        keys_dir=tmp / "keys",
        instance_dir=tmp,
        testing=True,
    )

    def raw(services: Services, state_size: int, topic_len: int) -> RawWriter:
        synchronous = event_store_synchronous(services)
        return RawSQLiteWriter(tmp / "raw.db", synchronous, state_size, topic_len)

    yield Backend("SQLite", settings, raw)


@contextmanager
def postgres_backend(tmp: Path) -> Iterator[Backend]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    settings = Settings(
        database_url=POSTGRES_URL,
        database_schema=schema,
        keys_dir=tmp / "keys",
        instance_dir=tmp,
        testing=True,
    )

    def raw(services: Services, state_size: int, topic_len: int) -> RawWriter:
        return RawPostgresWriter(schema, state_size, topic_len)

    try:
        yield Backend("PostgreSQL", settings, raw)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            conn.execute(drop)


def raw_rows(count: int, state_size: int, topic_len: int) -> Iterator[tuple[Any, ...]]:
    """Rows the size of stored events: id, version, topic, state and a 32-byte chain hash."""
    topic = "x" * topic_len
    for _ in range(count):
        yield uuid.uuid4(), 1, topic, os.urandom(state_size), os.urandom(32)


def event_store_synchronous(services: Services) -> int:
    """The synchronous setting the event store's own SQLite connections run with."""
    with services.app.recorder.datastore.transaction(commit=False) as c:
        c.execute("PRAGMA synchronous")
        return int(c.fetchone()[0])


class RawSQLiteWriter:
    """Plain sqlite3 in WAL mode with the event store's synchronous: BEGIN, INSERT, COMMIT."""

    def __init__(self, path: Path, synchronous: int, state_size: int, topic_len: int):
        self.state_size, self.topic_len = state_size, topic_len
        name = SYNCHRONOUS_NAMES.get(synchronous, synchronous)
        self.description = (
            f"plain sqlite3, WAL, synchronous={name} (what the event store's connections use), "
            "one INSERT per BEGIN..COMMIT"
        )
        self.conn = sqlite3.connect(path, isolation_level=None)
        self.conn.execute("PRAGMA journal_mode=WAL")
        self.conn.execute(f"PRAGMA synchronous={int(synchronous)}")
        self.conn.execute(
            "CREATE TABLE events (originator_id TEXT, originator_version INTEGER, topic TEXT, "
            "state BLOB, chain_hash BLOB NOT NULL, PRIMARY KEY (originator_id, originator_version))"
        )

    def write(self, count: int) -> list[int]:
        conn, insert, durations = self.conn, "INSERT INTO events VALUES (?,?,?,?,?)", []
        for oid, version, topic, state, chain_hash in raw_rows(
            count, self.state_size, self.topic_len
        ):
            t0 = time.perf_counter_ns()
            conn.execute("BEGIN")
            conn.execute(insert, (oid.hex, version, topic, state, chain_hash))
            conn.execute("COMMIT")
            durations.append(time.perf_counter_ns() - t0)
        return durations

    def close(self) -> None:
        self.conn.close()


class RawPostgresWriter:
    """Plain psycopg into a table shaped like the log's: INSERT, COMMIT."""

    description = "plain psycopg, one INSERT + COMMIT per row, same table shape"

    def __init__(self, schema: str, state_size: int, topic_len: int):
        self.state_size, self.topic_len = state_size, topic_len
        table = sql.Identifier(schema, "raw_single_row")
        self.conn = psycopg.connect(POSTGRES_URL)
        self.conn.execute(
            sql.SQL(
                "CREATE TABLE {} (originator_id uuid NOT NULL, originator_version bigint NOT NULL,"
                " topic text, state bytea, notification_id bigserial, chain_hash bytea NOT NULL,"
                " PRIMARY KEY (originator_id, originator_version))"
            ).format(table)
        )
        self.conn.commit()
        self.insert = sql.SQL(
            "INSERT INTO {} (originator_id, originator_version, topic, state, chain_hash) "
            "VALUES (%s, %s, %s, %s, %s)"
        ).format(table)

    def write(self, count: int) -> list[int]:
        conn, durations = self.conn, []
        with conn.cursor() as cur:
            for row in raw_rows(count, self.state_size, self.topic_len):
                t0 = time.perf_counter_ns()
                cur.execute(self.insert, row)
                conn.commit()
                durations.append(time.perf_counter_ns() - t0)
        return durations

    def close(self) -> None:
        self.conn.close()


# --- the scenario ---------------------------------------------------------------------------


@dataclass
class Learner:
    person_id: UUID
    steps: list[Step]
    next_step: int = 0


@dataclass
class Scenario:
    services: Services
    content: CourseContent
    course_id: UUID
    learners: list[Learner]
    rng: random.Random


def register_learners(services: Services, count: int, course_id: UUID, prefix: str) -> list[UUID]:
    ids = []
    for i in range(count):
        recorded = services.app.register_person(
            f"{prefix}{i:05d}", f"Bench Learner {prefix}{i}", "not-a-real-password-hash"
        )
        services.app.enrol(recorded.id, course_id)
        ids.append(recorded.id)
    return ids


def set_up(services: Services, args: argparse.Namespace) -> Scenario:
    rng = random.Random(args.seed)
    content = synthetic_course("bench-course", args.modules, args.slides, args.quiz_every)
    services.app.publish_course(content)
    course_id = course_id_for(content.slug)
    person_ids = register_learners(services, args.learners, course_id, "learner")
    services.projections.catch_up()
    learners = [Learner(pid, learner_path(content, rng)) for pid in person_ids]
    return Scenario(services, content, course_id, learners, rng)


def interleaved(learners: list[Learner]) -> Iterator[tuple[Learner, Step]]:
    """Round robin over the learners, each taking the next step of their own path."""
    while True:
        progressed = False
        for learner in learners:
            if learner.next_step < len(learner.steps):
                step = learner.steps[learner.next_step]
                learner.next_step += 1
                progressed = True
                yield learner, step
        if not progressed:
            return


def perform(scenario: Scenario, learner: Learner, step: Step):
    app, course_id = scenario.services.app, scenario.course_id
    if step.answer_id is None:
        return app.view_slide(learner.person_id, course_id, step.module, step.slide)
    return app.answer_quiz(
        learner.person_id, course_id, step.module, step.slide, step.answer_id
    ).recorded


def run_actions(
    scenario: Scenario, actions: Iterator[tuple[Learner, Step]], count: int
) -> tuple[dict[str, Timings], Timings, float]:
    """Time each action: the command, then the projections catching up to its position."""
    services = scenario.services
    by_type = {kind: Timings() for kind in ACTION_TYPES}
    overall = Timings()
    clock = time.perf_counter_ns
    done = 0
    wall_start = clock()
    for learner, step in actions:
        t0 = clock()
        recorded = perform(scenario, learner, step)
        t1 = clock()
        services.caught_up(recorded)
        t2 = clock()
        for timings in (by_type[step.kind], overall):
            timings.total.append(t2 - t0)
            timings.command.append(t1 - t0)
            timings.projection.append(t2 - t1)
        done += 1
        if done >= count:
            break
    wall = (clock() - wall_start) / 1e9
    if done < count:
        log(f"only {done} learner actions were left to take: raise --learners for more")
    return by_type, overall, wall


def warm_up(scenario: Scenario, actions: Iterator[tuple[Learner, Step]], count: int) -> None:
    for _, (learner, step) in zip(range(count), actions, strict=False):
        scenario.services.caught_up(perform(scenario, learner, step))


def run_alternating(
    scenario: Scenario,
    actions: Iterator[tuple[Learner, Step]],
    count: int,
    writer: RawWriter,
    raw_count: int,
    blocks: int,
) -> tuple[dict[str, Timings], Timings, float, Timings]:
    """Alternate blocks of raw single-row transactions and of learner actions."""
    by_type = {kind: Timings() for kind in ACTION_TYPES}
    overall, raw, wall = Timings(), Timings(), 0.0
    for block in range(blocks):
        raw.total += writer.write(_share(raw_count, blocks, block))
        block_types, block_overall, block_wall = run_actions(
            scenario, actions, _share(count, blocks, block)
        )
        for kind, timings in block_types.items():
            by_type[kind].extend(timings)
        overall.extend(block_overall)
        wall += block_wall
    return by_type, overall, wall, raw


def _share(total: int, parts: int, index: int) -> int:
    return total // parts + (1 if index < total % parts else 0)


def typical_event(services: Services, sample: int = 500) -> tuple[int, int, dict[str, int]]:
    """Median state size and topic length of the most recent events, and their topic mix."""
    head = services.projections.head()
    recent = services.app.recorder.select_notifications(
        start=max(1, head - sample + 1), limit=sample
    )
    topics: dict[str, int] = {}
    for n in recent:
        topics[n.topic] = topics.get(n.topic, 0) + 1
    state_size = int(statistics.median(len(n.state) for n in recent))
    topic_len = int(statistics.median(len(n.topic) for n in recent))
    return state_size, topic_len, topics


def grow_log(scenario: Scenario, target_events: int, save_every: int = 500) -> int:
    """Append learner events until the log holds `target_events`, without projecting them.

    New learners register and enrol through the application. Their slide views and quiz
    answers are decided by the Enrolment aggregate's own methods but saved for up to
    `save_every` learners per transaction (`app.save(*enrolments)`), so a log this size
    takes seconds to build rather than a commit per event.
    """
    services, content = scenario.services, scenario.content
    app = services.app
    head = services.projections.head()
    # Per learner: registered, username claimed, enrolled, each step, each module, the course.
    per_learner = 3 + len(learner_path(content, random.Random(0))) + len(content.modules) + 1
    count = math.ceil(max(0, target_events - head) / per_learner)
    if count == 0:
        return head
    person_ids = register_learners(services, count, scenario.course_id, "bulk")
    enrolments = [
        app.repository.get(enrolment_id_for(pid, scenario.course_id)) for pid in person_ids
    ]
    paths = [learner_path(content, scenario.rng) for _ in person_ids]
    quizzes = {
        (m.slug, s.slug): s.quiz for m in content.modules for s in m.slides if s.quiz is not None
    }
    for index in range(max(len(p) for p in paths)):
        pending = []
        for enrolment, path in zip(enrolments, paths, strict=True):
            if index >= len(path):
                continue
            step = path[index]
            at = datetime.now(UTC)
            if step.answer_id is None:
                enrolment.view_slide(step.module, step.slide, at)
            else:
                quiz = quizzes[(step.module, step.slide)]
                enrolment.answer_quiz(step.module, step.slide, quiz, step.answer_id, at)
            pending.append(enrolment)
            if len(pending) >= save_every:
                app.save(*pending)
                pending = []
        if pending:
            app.save(*pending)
    return services.projections.head()


def read_log(services: Services, decode: bool, batch: int = 500) -> int:
    """Read the whole log in batches (the rebuild baseline); optionally decode each event."""
    recorder, mapper = services.app.recorder, services.app.mapper
    start, count = 1, 0
    while notifications := recorder.select_notifications(start=start, limit=batch):
        if decode:
            for n in notifications:
                mapper.to_domain_event(n)
        count += len(notifications)
        start = notifications[-1].id + 1
    return count


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    t0 = time.perf_counter_ns()
    result = fn()
    return result, (time.perf_counter_ns() - t0) / 1e9


# --- one backend's report ---------------------------------------------------------------------


def bench_backend(backend: Backend, args: argparse.Namespace) -> Report:
    is_sqlite = backend.name == "SQLite"
    report = Report(
        f"{backend.name}: {args.actions} learner actions over {args.learners} learners; "
        f"course {args.modules} modules x {args.slides} slides, a quiz every {args.quiz_every}"
    )
    log(f"{backend.name}: publishing the course, registering and enrolling {args.learners}")
    services = build_services(backend.settings)
    try:
        scenario = set_up(services, args)
        actions = interleaved(scenario.learners)
        warm_up(scenario, actions, args.warmup)
        # Raw rows as large as the events the warm-up just stored (all slide views).
        state_size, topic_len, _ = typical_event(services, sample=args.warmup)
        writer = backend.raw_writer(services, state_size, topic_len)
        raw_count = max(args.actions, 500)
        log(
            f"{backend.name}: timing {args.actions} learner actions (after {args.warmup} "
            f"warm-up) and {raw_count} raw single-row transactions of {state_size} B, "
            f"alternating in {args.blocks} blocks"
        )
        try:
            by_type, overall, wall, raw = run_alternating(
                scenario, actions, args.actions, writer, raw_count, args.blocks
            )
        finally:
            writer.close()
        add_action_rows(report, by_type, overall, wall, raw)
        sample_size, _, topics = typical_event(services)
        mix = ", ".join(f"{t.rsplit('.', 1)[-1]} {n}" for t, n in sorted(topics.items()))
        report.notes.append(f"action baseline: {writer.description}")
        report.notes.append(
            f"raw rows carry a {state_size} B state (median of the warm-up's events); the last "
            f"500 events logged have a median state of {sample_size} B ({mix})"
        )
        report.notes.append(
            f"actions and raw rows were timed alternately in {args.blocks} blocks, "
            "so drift on a shared machine affects both alike"
        )

        log(f"{backend.name}: growing the log to >= {args.rebuild_events:,} events")
        head_before = services.projections.head()
        head, grow_s = timed(lambda: grow_log(scenario, args.rebuild_events))
        _, catch_up_s = timed(services.projections.catch_up)
        log(f"{backend.name}: {head:,} events (grown in {grow_s:.1f}s); rebuilding projections")
        # The raw read runs before and after the rebuild, so drift affects both alike.
        raw_read, raw_read_s_1 = timed(lambda: read_log(services, decode=False))
        _, rebuild_s = timed(services.projections.rebuild)
        _, raw_read_s_2 = timed(lambda: read_log(services, decode=False))
        lag = max(s.lag for s in services.projections.status())
        if lag:
            report.notes.append(f"WARNING: projections lag {lag} events after the rebuild")
        raw_read_s = (raw_read_s_1 + raw_read_s_2) / 2
        decoded, decode_s = timed(lambda: read_log(services, decode=True))
        raw_eps, rebuild_eps = raw_read / raw_read_s, head / rebuild_s
        decode_eps = decoded / decode_s
        report.add(
            f"projection rebuild ({head:,} events), events/s",
            fmt_rate(rebuild_eps),
            fmt_rate(raw_eps),
            fmt_ratio(rebuild_eps / raw_eps),
        )
        report.add(
            f"  rebuild wall time; raw log read, mean of 2 ({raw_read:,} events)",
            f"{rebuild_s:.2f} s",
            f"{raw_read_s:.2f} s",
        )
        report.add(
            "  log read + decode to domain events, events/s",
            fmt_rate(decode_eps),
            fmt_rate(raw_eps),
            fmt_ratio(decode_eps / raw_eps),
        )
        report.add(
            f"  one catch-up over {head - head_before:,} unprojected events, events/s",
            fmt_rate((head - head_before) / catch_up_s),
        )
        report.notes.append(
            "rebuild baseline: the whole log read raw, app.recorder.select_notifications "
            "in batches of 500 (once before and once after the rebuild)"
        )

        median_ms, ratio = overall.p50(), overall.rate() / raw.rate()
        if is_sqlite:
            report.checks.append(
                (
                    f"median learner action {median_ms:.3f} ms <= {TARGET_MEDIAN_MS} ms",
                    median_ms <= TARGET_MEDIAN_MS,
                )
            )
        report.checks.append(
            (
                f"learner actions at {ratio:.2f} of the raw single-row transaction rate (>= 0.33)",
                ratio >= TARGET_RAW_FRACTION,
            )
        )
        if is_sqlite:
            report.checks.append(
                (
                    f"rebuild at {rebuild_eps:,.0f} events/s >= {TARGET_REBUILD_EPS:,}",
                    rebuild_eps >= TARGET_REBUILD_EPS,
                )
            )
    finally:
        services.close()
    return report


def add_action_rows(
    report: Report, by_type: dict[str, Timings], overall: Timings, wall: float, raw: Timings
) -> None:
    raw_rate, raw_p50, raw_p99 = raw.rate(), raw.p50(), raw.p99()

    def rate_and_latency(label: str, t: Timings) -> None:
        report.add(
            f"{label} (n={len(t.total)}), actions/s",
            fmt_rate(t.rate()),
            fmt_rate(raw_rate),
            fmt_ratio(t.rate() / raw_rate),
        )
        report.add("  p50", fmt_ms(t.p50()), fmt_ms(raw_p50), fmt_times(t.p50() / raw_p50))
        report.add("  p99", fmt_ms(t.p99()), fmt_ms(raw_p99), fmt_times(t.p99() / raw_p99))
        report.add(
            "  p50 of command / of projection catch-up",
            f"{t.p50('command'):.3f} / {t.p50('projection'):.3f} ms",
        )

    rate_and_latency("learner action, all types", overall)
    report.add("  wall clock incl. loop, actions/s", fmt_rate(len(overall.total) / wall))
    for kind in ACTION_TYPES:
        if by_type[kind].total:
            rate_and_latency(kind, by_type[kind])


# --- profiling ----------------------------------------------------------------------------


def profile(args: argparse.Namespace) -> None:
    """cProfile `--profile` learner actions on SQLite and list where the time goes."""
    tmp = Path(tempfile.mkdtemp(prefix="mafunzo-bench-"))
    try:
        with sqlite_backend(tmp) as backend:
            services = build_services(backend.settings)
            try:
                scenario = set_up(services, args)
                actions = interleaved(scenario.learners)
                warm_up(scenario, actions, args.warmup)
                profiler = cProfile.Profile()
                profiler.enable()
                _, overall, wall = run_actions(scenario, actions, args.profile)
                profiler.disable()
            finally:
                services.close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    n = len(overall.total)
    print(
        f"\n== cProfile: {n} learner actions on SQLite (command + caught_up), "
        f"{wall / n * 1e3:.3f} ms per action under the profiler ==",
    )
    stats = pstats.Stats(profiler)
    ours, library, runtime = split_profile(stats, "learner_actions.py")
    for title, entries in (
        ("our code (domain/, lms/, projections/)", ours),
        ("library code (site-packages: eventsourcing, sqlalchemy, ...)", library),
        ("Python runtime: stdlib and C built-ins (sqlite3, deepcopy, ...)", runtime),
    ):
        print(f"\n-- top 15 by cumulative time: {title}")
        print(f"{'cum ms/action':>13} {'own ms/action':>13} {'calls/action':>12}  function")
        for cumtime, tottime, calls, where in sorted(entries, reverse=True)[:15]:
            print(
                f"{cumtime / n * 1e3:>13.3f} {tottime / n * 1e3:>13.3f} {calls / n:>12.1f}  {where}"
            )


# --- main ---------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="both")
    parser.add_argument("--actions", type=int, default=1000, help="timed learner actions")
    parser.add_argument("--learners", type=int, default=50, help="learners taking the actions")
    parser.add_argument("--warmup", type=int, default=50, help="untimed actions first")
    parser.add_argument("--modules", type=int, default=20)
    parser.add_argument("--slides", type=int, default=10, help="slides per module")
    parser.add_argument("--quiz-every", type=int, default=5, help="every Nth slide has a quiz")
    parser.add_argument(
        "--rebuild-events", type=int, default=20_000, help="log size for the rebuild measure"
    )
    parser.add_argument(
        "--blocks", type=int, default=5, help="alternate actions and raw rows in this many blocks"
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of the benchmark, cProfile N learner actions on SQLite",
    )
    args = parser.parse_args(argv)
    if args.warmup < 1 or args.blocks < 1 or args.actions < 1:
        parser.error("--warmup, --blocks and --actions must be at least 1")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.profile:
        profile(args)
        return
    started = time.perf_counter()
    makers = {"sqlite": sqlite_backend, "postgres": postgres_backend}
    reports = run_on_backends(
        args.backend, makers, lambda b: bench_backend(b, args), "mafunzo-bench-", log
    )
    for report in reports:
        report.print()
    print(
        f"\n(total run {time.perf_counter() - started:.0f} s; rates are 1 / mean latency of "
        "one action at a time; ratio = ours / baseline, or 'Nx' = times the baseline latency)"
    )


if __name__ == "__main__":
    main()
