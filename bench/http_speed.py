"""Benchmark: pages served by waitress on loopback, under wrk, against a minimal Flask route.

Run with `.venv/bin/python bench/http_speed.py [--backend sqlite|postgres|both] [--seconds 10]
[--connections 16] [--threads 8] [--wrk-threads 2]`. See bench/README.md for what is measured.
"""

from __future__ import annotations

import argparse
import http.client
import math
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.parse
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import psycopg
from common import POSTGRES_URL, ROOT, run_on_backends, split_profile
from psycopg import sql

from domain.courses import course_id_for
from lms.demo import DEMO_COURSE, load_demo
from lms.services import build_services
from lms.settings import Settings

WRK = shutil.which("wrk") or "/usr/bin/wrk"
HOST = "127.0.0.1"

TARGET_FRACTION = 0.40  # of the minimal route's requests/s
TARGET_P99_MS = 50.0

DEMO_LEARNER = "amina"
ACCEPT_ENCODING = "gzip, deflate, br"  # what browsers send; with --compressed
MINIMAL_BODY = "<!doctype html><title>ok</title><p>Hello from a minimal Flask route.</p>"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the minimal app (run in its own process by --minimal-server PORT) ----------------------


def minimal_app():
    """One Flask route returning a short HTML string: the baseline every page is compared with."""
    from flask import Flask

    app = Flask("minimal")

    @app.get("/")
    def hello():
        return MINIMAL_BODY

    return app


def serve_minimal(port: int, threads: int) -> None:
    """The minimal app, served the way `lms serve` serves ours."""
    import waitress

    server = waitress.create_server(minimal_app(), host=HOST, port=port, threads=threads)
    print(f"Serving the minimal app at http://{HOST}:{port}", flush=True)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()


# --- instances: a database with the demo loaded ---------------------------------------------


@dataclass
class Instance:
    name: str
    settings: Settings
    env: dict[str, str]  # the LMS_* variables `lms serve` reads
    tmp: Path


@contextmanager
def sqlite_instance(tmp: Path) -> Iterator[Instance]:
    settings = Settings(
        database_url=f"sqlite:///{tmp / 'mafunzo.db'}",
        secret_key=secrets.token_urlsafe(32),
        keys_dir=tmp / "keys",
        instance_dir=tmp,
    )
    yield Instance("SQLite", settings, _lms_env(settings), tmp)


@contextmanager
def postgres_instance(tmp: Path) -> Iterator[Instance]:
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE SCHEMA {}").format(sql.Identifier(schema)))
    settings = Settings(
        database_url=POSTGRES_URL,
        database_schema=schema,
        secret_key=secrets.token_urlsafe(32),
        keys_dir=tmp / "keys",
        instance_dir=tmp,
    )
    try:
        yield Instance("PostgreSQL", settings, _lms_env(settings), tmp)
    finally:
        with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
            drop = sql.SQL("DROP SCHEMA IF EXISTS {} CASCADE").format(sql.Identifier(schema))
            conn.execute(drop)


def _lms_env(settings: Settings) -> dict[str, str]:
    return {
        "LMS_DATABASE_URL": settings.database_url,
        "LMS_DATABASE_SCHEMA": settings.database_schema,
        "LMS_INSTANCE_DIR": str(settings.instance_dir),
        "LMS_KEYS_DIR": str(settings.keys_dir),
        "LMS_SECRET_KEY": settings.secret_key,
        "LMS_BASE_URL": settings.base_url,
        "LMS_DEMO_PASSWORD": settings.demo_password,
    }


def load_demo_into(instance: Instance) -> str:
    services = build_services(instance.settings)
    try:
        report = load_demo(services)
    finally:
        services.close()
    return f"{len(report.imported.courses)} courses from {report.source}"


# --- server processes -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


