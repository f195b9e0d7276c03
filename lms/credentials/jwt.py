"""Credentials as compact JWS signed with EdDSA: VC-JOSE-COSE, with Open Badges 3.0's JWT claims."""

from __future__ import annotations

import base64
import binascii
import json
import re
from datetime import UTC, datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.data_integrity import PublicKeyLookup
from lms.credentials.dates import parse_datetime
from lms.credentials.errors import (
    ClaimMismatchError,
    InvalidSignatureError,
    MalformedTokenError,
    OutsideValidityPeriodError,
    OversizedTokenError,
    UnresolvableKeyError,
    UnsupportedAlgorithmError,
)
from lms.credentials.linked_data import DocumentLoader, check_terms, offline_document_loader

ALGORITHM = "EdDSA"
MEDIA_TYPE = "vc+jwt"
# Open Badges 3.0 ("Create the JOSE Header") says typ, when present, is "JWT"; VC-JOSE-COSE says
# vc+jwt. We issue the latter and accept both, so tokens following either text still verify.
_ACCEPTED_TYPES = {MEDIA_TYPE, "JWT"}
# Generous for a badge with an embedded image, small enough that parsing stays cheap.
MAX_TOKEN_LENGTH = 256 * 1024
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
# Claims that mirror credential members (Open Badges 3.0, "JWT Payload Format").
MIRRORED_CLAIMS = ("iss", "jti", "sub", "nbf", "exp")


def encode_jwt(credential: dict[str, Any], private_key: Ed25519PrivateKey, kid: str) -> str:
    """A compact JWS whose payload is the credential plus its mirrored JWT claims."""
    if clashing := set(MIRRORED_CLAIMS) & set(credential):
        raise ClaimMismatchError(
            f"the credential already holds JWT claim names: {sorted(clashing)}"
        )
    header = {"alg": ALGORITHM, "kid": kid, "typ": MEDIA_TYPE}
    payload = {**credential, **_claims_for(credential)}
    signing_input = f"{_encode_part(header)}.{_encode_part(payload)}"
    signature = private_key.sign(signing_input.encode("ascii"))
    return f"{signing_input}.{_b64url(signature)}"


def decode_and_verify_jwt(
    token: str,
    public_key_for: PublicKeyLookup,
    now: datetime | None = None,
    document_loader: DocumentLoader = offline_document_loader,
) -> dict[str, Any]:
    """The credential inside a verified token; raises a CredentialError on any failure."""
    header_part, payload_part, signature_part = _split(token)
    header = _decode_json(header_part, "header")
    _check_header(header)
    public_key = public_key_for(header["kid"])
    if public_key is None:
        raise UnresolvableKeyError(f"no public key is known for kid {header['kid']!r}")
    try:
        public_key.verify(_b64url_decode(signature_part), f"{header_part}.{payload_part}".encode())
    except InvalidSignature as error:
        raise InvalidSignatureError("the JWS signature does not match") from error
    payload = _decode_json(payload_part, "payload")
    credential = {key: value for key, value in payload.items() if key not in MIRRORED_CLAIMS}
    _check_claims(payload, credential)
    # The payload is the JSON-LD credential itself: hold it to the same strict contexts.
    check_terms(payload, document_loader)
    _check_validity_period(payload, now or datetime.now(UTC))
    return credential


def _claims_for(credential: dict[str, Any]) -> dict[str, Any]:
    """iss, jti, sub, nbf and exp mirroring issuer.id, id, credentialSubject.id and validity."""
    claims = {
        "iss": _issuer_id(credential),
        "jti": credential.get("id"),
        "sub": _subject_id(credential),
        "nbf": _numeric_date(credential.get("validFrom")),
        "exp": _numeric_date(credential.get("validUntil")),
    }
    if claims["iss"] is None or claims["nbf"] is None:
        raise ClaimMismatchError("a credential needs an issuer and validFrom to become a JWT")
    return {name: value for name, value in claims.items() if value is not None}


