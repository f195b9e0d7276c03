"""Browser tests: the app served over real HTTP by waitress, driven in Debian's Chromium.

- `live_server`: the app on 127.0.0.1 and a free port, in a thread, on its own SQLite file: a
  copy of one made per session with the demo loaded (`lms.demo.load_demo`, as `lms demo`
  does), so every test starts from the demo and may change what it likes.
- `page`: a fresh browser context and page on that server, JavaScript on by default; a test
  parametrised with `js_enabled` runs once per value. Remote hosts do not resolve, so slides'
  Commons images fail at once instead of waiting on the closed network. A Content-Security-
  Policy violation or an uncaught script error fails the test.
- `shot("step")`: a full-page screenshot, `test-artifacts/browser/<test>/<NN>-<step>.png`; a
  failing test also leaves `failure.png` there.
- `axe_check(page, what)`: runs axe-core (installed by `scripts/install-test-tools`) and fails
  with a readable list of violations.

Chromium is Debian's (`/usr/bin/chromium`; Playwright's own download cannot be used here).
Without it, or without axe-core, the tests that need them are skipped with a plain reason,
except on CI (CI=true), where that is a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import pytest

from domain.content import CourseContent
from domain.courses import course_id_for
from lms import create_app
from lms.demo import DEMO_COURSE, default_corpus, load_demo
from lms.loopback import serving
from lms.services import Services, build_services
from lms.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = Path(os.environ.get("LMS_TEST_CHROMIUM", "/usr/bin/chromium"))
AXE_SOURCE = ROOT / ".test-tools" / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts" / "browser"
ON_CI = os.environ.get("CI") == "true"
INSTALL_HINT = "run scripts/install-test-tools"

CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Only the loopback resolves: remote images fail at once, nothing leaves the machine.
    "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
]
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]
DEMO_PASSWORD = Settings.demo_password


def missing(reason: str) -> None:
    """Skip off CI; on CI a missing tool is a broken set-up, never a quiet skip."""
    if ON_CI:
        pytest.fail(f"{reason} (CI=true: the test command must install it)")
    pytest.skip(f"{reason}: {INSTALL_HINT}")


# --- the app over HTTP --------------------------------------------------------------------


def _settings(folder: Path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{folder / 'mafunzo.db'}",
        secret_key="browser-tests",
        keys_dir=folder / "keys",
        instance_dir=folder,
        testing=True,
    )


@pytest.fixture(scope="session")
def demo_database(tmp_path_factory) -> Path:
    """A SQLite file with the demo loaded, made once per session; tests serve copies of it."""
    folder = tmp_path_factory.mktemp("demo")
    services = build_services(_settings(folder))
    try:
        load_demo(services, default_corpus())
    finally:
        services.close()
    return folder / "mafunzo.db"


def _copy_database(source: Path, target: Path) -> None:
    with closing(sqlite3.connect(source)) as original, closing(sqlite3.connect(target)) as copy:
        original.backup(copy)


@dataclass
class LiveServer:
    url: str
    services: Services
    requests: list[str]  # "GET /path" for every request the server was sent, in order

    def course(self, slug: str = DEMO_COURSE) -> CourseContent:
        return self.services.app.course_version(course_id_for(slug), None)


@pytest.fixture
def live_server(demo_database, tmp_path) -> Iterator[LiveServer]:
    settings = _settings(tmp_path)
    _copy_database(demo_database, settings.sqlite_path)
    services = build_services(settings)
    app = create_app(settings, services=services)
    requests: list[str] = []

    def logged(environ, start_response):
        requests.append(f"{environ['REQUEST_METHOD']} {environ.get('PATH_INFO', '')}")
        return app(environ, start_response)

    try:
        with serving(logged) as port:
            yield LiveServer(f"http://127.0.0.1:{port}", services, requests)
    finally:
        services.close()


# --- the browser --------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        missing(f"Chromium not found at {CHROMIUM}")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # as the pages' default: a loaded CI machine is slow
    playwright = sync_playwright().start()
    try:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    except Exception:
        playwright.stop()
        raise
    yield chromium
    chromium.close()
    playwright.stop()


@pytest.fixture
def js_enabled() -> bool:
    """JavaScript on; parametrise `js_enabled` to run a test with it off too."""
    return True


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.stash[_FAILED] = report.failed
    return report


_FAILED = pytest.StashKey[bool]()


@pytest.fixture
def page(browser, live_server, js_enabled, request, shot):
    context = browser.new_context(
        base_url=live_server.url,
        java_script_enabled=js_enabled,
        locale="en-GB",
        viewport={"width": 1280, "height": 900},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    shot.page = page
    problems: list[str] = []
    page.on(
        "console",
        lambda m: (
            problems.append(f"console: {m.text}") if "Content Security Policy" in m.text else None
        ),
    )
    page.on("pageerror", lambda error: problems.append(f"script error: {error}"))
    yield page
    if request.node.stash.get(_FAILED, False):
        with suppress(Exception):  # a crashed page must not hide why the test failed
            shot("failure")
    context.close()
    assert not problems, "the page broke its rules:\n" + "\n".join(problems)


class Screenshots:
    """Full-page screenshots of a test's page, numbered in the order taken."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.page = None
        self.taken = 0

    def __call__(self, step: str) -> Path:
        self.taken += 1
        name = "failure" if step == "failure" else f"{self.taken:02d}-{step}"
        path = self.folder / f"{name}.png"
        # caret="initial": hiding the caret injects a style that our CSP (rightly) blocks.
        self.page.screenshot(path=path, full_page=True, caret="initial")
        return path


