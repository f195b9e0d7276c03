"""Whole pages kept in memory and served again while the read models they show stand still.

A view marked `@cached_page(CatalogProjection, ...)` names the read models it shows. Its
response is kept, compressed and with its headers, under a key made of everything else it
depends on: path and query, the language asked for, the htmx and Accept-Encoding headers and,
for a signed-in visitor, their session (person, password stamp and CSRF secret). The next
request with that key is answered by a WSGI middleware before Flask sees it, as long as the
projection positions the page was rendered at are still the current ones.

Validity comes from the database, never from this process's memory: one read of the small
`projection_positions` table per answer. Several web workers on PostgreSQL each project in
the request after their own commands, and a projection worker may advance the read models
too, so only the database knows whether a page is stale. A time-to-live would be cheaper but
wrong: a learner who acts through one worker and reads through another would see their old
progress for the TTL. Positions are read before the view renders, so a page can only be
newer than the positions it is filed under: a race costs a needless render, never a stale page.

Never kept: anything but a 200; a response that sets a cookie (the session changed, or a view
set one); an anonymous page that embeds a CSRF token (it would hand one visitor's secret to
the next); a page that varies on a header the key does not hold. Signed-in visitors get kept
pages only from views marked `personal=True`, and only their own; the CSRF tokens in those
stay valid because tokens do not expire here (WTF_CSRF_TIME_LIMIT=None). A session cookie due for
refreshing (lms/sessions.py) goes through Flask, which re-sends it; a kept page never holds a
Set-Cookie. Answers from the middleware skip Flask's hooks: kept pages hold the headers those
hooks set, and a hook added later with an effect other than on headers needs its own thought.
The cache is a least-recently-used map bounded in bytes. Kept pages carry an ETag, so a repeat
visit is answered 304 without a body.
"""

from __future__ import annotations

import hashlib
import threading
from collections import Counter, OrderedDict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import wraps
from typing import NamedTuple

from flask import Flask, Request, Response, current_app, g, request, session
from flask.sessions import SessionMixin
from sqlalchemy import Engine, event, select
from sqlalchemy.pool import PoolProxiedConnection
from werkzeug.http import is_resource_modified, remove_entity_headers

from lms.i18n import requested_language
from projections.tables import positions

MAX_BYTES = 32 * 1024 * 1024
ENTRY_OVERHEAD = 512  # bytes of objects and bookkeeping counted per page, besides its texts
# Request headers that may change a kept page; a response varying on any other is not kept.
# Cookie stands for the parts of the session in the key.
KEYED_HEADERS = ("Accept-Encoding", "HX-Request", "HX-History-Restore-Request", "HX-Trigger")
_KEYED_VARY = {name.lower() for name in (*KEYED_HEADERS, "Cookie")}
_KEYED_ENVIRON = tuple(f"HTTP_{name.upper().replace('-', '_')}" for name in KEYED_HEADERS)
CSRF_FIELD = "csrf_token"  # flask-wtf keeps the secret in the session, the token in `g`
_PENDING = "page_cache_pending"


class PageKey(NamedTuple):
    """Made of the WSGI environ's own strings, the same in the middleware and in Flask (and
    cheaper than the parsed request's properties, which showed in the profile)."""

    root: tuple[str, ...]  # scheme, host and script root: pages on two hosts are two pages
    path: str
    query: str
    language: str
    visitor: tuple | None  # a signed-in visitor's person, password stamp and CSRF secret
    headers: tuple[str | None, ...]  # the values of KEYED_HEADERS


@dataclass(frozen=True)
class KeptPage:
    positions: tuple[tuple[str, int], ...]  # the read models' positions it was rendered at
    status: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    etag: str

    def is_current(self, now: dict[str, int]) -> bool:
        return all(now.get(name) == position for name, position in self.positions)


