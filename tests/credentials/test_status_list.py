"""Status lists encode as the Bitstring Status List spec says, and hostile lists are refused."""

from __future__ import annotations

import base64
import gzip
import zlib
from datetime import UTC, datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.linked_data import VC_V2_CONTEXT, check_terms, offline_document_loader
from lms.credentials.multikey import did_key, did_key_verification_method, resolve_did_key
from lms.credentials.status_list import (
    MAX_STATUS_LIST_SIZE,
    STATUS_LIST_SIZE,
    MalformedStatusListError,
    OversizedStatusListError,
    StatusIndexError,
    StatusListError,
    StatusListLengthError,
    bit_is_set,
    decode_status_list,
    encode_status_list,
    status_entry,
    status_list_credential,
)
from tests.credentials.samples import issuer_key

LIST_URL = "https://mafunzo.example/status/revocation-1"
# The example list of the Bitstring Status List v1.0 specification: 131,072 bits, none set.
SPEC_EXAMPLE = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA"


def multibase(data: bytes) -> str:
    return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def test_the_specification_example_decodes_to_the_minimum_list_with_no_bit_set():
    bitstring = decode_status_list(SPEC_EXAMPLE)

    assert bitstring == bytes(STATUS_LIST_SIZE // 8)
    assert not bit_is_set(bitstring, 94567)


def test_bit_zero_is_the_left_most_bit_of_the_first_byte():
    bitstring = decode_status_list(encode_status_list({0, 9, STATUS_LIST_SIZE - 1}))

    assert bitstring[:2] == bytes([0b1000_0000, 0b0100_0000])
    assert bitstring[-1] == 0b0000_0001
    assert sum(bin(byte).count("1") for byte in bitstring) == 3


def test_the_encoding_is_gzip_in_unpadded_multibase_base64url():
    encoded = encode_status_list({42})

    assert encoded.startswith("u")
    assert not set("=+/") & set(encoded)
    raw = gzip.decompress(base64.urlsafe_b64decode(encoded[1:] + "=" * (-len(encoded) % 4)))
    assert len(raw) == STATUS_LIST_SIZE // 8


def test_the_same_bits_always_encode_to_the_same_text():
    assert encode_status_list([3, 1, 2]) == encode_status_list({1, 2, 3})


@settings(max_examples=40, deadline=None)
@given(
    set_bits=st.sets(st.integers(0, STATUS_LIST_SIZE - 1), max_size=50),
    probe=st.integers(0, STATUS_LIST_SIZE - 1),
)
def test_exactly_the_set_bits_read_back_as_set(set_bits, probe):
    bitstring = decode_status_list(encode_status_list(set_bits))

    assert all(bit_is_set(bitstring, index) for index in set_bits)
    assert bit_is_set(bitstring, probe) == (probe in set_bits)


def test_a_longer_list_round_trips():
    size = 2 * STATUS_LIST_SIZE

    bitstring = decode_status_list(encode_status_list({size - 1}, size=size))

    assert bit_is_set(bitstring, size - 1)


@pytest.mark.parametrize(
    ("set_bits", "size", "error"),
    [
        ({STATUS_LIST_SIZE}, STATUS_LIST_SIZE, StatusIndexError),
        ({-1}, STATUS_LIST_SIZE, StatusIndexError),
        ({True}, STATUS_LIST_SIZE, StatusIndexError),
        ({"7"}, STATUS_LIST_SIZE, StatusIndexError),
        ((), STATUS_LIST_SIZE - 8, StatusListLengthError),
        ((), STATUS_LIST_SIZE + 1, StatusListLengthError),
    ],
)
def test_lists_that_cannot_be_made_are_refused_by_name(set_bits, size, error):
    with pytest.raises(error):
        encode_status_list(set_bits, size=size)


def gzip_bomb(uncompressed_bytes: int) -> bytes:
    """GZIP of zeros, compressed chunk by chunk so the test itself stays small."""
    compressor = zlib.compressobj(wbits=16 + zlib.MAX_WBITS)
    chunk = bytes(1024 * 1024)
    parts = [compressor.compress(chunk) for _ in range(uncompressed_bytes // len(chunk))]
    return b"".join([*parts, compressor.flush()])


def test_a_gzip_bomb_is_refused_without_inflating_it():
    bomb = multibase(gzip_bomb(64 * 1024 * 1024))

    with pytest.raises(OversizedStatusListError):
        decode_status_list(bomb)


def test_the_size_cap_can_be_lowered():
    longer = encode_status_list((), size=4 * STATUS_LIST_SIZE)

    with pytest.raises(OversizedStatusListError):
        decode_status_list(longer, max_size=2 * STATUS_LIST_SIZE)


VALID_GZIP = gzip.compress(bytes(STATUS_LIST_SIZE // 8))


@pytest.mark.parametrize(
    ("encoded", "error"),
    [
        (None, MalformedStatusListError),
        (42, MalformedStatusListError),
        (SPEC_EXAMPLE.encode(), MalformedStatusListError),
        ("", MalformedStatusListError),
        ("z" + SPEC_EXAMPLE[1:], MalformedStatusListError),
        (SPEC_EXAMPLE + "=", MalformedStatusListError),
        ("u" + base64.b64encode(VALID_GZIP).decode(), MalformedStatusListError),
        (SPEC_EXAMPLE + "A", MalformedStatusListError),
        ("u!!!!", MalformedStatusListError),
        (multibase(b"not gzip at all"), MalformedStatusListError),
        (multibase(VALID_GZIP[:-6]), MalformedStatusListError),
        (multibase(VALID_GZIP + b"trailing"), MalformedStatusListError),
        (multibase(VALID_GZIP + VALID_GZIP), MalformedStatusListError),
        (multibase(gzip.compress(bytes(100))), StatusListLengthError),
        ("u" + "A" * (MAX_STATUS_LIST_SIZE // 4 + 4), MalformedStatusListError),
    ],
    ids=[
        "none",
        "number",
        "bytes",
        "empty",
        "base58-prefix",
        "padded",
        "standard-base64",
        "one-char-too-many",
        "bad-characters",
        "not-gzip",
        "truncated",
        "trailing-bytes",
        "two-members",
        "too-short",
        "oversized-text",
    ],
)
def test_malformed_lists_are_refused_by_name(encoded, error):
    with pytest.raises(error):
        decode_status_list(encoded)


@pytest.mark.parametrize("index", [-1, STATUS_LIST_SIZE, True, "3", 3.0, None])
def test_an_index_outside_the_list_is_a_range_error(index):
    with pytest.raises(StatusIndexError):
        bit_is_set(decode_status_list(SPEC_EXAMPLE), index)


def test_a_status_entry_points_at_one_bit_of_one_list():
    assert status_entry(LIST_URL, "revocation", 94567) == {
        "id": f"{LIST_URL}#94567",
        "type": "BitstringStatusListEntry",
        "statusPurpose": "revocation",
        "statusListIndex": "94567",
        "statusListCredential": LIST_URL,
    }


@pytest.mark.parametrize(
    ("purpose", "index", "error"),
    [
        ("refresh", 1, StatusListError),
        ("Revocation", 1, StatusListError),
        ("revocation", -1, StatusIndexError),
        ("suspension", "1", StatusIndexError),
    ],
)
def test_entries_we_do_not_support_are_refused(purpose, index, error):
    with pytest.raises(error):
        status_entry(LIST_URL, purpose, index)


@pytest.fixture
def signed_list():
    public_key = issuer_key().public_key()
    unsigned = status_list_credential(
        LIST_URL,
        "suspension",
        {5, 94567},
        {"id": did_key(public_key), "type": ["Profile"], "name": "Mafunzo"},
        datetime(2026, 3, 1, tzinfo=UTC),
    )
    return add_proof(
        unsigned, issuer_key(), did_key_verification_method(public_key), datetime.now(UTC)
    )


def test_the_status_list_credential_is_a_signable_vc_with_the_bits_set(signed_list):
    subject = signed_list["credentialSubject"]

    assert signed_list["@context"] == [VC_V2_CONTEXT]
    assert signed_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert signed_list["id"] == LIST_URL
    assert signed_list["issuer"] == did_key(issuer_key().public_key())
    assert subject["id"] == f"{LIST_URL}#list"
    assert subject["type"] == "BitstringStatusList"
    assert subject["statusPurpose"] == "suspension"
    bitstring = decode_status_list(subject["encodedList"])
    assert [bit_is_set(bitstring, i) for i in (4, 5, 6, 94567)] == [False, True, False, True]
    check_terms(signed_list, offline_document_loader)
    assert verify_proof(signed_list, resolve_did_key).verified


def test_a_changed_bit_in_a_signed_list_breaks_its_signature(signed_list):
    signed_list["credentialSubject"]["encodedList"] = encode_status_list({94567})

    assert not verify_proof(signed_list, resolve_did_key).verified
