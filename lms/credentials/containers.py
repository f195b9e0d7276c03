"""Credentials out of the files people hold: JSON, a VC-JWT, a PDF certificate, a badge image.

Open Badges 3.0, "Open Badges Document Formats": a file holds exactly one credential, as JSON
(embedded proof) or as a compact JWS (VC-JWT), on its own or baked into a PNG or SVG image; our
PDF certificates carry it as the attachment `credential.json`.
"""

from __future__ import annotations

import re

from lms.credentials.baking import unbake_png, unbake_svg
from lms.credentials.certificate import extract_from_pdf
from lms.credentials.errors import CredentialError

FORMATS = ("json", "jwt", "pdf", "png", "svg")
# The largest file we read: above any PDF certificate or baked image we make.
MAX_CONTAINER_BYTES = 5 * 1024 * 1024
# JSON or a compact JWS, however it was carried; matches the attachment cap of certificates.
MAX_CREDENTIAL_BYTES = 1024 * 1024
_PDF_MAGIC = b"%PDF-"
_PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
_UTF8_BOM = b"\xef\xbb\xbf"
# Three base64url parts; the header, being JSON, always starts `{"` and so encodes to `ey`.
_COMPACT_JWS = re.compile(r"ey[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")


class ContainerError(CredentialError):
    """A file could not be read as any form of credential we accept."""


class OversizedContainerError(ContainerError):
    """The file, or the credential inside it, is larger than we read."""


class UnrecognisedContainerError(ContainerError):
    """The file is empty, or not JSON, a JWT, a PDF, a PNG or an SVG."""


def extract_credential(data: bytes) -> tuple[str, str]:
    """(format, credential text): the format is one of FORMATS, the text JSON or a compact JWS.

    Errors are CredentialErrors whose messages say in plain words what is wrong with the file.
    """
    if len(data) > MAX_CONTAINER_BYTES:
        raise OversizedContainerError(
            f"the file is {len(data)} bytes; we read files of at most {MAX_CONTAINER_BYTES} bytes"
        )
    container = container_format(data)
    if container == "pdf":
        credential = extract_from_pdf(data)
    elif container == "png":
        credential = unbake_png(data)
    elif container == "svg":
        credential = unbake_svg(data)
    else:
        credential = _text(data)
    credential = credential.strip()
    _check_credential_size(credential)
    credential_encoding(credential)
    return container, credential


def container_format(data: bytes) -> str:
    """Which of FORMATS `data` is, from its first bytes."""
    if data.startswith(_PDF_MAGIC):
        return "pdf"
    if data.startswith(_PNG_MAGIC):
        return "png"
    start = data.removeprefix(_UTF8_BOM).lstrip()[:2]
    if start.startswith(b"<"):
        return "svg"
    if start.startswith(b"{"):
        return "json"
    if start.startswith(b"ey"):
        return "jwt"
    if not start:
        raise UnrecognisedContainerError("the file is empty")
    raise UnrecognisedContainerError(
        "the file is not a credential: expected JSON, a JWT, a PDF, a PNG or an SVG"
    )


def credential_encoding(credential: str) -> str:
    """Whether the credential is "json" (with an embedded proof) or "jwt" (a compact JWS)."""
    if credential.startswith("{"):
        return "json"
    if _COMPACT_JWS.fullmatch(credential):
        return "jwt"
    raise UnrecognisedContainerError("the credential found is neither JSON nor a compact JWT")


def _text(data: bytes) -> str:
    try:
        # Editors on some systems start UTF-8 files with a byte order mark: not part of the text.
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise UnrecognisedContainerError("the file is not UTF-8 text") from error


def _check_credential_size(credential: str) -> None:
    if len(credential.encode("utf-8")) > MAX_CREDENTIAL_BYTES:
        raise OversizedContainerError(
            f"the credential is over {MAX_CREDENTIAL_BYTES} bytes, more than we read"
        )