@dataclass
class Server:
    name: str
    port: int
    process: subprocess.Popen
    log_path: Path

    @property
    def base(self) -> str:
        return f"http://{HOST}:{self.port}"

    def cpu_seconds(self) -> float:
        """CPU time the server process has used so far (user + system; Linux /proc)."""
        try:
            fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            return math.nan
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def log_tail(self, lines: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return ""


@contextmanager
def server_process(
    name: str, command: list[str], env: dict[str, str], port: int, log_path: Path
) -> Iterator[Server]:
    """Start a server process and wait until it answers; always stop it on the way out."""
    with log_path.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=ROOT,
            env={**os.environ, **env},
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    server = Server(name, port, process, log_path)
    try:
        _wait_until_answering(server)
        yield server
    finally:
        stop(process)


def stop(process: subprocess.Popen) -> None:
    if process.poll() is not None:
        return
    # SIGTERM rather than SIGINT: a shell running us in the background has its children
    # ignore SIGINT. The servers keep nothing worth a clean shutdown.
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


def _wait_until_answering(server: Server, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if server.process.poll() is not None:
            raise RuntimeError(
                f"{server.name} exited with status {server.process.returncode}:\n"
                f"{server.log_tail()}"
            )
        try:
            status, _, _ = http_get(server.port, "/")
            if status < 500:
                return
        except OSError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{server.name} did not answer within {timeout:.0f} s:\n{server.log_tail()}")


def lms_server(instance: Instance, threads: int) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, "-m", "lms.cli", "serve", "--host", HOST, "--port", str(port)]
    command += ["--threads", str(threads)]
    return server_process(
        f"lms serve ({instance.name})", command, instance.env, port, instance.tmp / "lms.log"
    )


def minimal_server(tmp: Path, threads: int) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, str(Path(__file__).resolve()), "--minimal-server", str(port)]
    command += ["--threads", str(threads)]
    return server_process("minimal Flask app", command, {}, port, tmp / "minimal.log")


# --- plain HTTP: checks and the login -------------------------------------------------------


def http_get(
    port: int, path: str, headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], str]:
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request("GET", path, headers=headers or {})
        response = conn.getresponse()
        body = response.read().decode("utf-8", errors="replace")
        return response.status, _headers(response), body
    finally:
        conn.close()


def _headers(response: http.client.HTTPResponse) -> dict[str, str]:
    return {k.lower(): v for k, v in response.getheaders()}


def _session_cookie(headers: dict[str, str]) -> str:
    """`name=value` of the cookie set (http.client folds several Set-Cookie into one line)."""
    raw = headers.get("set-cookie", "")
    match = re.search(r"(?:^|,\s*)(session=[^;]+)", raw)
    if not match:
        raise RuntimeError(f"no session cookie was set (Set-Cookie: {raw!r})")
    return match.group(1)


