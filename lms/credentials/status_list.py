"""W3C Bitstring Status List v1.0: revocation and suspension bits, GZIP-compressed and multibase."""

from __future__ import annotations

import base64
import binascii
import gzip
import re
import zlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from lms.credentials.dates import format_datetime
from lms.credentials.errors import CredentialError
from lms.credentials.linked_data import VC_V2_CONTEXT

# The specification's minimum (16 KiB of bits), so one credential hides among many (herd privacy).
STATUS_LIST_SIZE = 131_072
# Far above any list we publish; caps what a hostile list can make us decompress (a gzip bomb).
MAX_STATUS_LIST_SIZE = 128 * STATUS_LIST_SIZE
REVOCATION, SUSPENSION = "revocation", "suspension"
STATUS_PURPOSES = (REVOCATION, SUSPENSION)
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
_MULTIBASE_BASE64URL = "u"
_BASE64URL = re.compile(r"[A-Za-z0-9_-]*")
_GZIP = 16 + zlib.MAX_WBITS


class StatusListError(CredentialError):
    """A status list or status entry cannot be read or made."""


class MalformedStatusListError(StatusListError):
    """The encoded list is not multibase base64url of GZIP data."""


class OversizedStatusListError(StatusListError):
    """The list decompresses to more bits than we accept."""


class StatusListLengthError(StatusListError):
    """The list is shorter than the specification's minimum (STATUS_LIST_LENGTH_ERROR)."""


class StatusIndexError(StatusListError):
    """The status index is not a position in the list (RANGE_ERROR)."""


def encode_status_list(set_bits: Iterable[int], size: int = STATUS_LIST_SIZE) -> str:
    """The `encodedList` of a list of `size` bits where exactly `set_bits` are 1."""
    if size < STATUS_LIST_SIZE or size % 8:
        raise StatusListLengthError(f"a list has a multiple of 8 bits, at least {STATUS_LIST_SIZE}")
    bitstring = bytearray(size // 8)
    for index in set_bits:
        _check_index(index, size)
        # Bit 0 is the left-most (most significant) bit of the first byte.
        bitstring[index // 8] |= 0x80 >> (index % 8)
    # mtime=0: the same bits always encode to the same text, so re-signing is reproducible.
    compressed = gzip.compress(bytes(bitstring), mtime=0)
    return _MULTIBASE_BASE64URL + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_status_list(encoded: Any, max_size: int = MAX_STATUS_LIST_SIZE) -> bytes:
    """The bitstring in an `encodedList`, refusing anything malformed, too short or too large."""
    if not isinstance(encoded, str) or not encoded.startswith(_MULTIBASE_BASE64URL):
        raise MalformedStatusListError("encodedList must be multibase base64url (starting 'u')")
    text = encoded.removeprefix(_MULTIBASE_BASE64URL)
    max_bytes = max_size // 8
    # GZIP adds a few bytes to incompressible data and base64 a third; anything longer is hostile.
    if len(text) > 2 * max_bytes or not _BASE64URL.fullmatch(text) or len(text) % 4 == 1:
        raise MalformedStatusListError("encodedList is not unpadded base64url of a status list")
    try:
        compressed = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
    except binascii.Error:
        raise MalformedStatusListError("encodedList is not base64url") from None
    bitstring = _gunzip(compressed, max_bytes)
    if len(bitstring) * 8 < STATUS_LIST_SIZE:
        raise StatusListLengthError(f"the list holds fewer than {STATUS_LIST_SIZE} bits")
    return bitstring


def _gunzip(compressed: bytes, max_bytes: int) -> bytes:
    """Decompress one GZIP member, stopping as soon as it grows past `max_bytes`."""
    decompressor = zlib.decompressobj(_GZIP)
    try:
        bitstring = decompressor.decompress(compressed, max_bytes + 1)
    except zlib.error:
        raise MalformedStatusListError("encodedList is not GZIP data") from None
    if len(bitstring) > max_bytes:
        raise OversizedStatusListError(f"the list decompresses to over {max_bytes} bytes")
    if not decompressor.eof or decompressor.unused_data:
        raise MalformedStatusListError("encodedList is not exactly one complete GZIP stream")
    return bitstring


def bit_is_set(bitstring: bytes, index: Any) -> bool:
    """Whether the bit at `index` (0 = left-most bit of the first byte) is 1."""
    _check_index(index, len(bitstring) * 8)
    return bool(bitstring[index // 8] & (0x80 >> (index % 8)))


def _check_index(index: Any, size: int) -> None:
    if isinstance(index, bool) or not isinstance(index, int) or not 0 <= index < size:
        raise StatusIndexError(f"status index {index!r} is not within a list of {size} bits")


def status_entry(list_url: str, purpose: str, index: int) -> dict[str, Any]:
    """The credentialStatus entry pointing at bit `index` of the list credential at `list_url`."""
    _check_purpose(purpose)
    _check_index(index, MAX_STATUS_LIST_SIZE)
    return {
        "id": f"{list_url}#{index}",
        "type": ENTRY_TYPE,
        "statusPurpose": purpose,
        "statusListIndex": str(index),
        "statusListCredential": list_url,
    }


def status_list_credential(
    list_url: str,
    purpose: str,
    set_bits: Iterable[int],
    issuer_profile: dict[str, Any],
    valid_from: datetime,
) -> dict[str, Any]:
    """The unsigned BitstringStatusListCredential published at `list_url`."""
    _check_purpose(purpose)
    return {
        "@context": [VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        # The id alone: the VC context by itself does not define the Profile's other terms.
        "issuer": issuer_profile["id"],
        "validFrom": format_datetime(valid_from),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": purpose,
            "encodedList": encode_status_list(set_bits),
        },
    }


def _check_purpose(purpose: Any) -> None:
    if purpose not in STATUS_PURPOSES:
        raise StatusListError(f"status purpose must be one of {STATUS_PURPOSES}, not {purpose!r}")