class PageCache:
    """A least-recently-used map of kept pages, at most `max_bytes` in all; thread-safe."""

    def __init__(self, max_bytes: int = MAX_BYTES):
        self.max_bytes = max_bytes
        self.size = 0
        self._pages: OrderedDict[PageKey, KeptPage] = OrderedDict()
        self._paths: Counter[str] = Counter()  # pages kept per path
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return len(self._pages)

    def holds_path(self, path: str) -> bool:
        """Whether some page is kept for `path`: if not, no request for it needs a key."""
        return self._paths[path] > 0

    def get(self, key: PageKey) -> KeptPage | None:
        with self._lock:
            page = self._pages.get(key)
            if page is not None:
                self._pages.move_to_end(key)
            return page

    def put(self, key: PageKey, page: KeptPage) -> None:
        if _size(key, page) > self.max_bytes:
            return
        with self._lock:
            self._drop(key)
            self._pages[key] = page
            self._paths[key.path] += 1
            self.size += _size(key, page)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def discard(self, key: PageKey) -> None:
        with self._lock:
            self._drop(key)

    def _drop(self, key: PageKey) -> None:
        page = self._pages.pop(key, None)
        if page is not None:
            self.size -= _size(key, page)
            self._paths[key.path] -= 1
            if not self._paths[key.path]:
                del self._paths[key.path]


def _size(key: PageKey, page: KeptPage) -> int:
    """Bytes counted against the bound, the key's too: a query string can be long."""
    texts = [*key.root, key.path, key.query, key.language, *(h or "" for h in key.headers)]
    texts += [text for header in page.headers for text in header]
    return len(page.body) + sum(map(len, texts)) + ENTRY_OVERHEAD


class ProjectionPositions:
    """How far each read model has read the log, as the database says right now.

    Each thread reads on a connection of its own, taken out of the engine's pool for good and
    set to autocommit: one round trip per read, where a pooled connection cost four on
    PostgreSQL (the pool's ping, BEGIN, the read, ROLLBACK on return) and three times the CPU.
    They are closed when the engine is disposed of.
    """

    def __init__(self, engine: Engine):
        self.engine = engine
        query = select(positions.c.name, positions.c.position)
        self._sql = str(query.compile(dialect=engine.dialect))
        self._mine = threading.local()
        self._open: set[PoolProxiedConnection] = set()
        self._lock = threading.Lock()
        event.listen(engine, "engine_disposed", lambda _engine: self.close())

    def read(self) -> dict[str, int]:
        conn = self._connection()
        try:
            cursor = conn.cursor()
            cursor.execute(self._sql)
            return dict(cursor.fetchall())
        except Exception:
            self._forget(conn)  # perhaps broken: the next read opens another
            raise

    def close(self) -> None:
        with self._lock:
            opened, self._open = self._open, set()
        for conn in opened:
            conn.close()

    def _connection(self) -> PoolProxiedConnection:
        conn = getattr(self._mine, "conn", None)
        if conn is None or conn not in self._open:
            conn = self.engine.raw_connection()
            conn.detach()
            self.engine.dialect.set_isolation_level(conn.dbapi_connection, "AUTOCOMMIT")
            with self._lock:
                self._open.add(conn)
            self._mine.conn = conn
        return conn

    def _forget(self, conn: PoolProxiedConnection) -> None:
        with self._lock:
            self._open.discard(conn)
        conn.close()


def page_key(http: Request, session_data: SessionMixin, languages: tuple[str, ...]) -> PageKey:
    """Everything but the read models that a kept page depends on; the same in Flask and out."""
    person = session_data.get("person_id")
    visitor = (person, session_data.get("stamp"), session_data.get(CSRF_FIELD)) if person else None
    environ = http.environ
    return PageKey(
        (environ["wsgi.url_scheme"], environ.get("HTTP_HOST", ""), environ.get("SCRIPT_NAME", "")),
        environ.get("PATH_INFO", ""),
        environ.get("QUERY_STRING", ""),
        requested_language(http, session_data, languages),
        visitor,
        tuple(environ.get(name) for name in _KEYED_ENVIRON),
    )


