"""Page weight: the bytes a learner's browser downloads for the key pages, over real HTTP.

Run with `.venv/bin/python bench/page_weight.py [--corpus PATH] [--user rahim]`.

It is a script, not a test. It loads the demo (what `lms demo` loads: `lms.demo.load_demo`
through `lms.services.build_services`) into a SQLite file in a temporary directory, serves the
app with waitress on a free loopback port in a thread, signs in as a demo learner through the
real login form (CSRF token included), and fetches each page with `Accept-Encoding: gzip, br`
the way a browser does, counting what comes over the wire: the status line and headers of
every response plus its body as sent (compressed).

- **First visit**: the page's HTML and every stylesheet and script it references, with an
  empty cache. Images are left out: slides show remote Wikimedia Commons images, loaded lazily.
- **Later visit**: the HTML again, with the assets in the cache. An asset counts again only if
  its response would not let the browser reuse it without asking (no `immutable`/`max-age`);
  it then costs a conditional request answered 304, whose headers are counted.

Targets: first visit <= 35 KB, later visit <= 10 KB (1 KB = 1,000 bytes). Progress goes to
stderr; the table to stdout. Exits 1 if any page misses a target.
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import brotli

from domain.courses import course_id_for
from lms import create_app
from lms.demo import DEMO_COURSE, default_corpus, load_demo
from lms.loopback import serving
from lms.services import build_services
from lms.settings import Settings

TARGET_FIRST = 35_000
TARGET_LATER = 10_000
ACCEPT_ENCODING = "gzip, br"
USER_AGENT = "Mozilla/5.0 (page-weight bench) Chrome/156.0 Safari/537.36"


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --- a small HTTP client that counts bytes --------------------------------------------------


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: http.client.HTTPMessage
    header_bytes: int  # status line + header lines + blank line, as waitress writes them
    body_bytes: int  # as sent: compressed when Content-Encoding says so
    text: str  # decoded and decompressed

    @property
    def wire_bytes(self) -> int:
        return self.header_bytes + self.body_bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")


class Client:
    """One browser's worth of HTTP/1.1: keep-alive, cookies, gzip/br, no automatic redirects."""

    def __init__(self, host: str, port: int):
        self.connection = http.client.HTTPConnection(host, port, timeout=30)
        self.cookies: dict[str, str] = {}

    def get(self, path: str, headers: dict[str, str] | None = None) -> Fetched:
        return self._request("GET", path, None, headers or {})

    def post_form(self, path: str, fields: dict[str, str]) -> Fetched:
        body = urlencode(fields).encode()
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        return self._request("POST", path, body, headers)

    def _request(self, method: str, path: str, body: bytes | None, extra: dict) -> Fetched:
        headers = {"Accept-Encoding": ACCEPT_ENCODING, "User-Agent": USER_AGENT, **extra}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        raw = response.read()
        for value in response.headers.get_all("Set-Cookie") or []:
            for name, morsel in SimpleCookie(value).items():
                self.cookies[name] = morsel.value
        header_bytes = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        header_bytes += sum(len(f"{k}: {v}\r\n") for k, v in response.headers.items())
        encoding = response.headers.get("Content-Encoding", "")
        decoded = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(raw)
        return Fetched(
            response.status, response.headers, header_bytes, len(raw), decoded.decode("utf-8")
        )

    def close(self) -> None:
        self.connection.close()


class _AssetLinks(HTMLParser):
    def __init__(self):
        super().__init__()
        self.css: list[str] = []
        self.js: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "link" and "stylesheet" in (a.get("rel") or "").split() and a.get("href"):
            self.css.append(a["href"])
        elif tag == "script" and a.get("src"):
            self.js.append(a["src"])


def asset_links(html: str) -> tuple[list[str], list[str]]:
    parser = _AssetLinks()
    parser.feed(html)
    return parser.css, parser.js


