"""The one verifier behind /verify, the API and the CLI: every check reported in plain words."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from flask_babel import LazyString
from flask_babel import lazy_gettext as _l

from lms.credentials.containers import extract_credential
from lms.credentials.credential_status import (
    ACTIVE,
    REVOKED,
    SUSPENDED,
    UNKNOWN,
    StatusListSource,
    credential_status,
)
from lms.credentials.data_integrity import verify_proof
from lms.credentials.dates import parse_datetime
from lms.credentials.did_documents import did_key_document, lists_for_assertion, method_public_key
from lms.credentials.errors import (
    CredentialError,
    InvalidSignatureError,
    OutsideValidityPeriodError,
    RelativeIriError,
    UndefinedTermError,
    UnknownContextError,
    UnresolvableKeyError,
)
from lms.credentials.issuer import Issuer
from lms.credentials.jwt import MAX_TOKEN_LENGTH, MIRRORED_CLAIMS, decode_and_verify_jwt
from lms.credentials.open_badges import check_open_badge_structure

FORMAT, PROOF, ISSUER_KEY, ISSUER, DATES, STATUS, STRUCTURE = (
    "format",
    "proof",
    "issuer_key",
    "issuer",
    "dates",
    "status",
    "structure",
)
PASSED, FAILED, NOT_CHECKED = "passed", "failed", "not_checked"
# A credential is verified only when these passed; "status" may honestly be unknown.
_MUST_PASS = (PROOF, ISSUER_KEY, ISSUER, DATES, STRUCTURE)
MAX_CREDENTIAL_LENGTH = MAX_TOKEN_LENGTH
_COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")

DidResolver = Callable[[str], dict[str, Any] | None]


@dataclass(frozen=True)
class Check:
    """One check: a stable name, its outcome, and what it means in plain (translatable) words."""

    name: str
    outcome: str
    message: LazyString


@dataclass(frozen=True)
class VerificationReport:
    """Every check on one credential; `verified` only when all that must pass did."""

    verified: bool
    checks: tuple[Check, ...]
    credential: dict[str, Any] | None
    format: str
    status: str


@dataclass(frozen=True)
class VerificationContext:
    """What a verification may consult: DID documents, our status lists, and the time."""

    resolve_did: DidResolver
    status_list: StatusListSource
    now: datetime


def offline_did_resolver(issuer: Issuer | None) -> DidResolver:
    """Resolves did:key from the key itself and our own did:web from our keys; nothing else."""

    def resolve(did: str) -> dict[str, Any] | None:
        if issuer is not None and did == issuer.did:
            return issuer.did_document()
        return did_key_document(did)

    return resolve


def verify_credential_bytes(data: bytes, context: VerificationContext) -> VerificationReport:
    """Verify the credential in an uploaded file: JSON, JWT, PDF, or a baked PNG or SVG."""
    try:
        container, text = extract_credential(data)
    except CredentialError as error:
        return _unreadable(_l("No credential could be read from this file: %(why)s", why=error))
    return replace(verify_credential_text(text, context), format=container)


def verify_credential_text(text: str, context: VerificationContext) -> VerificationReport:
    """Verify a credential given as JSON (with a Data Integrity proof) or as a compact JWT."""
    if not isinstance(text, str) or len(text) > MAX_CREDENTIAL_LENGTH:
        return _unreadable(
            _l(
                "This is over %(limit)s characters: too long for a credential.",
                limit=MAX_CREDENTIAL_LENGTH,
            )
        )
    text = text.strip()
    if text.startswith("{"):
        return _verify_json(text, context)
    if _COMPACT_JWS.fullmatch(text):
        return _verify_jwt(text, context)
    return _unreadable(_l("This is neither a credential in JSON nor a JWT."))


def _verify_json(text: str, context: VerificationContext) -> VerificationReport:
    try:
        document = _parse_json(text)
    except (ValueError, RecursionError) as error:
        return _unreadable(_l("This is not valid JSON: %(why)s", why=error), "json")
    if not isinstance(document, dict):
        return _unreadable(_l("This JSON is not an object, so it is not a credential."), "json")
    proof = document.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    check = verify_proof(document, lambda named: _public_key(named, context))
    proof_check = _proof_check(check.error)
    format_check = Check(FORMAT, PASSED, _l("A credential in JSON, with an embedded proof."))
    return _report("json", format_check, document, proof_check, method, context)


def _verify_jwt(token: str, context: VerificationContext) -> VerificationReport:
    try:
        header, credential = _read_jwt(token)
    except (ValueError, RecursionError):
        return _unreadable(_l("This looks like a JWT, but its parts are not JSON objects."), "jwt")
    try:
        credential = decode_and_verify_jwt(
            token, lambda named: _public_key(named, context), now=context.now
        )
        proof_check = _proof_check(None)
    except OutsideValidityPeriodError:
        # Raised only once signature, claims and terms all passed; the dates check reports it.
        proof_check = _proof_check(None)
    except CredentialError as error:
        proof_check = _proof_check(error)
    format_check = Check(FORMAT, PASSED, _l("A credential secured as a JWT (VC-JWT)."))
    return _report("jwt", format_check, credential, proof_check, header.get("kid"), context)


def _report(
    format_name: str,
    format_check: Check,
    credential: dict[str, Any],
    proof_check: Check,
    method: Any,
    context: VerificationContext,
) -> VerificationReport:
    issuer_id = _issuer_id(credential)
    issuer_document = _resolve(issuer_id, context)
    status_check, status = _status_check(credential, issuer_id, issuer_document, context)
    checks = (
        format_check,
        proof_check,
        _issuer_key_check(method, issuer_id, issuer_document),
        _issuer_check(issuer_id, issuer_document),
        _dates_check(credential, context.now),
        status_check,
        _structure_check(credential),
    )
    verified = all(check.outcome != FAILED for check in checks) and all(
        check.outcome == PASSED for check in checks if check.name in _MUST_PASS
    )
    return VerificationReport(verified, checks, credential, format_name, status)


def _unreadable(why: LazyString, format_name: str = UNKNOWN) -> VerificationReport:
    skipped = _l("Not checked: no credential could be read.")
    others = (PROOF, ISSUER_KEY, ISSUER, DATES, STATUS, STRUCTURE)
    checks = (Check(FORMAT, FAILED, why), *(Check(name, NOT_CHECKED, skipped) for name in others))
    return VerificationReport(False, checks, None, format_name, UNKNOWN)


def _proof_check(error: CredentialError | None) -> Check:
    if error is None:
        return Check(PROOF, PASSED, _l("The signature matches: nothing changed since signing."))
    if isinstance(error, UnresolvableKeyError):
        return Check(PROOF, NOT_CHECKED, _l("The key named by the proof could not be found."))
    if isinstance(error, InvalidSignatureError):
        message = _l("The signature does not match: the credential was changed after signing.")
    elif isinstance(error, UnknownContextError):
        message = _l("It uses a JSON-LD context we do not know, and contexts are never fetched.")
    elif isinstance(error, UndefinedTermError | RelativeIriError):
        message = _l("It has members or types its contexts do not define: %(why)s", why=error)
    else:
        message = _l("The proof is not valid: %(why)s", why=error)
    return Check(PROOF, FAILED, message)


def _issuer_key_check(method: Any, issuer_id: Any, issuer_document: dict | None) -> Check:
    if not isinstance(method, str):
        return Check(ISSUER_KEY, NOT_CHECKED, _l("No signing key is named."))
    if issuer_document is None:
        return Check(
            ISSUER_KEY,
            NOT_CHECKED,
            _l("Without the issuer's DID document, the key cannot be tied to it."),
        )
    if not lists_for_assertion(issuer_document, method):
        return Check(
            ISSUER_KEY,
            FAILED,
            _l("The issuer %(issuer)s does not list this key for issuing.", issuer=issuer_id),
        )
    return Check(ISSUER_KEY, PASSED, _l("The signing key is one the issuer lists for issuing."))


def _issuer_check(issuer_id: Any, issuer_document: dict | None) -> Check:
    if not isinstance(issuer_id, str):
        return Check(ISSUER, FAILED, _l("The credential does not name its issuer."))
    if issuer_document is None:
        return Check(
            ISSUER, FAILED, _l("The issuer %(issuer)s could not be resolved.", issuer=issuer_id)
        )
    return Check(ISSUER, PASSED, _l("The issuer %(issuer)s was resolved.", issuer=issuer_id))


def _dates_check(credential: dict[str, Any], now: datetime) -> Check:
    try:
        valid_from = parse_datetime(credential.get("validFrom"))
        valid_until = credential.get("validUntil")
        expiry = parse_datetime(valid_until) if valid_until is not None else None
    except CredentialError as error:
        return Check(DATES, FAILED, _l("Its dates cannot be read: %(why)s", why=error))
    if valid_from > now:
        return Check(
            DATES, FAILED, _l("It is not valid until %(date)s.", date=credential["validFrom"])
        )
    if expiry is not None and expiry <= now:
        return Check(DATES, FAILED, _l("It expired on %(date)s.", date=valid_until))
    return Check(DATES, PASSED, _l("It is valid from %(date)s.", date=credential["validFrom"]))


def _structure_check(credential: dict[str, Any]) -> Check:
    if problems := check_open_badge_structure(credential):
        return Check(
            STRUCTURE,
            FAILED,
            _l("It does not follow Open Badges 3.0: %(problems)s", problems=" ".join(problems)),
        )
    return Check(STRUCTURE, PASSED, _l("It has every member Open Badges 3.0 requires."))


def _status_check(
    credential: dict[str, Any],
    issuer_id: Any,
    issuer_document: dict | None,
    context: VerificationContext,
) -> tuple[Check, str]:
    if issuer_document is None:
        untrusted = _l("Without the issuer's DID document, its status lists cannot be trusted.")
        return Check(STATUS, NOT_CHECKED, untrusted), UNKNOWN

    def issuer_key(method: str) -> Ed25519PublicKey | None:
        listed = lists_for_assertion(issuer_document, method)
        return _public_key(method, context) if listed else None

    status = credential_status(credential, issuer_id, issuer_key, context.status_list, context.now)
    if status.state == REVOKED:
        return Check(STATUS, FAILED, _l("The issuer has revoked this credential.")), REVOKED
    if status.state == SUSPENDED:
        return Check(STATUS, FAILED, _l("The issuer has suspended this credential.")), SUSPENDED
    if status.state == UNKNOWN:
        return Check(STATUS, NOT_CHECKED, status.why_unknown), UNKNOWN
    return Check(STATUS, PASSED, _l("It is neither revoked nor suspended.")), ACTIVE


def _issuer_id(document: dict[str, Any]) -> Any:
    issuer = document.get("issuer")
    return issuer.get("id") if isinstance(issuer, dict) else issuer


def _resolve(did: Any, context: VerificationContext) -> dict[str, Any] | None:
    if not isinstance(did, str) or not did.startswith("did:"):
        return None
    document = context.resolve_did(did)
    return document if isinstance(document, dict) and document.get("id") == did else None


def _public_key(method: Any, context: VerificationContext) -> Ed25519PublicKey | None:
    """The key a verification method URL names, from its controller's DID document."""
    if not isinstance(method, str):
        return None
    document = _resolve(method.partition("#")[0], context)
    return method_public_key(document, method) if document else None


def _parse_json(text: str) -> Any:
    return json.loads(
        text, object_pairs_hook=_refuse_duplicate_members, parse_constant=_refuse_constant
    )


def _refuse_duplicate_members(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # Two members with one name make the document mean different things to different parsers.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member name appears twice")
    return members


def _refuse_constant(name: str) -> None:
    raise ValueError(f"{name} is not a JSON number")


def _read_jwt(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """Header and credential of a compact JWS, not yet verified (its checks need both)."""
    header_part, payload_part, _signature = token.split(".")
    header, payload = (
        _parse_json(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)).decode("utf-8"))
        for part in (header_part, payload_part)
    )
    if not isinstance(header, dict) or not isinstance(payload, dict):
        raise ValueError("a JWT header and payload are JSON objects")
    return header, {name: value for name, value in payload.items() if name not in MIRRORED_CLAIMS}
