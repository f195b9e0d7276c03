"""What verifiers fetch from the issuer: the DID document with every key, the signed status
lists with the right bits set, and each achievement version's badge image."""

from __future__ import annotations

import base64
import io
import json
from datetime import UTC, datetime

from PIL import Image

from lms.credentials.data_integrity import verify_proof
from lms.credentials.multikey import decode_public_key
from lms.credentials.status_list import STATUS_LIST_SIZE, bit_is_set, decode_status_list
from tests.web.holding import (  # noqa: F401 - fixtures
    achievement_id,
    definition,
    holder,
    organiser,
    png,
)


def did_document(client) -> dict:
    response = client.get("/.well-known/did.json")
    assert response.status_code == 200
    return json.loads(response.data)


def public_keys(client) -> dict:
    document = did_document(client)
    return {
        method["id"]: decode_public_key(method["publicKeyMultibase"])
        for method in document["verificationMethod"]
        if method["id"] in document["assertionMethod"]
    }


def status_list(client, list_id: str) -> dict:
    response = client.get(f"/status/{list_id}")
    assert response.status_code == 200
    return json.loads(response.data)


def is_set(signed: dict, index: int) -> bool:
    bits = decode_status_list(signed["credentialSubject"]["encodedList"])
    return bit_is_set(bits, index % STATUS_LIST_SIZE)


def test_did_json_is_the_issuers_document_for_anyone_to_fetch(client, services):
    response = client.get("/.well-known/did.json")
    assert response.mimetype == "application/did+json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age" in response.headers["Cache-Control"]
    document = json.loads(response.data)
    assert document["id"] == services.issuer.did == "did:web:127.0.0.1%3A5000"


def test_did_json_lists_every_key_and_old_credentials_still_verify(client, services, holder):
    signed_by = json.loads(holder.credential.document)["proof"]["verificationMethod"]
    assert list(public_keys(client)) == [signed_by]
    services.issuer.keys.rotate(datetime.now(UTC))
    keys = public_keys(client)
    assert len(keys) == 2 and signed_by in keys
    report = client.post(
        "/api/v1/verify", data=holder.credential.document, content_type="application/json"
    ).get_json()
    assert report["verified"] is True


def test_the_revocation_list_is_signed_and_has_the_revoked_bit(client, services, holder, organiser):
    index = holder.credential.status_index
    assert not is_set(status_list(client, "revocation-1"), index)
    services.caught_up(
        services.app.revoke_credential(holder.credential.credential_id, "Mistake", organiser[0])
    )
    signed = status_list(client, "revocation-1")
    assert signed["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert signed["issuer"] == services.issuer.did
    assert verify_proof(signed, public_keys(client).get).verified
    assert is_set(signed, index)
    assert not is_set(status_list(client, "suspension-1"), index)


def test_a_suspension_sets_the_suspension_list_only(client, services, holder, organiser):
    services.caught_up(
        services.app.suspend_credential(holder.credential.credential_id, "Review", organiser[0])
    )
    index = holder.credential.status_index
    assert is_set(status_list(client, "suspension-1"), index)
    assert not is_set(status_list(client, "revocation-1"), index)
    services.caught_up(
        services.app.reinstate_credential(holder.credential.credential_id, "Fine", organiser[0])
    )
    assert not is_set(status_list(client, "suspension-1"), index)


def test_a_tampered_status_list_no_longer_verifies(client, holder):
    signed = status_list(client, "revocation-1")
    signed["credentialSubject"]["encodedList"] = signed["credentialSubject"]["encodedList"][:-1]
    assert not verify_proof(signed, public_keys(client).get).verified


def test_the_same_bits_are_served_as_the_same_signed_list(client, holder):
    first = client.get("/status/revocation-1")
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert "max-age=60" in first.headers["Cache-Control"]
    assert client.get("/status/revocation-1").data == first.data


def test_lists_that_do_not_exist_are_not_found(client, holder):
    for list_id in ("revocation-2", "expiry-1", "revocation-0", "revocation-01", "revocation"):
        assert client.get(f"/status/{list_id}").status_code == 404, list_id


def test_an_achievement_without_an_image_gets_the_default_art(client, achievement_id):
    response = client.get(f"/achievements/{achievement_id}/v1/image.png")
    assert response.mimetype == "image/png"
    assert "immutable" in response.headers["Cache-Control"]
    assert Image.open(io.BytesIO(response.data)).size == (400, 400)


def test_each_version_keeps_its_own_image(client, services, organiser, course_id):
    blue = base64.b64encode(png("blue")).decode("ascii")
    red = base64.b64encode(png("red")).decode("ascii")
    recorded = services.app.define_achievement(definition(course_id, image=blue), organiser[0])
    achievement = services.caught_up(recorded).id
    services.caught_up(
        services.app.revise_achievement(achievement, definition(course_id, image=red), organiser[0])
    )
    for version, colour in ((1, (0, 0, 255)), (2, (255, 0, 0))):
        image = client.get(f"/achievements/{achievement}/v{version}/image.png").data
        assert Image.open(io.BytesIO(image)).convert("RGB").getpixel((5, 5)) == colour
    assert client.get(f"/achievements/{achievement}/v3/image.png").status_code == 404


def test_images_of_unknown_achievements_are_not_found(client, holder):
    for path in (
        f"/achievements/{holder.person_id}/v1/image.png",  # someone's id, not an achievement's
        "/achievements/6f1c1c9e-0000-4000-8000-000000000000/v1/image.png",
        f"/achievements/{holder.achievement_id}/v0/image.png",
    ):
        assert client.get(path).status_code == 404, path