class KeptPages:
    """WSGI middleware: answers a request for a kept, current page before Flask sees it."""

    def __init__(self, app: Flask, cache: PageCache, positions: ProjectionPositions):
        self.app, self.cache, self.positions = app, cache, positions
        self.wsgi_app = app.wsgi_app

    def __call__(self, environ: dict, start_response: Callable) -> Iterable[bytes]:
        try:
            page = self._current_page(environ)
        except Exception:
            # Only a shortcut: whatever fails here (the database, say), Flask answers the
            # request as if no page were kept, with its error pages if it must.
            self.app.logger.exception("page cache: looking for a kept page failed")
            page = None
        if page is None:
            return self.wsgi_app(environ, start_response)
        if not is_resource_modified(environ, etag=page.etag):
            headers = list(page.headers)
            remove_entity_headers(headers)
            start_response("304 Not Modified", headers)
            return []
        start_response(page.status, list(page.headers))
        return [] if environ["REQUEST_METHOD"] == "HEAD" else [page.body]

    def _current_page(self, environ: dict) -> KeptPage | None:
        if environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
            return None
        if not self.cache.holds_path(environ.get("PATH_INFO", "")):
            return None  # say, a static file or a slide: not worth opening the session for
        http = self.app.request_class(environ)
        sessions = self.app.session_interface
        session_data = sessions.open_session(self.app, http)
        if session_data is None or sessions.should_set_cookie(self.app, session_data):
            return None  # Flask re-sends the cookie
        if "_flashes" in session_data:
            return None  # a fresh render shows them
        key = page_key(http, session_data, self.app.config["LANGUAGES"])
        page = self.cache.get(key)
        if page is None:
            return None
        if not page.is_current(self.positions.read()):
            self.cache.discard(key)
            return None
        return page


def cached_page(*reads, personal: bool = False) -> Callable:
    """Keep the view's pages while the read models of the projections in `reads` stand still.

    With `personal`, signed-in visitors' pages are kept too, for their session alone and
    valid while no read model moves; otherwise their requests are always rendered. Only for
    views that show nothing of the request next to the CSRF token: a kept page holds the same
    token bytes for a while, which compression must not let anyone guess (BREACH).
    """
    names = tuple(projection.name for projection in reads)

    def decorate(view):
        @wraps(view)
        def render_and_keep(*args, **kwargs):
            if request.method in ("GET", "HEAD") and "_flashes" not in session:
                key = page_key(request, session, current_app.config["LANGUAGES"])
                if personal or key.visitor is None:
                    # Read before rendering: the page is then at least this new.
                    now = current_app.extensions["mafunzo_positions"].read()
                    kept_names = sorted(now) if key.visitor else names
                    setattr(g, _PENDING, (key, tuple((n, now.get(n)) for n in kept_names)))
            return view(*args, **kwargs)

        return render_and_keep

    return decorate


def _keep(response: Response) -> Response:
    """After the other hooks (compression, security headers): keep the page if it may be."""
    pending = g.pop(_PENDING, None)
    if pending is None or not _may_keep(response, signed_in=pending[0].visitor is not None):
        return response
    key, at = pending
    response.vary.add("Cookie")  # the key holds parts of the session
    body = response.get_data()
    etag = hashlib.sha256(body).hexdigest()[:32]
    response.set_etag(etag)
    page = KeptPage(at, response.status, tuple(response.headers.items()), body, etag)
    current_app.extensions["mafunzo_pages"].put(key, page)
    return response.make_conditional(request) if request.if_none_match else response


def _may_keep(response: Response, signed_in: bool) -> bool:
    return (
        response.status_code == 200
        and not response.is_streamed
        and not session.modified
        and "Set-Cookie" not in response.headers
        and "no-store" not in response.headers.get("Cache-Control", "")
        and (signed_in or CSRF_FIELD not in g)
        and all(name.lower() in _KEYED_VARY for name in response.vary)
    )


def init_app(app: Flask, engine: Engine) -> None:
    """Call before the extensions whose after-request hooks shape the response (compression,
    security headers): Flask runs those hooks last-registered first, so ours sees their work."""
    cache, read = PageCache(), ProjectionPositions(engine)
    app.extensions["mafunzo_pages"] = cache
    app.extensions["mafunzo_positions"] = read
    app.after_request(_keep)
    app.wsgi_app = KeptPages(app, cache, read)
