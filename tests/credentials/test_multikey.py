"""Ed25519 keys survive the Multikey round trip, and did:key resolves offline."""

from __future__ import annotations

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credentials.errors import InvalidMultikeyError, UnresolvableKeyError
from lms.credentials.multikey import (
    decode_private_key,
    decode_public_key,
    did_key,
    did_key_verification_method,
    encode_private_key,
    encode_public_key,
    resolve_did_key,
    to_multibase,
)


def raw(public_key):
    return public_key.public_bytes_raw()


def test_a_public_key_round_trips_as_a_z6mk_multikey():
    key = Ed25519PrivateKey.generate().public_key()

    multikey = encode_public_key(key)

    assert multikey.startswith("z6Mk")
    assert raw(decode_public_key(multikey)) == raw(key)


def test_a_private_key_round_trips_and_keeps_its_public_half():
    key = Ed25519PrivateKey.generate()

    decoded = decode_private_key(encode_private_key(key))

    assert raw(decoded.public_key()) == raw(key.public_key())


def test_a_private_key_is_not_accepted_as_a_public_key():
    secret = encode_private_key(Ed25519PrivateKey.generate())

    with pytest.raises(InvalidMultikeyError, match="0xed01"):
        decode_public_key(secret)


@pytest.mark.parametrize(
    "value",
    [
        "u7QE",  # base64url multibase, not base58btc
        "z0OIl",  # characters outside the base58 alphabet
        to_multibase(b"\xed\x01" + bytes(31)),  # one byte short
        to_multibase(b"\xe7\x01" + bytes(33)),  # secp256k1 codec
        42,
    ],
)
def test_malformed_multikeys_are_refused(value):
    with pytest.raises(InvalidMultikeyError):
        decode_public_key(value)


def test_a_did_key_and_its_verification_method_resolve_to_the_key():
    key = Ed25519PrivateKey.generate().public_key()

    assert raw(resolve_did_key(did_key(key))) == raw(key)
    assert raw(resolve_did_key(did_key_verification_method(key))) == raw(key)


@pytest.mark.parametrize(
    "url",
    [
        "did:web:example.org#key-1",
        "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#key-1",
        "did:key:zNotAKey",
    ],
)
def test_anything_but_a_did_key_naming_its_own_key_is_unresolvable(url):
    with pytest.raises(UnresolvableKeyError):
        resolve_did_key(url)
