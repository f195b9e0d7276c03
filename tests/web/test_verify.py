"""Verification for third parties: the /verify page (paste, upload, our own link) and the JSON
API give every check in plain words; tampering, revocation and suspension are told apart."""

from __future__ import annotations

import io
import json

import pytest

from tests.web.conftest import csrf_token, post
from tests.web.holding import (  # noqa: F401 - fixtures
    achievement_id,
    holder,
    organiser,
)

API = "/api/v1/verify"
CHECKS = ["format", "proof", "issuer_key", "issuer", "dates", "status", "structure"]


def body(response) -> str:
    return response.get_data(as_text=True)


def outcomes(report: dict) -> dict[str, str]:
    return {check["check"]: check["outcome"] for check in report["checks"]}


def tampered(document: str) -> str:
    credential = json.loads(document)
    credential["credentialSubject"]["achievement"]["name"] = "Wikidata grandmaster"
    return json.dumps(credential)


def upload(client, data: bytes, filename: str):
    return client.post(
        "/verify",
        data={"csrf_token": csrf_token(client), "file": (io.BytesIO(data), filename)},
        content_type="multipart/form-data",
    )


# --- the API --------------------------------------------------------------------------------


def test_the_api_reports_every_check_of_a_genuine_credential(client, holder):
    response = client.post(API, data=holder.credential.document, content_type="application/json")
    assert response.status_code == 200
    report = response.get_json()
    assert (report["verified"], report["status"]) == (True, "active")
    assert [c["check"] for c in report["checks"]] == CHECKS
    assert set(outcomes(report).values()) == {"passed"}
    assert all(c["message"] for c in report["checks"])


def test_the_api_needs_no_session_and_no_csrf_token(app, holder):
    fresh = app.test_client(use_cookies=False)
    response = fresh.post(API, data=holder.credential.document, content_type="application/json")
    assert response.status_code == 200
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("wrapping", ["credential", "jwt"])
def test_the_api_takes_the_credential_wrapped_or_as_a_jwt(client, holder, wrapping):
    if wrapping == "credential":
        sent = {"credential": json.loads(holder.credential.document)}
    else:
        sent = {"jwt": body(client.get(f"/credentials/{holder.credential.public_id}.jwt"))}
    report = client.post(API, json=sent).get_json()
    assert report["verified"] is True and report["format"] == ("jwt" if "jwt" in sent else "json")


def test_the_api_takes_a_bare_jwt(client, holder):
    token = client.get(f"/credentials/{holder.credential.public_id}.jwt").data
    response = client.post(API, data=token, content_type="application/vc+jwt")
    assert response.get_json()["verified"] is True


def test_a_tampered_credential_fails_its_proof(client, holder):
    sent = tampered(holder.credential.document)
    response = client.post(API, data=sent, content_type="application/json")
    assert response.status_code == 200
    report = response.get_json()
    assert report["verified"] is False
    assert outcomes(report)["proof"] == "failed"


def test_a_tampered_jwt_fails(client, holder):
    token = body(client.get(f"/credentials/{holder.credential.public_id}.jwt"))
    header, payload, signature = token.split(".")
    flipped = signature[:-2] + ("A" if signature[-2] != "A" else "B") + signature[-1]
    report = client.post(API, json={"jwt": f"{header}.{payload}.{flipped}"}).get_json()
    assert report["verified"] is False and outcomes(report)["proof"] == "failed"


@pytest.mark.parametrize(
    ("command", "status", "words"),
    [
        ("revoke_credential", "revoked", "has revoked"),
        ("suspend_credential", "suspended", "has suspended"),
    ],
)
def test_revoked_and_suspended_are_reported_distinctly(
    client, services, holder, organiser, command, status, words
):
    act = getattr(services.app, command)
    services.caught_up(act(holder.credential.credential_id, "For the test", by=organiser[0]))
    report = client.post(
        API, data=holder.credential.document, content_type="application/json"
    ).get_json()
    assert (report["verified"], report["status"]) == (False, status)
    status_check = next(c for c in report["checks"] if c["check"] == "status")
    assert status_check["outcome"] == "failed" and words in status_check["message"]
    assert outcomes(report)["proof"] == "passed"  # genuine, but no longer in force


