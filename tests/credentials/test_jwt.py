"""An Open Badge secured as a vc+jwt with EdDSA verifies; malformed or altered tokens do not."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.credentials.errors import (
    ClaimMismatchError,
    CredentialError,
    InvalidSignatureError,
    MalformedTokenError,
    OutsideValidityPeriodError,
    OversizedTokenError,
    UndefinedTermError,
    UnresolvableKeyError,
    UnsupportedAlgorithmError,
)
from lms.credentials.jwt import MAX_TOKEN_LENGTH, decode_and_verify_jwt, encode_jwt
from lms.credentials.multikey import resolve_did_key

NOW = datetime(2026, 6, 1, tzinfo=UTC)


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def part(value) -> str:
    return b64url(json.dumps(value).encode())


def decoded(token_part: str):
    return json.loads(base64.urlsafe_b64decode(token_part + "=" * (-len(token_part) % 4)))


def signed_token(header, payload, private_key) -> str:
    """A token assembled by hand, so tests can sign what encode_jwt would never produce."""
    signing_input = f"{part(header)}.{part(payload)}"
    return f"{signing_input}.{b64url(private_key.sign(signing_input.encode()))}"


@pytest.fixture
def token(open_badge, private_key, verification_method):
    return encode_jwt(open_badge, private_key, verification_method)


def verify(token, now=NOW):
    return decode_and_verify_jwt(token, resolve_did_key, now=now)


def test_the_token_verifies_and_gives_back_the_credential(token, open_badge):
    assert verify(token) == open_badge


def test_the_header_names_eddsa_the_key_and_the_media_type(token, verification_method):
    assert decoded(token.split(".")[0]) == {
        "alg": "EdDSA",
        "kid": verification_method,
        "typ": "vc+jwt",
    }


def test_the_payload_is_the_credential_with_the_open_badges_claims(token, open_badge):
    payload = decoded(token.split(".")[1])

    assert payload == {
        **open_badge,
        "iss": open_badge["issuer"]["id"],
        "jti": open_badge["id"],
        "sub": open_badge["credentialSubject"]["id"],
        "nbf": int(datetime(2026, 3, 1, 12, tzinfo=UTC).timestamp()),
    }
    assert "vc" not in payload


def test_valid_until_becomes_exp_and_is_enforced(open_badge, private_key, verification_method):
    open_badge["validUntil"] = "2026-05-01T00:00:00Z"
    token = encode_jwt(open_badge, private_key, verification_method)

    assert decoded(token.split(".")[1])["exp"] == int(datetime(2026, 5, 1, tzinfo=UTC).timestamp())
    assert verify(token, now=datetime(2026, 4, 1, tzinfo=UTC)) == open_badge
    with pytest.raises(OutsideValidityPeriodError, match="expired"):
        verify(token, now=NOW)


def test_a_credential_not_yet_valid_fails(token):
    with pytest.raises(OutsideValidityPeriodError, match="not valid yet"):
        verify(token, now=datetime(2026, 2, 1, tzinfo=UTC))


@pytest.mark.parametrize("index", [0, 1, 2])
def test_changing_any_character_of_any_part_fails(token, index):
    parts = token.split(".")
    middle = len(parts[index]) // 2
    replacement = "A" if parts[index][middle] != "A" else "B"
    parts[index] = parts[index][:middle] + replacement + parts[index][middle + 1 :]

    with pytest.raises(CredentialError):
        verify(".".join(parts))


def test_a_non_canonical_signature_spelling_fails(token):
    header, payload, signature = token.split(".")
    # 64 bytes leave 4 spare bits in the last character; setting one keeps the same bytes.
    last = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    spelled_differently = signature[:-1] + last[last.index(signature[-1]) | 1]

    with pytest.raises(MalformedTokenError, match="canonical"):
        verify(f"{header}.{payload}.{spelled_differently}")


def test_a_signature_by_another_key_fails(open_badge, verification_method):
    token = encode_jwt(open_badge, Ed25519PrivateKey.generate(), verification_method)

    with pytest.raises(InvalidSignatureError):
        verify(token)


def test_an_unknown_kid_fails(token):
    with pytest.raises(UnresolvableKeyError):
        decode_and_verify_jwt(token, lambda _kid: None, now=NOW)


@pytest.mark.parametrize(
    "header_change",
    [{"alg": "none"}, {"alg": "HS256"}, {"alg": "ES256"}, {"alg": "eddsa"}, {"crit": ["b64"]}],
)
def test_other_algorithms_and_critical_extensions_are_refused(
    open_badge, private_key, verification_method, header_change
):
    header = {"alg": "EdDSA", "kid": verification_method, "typ": "vc+jwt", **header_change}
    token = signed_token(header, open_badge, private_key)

    with pytest.raises(UnsupportedAlgorithmError):
        verify(token)


def test_an_unsigned_token_is_refused(token):
    header, payload, _signature = token.split(".")
    unsecured = part({"alg": "none", "kid": decoded(header)["kid"]})

    with pytest.raises(MalformedTokenError, match="three non-empty parts"):
        verify(f"{unsecured}.{payload}.")


def test_the_plain_jwt_type_of_open_badges_is_accepted(token, private_key, open_badge):
    header, payload, _signature = token.split(".")
    header_value = {**decoded(header), "typ": "JWT"}

    assert verify(signed_token(header_value, decoded(payload), private_key)) == open_badge


@pytest.mark.parametrize(
    "malformed",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "..",
        "eyJ.eyJ.sig=",
        "not base64!.e30.e30",
        part([1, 2]) + ".e30.AAAA",
        b64url(b"\xff\xfe") + ".e30.AAAA",
        b64url(b'{"alg":"EdDSA","alg":"none"}') + ".e30.AAAA",
        None,
    ],
)
def test_malformed_tokens_are_refused_with_a_clear_error(malformed):
    with pytest.raises(MalformedTokenError):
        verify(malformed)


def test_an_oversized_token_is_refused_before_parsing():
    with pytest.raises(OversizedTokenError):
        verify("a" * (MAX_TOKEN_LENGTH + 1))


@pytest.mark.parametrize(
    "claim_change",
    [
        {"iss": "did:key:z6MkSomeoneElse"},
        {"jti": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        {"sub": "urn:uuid:00000000-0000-4000-8000-000000000000"},
        {"nbf": 0},
        {"exp": 4102444800},
    ],
)
def test_claims_that_disagree_with_the_credential_fail(
    token, private_key, verification_method, claim_change
):
    header, payload, _signature = token.split(".")
    forged = signed_token(decoded(header), {**decoded(payload), **claim_change}, private_key)

    with pytest.raises(ClaimMismatchError):
        verify(forged)


def test_a_vc_1_1_style_vc_claim_is_refused(token, private_key):
    header, payload, _signature = token.split(".")
    claims = decoded(payload)
    forged = signed_token(decoded(header), {**claims, "vc": {}}, private_key)

    with pytest.raises(ClaimMismatchError, match="vc/vp claims"):
        verify(forged)


def test_a_credential_already_holding_claim_names_is_not_encoded(
    open_badge, private_key, verification_method
):
    with pytest.raises(ClaimMismatchError, match="iss"):
        encode_jwt({**open_badge, "iss": "x"}, private_key, verification_method)


def test_undefined_members_in_the_payload_fail_as_in_data_integrity(
    open_badge, private_key, verification_method
):
    open_badge["credentialSubject"]["shoeSize"] = 42
    token = encode_jwt(open_badge, private_key, verification_method)

    with pytest.raises(UndefinedTermError):
        verify(token)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ "))
def test_arbitrary_strings_fail_with_a_credential_error(text):
    with pytest.raises(CredentialError):
        decode_and_verify_jwt(text, resolve_did_key, now=NOW)