def log_in(port: int, username: str, password: str) -> str:
    """Sign in through the real login form and follow its redirect, as a browser does; return
    the Cookie header value for wrk.

    The first page after signing in adds the CSRF secret to the session, so its response sets
    the cookie a browser sends from then on; the cookie from the login form lacks it, and every
    request sent with that one would mint a new secret and set a cookie again."""
    status, headers, body = http_get(port, "/login")
    if status != 200:
        raise RuntimeError(f"GET /login answered {status}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', body)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    cookie = _session_cookie(headers)
    form = urllib.parse.urlencode(
        {"csrf_token": token.group(1), "username": username, "password": password}
    )
    conn = http.client.HTTPConnection(HOST, port, timeout=10)
    try:
        conn.request(
            "POST",
            "/login",
            body=form,
            headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
        )
        response = conn.getresponse()
        response.read()
        location = response.getheader("Location", "")
        if response.status != 303 or not location.endswith("/dashboard"):
            raise RuntimeError(f"login as {username} failed: {response.status}")
        signed_in = _session_cookie(_headers(response))
    finally:
        conn.close()
    status, headers, _ = http_get(port, urllib.parse.urlsplit(location).path, {"Cookie": signed_in})
    if status != 200:
        raise RuntimeError(f"the page after signing in answered {status}")
    return _session_cookie(headers)


# --- wrk ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Page:
    key: str  # for --profile-page
    label: str
    path: str
    expect: str  # text the page must contain, checked once before the run
    signed_in: bool = False


COURSE_PATH = f"/courses/{course_id_for(DEMO_COURSE)}"
PAGES = (
    Page("catalog", "catalog /courses", "/courses", 'id="course-list"'),
    Page("course", "course page (anonymous)", COURSE_PATH, 'class="outline"'),
    Page("dashboard", "dashboard (amina)", "/dashboard", "Completed on", signed_in=True),
    Page(
        "course-amina",
        "course page (amina)",
        COURSE_PATH,
        "You completed this course",
        signed_in=True,
    ),
)
REQUIRED = ("catalog", "course", "dashboard")  # the pages the issue names


def pages_to_measure(args: argparse.Namespace) -> list[Page]:
    return [p for p in PAGES if p.key in REQUIRED or args.signed_in_course]


@dataclass
class Target:
    label: str
    server: Server
    path: str
    expect: str  # text the page must contain, checked once before the run
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.base + self.path


@dataclass
class WrkResult:
    requests: int
    seconds: float
    rate: float
    p50_ms: float
    p75_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    bytes_read: float
    non_2xx_3xx: int
    socket_errors: dict[str, int]
    server_cpu_ms: float = math.nan  # server CPU time per request, from /proc

    @property
    def errors(self) -> int:
        return self.non_2xx_3xx + sum(self.socket_errors.values())


_UNITS_MS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3, "h": 3600e3}
_SIZE = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


def _ms(text: str) -> float:
    match = re.fullmatch(r"([\d.]+)(us|ms|s|m|h)", text)
    if not match:
        raise ValueError(f"unexpected wrk duration {text!r}")
    return float(match.group(1)) * _UNITS_MS[match.group(2)]


def parse_wrk(output: str) -> WrkResult:
    def find(pattern: str) -> re.Match:
        match = re.search(pattern, output, re.MULTILINE)
        if match is None:
            raise ValueError(f"wrk output lacks {pattern!r}:\n{output}")
        return match

    percentiles = {p: _ms(find(rf"^\s+{p}%\s+(\S+)").group(1)) for p in ("50", "75", "90", "99")}
    done = find(r"(\d+) requests in ([\d.]+)(us|ms|s|m|h), ([\d.]+)([KMG]?B) read")
    sockets = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    non_ok = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    return WrkResult(
        requests=int(done.group(1)),
        seconds=_ms(done.group(2) + done.group(3)) / 1e3,
        rate=float(find(r"^Requests/sec:\s+([\d.]+)").group(1)),
        p50_ms=percentiles["50"],
        p75_ms=percentiles["75"],
        p90_ms=percentiles["90"],
        p99_ms=percentiles["99"],
        max_ms=_ms(find(r"^\s+Latency\s+\S+\s+\S+\s+(\S+)").group(1)),
        bytes_read=float(done.group(4)) * _SIZE[done.group(5)],
        non_2xx_3xx=int(non_ok.group(1)) if non_ok else 0,
        socket_errors=dict(
            zip(("connect", "read", "write", "timeout"), map(int, sockets.groups()), strict=True)
        )
        if sockets
        else {},
    )


def run_wrk(target: Target, seconds: float, args: argparse.Namespace) -> WrkResult:
    command = [
        WRK,
        "--latency",
        "-c",
        str(args.connections),
        "-t",
        str(args.wrk_threads),
        "-d",
        f"{seconds:g}s",
        # Well above any latency we accept: a slow request is timed, not dropped as a timeout.
        "--timeout",
        "30s",
    ]
    headers = dict(target.headers)
    if args.compressed:
        headers["Accept-Encoding"] = ACCEPT_ENCODING
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    command.append(target.url)
    done = subprocess.run(command, capture_output=True, text=True, timeout=seconds + 60)
    if done.returncode != 0:
        raise RuntimeError(f"wrk failed ({done.returncode}): {done.stderr or done.stdout}")
    return parse_wrk(done.stdout)


