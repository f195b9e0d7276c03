"""Baked badges: a credential inside its PNG or SVG image (Open Badges 3.0, "Baked Badge").

Per OB 3.0 "Open Badges Document Formats" > "Baked Badge": a PNG carries it in one uncompressed
iTXt chunk with keyword `openbadgecredential`; an SVG in one `<openbadges:credential>` first in
its root, the compact JWS in a `verify` attribute or the JSON in CDATA. Baking again replaces it.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from xml.dom import minidom
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from defusedxml import minidom as safe_minidom
from PIL import Image, PngImagePlugin, UnidentifiedImageError

from lms.credentials.errors import CredentialError

PNG_KEYWORD = "openbadgecredential"
OB_NAMESPACE = "https://purl.imsglobal.org/ob/v3p0"
SVG_NAMESPACE = "http://www.w3.org/2000/svg"
_XMLNS_NAMESPACE = "http://www.w3.org/2000/xmlns/"
_CREDENTIAL_TAG = f"{{{OB_NAMESPACE}}}credential"
_SVG_TAG = f"{{{SVG_NAMESPACE}}}svg"
# Between the "]]" and the ">" of a "]]>", which would otherwise end a CDATA section early.
_CDATA_END = re.compile(r"(?<=\]\])(?=>)")
# A badge with its credential is tens of kilobytes; this leaves room for detailed art.
MAX_IMAGE_BYTES = 2 * 1024 * 1024
# Bounds the memory Pillow decompresses into (4096² RGBA is 64 MiB) whatever the file size.
MAX_IMAGE_SIDE = 4096
# What Pillow raises on a damaged or hostile PNG (SyntaxError: "broken PNG file").
_PNG_FAILURES = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)
# What expat raises on malformed XML (defusedxml's refusals are handled on their own).
_XML_FAILURES = (ElementTree.ParseError, ValueError)


class BakedBadgeError(CredentialError):
    """An image could not carry, or did not give up, a baked credential."""


class OversizedImageError(BakedBadgeError):
    """The image is larger than we read or write."""


class UnreadableImageError(BakedBadgeError):
    """The image is not a well-formed PNG or SVG, or its XML uses entities or external files."""


class UnbakedImageError(BakedBadgeError):
    """The image is well formed but carries no credential, or more than one."""


def bake_png(image_png: bytes, credential: str) -> bytes:
    """`image_png` re-encoded with `credential` (JSON or compact JWS) as its only baked chunk."""
    image = _opened_png(image_png)
    _load(image)
    info = PngImagePlugin.PngInfo()
    info.add_itxt(PNG_KEYWORD, credential, zip=False)
    baked = io.BytesIO()
    # Saving writes only the chunks in `info` (plus palette transparency), so any credential
    # baked earlier is gone rather than repeated.
    image.save(baked, format="PNG", pnginfo=info)
    return _within_cap(baked.getvalue())


def unbake_png(data: bytes) -> str:
    """The credential text in a baked PNG's `openbadgecredential` chunk."""
    image = _opened_png(data)
    # Two chunks would let two readers see two different credentials in the same picture.
    if data.count(b"iTXt" + PNG_KEYWORD.encode("ascii") + b"\x00") > 1:
        raise UnbakedImageError(f"the PNG carries more than one {PNG_KEYWORD} chunk")
    try:
        # Reading `text` decodes the pixels, so chunks placed after the image data count too.
        credential = image.text.get(PNG_KEYWORD)
    except _PNG_FAILURES as error:
        raise UnreadableImageError(f"the PNG is damaged: {error}") from error
    if not credential:
        raise UnbakedImageError(f"the PNG has no {PNG_KEYWORD} chunk: no credential is baked in")
    return str(credential)


def bake_svg(image_svg: str, credential: str) -> str:
    """`image_svg` with `credential` (JSON or compact JWS) as its only baked credential."""
    document = _parsed_svg(image_svg)
    svg = document.documentElement
    for earlier in svg.getElementsByTagNameNS(OB_NAMESPACE, "credential"):
        earlier.parentNode.removeChild(earlier)
    svg.setAttributeNS(_XMLNS_NAMESPACE, "xmlns:openbadges", OB_NAMESPACE)
    svg.insertBefore(_credential_element(document, credential), svg.firstChild)
    baked = document.toxml()
    _within_cap(baked.encode("utf-8"))
    return baked