@pytest.fixture
def shot(request) -> Screenshots:
    folder = ARTIFACTS / re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Screenshots(folder)


@pytest.fixture(scope="session")
def rahim_cookies(browser, demo_database, tmp_path_factory) -> list:
    """The session cookie of the demo learner rahim, signed in once through the real login
    form; every live server shares the secret key and a copy of the same accounts, so
    `page.context.add_cookies(rahim_cookies)` signs a test's page in without the form."""
    folder = tmp_path_factory.mktemp("sign-in")
    settings = _settings(folder)
    _copy_database(demo_database, settings.sqlite_path)
    services = build_services(settings)
    try:
        with serving(create_app(settings, services=services)) as port:
            context = browser.new_context(base_url=f"http://127.0.0.1:{port}")
            page = context.new_page()
            page.goto("/login")
            page.get_by_label("Username").fill("rahim")
            page.get_by_label("Password").fill(DEMO_PASSWORD)
            with page.expect_navigation():
                page.get_by_role("button", name="Sign in").click()
            cookies = context.cookies()
            context.close()
    finally:
        services.close()
    assert cookies, "signing in as rahim set no cookie"
    return cookies


# --- accessibility ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE.exists():
        missing(f"axe-core not found at {AXE_SOURCE.relative_to(ROOT)}")
    return AXE_SOURCE.read_text()


@pytest.fixture
def axe_check(axe_source) -> Callable:
    """Run axe-core (WCAG 2.x A and AA, and best practice) on the page as it is now.

    axe is injected with `page.evaluate(source)`: DevTools evaluation is not subject to the
    page's Content-Security-Policy, so the pages keep their strict policy (script-src 'self',
    no inline script) exactly as served. `add_script_tag` would be an inline script, blocked
    by that policy, and a context with `bypass_csp=True` would test a weaker page than users
    get and hide the policy violations this suite fails on.
    """

    def check(page, what: str) -> None:
        if not page.evaluate("typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        violations = page.evaluate(
            """async (tags) => {
                const result = await axe.run(document, {runOnly: {type: "tag", values: tags}});
                return result.violations.map((v) => ({
                    id: v.id, impact: v.impact, help: v.help, url: v.helpUrl,
                    nodes: v.nodes.map((n) => ({
                        target: n.target.join(" "), html: n.html, summary: n.failureSummary,
                    })),
                }));
            }""",
            AXE_TAGS,
        )
        if violations:
            report = "\n".join(describe(v) for v in violations)
            pytest.fail(f"axe found violations on {what} ({page.url}):\n{report}", pytrace=False)

    return check


def describe(violation: dict) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']}"]
    lines.append(f"  {violation['url']}")
    for node in violation["nodes"][:5]:
        lines.append(f"  at {node['target']}: {node['html'][:160]}")
        lines += [f"    {line}" for line in (node["summary"] or "").splitlines()]
    if len(violation["nodes"]) > 5:
        lines.append(f"  … and {len(violation['nodes']) - 5} more")
    return "\n".join(lines)