def check(target: Target) -> int:
    """One plain GET first: the page must answer 200 with its own content (not a login form)."""
    status, _, body = http_get(target.server.port, target.path, target.headers)
    if status != 200 or target.expect not in body:
        raise RuntimeError(
            f"{target.label}: GET {target.path} answered {status} without {target.expect!r}"
        )
    return len(body.encode())


# --- one backend's run ----------------------------------------------------------------------


@dataclass
class Measured:
    target: Target
    size: int
    result: WrkResult
    # The minimal route's runs just before and just after this page's run.
    baseline: list[WrkResult] = field(default_factory=list)

    @property
    def baseline_rate(self) -> float:
        return sum(r.rate for r in self.baseline) / len(self.baseline)

    @property
    def ratio(self) -> float:
        return self.result.rate / self.baseline_rate

    @property
    def passed(self) -> bool:
        return (
            self.ratio >= TARGET_FRACTION
            and self.result.p99_ms <= TARGET_P99_MS
            and self.result.errors == 0
        )


@dataclass
class Report:
    title: str
    pages: list[Measured]
    baseline_runs: list[WrkResult]
    notes: list[str]

    def print(self) -> None:
        header = (
            "page",
            "req/s",
            "p50",
            "p99",
            "ratio to minimal",
            "non-2xx/3xx",
            "result",
            "server CPU/req",
        )
        runs = self.baseline_runs
        rows = [
            header,
            (
                f"minimal Flask route (mean of {len(runs)} runs)",
                f"{_mean([r.rate for r in runs]):,.0f}",
                f"{_mean([r.p50_ms for r in runs]):.2f} ms",
                f"{_mean([r.p99_ms for r in runs]):.2f} ms",
                "1.00",
                str(sum(r.non_2xx_3xx for r in runs)),
                "",
                f"{_mean([r.server_cpu_ms for r in runs]):.2f} ms",
            ),
        ]
        for m in self.pages:
            r = m.result
            rows.append(
                (
                    m.target.label,
                    f"{r.rate:,.0f}",
                    f"{r.p50_ms:.2f} ms",
                    f"{r.p99_ms:.2f} ms",
                    f"{m.ratio:.2f}",
                    str(r.non_2xx_3xx),
                    "PASS" if m.passed else "FAIL",
                    f"{r.server_cpu_ms:.2f} ms",
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

        def line(row: tuple[str, ...]) -> str:
            cells = [row[0].ljust(widths[0])]
            cells += [cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)]
            return " | ".join(cells).rstrip()

        print(f"\n== {self.title} ==")
        print(line(header))
        print("-+-".join("-" * w for w in widths))
        for row in rows[1:]:
            print(line(row))
        for note in self.notes:
            print(f"  {note}")
        print(
            f"  targets: >= {TARGET_FRACTION:.2f} of the minimal route's req/s (the mean of its "
            f"runs just before and after the page) and p99 <= {TARGET_P99_MS:.0f} ms, no errors"
        )
        print(
            "  server CPU/req: CPU time (user + system) the serving process used during the run "
            "/ requests; steadier than req/s when other work shares the machine"
        )
        for m in self.pages:
            print(
                f"  [{'PASS' if m.passed else 'FAIL'}] {m.target.label}: {m.ratio:.2f} of "
                f"{m.baseline_rate:,.0f}/s, p99 {m.result.p99_ms:.2f} ms, {m.result.errors} errors"
            )


def bench_instance(instance: Instance, args: argparse.Namespace) -> Report:
    log(f"{instance.name}: loading the demo")
    started = time.perf_counter()
    loaded = load_demo_into(instance)
    log(f"{instance.name}: loaded {loaded} in {time.perf_counter() - started:.1f} s")
    with ExitStack() as stack:
        ours = stack.enter_context(lms_server(instance, args.threads))
        minimal = stack.enter_context(minimal_server(instance.tmp, args.threads))
        log(f"{instance.name}: serving on {ours.base} (ours) and {minimal.base} (minimal)")
        cookie = {"Cookie": log_in(ours.port, DEMO_LEARNER, instance.settings.demo_password)}
        baseline = Target("minimal Flask route", minimal, "/", "Hello")
        pages = [
            Target(page.label, ours, page.path, page.expect, cookie if page.signed_in else {})
            for page in pages_to_measure(args)
        ]
        sizes = {id(t): check(t) for t in (baseline, *pages)}

        def measure(target: Target, warm: bool) -> WrkResult:
            if warm:
                log(f"{instance.name}: {target.label}: warm-up {args.warmup:g} s")
                run_wrk(target, args.warmup, args)
            log(f"{instance.name}: {target.label}: {args.seconds:g} s")
            cpu = target.server.cpu_seconds()
            result = run_wrk(target, args.seconds, args)
            cpu = target.server.cpu_seconds() - cpu
            result.server_cpu_ms = cpu * 1e3 / result.requests if result.requests else math.nan
            return result

        # The minimal route runs before the first page, between pages and after the last, so
        # each page is compared with the baseline measured next to it: drift on a shared
        # machine then affects both alike.
        baseline_runs = [measure(baseline, warm=True)]
        measured = []
        for page in pages:
            result = measure(page, warm=True)
            baseline_runs.append(measure(baseline, warm=False))
            measured.append(Measured(page, sizes[id(page)], result, baseline_runs[-2:]))
        for server in (ours, minimal):
            if server.process.poll() is not None:
                raise RuntimeError(f"{server.name} stopped during the run:\n{server.log_tail()}")
    notes = [
        f"demo: {loaded}",
        f"waitress {args.threads} threads per server; wrk -c {args.connections} "
        f"-t {args.wrk_threads}, {args.seconds:g} s per run after {args.warmup:g} s warm-up, "
        f"on {os.cpu_count()} CPUs shared by wrk and the servers",
        "minimal route runs: " + ", ".join(f"{r.rate:,.0f}/s" for r in baseline_runs),
        "response sizes: "
        + ", ".join(f"{m.target.label} {m.size:,} B" for m in measured)
        + f" (minimal {sizes[id(baseline)]} B)",
    ]
    if args.compressed:
        notes.append(f"every request sent 'Accept-Encoding: {ACCEPT_ENCODING}'")
    for m in measured:
        if any(m.result.socket_errors.values()):
            notes.append(f"socket errors on {m.target.label}: {m.result.socket_errors}")
    title = (
        f"{instance.name}: waitress on loopback, {args.connections} concurrent connections, "
        f"{args.seconds:g} s per page"
    )
    return Report(title, measured, baseline_runs, notes)


# --- profiling (in process, no server) -----------------------------------------------------


def profile(args: argparse.Namespace) -> None:
    """Time each page in process with the Flask test client, then cProfile the slowest one.

    No server and no wrk: the service time of one request on one thread, which bounds what
    one waitress process can serve (the GIL runs one request's Python at a time). Each page is
    timed twice: as wrk asks for it, the same address again and again, so the page cache
    answers ("kept"); and with a query string never asked before, so every request renders the
    page ("rendered"), as the first visit after a read model moved does. cProfile runs over
    rendered requests.
    """
    import cProfile
    import pstats

    from lms import create_app

    tmp = Path(tempfile.mkdtemp(prefix="mafunzo-http-"))
    try:
        with sqlite_instance(tmp) as instance:
            log("SQLite: loading the demo")
            loaded = load_demo_into(instance)
            app = create_app(instance.settings)
            try:
                anonymous = app.test_client(use_cookies=False)
                learner = app.test_client()
                _test_client_log_in(learner, instance.settings.demo_password)
                minimal = minimal_app().test_client()
                clients = {False: anonymous, True: learner}
                targets = {"minimal": (minimal, "/", False)}
                for p in PAGES:
                    targets[p.key] = (clients[p.signed_in], p.path, False)
                    targets[f"{p.key}{RENDERED}"] = (clients[p.signed_in], p.path, True)
                times = _service_times(targets, args.profile)
                key = args.profile_page or max(
                    REQUIRED, key=lambda k: _median(times[f"{k}{RENDERED}"].cpu)
                )
                page = next(p for p in PAGES if p.key == key)
                client = clients[page.signed_in]
                profiler = cProfile.Profile()
                profiler.enable()
                for n in range(args.profile):
                    client.get(_never_asked(page.path, f"profiled-{n}"))
                profiler.disable()
            finally:
                app.extensions["mafunzo"].close()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n== service time in process (Flask test client, SQLite; demo: {loaded}) ==")
    header = ("page", "CPU p50", "CPU mean", "wall p50", "wall p99", "CPU p50 / minimal")
    labels = {"minimal": "minimal Flask route"}
    for p in PAGES:
        labels |= {p.key: f"{p.label}, kept", f"{p.key}{RENDERED}": f"{p.label}, rendered"}
    base = _median(times["minimal"].cpu)
    rows = [header]
    for name, t in times.items():
        wall_p99 = sorted(t.wall)[min(len(t.wall) - 1, len(t.wall) * 99 // 100)]
        rows.append(
            (
                labels[name],
                f"{_median(t.cpu):.3f} ms",
                f"{_mean(t.cpu):.3f} ms",
                f"{_median(t.wall):.3f} ms",
                f"{wall_p99:.3f} ms",
                f"{_median(t.cpu) / base:.1f}x",
            )
        )
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    for i, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])]
        cells += [cell.rjust(w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        print(" | ".join(cells))
        if i == 0:
            print("-+-".join("-" * w for w in widths))
    print(
        f"  {args.profile} requests per page after 20 unmeasured, the pages taking turns. CPU is "
        "the request thread's CPU time (time.thread_time), steady on a busy machine; one "
        "process serves at most about 1000 / CPU p50 requests/s (the GIL runs one request's "
        "Python at a time), before waitress and wrk take their share."
    )

    stats = pstats.Stats(profiler)
    n = args.profile
    total = max(stats.stats.values(), key=lambda v: v[3])[3]
    print(
        f"\n== cProfile: {n} x GET {_never_asked(page.path, 'N')} ({page.label}, rendered), "
        f"{total / n * 1e3:.3f} ms per request under the profiler =="
    )
    ours, library, runtime = split_profile(stats, "http_speed.py")
    for title, entries in (
        ("our code (lms/, projections/, templates/)", ours),
        ("library code (site-packages: flask, jinja2, sqlalchemy, flask_babel, ...)", library),
        ("Python runtime: stdlib and C built-ins (sqlite3, json, ...)", runtime),
    ):
        print(f"\n-- top {args.profile_top} by cumulative time: {title}")
        print(f"{'cum ms/req':>10} {'own ms/req':>10} {'calls/req':>9}  function")
        for cumtime, tottime, calls, where in sorted(entries, reverse=True)[: args.profile_top]:
            print(
                f"{cumtime / n * 1e3:>10.3f} {tottime / n * 1e3:>10.3f} {calls / n:>9.1f}  {where}"
            )


def _test_client_log_in(client, password: str) -> None:
    body = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', body)
    if token is None:
        raise RuntimeError("no CSRF token on the login page")
    form = {"csrf_token": token.group(1), "username": DEMO_LEARNER, "password": password}
    response = client.post("/login", data=form)
    if response.status_code != 303:
        raise RuntimeError(f"login as {DEMO_LEARNER} failed: {response.status_code}")


@dataclass
class ServiceTimes:
    wall: list[float] = field(default_factory=list)  # ms per request
    cpu: list[float] = field(default_factory=list)  # ms of this thread's CPU per request


RENDERED = ":rendered"  # suffix of the profile targets that never hit the page cache


def _never_asked(path: str, n: int | str) -> str:
    """`path` with a query string of its own: the page cache has no page for it yet."""
    return f"{path}?fresh={n}"


def _service_times(targets: dict[str, tuple], count: int) -> dict[str, ServiceTimes]:
    """Each request timed on its own, after 20 unmeasured ones, in wall and CPU time.

    The pages take turns, one request each, so drift on a shared machine affects all alike;
    the thread's CPU time hardly depends on what else runs on the machine. A target
    (client, path, fresh) with `fresh` asks for a new address each time.
    """
    times = {key: ServiceTimes() for key in targets}
    for round_ in range(20 + count):
        for key, (client, path, fresh) in targets.items():
            url = _never_asked(path, round_) if fresh else path
            c0, t0 = time.thread_time_ns(), time.perf_counter_ns()
            response = client.get(url)
            t1, c1 = time.perf_counter_ns(), time.thread_time_ns()
            if response.status_code != 200:
                raise RuntimeError(f"GET {url} answered {response.status_code}")
            if round_ >= 20:
                times[key].wall.append((t1 - t0) / 1e6)
                times[key].cpu.append((c1 - c0) / 1e6)
    return times


def _mean(values: list[float]) -> float:
    return sum(values) / len(values)


def _median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


# --- main -----------------------------------------------------------------------------------


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=("sqlite", "postgres", "both"), default="sqlite")
    parser.add_argument("--seconds", type=float, default=10, help="timed wrk run per page (10)")
    parser.add_argument("--warmup", type=float, default=2, help="untimed wrk run first (2)")
    parser.add_argument("--connections", type=int, default=16, help="wrk connections (16)")
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads (8)")
    parser.add_argument("--wrk-threads", type=int, default=2, help="wrk threads (2)")
    parser.add_argument(
        "--signed-in-course",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="also measure the course page signed in as amina (default: yes)",
    )
    parser.add_argument(
        "--compressed",
        action="store_true",
        help=f"send 'Accept-Encoding: {ACCEPT_ENCODING}' as browsers do (default: no)",
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of wrk: time N in-process requests per page, cProfile the slowest (SQLite)",
    )
    parser.add_argument(
        "--profile-page",
        choices=[p.key for p in PAGES],
        help="the page to cProfile (default: the slowest of catalog, course, dashboard)",
    )
    parser.add_argument("--profile-top", type=int, default=15, help=argparse.SUPPRESS)
    parser.add_argument("--minimal-server", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.seconds <= 0 or args.warmup <= 0 or args.connections < 1 or args.threads < 1:
        parser.error("--seconds, --warmup, --connections and --threads must be positive")
    if args.wrk_threads < 1 or args.wrk_threads > args.connections:
        parser.error("--wrk-threads must be between 1 and --connections")
    return args


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # so every `finally` runs: servers stopped, schema dropped


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    if args.minimal_server:
        serve_minimal(args.minimal_server, args.threads)
        return
    if args.profile:
        profile(args)
        return
    if not Path(WRK).exists():
        sys.exit("wrk is not installed (apt-get install wrk)")
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    started = time.perf_counter()
    makers = {"sqlite": sqlite_instance, "postgres": postgres_instance}
    try:
        reports = run_on_backends(
            args.backend, makers, lambda i: bench_instance(i, args), "mafunzo-http-", log
        )
    except KeyboardInterrupt:
        log("interrupted: servers stopped, temporary data removed")
        sys.exit(130)
    for report in reports:
        report.print()
    print(
        f"\n(total run {time.perf_counter() - started:.0f} s; req/s, p50 and p99 as wrk reports "
        "them; ratio = page req/s / minimal route req/s)"
    )


if __name__ == "__main__":
    main()
