"""This deployment as a credential issuer: its did:web, Open Badges Profile and DID document."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any
from urllib.parse import urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from lms.credentials.did_documents import did_document
from lms.credentials.errors import CredentialError
from lms.credentials.keys import IssuerKey, IssuerKeys

_DID_WEB = "did:web:"
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = re.compile(rf"{_LABEL}(?:\.{_LABEL})*")
# Unreserved URL characters only: anything else would need escaping inside the DID.
_PATH_SEGMENT = re.compile(r"[A-Za-z0-9._~-]+")


class InvalidIssuerUrlError(CredentialError):
    """The base URL cannot name a did:web issuer."""


def did_web_for(base_url: str) -> str:
    """The did:web of a base URL: `https://host:8443/hub` -> `did:web:host%3A8443:hub`."""
    host, port, segments = _did_web_parts(base_url)
    return _DID_WEB + host + (f"%3A{port}" if port else "") + "".join(f":{s}" for s in segments)


def _did_web_parts(base_url: str) -> tuple[str, int | None, list[str]]:
    """Host, port and path segments of a base URL, refusing what did:web cannot express."""
    if not isinstance(base_url, str):
        raise InvalidIssuerUrlError("the base URL must be a string")
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or parts.query or parts.fragment:
        raise InvalidIssuerUrlError(f"{base_url!r} is not a plain http(s) URL")
    if parts.username is not None or parts.password is not None:
        raise InvalidIssuerUrlError(f"{base_url!r} carries a user name or password")
    host = parts.hostname or ""
    if not _HOST.fullmatch(host):
        raise InvalidIssuerUrlError(f"{base_url!r} has no host name did:web can carry")
    try:
        port = parts.port
    except ValueError:
        raise InvalidIssuerUrlError(f"{base_url!r} has an invalid port") from None
    segments = parts.path.removesuffix("/").split("/")[1:]
    if not all(_PATH_SEGMENT.fullmatch(segment) for segment in segments):
        raise InvalidIssuerUrlError(f"{base_url!r} has a path did:web cannot carry")
    return host, port, segments


@dataclass(frozen=True)
class Issuer:
    """This deployment: named by the did:web of its base URL, signing with its newest key."""

    base_url: str
    name: str
    keys: IssuerKeys

    def __post_init__(self):
        # A base URL that cannot be a did:web is a set-up error: say so at start, not at signing.
        did_web_for(self.base_url)

    @cached_property
    def did(self) -> str:
        """The issuer's DID, e.g. `did:web:mafunzo.example`."""
        return did_web_for(self.base_url)

    def verification_method_id(self, key: IssuerKey) -> str:
        """The URL naming `key` in the DID document: `<did>#<publicKeyMultibase>`."""
        return f"{self.did}#{key.key_id}"

    def profile(self) -> dict[str, Any]:
        """The issuer as an Open Badges 3.0 Profile."""
        return {"id": self.did, "type": ["Profile"], "name": self.name, "url": self.base_url}

    def did_document(self) -> dict[str, Any]:
        """The DID document: every key, old and new, as a Multikey for assertions and login."""
        keys = self.keys.all()
        return did_document(self.did, [(self.verification_method_id(k), k.key_id) for k in keys])

    def did_document_path(self) -> str:
        """The URL path where did:web resolvers fetch the DID document from this host."""
        _host, _port, segments = _did_web_parts(self.base_url)
        return "/" + "/".join(segments) + "/did.json" if segments else "/.well-known/did.json"

    def key_for(self, verification_method_id: Any) -> IssuerKey | None:
        """Our key named by a verification method URL, or None when it is not one of ours."""
        if not isinstance(verification_method_id, str):
            return None
        did, _, key_id = verification_method_id.partition("#")
        if did != self.did:
            return None
        return next((key for key in self.keys.all() if key.key_id == key_id), None)

    def public_key_for(self, verification_method_id: Any) -> Ed25519PublicKey | None:
        """The public key of one of our own verification methods; None for anyone else's."""
        key = self.key_for(verification_method_id)
        return key.public_key if key else None
