"""Credentials: signed and verified per second, next to Digital Bazaar's verifier; PDF time.

Run with `.venv/bin/python bench/credentials.py [--credentials K] [--rounds R] [--pdfs N]`;
`--profile N` instead profiles N verifications with cProfile. See bench/README.md.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import pstats
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from common import ROOT, split_profile
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.did_documents import did_document
from lms.credentials.multikey import encode_public_key
from lms.credentials.open_badges import CredentialContent, build_open_badge_credential
from lms.credentials.status_list import status_entry

TARGET_VERIFY_RATIO = 1.0  # our verifications/s over Digital Bazaar's, same credentials
TARGET_PDF_MS = 300.0  # one PDF certificate, median once warm
TARGET_ISSUING_MS = 20.0  # added to the learner's request that completes a course, p50
INTEROP = ROOT / "tests" / "interop"
BASE_URL = "https://mafunzo.example"
DID = "did:web:mafunzo.example"
ISSUED_AT = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- the credentials ------------------------------------------------------------------------


def unsigned_credentials(count: int) -> list[dict[str, Any]]:
    """`count` Open Badges as we issue them, each to a different learner for a different course."""
    profile = {"id": DID, "type": ["Profile"], "name": "Mafunzo (bench)", "url": BASE_URL}
    return [
        build_open_badge_credential(
            CredentialContent(
                credential_url=f"{BASE_URL}/credentials/bench-{n:05d}",
                achievement_url=f"{BASE_URL}/achievements/course-{n % 7}",
                achievement_name=f"Misingi ya Wikidata {n} — Wikidata basics",
                achievement_description="Creates and improves Wikidata items, with références.",
                criteria_narrative=f"Completed every module of course {n % 7} and its quiz.",
                achievement_type="Certificate",
                subject_name=f"Learner {n} Njeri",
                subject_email=f"learner{n}@example.org",
                valid_from=ISSUED_AT + timedelta(minutes=n),
                image_url=f"{BASE_URL}/achievements/course-{n % 7}/badge.png",
                evidence=tuple((f"Module {m}", f"Finished module {m}.") for m in range(1, 4)),
                status=(status_entry(f"{BASE_URL}/status/1", "revocation", n),),
            ),
            profile,
            salt=f"bench-salt-{n}",
        )
        for n in range(count)
    ]


def sign_all(
    unsigned: list[dict[str, Any]], key: Ed25519PrivateKey, method: str, rounds: int
) -> tuple[list[dict[str, Any]], float]:
    """Each credential signed `rounds` times; the signed ones and signatures per second."""
    started = time.perf_counter()
    for _ in range(rounds):
        signed = [
            add_proof(credential, key, method, ISSUED_AT + timedelta(minutes=n, seconds=5))
            for n, credential in enumerate(unsigned)
        ]
    return signed, rounds * len(unsigned) / (time.perf_counter() - started)


def verify_all(
    signed: list[dict[str, Any]], public_key_for: Callable[[str], Ed25519PublicKey | None]
) -> None:
    for credential in signed:
        check = verify_proof(credential, public_key_for)
        if not check.verified:
            raise SystemExit(f"{credential['id']} did not verify: {check.error}")


@dataclass(frozen=True)
class Timed:
    """Wall-clock and CPU seconds of a timed loop; CPU time barely depends on other load."""

    wall: float
    cpu: float

    def __add__(self, other: Timed) -> Timed:
        return Timed(self.wall + other.wall, self.cpu + other.cpu)


def verifying_time(
    signed: list[dict[str, Any]],
    public_key_for: Callable[[str], Ed25519PublicKey | None],
    rounds: int,
) -> Timed:
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(rounds):
        verify_all(signed, public_key_for)
    return Timed(time.perf_counter() - wall, time.process_time() - cpu)


# --- Digital Bazaar's verifier --------------------------------------------------------------


def node_modules_ready() -> str | None:
    """Install the interop packages as tests/interop/conftest.py does; None, or why not."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if not node or not npm:
        return "node and npm are not on PATH"
    installed = INTEROP / "node_modules" / ".package-lock.json"
    wanted = json.loads((INTEROP / "package-lock.json").read_text())["packages"]
    have = json.loads(installed.read_text())["packages"] if installed.exists() else {}
    if {name: entry.get("version") for name, entry in wanted.items() if name} != {
        name: entry.get("version") for name, entry in have.items()
    }:
        log(f"npm ci in {INTEROP}")
        install = subprocess.run(
            [npm, "ci", "--no-audit", "--no-fund"],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            timeout=600,
        )
        if install.returncode != 0:
            raise SystemExit(f"npm ci failed in {INTEROP}: {install.stderr.strip()[-500:]}")
    return None