@pytest.mark.parametrize(
    ("data", "content_type", "status", "words"),
    [
        (b"{not json", "application/json", 400, "not valid JSON"),
        (b"[1, 2, 3]", "application/json", 400, "not a list or number"),
        (b"42", "application/json", 400, "not a list or number"),
        (b'{"a": 1, "a": 2}', "application/json", 400, "names a member twice"),
        (b"\xff\xfe\x00", "application/vc+jwt", 400, "not UTF-8"),
        (b"<form>", "multipart/form-data; boundary=x", 400, "Send the credential as"),
        (b"x" * (2 * 1024 * 1024), "application/json", 413, "too large"),
    ],
)
def test_unusable_api_requests_get_a_json_error(client, data, content_type, status, words):
    response = client.post(API, data=data, content_type=content_type)
    assert response.status_code == status
    assert response.is_json
    assert words in response.get_json()["error"]


def test_text_that_is_no_credential_gets_a_report_saying_so(client):
    response = client.post(API, data=b"hello", content_type="text/plain")
    assert response.status_code == 200
    report = response.get_json()
    assert report["verified"] is False and outcomes(report)["format"] == "failed"


# --- the page -------------------------------------------------------------------------------


def test_a_pasted_credential_is_verified_in_plain_words(client, holder):
    page = body(post(client, "/verify", {"credential": holder.credential.document}))
    assert "Verified: this credential is genuine, unchanged, and in force." in page
    assert "The signature matches" in page
    assert "Wikidata querier" in page


@pytest.mark.parametrize("extension", ["json", "jwt", "pdf", "png", "svg"])
def test_every_download_verifies_when_uploaded(client, holder, extension):
    data = client.get(f"/credentials/{holder.credential.public_id}.{extension}").data
    response = upload(client, data, f"credential.{extension}")
    assert response.status_code == 200
    assert "Verified: this credential is genuine" in body(response)


def test_a_tampered_upload_is_not_verified(client, holder):
    response = upload(client, tampered(holder.credential.document).encode(), "credential.json")
    page = body(response)
    assert "Not verified: do not rely on this credential." in page
    assert "the credential was changed after signing" in page


def test_a_revoked_credential_says_revoked_on_the_page(client, services, holder, organiser):
    services.caught_up(
        services.app.revoke_credential(holder.credential.credential_id, "Oops", by=organiser[0])
    )
    page = body(post(client, "/verify", {"credential": holder.credential.document}))
    assert "Revoked: the issuer has withdrawn this credential." in page


def test_a_link_to_one_of_our_credentials_is_checked_here(client, holder):
    link = f"http://127.0.0.1:5000/credentials/{holder.credential.public_id}"
    page = body(client.get("/verify", query_string={"url": link}))
    assert "Verified: this credential is genuine" in page


@pytest.mark.parametrize(
    ("link", "words"),
    [
        ("https://evil.example/credentials/abc", "Only links to credentials on this site"),
        ("http://127.0.0.1:5000/credentials/unknown", "No credential we hold has that link"),
        ("http://127.0.0.1:5000/status/revocation-1", "Only links to credentials on this site"),
    ],
)
def test_other_links_are_refused_without_fetching_anything(client, link, words):
    response = client.get("/verify", query_string={"url": link})
    assert response.status_code == 400
    assert words in body(response)


def test_an_empty_submission_asks_for_a_credential(client):
    response = post(client, "/verify", {"credential": "  "})
    assert response.status_code == 400
    assert "Paste a credential, or choose a file" in body(response)


def test_a_huge_upload_is_refused_with_the_limit(client):
    response = upload(client, b"{" + b" " * (2 * 1024 * 1024), "huge.json")
    assert response.status_code == 413
    assert "files up to 1 MiB can be checked" in body(response)
