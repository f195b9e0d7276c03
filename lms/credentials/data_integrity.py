"""W3C Data Integrity proofs with the eddsa-rdfc-2022 cryptosuite (vc-di-eddsa, section 3.2)."""

from __future__ import annotations

import copy
import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.dates import format_datetime, parse_datetime
from lms.credentials.errors import (
    CredentialError,
    InvalidDocumentError,
    InvalidMultikeyError,
    InvalidSignatureError,
    MalformedProofError,
    UnresolvableKeyError,
    UnsupportedProofError,
)
from lms.credentials.linked_data import DocumentLoader, canonicalize, offline_document_loader
from lms.credentials.multikey import from_multibase, to_multibase

PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-rdfc-2022"
_SIGNATURE_LENGTH = 64

PublicKeyLookup = Callable[[str], Ed25519PublicKey | None]


@dataclass(frozen=True)
class ProofCheck:
    """The outcome of checking a document's proof: verified unless an error is recorded."""

    verification_method: str | None
    error: CredentialError | None = None

    @property
    def verified(self) -> bool:
        """True when the proof checked out."""
        return self.error is None


def add_proof(
    document: dict[str, Any],
    private_key: Ed25519PrivateKey,
    verification_method: str,
    created: datetime,
    proof_purpose: str = "assertionMethod",
    document_loader: DocumentLoader = offline_document_loader,
) -> dict[str, Any]:
    """A copy of `document` secured with an eddsa-rdfc-2022 proof (vc-di-eddsa 3.2.1)."""
    if "proof" in document:
        raise MalformedProofError("the document already has a proof; proof sets are not supported")
    options = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": format_datetime(created),
        "verificationMethod": verification_method,
        "proofPurpose": proof_purpose,
    }
    data = hash_data(
        proof_configuration(document, options, document_loader),
        transform(document, document_loader),
    )
    # A deep copy, so later edits to the signed document cannot reach back into the caller's.
    secured = copy.deepcopy(document)
    secured["proof"] = {**options, "proofValue": to_multibase(private_key.sign(data))}
    return secured


def verify_proof(
    document: dict[str, Any],
    public_key_for: PublicKeyLookup,
    document_loader: DocumentLoader = offline_document_loader,
    expected_purpose: str = "assertionMethod",
) -> ProofCheck:
    """Check the document's eddsa-rdfc-2022 proof (vc-di-eddsa 3.2.2), failing closed.

    `public_key_for` must only return keys the issuer authorises for `expected_purpose`;
    binding the verification method to the credential's issuer is the caller's decision.
    """
    proof = document.get("proof") if isinstance(document, dict) else None
    method = proof.get("verificationMethod") if isinstance(proof, dict) else None
    try:
        proof_bytes = _checked_proof_bytes(proof, expected_purpose)
        public_key = public_key_for(method)
        if public_key is None:
            raise UnresolvableKeyError(f"no public key is known for {method!r}")
        unsecured = {key: value for key, value in document.items() if key != "proof"}
        options = {key: value for key, value in proof.items() if key != "proofValue"}
        data = hash_data(
            proof_configuration(unsecured, options, document_loader),
            transform(unsecured, document_loader),
        )
        _verify_signature(public_key, proof_bytes, data)
    except CredentialError as error:
        return ProofCheck(method if isinstance(method, str) else None, error)
    return ProofCheck(method)


def transform(document: dict[str, Any], document_loader: DocumentLoader) -> str:
    """The canonical N-Quads of the unsecured document (vc-di-eddsa 3.2.3)."""
    if "@context" not in document:
        raise InvalidDocumentError("the document has no @context")
    return canonicalize(document, document_loader)


def proof_configuration(
    document: dict[str, Any], options: dict[str, Any], document_loader: DocumentLoader
) -> str:
    """The canonical proof configuration, carrying the document's @context (vc-di-eddsa 3.2.5)."""
    if options.get("type") != PROOF_TYPE or options.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedProofError(f"only {PROOF_TYPE} with {CRYPTOSUITE} is supported")
    if "created" in options:
        parse_datetime(options["created"])
    if "@context" not in document:
        raise InvalidDocumentError("the document has no @context")
    return canonicalize({**options, "@context": document["@context"]}, document_loader)


def hash_data(canonical_proof_config: str, canonical_document: str) -> bytes:
    """SHA-256 of the proof configuration, then SHA-256 of the document (vc-di-eddsa 3.2.4)."""
    return (
        hashlib.sha256(canonical_proof_config.encode("utf-8")).digest()
        + hashlib.sha256(canonical_document.encode("utf-8")).digest()
    )


def _checked_proof_bytes(proof: Any, expected_purpose: str) -> bytes:
    """The signature bytes, once the proof's shape, suite and purpose are what we accept."""
    if not isinstance(proof, dict):
        raise MalformedProofError(
            "expected exactly one proof object (proof sets are not supported)"
        )
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        raise UnsupportedProofError(f"only {PROOF_TYPE} with {CRYPTOSUITE} is supported")
    if proof.get("proofPurpose") != expected_purpose:
        raise UnsupportedProofError(f"proof purpose must be {expected_purpose!r}")
    if not isinstance(proof.get("verificationMethod"), str):
        raise MalformedProofError("the proof's verificationMethod must be a URL")
    try:
        proof_bytes = from_multibase(proof.get("proofValue"))
    except InvalidMultikeyError as error:
        raise MalformedProofError(f"proofValue: {error}") from error
    if len(proof_bytes) != _SIGNATURE_LENGTH:
        raise MalformedProofError(f"proofValue must hold a {_SIGNATURE_LENGTH}-byte signature")
    return proof_bytes


def _verify_signature(public_key: Ed25519PublicKey, signature: bytes, data: bytes) -> None:
    try:
        public_key.verify(signature, data)
    except InvalidSignature as error:
        raise InvalidSignatureError("the signature does not match the document") from error
