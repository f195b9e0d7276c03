"""DID documents of Multikey controllers: writing one, did:key's offline, and reading any."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials.errors import InvalidMultikeyError, UnresolvableKeyError
from lms.credentials.multikey import (
    decode_public_key,
    did_key,
    did_key_verification_method,
    encode_public_key,
    resolve_did_key,
)

DID_CONTEXT = "https://www.w3.org/ns/did/v1"
MULTIKEY_CONTEXT = "https://w3id.org/security/multikey/v1"


def did_document(did: str, methods: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """A DID document listing each (method id, publicKeyMultibase) for issuing and for login."""
    methods = list(methods)
    return {
        "@context": [DID_CONTEXT, MULTIKEY_CONTEXT],
        "id": did,
        "verificationMethod": [
            {"id": method, "type": "Multikey", "controller": did, "publicKeyMultibase": multikey}
            for method, multikey in methods
        ],
        "assertionMethod": [method for method, _multikey in methods],
        "authentication": [method for method, _multikey in methods],
    }


def did_key_document(did: Any) -> dict[str, Any] | None:
    """The DID document a did:key stands for, made offline; None for anything else."""
    try:
        key = resolve_did_key(did)
    except UnresolvableKeyError:
        return None
    # Only the canonical spelling: a DID URL with a fragment, or odd base58, names no document.
    if did != did_key(key):
        return None
    return did_document(did, [(did_key_verification_method(key), encode_public_key(key))])


def method_public_key(document: dict[str, Any], method: str) -> Ed25519PublicKey | None:
    """The Ed25519 key of the verification method `method` in `document`, if it has one."""
    entries = document.get("verificationMethod")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and _absolute(document, entry.get("id")) == method:
            try:
                return decode_public_key(entry.get("publicKeyMultibase"))
            except InvalidMultikeyError:
                return None
    return None


def lists_for_assertion(document: dict[str, Any], method: str) -> bool:
    """Whether the document authorises `method` to issue credentials (its assertionMethod)."""
    references = document.get("assertionMethod")
    references = references if isinstance(references, list) else []
    return any(_absolute(document, reference) == method for reference in references)


def _absolute(document: dict[str, Any], reference: Any) -> Any:
    # A DID document may name its own methods relatively, as "#key-1".
    if isinstance(reference, str) and reference.startswith("#"):
        return f"{document.get('id')}{reference}"
    return reference
