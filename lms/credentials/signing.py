"""Securing documents as the issuer: a Data Integrity proof, and the same credential as a VC-JWT."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from lms.credentials.data_integrity import add_proof
from lms.credentials.issuer import Issuer
from lms.credentials.jwt import encode_jwt
from lms.credentials.keys import UnknownKeyError


def sign_credential(document: dict[str, Any], issuer: Issuer, created: datetime) -> dict[str, Any]:
    """`document` (a credential or a status list) with a proof by the issuer's current key."""
    key = issuer.keys.current()
    return add_proof(document, key.private_key, issuer.verification_method_id(key), created)


def credential_jwt(signed: dict[str, Any], issuer: Issuer) -> str:
    """The signed credential as a VC-JWT, by the very key its Data Integrity proof names."""
    # The same key, not the current one: both forms of a credential then verify, or fail, alike.
    proof = signed.get("proof")
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    key = issuer.key_for(method)
    if key is None:
        raise UnknownKeyError(f"the proof names {method!r}, which is not a key of {issuer.did}")
    unsecured = {name: value for name, value in signed.items() if name != "proof"}
    return encode_jwt(unsecured, key.private_key, kid=method)
