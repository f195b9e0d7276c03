"""Badge images: the default art for an achievement without one, and checked organiser uploads."""

from __future__ import annotations

import io
import re
import textwrap
from functools import cache
from xml.etree import ElementTree

from PIL import Image, ImageDraw, ImageFont, UnidentifiedImageError

BADGE_SIZE = 400
MAX_UPLOAD_BYTES = 256 * 1024
MAX_UPLOAD_SIDE = 1024
# Background and ring colours by kind; white text on either background has a contrast ratio
# above 4.5:1 (WCAG AA).
_COLOURS = {"certificate": ("#1d4e89", "#f2c14e"), "badge": ("#1f6b52", "#ffffff")}
_TEXT_COLOUR = "#ffffff"
_FONT_FAMILY = "DejaVu Sans, Noto Sans, sans-serif"
# The first font file found is drawn into PNGs; SVGs name the same families.
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Bold.ttf",
    "/usr/share/fonts/noto/NotoSans-Bold.ttf",
)
_LINE_WIDTH = 12
_MAX_LINES = 4
_FONT_SIZES = {1: 40, 2: 40, 3: 34, 4: 30}
# Characters XML 1.0 cannot carry at all; a name holding one must still get an image.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
# What Pillow raises on a damaged PNG (SyntaxError: "broken PNG file").
_PNG_FAILURES = (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError)


class BadgeImageRejectedError(ValueError):
    """An uploaded badge image is not a small, intact PNG; the message says what to fix."""


def default_badge_svg(name: str, kind: str) -> str:
    """An accessible 400×400 SVG: the name on a circle (badge) or a square (certificate)."""
    background, ring = _colours(kind)
    svg = ElementTree.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(BADGE_SIZE),
            "height": str(BADGE_SIZE),
            "viewBox": f"0 0 {BADGE_SIZE} {BADGE_SIZE}",
            "role": "img",
            "aria-labelledby": "badge-title",
        },
    )
    ElementTree.SubElement(svg, "title", id="badge-title").text = _printable(name)
    _svg_shape(svg, kind, fill=background, inset=10)
    _svg_shape(svg, kind, fill="none", inset=30, stroke=ring, **{"stroke-width": "6"})
    lines, size = _wrapped(name)
    text = ElementTree.SubElement(
        svg,
        "text",
        {
            "fill": _TEXT_COLOUR,
            "font-family": _FONT_FAMILY,
            "font-weight": "bold",
            "font-size": str(size),
            "text-anchor": "middle",
        },
    )
    for line, middle in zip(lines, _line_middles(len(lines), size), strict=True):
        # SVG places text by its baseline: about a third of the font size below the middle.
        baseline = round(middle + size * 0.35)
        ElementTree.SubElement(text, "tspan", x=str(BADGE_SIZE // 2), y=str(baseline)).text = line
    return ElementTree.tostring(svg, encoding="unicode")


def default_badge_png(name: str, kind: str) -> bytes:
    """The PNG twin of `default_badge_svg`, for places that take only bitmaps."""
    background, ring = _colours(kind)
    image = Image.new("RGBA", (BADGE_SIZE, BADGE_SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    _draw_shape(draw, kind, inset=10, fill=background)
    _draw_shape(draw, kind, inset=30, outline=ring, width=6)
    lines, size = _wrapped(name)
    font = _font(size)
    for line, middle in zip(lines, _line_middles(len(lines), size), strict=True):
        draw.text((BADGE_SIZE / 2, middle), line, font=font, fill=_TEXT_COLOUR, anchor="mm")
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", optimize=True)
    return encoded.getvalue()


def checked_badge_image(data: bytes) -> bytes:
    """An organiser's PNG, checked and re-encoded without any of its metadata chunks.

    Re-encoding drops text chunks (a credential baked in elsewhere among them), colour profiles
    and animation frames, so the image we bake into holds pixels only.
    """
    if len(data) > MAX_UPLOAD_BYTES:
        raise BadgeImageRejectedError(
            f"The badge image is {len(data) // 1024} KiB; it must be at most "
            f"{MAX_UPLOAD_BYTES // 1024} KiB."
        )
    image = _intact_png(data)
    if max(image.size) > MAX_UPLOAD_SIDE:
        raise BadgeImageRejectedError(
            f"The badge image is {image.width}×{image.height} pixels; it must be at most "
            f"{MAX_UPLOAD_SIDE}×{MAX_UPLOAD_SIDE}."
        )
    try:
        image.load()
    except _PNG_FAILURES as error:
        raise BadgeImageRejectedError("The badge image is damaged or incomplete.") from error
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", icc_profile=None)
    return encoded.getvalue()


def _intact_png(data: bytes) -> Image.Image:
    """The PNG opened (header only), once its chunks' checksums are known to be right."""
    try:
        # verify() checks every chunk but leaves the image unusable, hence the second open.
        Image.open(io.BytesIO(data), formats=["PNG"]).verify()
        return Image.open(io.BytesIO(data), formats=["PNG"])
    except UnidentifiedImageError as error:
        if data.startswith(_PNG_SIGNATURE):
            raise BadgeImageRejectedError("The badge image is damaged or incomplete.") from error
        raise BadgeImageRejectedError("The badge image must be a PNG file.") from error
    except _PNG_FAILURES as error:
        raise BadgeImageRejectedError("The badge image is damaged or incomplete.") from error


def _colours(kind: str) -> tuple[str, str]:
    if kind not in _COLOURS:
        raise ValueError(f"no badge art for achievement kind {kind!r}")
    return _COLOURS[kind]


def _wrapped(name: str) -> tuple[list[str], int]:
    """The name in at most four short lines, and the font size that fits them."""
    lines = textwrap.wrap(
        " ".join(_printable(name).split()),
        width=_LINE_WIDTH,
        max_lines=_MAX_LINES,
        placeholder=" …",
    ) or [""]
    return lines, _FONT_SIZES[len(lines)]


def _line_middles(count: int, size: int) -> list[float]:
    """The vertical middle of each line, the block centred on the image."""
    line_height = size * 1.25
    centre = BADGE_SIZE / 2
    return [centre + (index - (count - 1) / 2) * line_height for index in range(count)]


def _printable(text: str) -> str:
    return _NOT_XML.sub("", text)


def _svg_shape(svg: ElementTree.Element, kind: str, inset: int, **style: str) -> None:
    side = BADGE_SIZE - 2 * inset
    if kind == "badge":
        half = str(BADGE_SIZE // 2)
        ElementTree.SubElement(svg, "circle", cx=half, cy=half, r=str(side // 2), **style)
    else:
        ElementTree.SubElement(
            svg,
            "rect",
            x=str(inset),
            y=str(inset),
            width=str(side),
            height=str(side),
            rx=str(side // 8),
            **style,
        )


def _draw_shape(draw: ImageDraw.ImageDraw, kind: str, inset: int, **style) -> None:
    box = (inset, inset, BADGE_SIZE - inset, BADGE_SIZE - inset)
    if kind == "badge":
        draw.ellipse(box, **style)
    else:
        draw.rounded_rectangle(box, radius=(BADGE_SIZE - 2 * inset) // 8, **style)


@cache
def _font(size: int) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    for path in _FONT_FILES:
        try:
            return ImageFont.truetype(path, size)
        except OSError:
            continue
    return ImageFont.load_default(size)
