"""Light pages: fingerprinted static assets cached for a year, and compressed responses.

At start every file under `lms/static` is read once and hashed. Templates link to
`asset_url("css/mafunzo.css")`, which gives `/static/css/mafunzo.<8 hex of SHA-256>.css`: the
URL changes whenever the content does, so browsers may keep it for a year without asking
again (`Cache-Control: public, max-age=31536000, immutable`). A fingerprint that is not the
current one answers 404 rather than today's content, so no cache ever keeps the wrong file
under an old name. The plain name (`/static/css/mafunzo.css`) still answers, revalidated on
every use (`no-cache` with an ETag), for links made outside the templates.

Text assets are compressed once at start at the highest levels (brotli 11, gzip 9) and served
as stored; pages and other responses are compressed per response by flask-compress (brotli,
else gzip), and pages kept by lms/pagecache.py are kept compressed. Pages get
`Cache-Control: no-cache, private`: they carry per-session CSRF tokens and personal progress,
so no shared cache may keep them and browsers ask again before reuse.

Compressing pages that reflect input next to a secret invites BREACH. The session cookie is
SameSite=Lax, so another site cannot make a victim's browser send credentialed sub-requests
whose sizes it could watch. A freshly rendered CSRF token is re-signed with a timestamp each
second; a kept page holds the same token bytes until a read model moves, which is why pages
are kept per session only from views that reflect nothing of the request next to the token
(the dashboard and the course page). The catalog, which shows the search, is kept only for
visitors who are not signed in, whose pages hold no token.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass, field
from pathlib import Path

import brotli
from flask import (
    Flask,
    Response,
    abort,
    current_app,
    request,
    send_from_directory,
    url_for,
)
from flask_compress import Compress

IMMUTABLE = "public, max-age=31536000, immutable"
REVALIDATE = "no-cache"
PAGE = "no-cache, private"
FINGERPRINT_LENGTH = 8

# Compressed per response by flask-compress (static assets are compressed once, below).
COMPRESSED_MIMETYPES = [
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
]
# Pages and partials, whose Cache-Control we set when the view did not.
DYNAMIC_MIMETYPES = {"text/html", "application/json"}
PRECOMPRESSED_SUFFIXES = {".css", ".js", ".mjs", ".svg", ".json", ".txt", ".map"}


@dataclass(frozen=True)
class Asset:
    path: str  # relative to the static folder, with "/"
    fingerprinted: str  # path with the fingerprint before the last suffix
    digest: str  # SHA-256 of the content, hex
    mimetype: str
    body: bytes
    encoded: dict[str, bytes] = field(default_factory=dict)  # "br"/"gzip" → body, if smaller


class Assets:
    """Every file under one folder, hashed and (for text) compressed, keyed both ways."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.by_path: dict[str, Asset] = {}
        self.by_fingerprint: dict[str, Asset] = {}
        for file in sorted(folder.rglob("*")):
            relative = file.relative_to(folder)
            if file.is_file() and not any(part.startswith(".") for part in relative.parts):
                asset = _load(file, relative.as_posix())
                self.by_path[asset.path] = asset
                self.by_fingerprint[asset.fingerprinted] = asset

    def fingerprinted(self, path: str) -> str:
        try:
            return self.by_path[path].fingerprinted
        except KeyError:
            raise LookupError(f"no static file {path!r} under {self.folder}") from None


def _load(file: Path, path: str) -> Asset:
    body = file.read_bytes()
    digest = hashlib.sha256(body).hexdigest()
    stem, dot, suffix = path.rpartition(".")
    if not dot or "/" in suffix:  # no suffix: "vendor/htmx/LICENSE"
        stem, suffix = path, ""
    fingerprint = digest[:FINGERPRINT_LENGTH]
    fingerprinted = f"{stem}.{fingerprint}.{suffix}" if suffix else f"{stem}.{fingerprint}"
    mimetype = mimetypes.guess_type(path)[0] or "application/octet-stream"
    encoded = {}
    if file.suffix in PRECOMPRESSED_SUFFIXES:
        for name, squeezed in (
            ("br", brotli.compress(body, quality=11)),
            ("gzip", gzip.compress(body, compresslevel=9, mtime=0)),
        ):
            if len(squeezed) < len(body):
                encoded[name] = squeezed
    return Asset(path, fingerprinted, digest, mimetype, body, encoded)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    app.config.setdefault("COMPRESS_MIMETYPES", COMPRESSED_MIMETYPES)
    app.config.setdefault("COMPRESS_BR_LEVEL", 5)
    app.config.setdefault("COMPRESS_LEVEL", 6)
    Compress(app)

    assets = Assets(Path(app.static_folder))
    app.extensions["mafunzo_assets"] = assets
    app.view_functions["static"] = _serve_static
    app.after_request(_page_cache_headers)

    def asset_url(path: str) -> str:
        return url_for("static", filename=assets.fingerprinted(path))

    app.jinja_env.globals["asset_url"] = asset_url


def _serve_static(filename: str) -> Response:
    assets: Assets = current_app.extensions["mafunzo_assets"]
    if asset := assets.by_fingerprint.get(filename):
        return _send(asset, IMMUTABLE)
    if asset := assets.by_path.get(filename):
        return _send(asset, REVALIDATE)
    if _looks_fingerprinted(filename):
        abort(404)  # an old or made-up fingerprint: never today's content under that name
    # A file added since start: served as it is, asked for again on every use.
    response = send_from_directory(current_app.static_folder, filename, max_age=0)
    response.headers["Cache-Control"] = REVALIDATE
    return response


def _looks_fingerprinted(filename: str) -> bool:
    parts = filename.rsplit("/", 1)[-1].split(".")
    return any(
        len(part) == FINGERPRINT_LENGTH and all(c in "0123456789abcdef" for c in part)
        for part in parts[1:]
    )


def _send(asset: Asset, cache_control: str) -> Response:
    encoding = request.accept_encodings.best_match(tuple(asset.encoded))
    body = asset.encoded[encoding] if encoding else asset.body
    response = current_app.response_class(body, mimetype=asset.mimetype)
    if encoding:
        response.headers["Content-Encoding"] = encoding  # flask-compress leaves it as it is
    response.vary.add("Accept-Encoding")
    response.set_etag(f"{asset.digest[:20]}-{encoding or 'identity'}")
    response.headers["Cache-Control"] = cache_control
    return response.make_conditional(request)


def _page_cache_headers(response: Response) -> Response:
    if response.mimetype in DYNAMIC_MIMETYPES and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = PAGE
    return response
