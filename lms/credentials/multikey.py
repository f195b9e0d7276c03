"""Ed25519 keys as Multikey (multicodec + multibase base58btc) and offline did:key resolution."""

from __future__ import annotations

import base58
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from lms.credentials.errors import InvalidMultikeyError, UnresolvableKeyError

BASE58BTC = "z"
# Multicodec varints: ed25519-pub (0xed) and ed25519-priv (0x1300).
ED25519_PUBLIC_PREFIX = b"\xed\x01"
ED25519_PRIVATE_PREFIX = b"\x80\x26"
_KEY_LENGTH = 32
_DID_KEY = "did:key:"


def to_multibase(data: bytes) -> str:
    """Multibase base58btc: 'z' then the base58 (Bitcoin alphabet) of `data`."""
    return BASE58BTC + base58.b58encode(data).decode("ascii")


def from_multibase(value: str) -> bytes:
    """Decode a multibase base58btc string; any other base is refused."""
    if not isinstance(value, str) or not value.startswith(BASE58BTC):
        raise InvalidMultikeyError("expected a multibase base58btc value starting with 'z'")
    try:
        return base58.b58decode(value[1:].encode("ascii"))
    except (ValueError, UnicodeEncodeError) as error:
        raise InvalidMultikeyError(f"not base58btc: {error}") from error


def encode_public_key(key: Ed25519PublicKey) -> str:
    """The `publicKeyMultibase` of an Ed25519 public key (`z6Mk…`)."""
    return to_multibase(ED25519_PUBLIC_PREFIX + key.public_bytes_raw())


def decode_public_key(multibase: str) -> Ed25519PublicKey:
    """The Ed25519 public key in a `publicKeyMultibase` value."""
    return Ed25519PublicKey.from_public_bytes(_strip_prefix(multibase, ED25519_PUBLIC_PREFIX))


def encode_private_key(key: Ed25519PrivateKey) -> str:
    """The `secretKeyMultibase` of an Ed25519 private key: its 32-byte seed."""
    return to_multibase(ED25519_PRIVATE_PREFIX + key.private_bytes_raw())


def decode_private_key(multibase: str) -> Ed25519PrivateKey:
    """The Ed25519 private key in a `secretKeyMultibase` value."""
    return Ed25519PrivateKey.from_private_bytes(_strip_prefix(multibase, ED25519_PRIVATE_PREFIX))


def did_key(key: Ed25519PublicKey) -> str:
    """The did:key DID of a public key."""
    return _DID_KEY + encode_public_key(key)


def did_key_verification_method(key: Ed25519PublicKey) -> str:
    """The verification method URL of a did:key: the DID, '#', the key again."""
    multikey = encode_public_key(key)
    return f"{_DID_KEY}{multikey}#{multikey}"


def resolve_did_key(url: str) -> Ed25519PublicKey:
    """The public key named by a did:key DID or its verification method URL, offline."""
    if not isinstance(url, str) or not url.startswith(_DID_KEY):
        raise UnresolvableKeyError(f"{url!r} is not a did:key")
    multikey, _, fragment = url.removeprefix(_DID_KEY).partition("#")
    # did:key defines exactly one verification method, whose fragment is the key itself.
    if fragment and fragment != multikey:
        raise UnresolvableKeyError(f"{url!r} names no verification method of its did:key")
    try:
        return decode_public_key(multikey)
    except InvalidMultikeyError as error:
        raise UnresolvableKeyError(f"{url!r}: {error}") from error


def _strip_prefix(multibase: str, prefix: bytes) -> bytes:
    data = from_multibase(multibase)
    if not data.startswith(prefix) or len(data) != len(prefix) + _KEY_LENGTH:
        raise InvalidMultikeyError(
            f"expected multicodec 0x{prefix.hex()} and a {_KEY_LENGTH}-byte Ed25519 key"
        )
    return data[len(prefix) :]
