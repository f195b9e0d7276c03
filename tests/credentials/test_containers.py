"""Whatever file a person hands in — JSON, a JWT, a PDF certificate, a baked PNG or SVG — gives
back the credential inside and says which it was; anything else gets a named, plain refusal."""

from __future__ import annotations

import contextlib
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from PIL import Image

from lms.credentials.badge_art import default_badge_png, default_badge_svg
from lms.credentials.baking import bake_png, bake_svg
from lms.credentials.certificate import CertificateView, render_certificate_pdf
from lms.credentials.containers import (
    MAX_CONTAINER_BYTES,
    MAX_CREDENTIAL_BYTES,
    OversizedContainerError,
    UnrecognisedContainerError,
    credential_encoding,
    extract_credential,
)
from lms.credentials.data_integrity import add_proof
from lms.credentials.errors import CredentialError
from lms.credentials.jwt import encode_jwt
from lms.credentials.multikey import did_key, did_key_verification_method
from tests.credentials.conftest import SIGNED_AT
from tests.credentials.samples import issuer_key, open_badge_credential
from tests.credentials.test_certificate import app  # noqa: F401 - the module's Flask app

NAME = "Misingi ya Wikidata — Wikidata basics"


def signed_json() -> str:
    key = issuer_key()
    credential = open_badge_credential(did_key(key.public_key()))
    method = did_key_verification_method(key.public_key())
    return json.dumps(add_proof(credential, key, method, SIGNED_AT), ensure_ascii=False)


def token() -> str:
    key = issuer_key()
    credential = open_badge_credential(did_key(key.public_key()))
    return encode_jwt(credential, key, did_key_verification_method(key.public_key()))


@pytest.fixture(scope="module")
def certificate_pdf(app) -> bytes:
    view = CertificateView(
        "Amina Njeri", NAME, "certificate", "", SIGNED_AT.date(), "Mafunzo", "https://x.example/c/1"
    )
    with app.app_context():
        return render_certificate_pdf(view, signed_json())


@pytest.fixture(scope="module")
def held_files(certificate_pdf) -> dict[str, tuple[bytes, str]]:
    """Each form a person may hold, with the credential text it carries."""
    json_text, jwt_text = signed_json(), token()
    return {
        "json": (json_text.encode(), json_text),
        "json-with-bom-and-newline": (b"\xef\xbb\xbf" + json_text.encode() + b"\n", json_text),
        "jwt": (jwt_text.encode() + b"\r\n", jwt_text),
        "pdf": (certificate_pdf, json_text),
        "png": (bake_png(default_badge_png(NAME, "badge"), jwt_text), jwt_text),
        "svg": (bake_svg(default_badge_svg(NAME, "badge"), json_text).encode(), json_text),
    }


@pytest.mark.parametrize(
    ("held", "expected_format", "encoding"),
    [
        ("json", "json", "json"),
        ("json-with-bom-and-newline", "json", "json"),
        ("jwt", "jwt", "jwt"),
        ("pdf", "pdf", "json"),
        ("png", "png", "jwt"),
        ("svg", "svg", "json"),
    ],
)
def test_each_held_file_gives_back_its_credential_and_says_what_it_was(
    held_files, held, expected_format, encoding
):
    data, credential = held_files[held]

    assert extract_credential(data) == (expected_format, credential)
    assert credential_encoding(credential) == encoding


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(b"", "empty", id="empty"),
        pytest.param(b" \n\t ", "empty", id="whitespace"),
        pytest.param(b"GIF89a\x01\x00\x01\x00", "not a credential", id="gif"),
        pytest.param(b"\xff\xd8\xff\xe0\x00\x10JFIF", "not a credential", id="jpeg"),
        pytest.param(b"hello, verifier", "not a credential", id="prose"),
        pytest.param(b"{\xff\xfe}", "not UTF-8", id="not-utf8"),
        pytest.param(b"eyJhbGciOiJub25lIn0", "neither JSON nor a compact JWT", id="jwt-one-part"),
        pytest.param(b"eyJ.a.b c", "neither JSON nor a compact JWT", id="jwt-with-space"),
    ],
)
def test_files_that_hold_no_credential_are_refused_in_plain_words(data, message):
    with pytest.raises(UnrecognisedContainerError, match=message):
        extract_credential(data)


def test_image_carrying_text_that_is_not_a_credential_is_refused():
    baked = bake_png(default_badge_png(NAME, "badge"), "not a credential")

    with pytest.raises(UnrecognisedContainerError, match="neither JSON nor a compact JWT"):
        extract_credential(baked)


def test_oversized_file_is_refused_before_it_is_read():
    with pytest.raises(OversizedContainerError):
        extract_credential(b"{" + b" " * MAX_CONTAINER_BYTES + b"}")


def test_oversized_credential_is_refused():
    with pytest.raises(OversizedContainerError, match="credential"):
        extract_credential(b'{"name": "' + b"x" * MAX_CREDENTIAL_BYTES + b'"}')


@pytest.mark.parametrize("held", ["pdf", "png", "svg"])
def test_containers_cut_before_the_credential_ends_are_refused(held_files, held):
    data, _ = held_files[held]

    with pytest.raises(CredentialError):
        extract_credential(data[:300])


def _damaged(data: bytes, cut: int, flips: list[tuple[int, int]]) -> bytes:
    damaged = bytearray(data[: max(cut, 8)])
    for position, value in flips:
        damaged[position % len(damaged)] = value
    return bytes(damaged)


@settings(max_examples=150, deadline=None)
@given(
    held=st.sampled_from(["pdf", "png", "svg", "json", "jwt"]),
    cut=st.integers(min_value=0, max_value=200_000),
    flips=st.lists(st.tuples(st.integers(0, 200_000), st.integers(0, 255)), max_size=8),
)
def test_any_damage_to_a_held_file_gives_a_credential_error_or_a_credential(
    held_files, held, cut, flips
):
    data = _damaged(held_files[held][0], cut, flips)

    try:
        container, credential = extract_credential(data)
    except CredentialError:
        return
    assert container in {"json", "jwt", "pdf", "png", "svg"}
    assert credential_encoding(credential) in {"json", "jwt"}


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2_000))
def test_arbitrary_bytes_give_a_credential_error_or_a_credential(data):
    with contextlib.suppress(CredentialError):
        extract_credential(data)


def test_a_png_that_is_only_a_picture_is_refused_as_unbaked():
    plain = io.BytesIO()
    Image.new("RGB", (4, 4)).save(plain, format="PNG")

    with pytest.raises(CredentialError, match="no credential is baked in"):
        extract_credential(plain.getvalue())
