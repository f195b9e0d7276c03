"""Light pages over real HTTP: fingerprinted assets cached for a year, compressed responses,
pages that are never kept by shared caches; and a browser that really reuses the assets."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import re
from urllib.parse import urlencode, urlsplit

import brotli
import pytest

from lms.assets import IMMUTABLE, Assets
from tests.browser.conftest import DEMO_PASSWORD

ASSET_LINK = re.compile(r'(?:href|src)="(/static/[^"]+)"')


def fetch(
    live_server, path: str, method: str = "GET", body: str | None = None, **headers
) -> tuple[http.client.HTTPResponse, bytes]:
    address = urlsplit(live_server.url)
    connection = http.client.HTTPConnection(address.hostname, address.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response, response.read()
    finally:
        connection.close()


def decoded(response, body: bytes) -> bytes:
    encoding = response.headers.get("Content-Encoding")
    return {"br": brotli.decompress, "gzip": gzip.decompress, None: bytes}[encoding](body)


def page_assets(live_server, path: str = "/") -> list[str]:
    _, body = fetch(live_server, path)
    return ASSET_LINK.findall(body.decode())


def test_pages_link_fingerprinted_assets_that_are_cached_for_a_year(live_server):
    links = page_assets(live_server)
    assert any(link.endswith(".css") for link in links)
    assert any(link.endswith(".js") for link in links)
    for link in links:
        fingerprint = re.search(r"\.([0-9a-f]{8})\.(?:css|js)$", link)
        assert fingerprint, f"{link} is not fingerprinted"
        response, body = fetch(live_server, link, **{"Accept-Encoding": "gzip, br"})
        assert response.status == 200, link
        assert response.headers["Cache-Control"] == IMMUTABLE
        assert response.headers["Content-Encoding"] == "br"
        assert "Accept-Encoding" in response.headers["Vary"]
        content = decoded(response, body)
        assert hashlib.sha256(content).hexdigest().startswith(fingerprint.group(1))


@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("gzip, deflate, br, zstd", "br"), ("gzip", "gzip"), ("", None), ("br;q=0, gzip", "gzip")],
)
def test_assets_and_pages_are_compressed_as_the_client_accepts(live_server, accept, encoding):
    for path in ["/", "/courses", "/login", *page_assets(live_server)]:
        response, body = fetch(live_server, path, **{"Accept-Encoding": accept})
        assert response.headers.get("Content-Encoding") == encoding, path
        assert decoded(response, body), path


def test_pages_are_revalidated_and_never_kept_by_shared_caches(live_server):
    for path in ["/", "/courses", "/login", "/no-such-page"]:
        response, _ = fetch(live_server, path)
        assert response.headers["Cache-Control"] == "no-cache, private", path


def test_stale_or_made_up_fingerprints_are_not_found_and_plain_names_revalidate(live_server):
    css = next(link for link in page_assets(live_server) if link.endswith(".css"))
    stale = re.sub(r"\.[0-9a-f]{8}\.css$", ".00000000.css", css)
    assert fetch(live_server, stale)[0].status == 404
    assert fetch(live_server, stale + "?lang=en")[0].status == 404  # the session still works
    plain = re.sub(r"\.[0-9a-f]{8}\.css$", ".css", css)
    response, _ = fetch(live_server, plain)
    assert response.status == 200
    assert response.headers["Cache-Control"] == "no-cache"
    again, body = fetch(live_server, plain, **{"If-None-Match": response.headers["ETag"]})
    assert again.status == 304 and body == b""
    assert fetch(live_server, "/static/../pyproject.toml")[0].status == 404


def signed_in_cookie(live_server) -> str:
    """Sign rahim in through the login form over HTTP; returns his Cookie header."""
    response, body = fetch(live_server, "/login")
    cookie = response.headers["Set-Cookie"].split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', body.decode()).group(1)
    form = urlencode({"csrf_token": token, "username": "rahim", "password": DEMO_PASSWORD})
    response, _ = fetch(
        live_server,
        "/login",
        "POST",
        form,
        **{"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status == 303
    return response.headers["Set-Cookie"].split(";")[0]


def test_assets_never_carry_or_vary_on_the_session_cookie(live_server):
    cookie = signed_in_cookie(live_server)
    page, _ = fetch(live_server, "/dashboard", Cookie=cookie)
    assert page.status == 200
    for link in page_assets(live_server):
        response, _ = fetch(live_server, link, Cookie=cookie)
        assert response.status == 200
        assert response.headers.get("Set-Cookie") is None, link
        assert "cookie" not in response.headers.get("Vary", "").lower(), link


def test_the_fingerprint_changes_with_the_content(tmp_path):
    (tmp_path / "css").mkdir()
    sheet = tmp_path / "css" / "site.css"
    sheet.write_text("body { color: black; }")
    before = Assets(tmp_path).fingerprinted("css/site.css")
    sheet.write_text("body { color: navy; }")
    after = Assets(tmp_path).fingerprinted("css/site.css")
    assert before != after
    assert re.fullmatch(r"css/site\.[0-9a-f]{8}\.css", after)
    with pytest.raises(LookupError, match=r"missing\.css"):
        Assets(tmp_path).fingerprinted("css/missing.css")


def test_a_browser_fetches_each_asset_once_across_pages(page, live_server):
    for path in ["/", "/courses", "/login", "/courses", "/"]:
        page.goto(path)
    fetched = [r for r in live_server.requests if r.startswith("GET /static/")]
    assert fetched, "the pages loaded no assets"
    assert len(fetched) == len(set(fetched)), f"assets fetched again: {fetched}"