def csrf_token(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    if found is None:
        raise SystemExit("no CSRF token on the login page")
    return found.group(1)


def cached_without_asking(asset: Fetched) -> bool:
    cache_control = asset.header("Cache-Control").lower()
    return "immutable" in cache_control or (
        "max-age=" in cache_control and "no-cache" not in cache_control
    )


# --- measuring ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Weight:
    page: str
    path: str
    html_raw: int
    html_sent: int
    css: int
    js: int
    headers: int
    first_visit: int
    later_visit: int
    note: str = ""

    @property
    def passed(self) -> bool:
        return self.first_visit <= TARGET_FIRST and self.later_visit <= TARGET_LATER


def measure(client: Client, page: str, path: str, note: str = "") -> Weight:
    html = client.get(path)
    if html.status != 200:
        raise SystemExit(f"{page}: GET {path} answered {html.status}")
    css_urls, js_urls = asset_links(html.text)
    css = [fetch_asset(client, url) for url in css_urls]
    js = [fetch_asset(client, url) for url in js_urls]
    assets = css + js
    later = html.wire_bytes
    for url, asset in zip(css_urls + js_urls, assets, strict=True):
        if not cached_without_asking(asset):
            revalidated = client.get(url, {"If-None-Match": asset.header("ETag")})
            later += revalidated.wire_bytes
    return Weight(
        page=page,
        path=path,
        html_raw=len(html.text.encode()),
        html_sent=html.body_bytes,
        css=sum(a.body_bytes for a in css),
        js=sum(a.body_bytes for a in js),
        headers=html.header_bytes + sum(a.header_bytes for a in assets),
        first_visit=html.wire_bytes + sum(a.wire_bytes for a in assets),
        later_visit=later,
        note=note,
    )


def fetch_asset(client: Client, url: str) -> Fetched:
    path = urlsplit(url).path
    asset = client.get(path)
    if asset.status != 200:
        raise SystemExit(f"GET {path} answered {asset.status}")
    return asset


def sign_in(client: Client, username: str, password: str) -> None:
    form = client.get("/login")
    answer = client.post_form(
        "/login",
        {"csrf_token": csrf_token(form.text), "username": username, "password": password},
    )
    if answer.status != 303:
        raise SystemExit(f"signing in as {username} answered {answer.status}, not 303")


def course_path(client: Client, title_word: str) -> str:
    listing = client.get(f"/courses?q={title_word}").text
    found = re.search(r'href="(/courses/[0-9a-f-]{36})"', listing)
    if found is None:
        raise SystemExit(f"no course found searching for {title_word!r}")
    return found.group(1)


def measure_all(client: Client, services, username: str, password: str) -> list[Weight]:
    weights = [measure(client, "login", "/login", "anonymous")]
    sign_in(client, username, password)
    course_id = course_id_for(DEMO_COURSE)
    content = services.app.course_version(course_id, None)
    course = f"/courses/{course_id}"
    continue_at = client.get(f"{course}/continue").header("Location")
    slide = urlsplit(continue_at).path
    quiz_module, quiz_slide = next(
        (m, s) for m in content.modules for s in m.slides if s.quiz is not None
    )
    quiz = f"{course}/modules/{quiz_module.slug}/slides/{quiz_slide.slug}"
    wrong = next(a.id for a in quiz_slide.quiz.answers if a.id != quiz_slide.quiz.correct_answer_id)
    weights += [
        measure(client, "home", "/"),
        measure(client, "catalog", "/courses"),
        measure(client, "catalog search", "/courses?q=wikidata"),
        measure(client, "course page", course),
        measure(client, "slide", slide, f"{username}'s next slide"),
        measure(client, "quiz slide", quiz),
        measure(client, "quiz answered", f"{quiz}?answer={wrong}", "with feedback"),
        measure(client, "dashboard", "/dashboard"),
    ]
    largest = max(
        (f"{course}/modules/{m.slug}/slides/{s.slug}" for m in content.modules for s in m.slides),
        key=lambda path: client.get(path).body_bytes,
    )
    weights.append(measure(client, "largest slide", largest, "of the whole course"))
    return weights


# --- the app on a free port -----------------------------------------------------------------


@contextmanager
def served_demo(corpus: Path) -> Iterator[tuple[int, object]]:
    folder = Path(tempfile.mkdtemp(prefix="mafunzo-weight-"))
    settings = Settings(
        database_url=f"sqlite:///{folder / 'mafunzo.db'}",
        secret_key="page-weight-bench",  # noqa: S106 - a throwaway database
        keys_dir=folder / "keys",
        instance_dir=folder,
    )
    services = build_services(settings)
    try:
        log(f"loading the demo from {corpus}")
        load_demo(services, corpus)
        with serving(create_app(settings, services=services)) as port:
            log(f"serving at http://127.0.0.1:{port}")
            yield port, services
    finally:
        services.close()
        shutil.rmtree(folder, ignore_errors=True)


# --- report ---------------------------------------------------------------------------------


def kb(n: int) -> str:
    return f"{n / 1000:.1f}"


def print_table(weights: list[Weight]) -> None:
    head = (
        "page",
        "HTML raw",
        "HTML sent",
        "CSS",
        "JS",
        "headers",
        "first visit",
        "later visit",
        "result",
    )
    rows = [head]
    for w in weights:
        verdict = "PASS" if w.passed else "FAIL"
        rows.append(
            (
                w.page,
                kb(w.html_raw),
                kb(w.html_sent),
                kb(w.css),
                kb(w.js),
                kb(w.headers),
                kb(w.first_visit),
                kb(w.later_visit),
                f"{verdict}{'  (' + w.note + ')' if w.note else ''}",
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    for r in rows:
        cells = [r[0].ljust(widths[0])]
        cells += [c.rjust(wd) for c, wd in zip(r[1:-1], widths[1:-1], strict=True)]
        print("  ".join([*cells, r[-1]]).rstrip())
    print(
        f"\nKB = 1,000 bytes. Sent with Accept-Encoding: {ACCEPT_ENCODING}. 'HTML raw' is the page "
        "uncompressed; 'HTML sent', 'CSS' and 'JS' are bodies as sent; 'headers' are the "
        "response headers of the page and its assets. First visit = all of these; later "
        "visit = the page again with its assets cached. Images are not counted."
    )
    print(
        f"targets: first visit <= {TARGET_FIRST // 1000} KB, "
        f"later visit <= {TARGET_LATER // 1000} KB"
    )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=None, help="content to load (lms demo's)")
    parser.add_argument("--user", default="rahim", help="demo learner to sign in as (rahim)")
    parser.add_argument("--password", default=Settings.demo_password, help="demo password")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    with served_demo(args.corpus or default_corpus()) as (port, services):
        client = Client("127.0.0.1", port)
        try:
            weights = measure_all(client, services, args.user, args.password)
        finally:
            client.close()
    print_table(weights)
    print(f"(total run {time.perf_counter() - started:.1f} s)")
    return 0 if all(w.passed for w in weights) else 1


if __name__ == "__main__":
    sys.exit(main())
