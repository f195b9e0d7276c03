"""What a holder sees and carries: the credential on their list, its page, and every download,
each of which a third party can verify."""

from __future__ import annotations

import base64
import io
import json
from urllib.parse import parse_qs, urlsplit

import pytest
from PIL import Image

from lms.credentials.baking import unbake_png, unbake_svg
from lms.credentials.certificate import extract_from_pdf
from lms.credentials.renditions import Renditions
from tests.factories import register
from tests.web.conftest import login_as, post
from tests.web.holding import (  # noqa: F401 - fixtures
    achievement_id,
    complete,
    definition,
    held_by,
    holder,
    holder_client,
    organiser,
    png,
)

DOWNLOADS = {
    "json": "application/ld+json",
    "jwt": "application/vc+jwt",
    "pdf": "application/pdf",
    "png": "image/png",
    "svg": "image/svg+xml",
}


def body(response) -> str:
    return response.get_data(as_text=True)


def verify(client, data: bytes) -> dict:
    response = client.post("/api/v1/verify", data=data, content_type="application/octet-stream")
    assert response.status_code == 200, body(response)
    return response.get_json()


def test_a_learner_who_completes_a_course_finds_its_credential_on_their_list(holder, holder_client):
    page = body(holder_client.get("/dashboard/credentials"))
    assert "Wikidata querier" in page
    assert "Certificate" in page and "Active" in page
    assert f"/credentials/{holder.credential.public_id}.pdf" in page


def test_the_learner_dashboard_lists_my_credentials_with_their_status(holder, holder_client):
    page = body(holder_client.get("/dashboard"))
    assert "My certificates and badges" in page
    assert "Wikidata querier" in page and "Active" in page
    assert f"/credentials/{holder.credential.public_id}.png" in page


def test_the_list_shows_only_my_own_credentials(app, services, holder):
    _, username = register(services)
    client = app.test_client()
    login_as(client, username)
    page = body(client.get("/dashboard/credentials"))
    assert holder.credential.public_id not in page
    assert "You hold no credentials yet" in page


@pytest.mark.parametrize("extension", DOWNLOADS)
def test_every_download_has_its_type_and_verifies(client, holder, extension):
    response = client.get(f"/credentials/{holder.credential.public_id}.{extension}")
    assert response.status_code == 200
    assert response.mimetype == DOWNLOADS[extension]
    assert response.headers["Content-Disposition"].startswith("attachment")
    report = verify(client, response.data)
    assert report["verified"] is True, report
    assert report["status"] == "active"
    assert report["format"] == extension


@pytest.mark.parametrize(
    ("extension", "unbake"),
    [("pdf", extract_from_pdf), ("png", unbake_png), ("svg", unbake_svg)],
)
def test_documents_carry_exactly_the_signed_credential(client, holder, extension, unbake):
    response = client.get(f"/credentials/{holder.credential.public_id}.{extension}")
    assert unbake(response.data) == holder.credential.document


def test_a_rendition_is_made_once_and_served_again_unchanged(client, holder):
    url = f"/credentials/{holder.credential.public_id}.pdf"
    assert client.get(url).data == client.get(url).data


def test_the_page_says_what_was_awarded_to_whom_and_links_to_everything(client, holder):
    response = client.get(f"/credentials/{holder.credential.public_id}")
    page = body(response)
    assert response.status_code == 200
    for text in ("Wikidata querier", holder.username.title(), "Writes SPARQL queries."):
        assert text in page
    assert "Active: neither revoked nor suspended." in page
    assert "Completed all 2 modules of" in page  # the evidence
    assert "/verify?url=http" in page
    for extension in DOWNLOADS:
        assert f"/credentials/{holder.credential.public_id}.{extension}" in page


def test_the_linkedin_link_fills_in_the_certification(client, holder):
    page = body(client.get(f"/credentials/{holder.credential.public_id}"))
    start = page.index("https://www.linkedin.com/profile/add?")
    link = page[start : page.index('"', start)].replace("&amp;", "&")
    query = parse_qs(urlsplit(link).query)
    assert query["startTask"] == ["CERTIFICATION_NAME"]
    assert query["name"] == ["Wikidata querier"]
    assert query["organizationName"] == ["Mafunzo"]
    assert query["certId"] == [holder.credential.public_id]
    assert query["certUrl"][0].endswith(f"/credentials/{holder.credential.public_id}")
    assert query["issueYear"][0].isdigit() and 1 <= int(query["issueMonth"][0]) <= 12