def _check_header(header: dict[str, Any]) -> None:
    if header.get("alg") != ALGORITHM:
        raise UnsupportedAlgorithmError(f"alg must be {ALGORITHM!r}, got {header.get('alg')!r}")
    if "crit" in header:
        raise UnsupportedAlgorithmError("critical header extensions are not supported")
    if "typ" in header and header["typ"] not in _ACCEPTED_TYPES:
        raise UnsupportedAlgorithmError(f"typ {header['typ']!r} is not a credential JWT")
    if not isinstance(header.get("kid"), str):
        raise MalformedTokenError("the header needs a kid naming the verification method")


def _check_claims(payload: dict[str, Any], credential: dict[str, Any]) -> None:
    """Each claim must be present exactly when its credential member is, with the same value."""
    if "vc" in payload or "vp" in payload:
        raise ClaimMismatchError("vc/vp claims (VC 1.1 style) are not accepted for VC 2.0")
    expected = _claims_for(credential)
    for name in MIRRORED_CLAIMS:
        if payload.get(name) != expected.get(name):
            raise ClaimMismatchError(
                f"claim {name!r} is {payload.get(name)!r}; the credential implies "
                f"{expected.get(name)!r}"
            )


def _check_validity_period(payload: dict[str, Any], now: datetime) -> None:
    moment = now.timestamp()
    if payload["nbf"] > moment:
        raise OutsideValidityPeriodError("the credential is not valid yet")
    if "exp" in payload and payload["exp"] <= moment:
        raise OutsideValidityPeriodError("the credential has expired")


def _issuer_id(credential: dict[str, Any]) -> Any:
    issuer = credential.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _subject_id(credential: dict[str, Any]) -> Any:
    subject = credential.get("credentialSubject")
    return subject.get("id") if isinstance(subject, dict) else None


def _numeric_date(value: Any) -> int | float | None:
    """A JWT NumericDate for an XSD dateTimeStamp: whole seconds stay integers."""
    if value is None:
        return None
    seconds = parse_datetime(value).timestamp()
    return int(seconds) if seconds.is_integer() else seconds


def _split(token: Any) -> tuple[str, str, str]:
    if not isinstance(token, str):
        raise MalformedTokenError("a JWT is a string")
    if len(token) > MAX_TOKEN_LENGTH:
        raise OversizedTokenError(f"the token is over {MAX_TOKEN_LENGTH} characters")
    parts = token.strip().split(".")
    if len(parts) != 3 or not all(parts):
        raise MalformedTokenError("a compact JWS has exactly three non-empty parts")
    return parts[0], parts[1], parts[2]


def _decode_json(part: str, name: str) -> dict[str, Any]:
    try:
        text = _b64url_decode(part).decode("utf-8")
        value = json.loads(text, object_pairs_hook=_refuse_duplicate_members)
    except (UnicodeDecodeError, ValueError) as error:
        raise MalformedTokenError(f"the {name} is not JSON: {error}") from error
    if not isinstance(value, dict):
        raise MalformedTokenError(f"the {name} is not a JSON object")
    return value


def _refuse_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # RFC 7515 §5.2: duplicate member names make a JOSE object ambiguous; reject them.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise MalformedTokenError("duplicate member names in a JWT part")
    return members


def _encode_part(value: dict[str, Any]) -> str:
    return _b64url(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(part: str) -> bytes:
    """Strict base64url: no padding, no stray characters, and the one canonical spelling."""
    if not _BASE64URL.fullmatch(part) or len(part) % 4 == 1:
        raise MalformedTokenError("a JWT part is not unpadded base64url")
    try:
        data = base64.urlsafe_b64decode(part + "=" * (-len(part) % 4))
    except binascii.Error as error:
        raise MalformedTokenError(f"a JWT part is not base64url: {error}") from error
    # Non-zero spare bits would let two spellings carry the same bytes: refuse all but one.
    if _b64url(data) != part:
        raise MalformedTokenError("a JWT part is not canonically encoded")
    return data