def digital_bazaar_verification(
    signed: list[dict[str, Any]], document: dict[str, Any], rounds: int
) -> dict:
    """Run tests/interop/verify-bench.mjs once over our signed credentials; its JSON report."""
    with tempfile.TemporaryDirectory(prefix="mafunzo-bench-") as folder:
        credentials, did = Path(folder) / "credentials.json", Path(folder) / "did.json"
        credentials.write_text(json.dumps(signed, ensure_ascii=False), encoding="utf-8")
        did.write_text(json.dumps(document), encoding="utf-8")
        result = subprocess.run(
            ["node", "verify-bench.mjs", str(credentials), str(rounds), str(did)],
            cwd=INTEROP,
            capture_output=True,
            text=True,
            timeout=600,
        )
    if result.returncode != 0:
        raise SystemExit(f"node verify-bench.mjs failed: {result.stderr.strip()[-500:]}")
    return json.loads(result.stdout)


# --- the PDF certificate --------------------------------------------------------------------


def pdf_render_ms(credential: dict[str, Any], count: int) -> list[float] | None:
    """Milliseconds for each of `count` renders of one certificate; None if not built yet."""
    log(f"rendering a PDF certificate {count} times")
    try:  # imported here, so the rest of the bench runs even while this is not there
        from lms import create_app
        from lms.credentials.certificate import CertificateView, render_certificate_pdf
        from lms.settings import Settings
    except ImportError as error:
        log(f"PDF certificates cannot be imported: {error}")
        return None
    view = CertificateView(
        learner_name="Learner 0 Njeri",
        achievement_name=credential["name"],
        kind="certificate",
        description=credential["credentialSubject"]["achievement"]["description"],
        issued_on=ISSUED_AT.date(),
        issuer_name=credential["issuer"]["name"],
        verify_url=credential["id"],
    )
    text = json.dumps(credential, ensure_ascii=False)
    folder = Path(tempfile.mkdtemp(prefix="mafunzo-bench-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'mafunzo.db'}",
        secret_key="credentials-bench",  # noqa: S106 - a throwaway instance
        keys_dir=folder / "keys",
        instance_dir=folder,
    )
    app = create_app(settings)
    try:
        with app.app_context():
            times = []
            for _ in range(count):
                started = time.perf_counter()
                render_certificate_pdf(view, text)
                times.append((time.perf_counter() - started) * 1e3)
        return times
    finally:
        app.extensions["mafunzo"].close()
        shutil.rmtree(folder, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------


def print_table(rows: list[tuple[str, ...]]) -> None:
    head = ("measure", "ours", "Digital Bazaar", "ratio", "target", "result")
    table = [head, *rows]
    widths = [max(len(row[i]) for row in table) for i in range(len(head))]
    for row in table:
        cells = [
            row[0].ljust(widths[0]),
            *(c.rjust(w) for c, w in zip(row[1:], widths[1:], strict=True)),
        ]
        print("  ".join(cells).rstrip())


def verdict(passed: bool) -> str:
    return "PASS" if passed else "FAIL"


def bench(args: argparse.Namespace) -> None:
    key = Ed25519PrivateKey.generate()
    multikey = encode_public_key(key.public_key())
    method = f"{DID}#{multikey}"
    public_key_for = {method: key.public_key()}.get
    log(f"building and signing {args.credentials} credentials, {args.rounds} times each")
    signed, signs_per_s = sign_all(unsigned_credentials(args.credentials), key, method, args.rounds)
    verify_all(signed, public_key_for)  # warm-up, as the JS side has its own
    log("verifying them with our verifier")
    ours = verifying_time(signed, public_key_for, args.rounds)
    js = None
    if unavailable := node_modules_ready():
        log(f"Digital Bazaar's verifier not run: {unavailable}")
    else:
        log("verifying the same credentials with Digital Bazaar's verifier (node)")
        js = digital_bazaar_verification(
            signed, did_document(DID, [(method, multikey)]), args.rounds
        )
        log("verifying them with ours again, so drift affects both sides alike")
        ours += verifying_time(signed, public_key_for, args.rounds)
    verifications = (1 if js is None else 2) * args.rounds * len(signed)
    rows = [
        ("credentials signed /s", f"{signs_per_s:,.0f}", "", "", "", ""),
        *verification_rows(verifications, ours, js),
        *pdf_rows(signed[0], args.pdfs),
        *issuing_rows(args.learners),
    ]
    print_table(rows)
    print(
        f"\n{len(signed)} distinct credentials, each signed and verified {args.rounds} times per "
        "side after one untimed verification. Ours: add_proof and verify_proof "
        "(eddsa-rdfc-2022). Digital Bazaar: @digitalbazaar/vc verifyCredential in one node "
        "process, timed inside it; it also checks dates and the issuer's DID document. "
        "Per CPU second: verifications over the user + system CPU time of the timed loops."
    )


def verification_rows(verifications: int, ours: Timed, js: dict | None) -> list[tuple[str, ...]]:
    rate, cpu_rate = verifications / ours.wall, verifications / ours.cpu
    if js is None:
        return [("credentials verified /s", f"{rate:,.0f}", "not run", "", "", "")]
    ratio = rate / js["perSecond"]
    js_cpu_rate = js["verifications"] / js["cpuSeconds"]
    return [
        (
            "credentials verified /s",
            f"{rate:,.0f}",
            f"{js['perSecond']:,.0f}",
            f"{ratio:.2f}",
            f">= {TARGET_VERIFY_RATIO:.1f}",
            verdict(ratio >= TARGET_VERIFY_RATIO),
        ),
        (
            "  verified per CPU second",
            f"{cpu_rate:,.0f}",
            f"{js_cpu_rate:,.0f}",
            f"{cpu_rate / js_cpu_rate:.2f}",
            "",
            "",
        ),
    ]


def pdf_rows(credential: dict[str, Any], count: int) -> list[tuple[str, ...]]:
    if not count:
        return [("PDF certificate", "not measured (--pdfs 0)", "", "", "", "")]
    times = pdf_render_ms(credential, count)
    if times is None:
        return [("PDF certificate", "not available yet", "", "", "", "")]
    warm = statistics.median(times[1:] or times)
    return [
        ("PDF certificate, first render", f"{times[0]:.0f} ms", "", "", "", ""),
        (
            f"PDF certificate, median of {max(len(times) - 1, 1)} more",
            f"{warm:.0f} ms",
            "",
            "",
            f"<= {TARGET_PDF_MS:.0f} ms",
            verdict(warm <= TARGET_PDF_MS),
        ),
    ]


def completion_ms(services, person_id, course_id) -> float:
    """One learner completes a one-slide course, as the request does: command, then catch-up."""
    started = time.perf_counter_ns()
    services.caught_up(services.app.view_slide(person_id, course_id, "m01", "s01"))
    return (time.perf_counter_ns() - started) / 1e6


def issuing_rows(learners: int) -> list[tuple[str, ...]]:
    """The learner's completing request with and without a credential to issue, same run.

    Two identical one-slide courses; only the first earns a certificate. Each learner completes
    both, in alternating order, so drift affects both sides alike.
    """
    if not learners:
        return [("issuing on completion", "not measured (--learners 0)", "", "", "", "")]
    from domain.achievements import AchievementDefinition
    from lms.passwords import hash_password
    from lms.services import build_services
    from lms.settings import Settings

    tmp = Path(tempfile.mkdtemp(prefix="mafunzo-bench-issuing-"))
    services = build_services(
        Settings(
            database_url=f"sqlite:///{tmp / 'bench.db'}",
            keys_dir=tmp / "keys",
            instance_dir=tmp,
            base_url=BASE_URL,
        )
    )
    try:
        app, password_hash = services.app, hash_password("bench password 1")
        courses = [
            services.caught_up(app.publish_course(one_slide_course(slug))).id
            for slug in ("earning", "plain")
        ]
        organiser = app.register_person("organiser", "Organiser", password_hash, ("organiser",)).id
        certificate = AchievementDefinition.of(
            "Bench certificate",
            "Completed the bench course.",
            "Complete it.",
            "certificate",
            (courses[0],),
        )
        services.caught_up(app.define_achievement(certificate, organiser))
        log(f"{learners} learners each complete a course with and one without a certificate")
        with_issue, without = [], []
        for n in range(learners):
            person = services.caught_up(
                app.register_person(f"learner{n}", f"Learner {n}", password_hash)
            ).id
            for course_id in courses:
                services.caught_up(app.enrol(person, course_id))
            order = courses if n % 2 else courses[::-1]
            for course_id in order:
                timing = completion_ms(services, person, course_id)
                (with_issue if course_id == courses[0] else without).append(timing)
    finally:
        services.close()
        shutil.rmtree(tmp, ignore_errors=True)
    added = statistics.median(with_issue) - statistics.median(without)
    return [
        (
            "completing request, no credential, p50",
            f"{statistics.median(without):.1f} ms",
            "",
            "",
            "",
            "",
        ),
        (
            "completing request, issuing one, p50",
            f"{statistics.median(with_issue):.1f} ms",
            "",
            "",
            "",
            "",
        ),
        (
            "  added by issuing, p50",
            f"{added:.1f} ms",
            "",
            "",
            f"<= {TARGET_ISSUING_MS:.0f} ms",
            verdict(added <= TARGET_ISSUING_MS),
        ),
    ]


def one_slide_course(slug: str):
    from domain.content import CourseContent, Module, Slide

    slide = Slide("s01", "The only slide", "<p>Finished already.</p>")
    return CourseContent(
        slug=slug,
        title=f"Bench course {slug}",
        description="One slide.",
        language="en",
        licence="CC BY-SA 4.0",
        attribution="Synthetic benchmark content",
        source_url="https://example.org/bench",
        skills=("Wikidata",),
        modules=(Module("m01", "Module", "The module.", 1, (slide,)),),
    )


def profile(args: argparse.Namespace) -> None:
    """cProfile `--profile` verifications and list where the time goes."""
    key = Ed25519PrivateKey.generate()
    method = f"{DID}#{encode_public_key(key.public_key())}"
    public_key_for = {method: key.public_key()}.get
    signed, _ = sign_all(unsigned_credentials(args.credentials), key, method, 1)
    verify_all(signed, public_key_for)
    rounds = max(1, args.profile // len(signed))
    profiler = cProfile.Profile()
    profiler.enable()
    verifying_time(signed, public_key_for, rounds)
    profiler.disable()
    n = rounds * len(signed)
    ours, library, runtime = split_profile(pstats.Stats(profiler), "credentials.py")
    print(f"\n== cProfile: {n} verifications (verify_proof) ==")
    for title, entries in (
        ("our code (lms/)", ours),
        ("library code (site-packages: pyld, c14n, cryptography, ...)", library),
        ("Python runtime: stdlib and C built-ins", runtime),
    ):
        print(f"\n-- top 15 by cumulative time: {title}")
        print(f"{'cum ms/each':>11} {'own ms/each':>11} {'calls/each':>10}  function")
        for cumtime, tottime, calls, where in sorted(entries, reverse=True)[:15]:
            print(
                f"{cumtime / n * 1e3:>11.3f} {tottime / n * 1e3:>11.3f} {calls / n:>10.1f}  {where}"
            )


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--credentials", type=int, default=50, help="distinct credentials (50)")
    parser.add_argument("--rounds", type=int, default=6, help="times each is signed/verified (6)")
    parser.add_argument("--pdfs", type=int, default=10, help="PDF renders, 0 for none (10)")
    parser.add_argument(
        "--learners", type=int, default=100, help="learners completing courses, 0 for none (100)"
    )
    parser.add_argument(
        "--profile",
        type=int,
        default=0,
        metavar="N",
        help="instead of the benchmark, cProfile about N verifications",
    )
    args = parser.parse_args(argv)
    if args.credentials < 1 or args.rounds < 1 or min(args.pdfs, args.learners) < 0:
        parser.error("--credentials and --rounds must be at least 1, the others at least 0")
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    started = time.perf_counter()
    if args.profile:
        profile(args)
    else:
        bench(args)
    print(f"(total run {time.perf_counter() - started:.1f} s)")


if __name__ == "__main__":
    main()