def unbake_svg(data: bytes) -> str:
    """The credential in a baked SVG's first `<openbadges:credential>` element."""
    _refuse_oversized(data)
    with _reading_svg():
        events = SafeElementTree.iterparse(io.BytesIO(data), events=("start", "end"))
        _, root = next(events)
        if root.tag != _SVG_TAG:
            raise UnreadableImageError("the document is not an SVG image")
        # The spec lets a reader stop at the first credential element and ignore the rest.
        for event, element in events:
            if event == "end" and element.tag == _CREDENTIAL_TAG:
                return _credential_in(element)
    raise UnbakedImageError("the SVG has no <openbadges:credential>: no credential is baked in")


def _opened_png(data: bytes) -> Image.Image:
    """The PNG's header read, once its checksums are right and its size is within bounds."""
    _refuse_oversized(data)
    try:
        # verify() checks every chunk through to IEND whatever Pillow's global truncation
        # setting (WeasyPrint turns it on), but leaves the image unusable: hence a second open.
        Image.open(io.BytesIO(data), formats=["PNG"]).verify()
        image = Image.open(io.BytesIO(data), formats=["PNG"])
    except UnidentifiedImageError as error:
        raise UnreadableImageError("the image is not a PNG") from error
    except Image.DecompressionBombError as error:
        raise OversizedImageError(f"the PNG has far too many pixels: {error}") from error
    except _PNG_FAILURES as error:
        raise UnreadableImageError(f"the PNG is damaged: {error}") from error
    if max(image.size) > MAX_IMAGE_SIDE:
        raise OversizedImageError(
            f"the PNG is {image.width}×{image.height} pixels; at most {MAX_IMAGE_SIDE} a side"
        )
    return image


def _load(image: Image.Image) -> None:
    try:
        image.load()
    except _PNG_FAILURES as error:
        raise UnreadableImageError(f"the PNG is damaged: {error}") from error


def _parsed_svg(image_svg: str) -> minidom.Document:
    _refuse_oversized(image_svg.encode("utf-8"))
    with _reading_svg():
        document = safe_minidom.parseString(image_svg)
    root = document.documentElement
    if (root.namespaceURI, root.localName) != (SVG_NAMESPACE, "svg"):
        raise UnreadableImageError("the document is not an SVG image")
    return document


@contextmanager
def _reading_svg() -> Iterator[None]:
    """Turn the XML parser's refusals into ours, in plain words."""
    try:
        yield
    except DefusedXmlException as error:
        raise UnreadableImageError(
            "the SVG declares XML entities or external references, which we refuse"
        ) from error
    except _XML_FAILURES as error:
        raise UnreadableImageError(f"the SVG is not well-formed XML: {error}") from error


def _credential_element(document: minidom.Document, credential: str) -> minidom.Element:
    element = document.createElementNS(OB_NAMESPACE, "openbadges:credential")
    if credential.lstrip().startswith("{"):
        # A CDATA section cannot hold "]]>": split there, so each section holds part of it
        # and the element's text is still exactly the credential.
        for part in _CDATA_END.split(credential):
            element.appendChild(document.createCDATASection(part))
    else:
        element.setAttribute("verify", credential)
    return element


def _credential_in(element: ElementTree.Element) -> str:
    credential = (element.get("verify") or element.text or "").strip()
    if not credential:
        raise UnbakedImageError("the SVG's <openbadges:credential> is empty")
    return credential


def _refuse_oversized(data: bytes) -> None:
    if len(data) > MAX_IMAGE_BYTES:
        raise OversizedImageError(
            f"the image is {len(data)} bytes; we read images of at most {MAX_IMAGE_BYTES} bytes"
        )


def _within_cap(data: bytes) -> bytes:
    """Refuse to bake what unbaking would refuse to read back."""
    if len(data) > MAX_IMAGE_BYTES:
        raise OversizedImageError(
            f"with its credential the image would be {len(data)} bytes; "
            f"at most {MAX_IMAGE_BYTES} can be read back"
        )
    return data