def test_wallets_asking_for_linked_data_get_the_signed_credential(client, holder):
    url = f"/credentials/{holder.credential.public_id}"
    response = client.get(url, headers={"Accept": "application/ld+json"})
    assert response.mimetype == "application/ld+json"
    assert json.loads(response.data) == json.loads(holder.credential.document)
    assert "Accept" in response.headers["Vary"]
    assert client.get(url, headers={"Accept": "text/html,*/*;q=0.8"}).mimetype == "text/html"


def test_unlisted_pages_ask_search_engines_not_to_list_them_until_made_public(
    client, holder, holder_client
):
    url = f"/credentials/{holder.credential.public_id}"
    for suffix in ("", ".json", ".pdf"):
        assert client.get(url + suffix).headers["X-Robots-Tag"] == "noindex"
    response = post(holder_client, f"{url}/visibility", {"visibility": "public"})
    assert response.status_code == 303
    assert "X-Robots-Tag" not in client.get(url).headers
    assert "Your credential is public" in body(holder_client.get(url))


def test_only_the_holder_changes_who_may_find_the_page(app, services, holder):
    url = f"/credentials/{holder.credential.public_id}"
    _, username = register(services, roles=("learner", "organiser", "admin"))
    other = app.test_client()
    login_as(other, username)
    assert "Save visibility" not in body(other.get(url))
    before = services.app.recorder.max_notification_id()
    response = post(other, f"{url}/visibility", {"visibility": "public"})
    assert response.status_code == 403
    assert services.app.recorder.max_notification_id() == before
    assert app.test_client().get(url).headers["X-Robots-Tag"] == "noindex"


def test_a_visibility_that_does_not_exist_is_refused(holder, holder_client):
    url = f"/credentials/{holder.credential.public_id}/visibility"
    response = post(holder_client, url, {"visibility": "secret"})
    assert response.status_code == 400
    assert "public or unlisted" in body(response)


def test_a_revoked_credential_says_so_with_the_reason(client, services, holder, organiser):
    services.caught_up(
        services.app.revoke_credential(
            holder.credential.credential_id, "Awarded by mistake", by=organiser[0]
        )
    )
    page = body(client.get(f"/credentials/{holder.credential.public_id}"))
    assert "Revoked." in page and "Awarded by mistake" in page
    assert "Active: neither" not in page


def test_a_forgotten_holders_credential_is_gone_from_here(client, services, holder):
    services.caught_up(services.app.forget_person(holder.person_id))
    for suffix in ("", ".json", ".pdf", ".png"):
        response = client.get(f"/credentials/{holder.credential.public_id}{suffix}")
        assert response.status_code == 410
        assert "asked us to forget them" in body(response)


def test_unknown_credentials_are_not_found(client, holder):
    for url in ("/credentials/nope", "/credentials/nope.pdf", "/credentials/a%00b.json"):
        assert client.get(url).status_code == 404


def test_the_baked_badge_shows_the_organisers_image(app, client, services, organiser, course_id):
    image = base64.b64encode(png("red")).decode("ascii")
    recorded = services.app.define_achievement(
        definition(course_id, name="Red badge", kind="badge", image=image), by=organiser[0]
    )
    services.caught_up(recorded)
    person_id, _ = register(services)
    complete(services, person_id, course_id)
    (credential,) = held_by(services, person_id)
    baked = client.get(f"/credentials/{credential.public_id}.png").data
    assert Image.open(io.BytesIO(baked)).convert("RGB").getpixel((10, 10)) == (255, 0, 0)
    svg = body(client.get(f"/credentials/{credential.public_id}.svg"))
    assert image in svg  # the SVG shows the same picture
    assert unbake_svg(svg.encode()) == credential.document


def test_renditions_are_kept_within_their_byte_budget():
    renditions = Renditions(budget_bytes=10)
    made = []

    def make(value: bytes):
        made.append(value)
        return value

    assert renditions.get("a", lambda: make(b"aaaa")) == b"aaaa"
    assert renditions.get("a", lambda: make(b"other")) == b"aaaa"  # kept
    renditions.get("b", lambda: make(b"bbbb"))
    renditions.get("c", lambda: make(b"cccc"))  # over budget: "a", least recently used, goes
    assert renditions.get("a", lambda: make(b"again")) == b"again"
    assert renditions.get("big", lambda: make(b"x" * 11)) == b"x" * 11  # served, never kept
    assert made == [b"aaaa", b"bbbb", b"cccc", b"again", b"x" * 11]
