"""Baked badges: a credential rides inside its PNG or SVG image and comes back out unchanged;
the default badge art, and organisers' uploads, are images we can bake into."""

from __future__ import annotations

import io
import json
import random

import pytest
from defusedxml import ElementTree
from PIL import Image, PngImagePlugin

from lms.credentials.badge_art import (
    BADGE_SIZE,
    BadgeImageRejectedError,
    checked_badge_image,
    default_badge_png,
    default_badge_svg,
)
from lms.credentials.baking import (
    MAX_IMAGE_BYTES,
    OB_NAMESPACE,
    PNG_KEYWORD,
    SVG_NAMESPACE,
    OversizedImageError,
    UnbakedImageError,
    UnreadableImageError,
    bake_png,
    bake_svg,
    unbake_png,
    unbake_svg,
)
from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.jwt import encode_jwt
from lms.credentials.multikey import resolve_did_key
from tests.credentials.conftest import SIGNED_AT

CREDENTIAL_TAG = f"{{{OB_NAMESPACE}}}credential"
BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE svg [
  <!ENTITY lol "lol">
  <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
  <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&lol3;</text></svg>"""
EXTERNAL_ENTITY = b"""<?xml version="1.0"?>
<!DOCTYPE svg [<!ENTITY secret SYSTEM "file:///etc/passwd">]>
<svg xmlns="http://www.w3.org/2000/svg"><text>&secret;</text></svg>"""


@pytest.fixture
def signed_json(open_badge, private_key, verification_method):
    signed = add_proof(open_badge, private_key, verification_method, SIGNED_AT)
    return json.dumps(signed, ensure_ascii=False)


@pytest.fixture
def token(open_badge, private_key, verification_method):
    return encode_jwt(open_badge, private_key, verification_method)


@pytest.fixture(params=["json", "jwt"])
def credential(request, signed_json, token):
    """The same credential in each form OB 3.0 lets us bake."""
    return signed_json if request.param == "json" else token


@pytest.fixture
def badge_png():
    return default_badge_png("Misingi ya Wikidata — Wikidata basics", "badge")


@pytest.fixture
def badge_svg():
    return default_badge_svg("Misingi ya Wikidata — Wikidata basics", "badge")


def png_bytes(image: Image.Image, **save_options) -> bytes:
    encoded = io.BytesIO()
    image.save(encoded, format="PNG", **save_options)
    return encoded.getvalue()


def pixels(png: bytes) -> tuple[str, tuple[int, int], bytes]:
    with Image.open(io.BytesIO(png)) as image:
        return image.mode, image.size, image.tobytes()


def element_tags(svg: str | bytes) -> list[str]:
    data = svg.encode() if isinstance(svg, str) else svg
    return [element.tag for element in ElementTree.fromstring(data).iter()]


# PNG


def test_baked_png_is_the_same_picture_and_gives_back_the_credential_exactly(badge_png, credential):
    baked = bake_png(badge_png, credential)

    assert pixels(baked) == pixels(badge_png)
    assert unbake_png(baked) == credential


def test_baked_png_chunk_is_an_uncompressed_itxt_with_the_ob3_keyword(badge_png, token):
    baked = bake_png(badge_png, token)

    # iTXt: keyword, NUL, compression flag 0, method 0, empty language tag and translated
    # keyword (each NUL-terminated), then the text itself.
    chunk = b"iTXt" + PNG_KEYWORD.encode() + b"\x00\x00\x00\x00\x00" + token.encode()
    assert chunk in baked


def test_baking_a_png_again_replaces_its_credential(badge_png, signed_json, token):
    rebaked = bake_png(bake_png(badge_png, signed_json), token)

    assert unbake_png(rebaked) == token
    assert rebaked.count(PNG_KEYWORD.encode()) == 1
    assert pixels(rebaked) == pixels(badge_png)


def test_signed_credential_out_of_a_baked_png_still_verifies(badge_png, signed_json):
    unbaked = json.loads(unbake_png(bake_png(badge_png, signed_json)))

    assert verify_proof(unbaked, resolve_did_key).verified


def test_png_without_a_baked_credential_says_so(badge_png):
    with pytest.raises(UnbakedImageError, match="no credential is baked in"):
        unbake_png(badge_png)


def test_png_carrying_two_credentials_is_refused(token):
    info = PngImagePlugin.PngInfo()
    info.add_itxt(PNG_KEYWORD, token, zip=False)
    info.add_itxt(PNG_KEYWORD, '{"id": "urn:uuid:another"}', zip=False)
    two = png_bytes(Image.new("RGB", (8, 8)), pnginfo=info)

    with pytest.raises(UnbakedImageError, match="more than one"):
        unbake_png(two)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda png: png[:60], id="truncated-header"),
        pytest.param(lambda png: png[: len(png) // 2], id="truncated-image-data"),
        pytest.param(lambda png: b"GIF89a" + png[6:], id="not-a-png"),
        pytest.param(lambda png: b"", id="empty"),
    ],
)
def test_damaged_png_is_unreadable(badge_png, token, damage):
    with pytest.raises(UnreadableImageError):
        unbake_png(damage(bake_png(badge_png, token)))


def test_oversized_png_is_refused_before_it_is_decoded(badge_png, token):
    with pytest.raises(OversizedImageError):
        unbake_png(bake_png(badge_png, token) + b"\x00" * MAX_IMAGE_BYTES)


@pytest.mark.parametrize("side", [8_000, 14_000])
def test_png_with_more_pixels_than_we_decode_is_refused(side):
    # Kilobytes on disk, hundreds of megabytes once decoded: refused from the header alone,
    # by our cap or, far above it, by Pillow's own decompression bomb guard.
    many_pixels = png_bytes(Image.new("1", (side, side)))

    with pytest.raises(OversizedImageError, match="pixels"):
        unbake_png(many_pixels)


def test_png_that_would_outgrow_the_cap_once_baked_is_refused(badge_png):
    with pytest.raises(OversizedImageError, match="read back"):
        bake_png(badge_png, "{" + " " * MAX_IMAGE_BYTES + "}")


# SVG


def test_baked_svg_gives_back_the_credential_exactly(badge_svg, credential):
    assert unbake_svg(bake_svg(badge_svg, credential).encode()) == credential


def test_baked_svg_is_the_same_svg_with_the_credential_first(badge_svg, signed_json):
    baked = bake_svg(badge_svg, signed_json)

    root = ElementTree.fromstring(baked.encode())
    assert root.tag == f"{{{SVG_NAMESPACE}}}svg"
    assert root[0].tag == CREDENTIAL_TAG
    assert 'xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"' in baked
    assert [tag for tag in element_tags(baked) if tag != CREDENTIAL_TAG] == element_tags(badge_svg)


def test_baked_svg_holds_json_in_cdata_and_a_jwt_in_verify(badge_svg, signed_json, token):
    with_json = ElementTree.fromstring(bake_svg(badge_svg, signed_json).encode())[0]
    with_token = ElementTree.fromstring(bake_svg(badge_svg, token).encode())[0]

    assert f"<![CDATA[{signed_json}]]>" in bake_svg(badge_svg, signed_json)
    assert "verify" not in with_json.attrib
    assert with_token.get("verify") == token
    assert not with_token.text


def test_json_holding_a_cdata_end_survives_svg_baking(badge_svg):
    tricky = json.dumps({"name": "]]><script>alert(1)</script>"})

    baked = bake_svg(badge_svg, tricky)

    assert unbake_svg(baked.encode()) == tricky
    assert "script" not in element_tags(baked)


def test_baking_an_svg_again_replaces_its_credential(badge_svg, signed_json, token):
    rebaked = bake_svg(bake_svg(badge_svg, signed_json), token)

    assert element_tags(rebaked).count(CREDENTIAL_TAG) == 1
    assert unbake_svg(rebaked.encode()) == token


def test_signed_credential_out_of_a_baked_svg_still_verifies(badge_svg, signed_json):
    unbaked = json.loads(unbake_svg(bake_svg(badge_svg, signed_json).encode()))

    assert verify_proof(unbaked, resolve_did_key).verified


def test_svg_baked_by_another_tool_with_indented_json_is_read():
    baked = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<svg xmlns="http://www.w3.org/2000/svg" xmlns:openbadges="https://purl.imsglobal.org/ob/v3p0"'
        ' viewBox="0 0 512 512">\n'
        '  <openbadges:credential>\n    <![CDATA[\n      {"id": "urn:uuid:1"}\n    ]]>\n'
        "  </openbadges:credential>\n</svg>"
    )

    assert unbake_svg(baked.encode()) == '{"id": "urn:uuid:1"}'


@pytest.mark.parametrize(
    "hostile",
    [pytest.param(BILLION_LAUGHS, id="billion-laughs"), pytest.param(EXTERNAL_ENTITY, id="xxe")],
)
def test_svg_declaring_entities_is_refused_when_unbaking_and_baking(hostile, token):
    with pytest.raises(UnreadableImageError, match="entities"):
        unbake_svg(hostile)
    with pytest.raises(UnreadableImageError, match="entities"):
        bake_svg(hostile.decode(), token)


@pytest.mark.parametrize(
    ("document", "error"),
    [
        pytest.param(b"", UnreadableImageError, id="empty"),
        pytest.param(
            b"<svg xmlns='http://www.w3.org/2000/svg'><g>", UnreadableImageError, id="cut"
        ),
        pytest.param(b"<html><body/></html>", UnreadableImageError, id="not-svg"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", UnbakedImageError, id="unbaked"),
        pytest.param(
            b"<svg xmlns='http://www.w3.org/2000/svg'><openbadges:credential "
            b"xmlns:openbadges='https://purl.imsglobal.org/ob/v3p0'/></svg>",
            UnbakedImageError,
            id="empty-credential",
        ),
    ],
)
def test_svg_that_holds_no_credential_gets_a_named_error(document, error):
    with pytest.raises(error):
        unbake_svg(document)


def test_oversized_svg_is_refused(badge_svg):
    with pytest.raises(OversizedImageError):
        unbake_svg(badge_svg.encode() + b" " * MAX_IMAGE_BYTES)


# Default badge art


def test_default_svg_badge_is_titled_with_the_name_escaped_as_text():
    name = 'Wikidata <script>alert("x")</script> & SPARQL'

    root = ElementTree.fromstring(default_badge_svg(name, "badge").encode())

    title = root.find(f"{{{SVG_NAMESPACE}}}title")
    assert title.text == name
    assert root.get("role") == "img"
    assert root.get("aria-labelledby") == title.get("id")
    assert "script" not in [element.tag for element in root.iter()]


def test_default_svg_badge_wraps_a_long_name_onto_at_most_four_lines():
    name = "Board training for Wikimedia affiliates and user groups across every region"

    root = ElementTree.fromstring(default_badge_svg(name, "certificate").encode())

    lines = [span.text for span in root.iter(f"{{{SVG_NAMESPACE}}}tspan")]
    assert 2 <= len(lines) <= 4
    assert lines[0].startswith("Board")
    assert all(len(line) <= 14 for line in lines)


def test_default_svg_badge_takes_a_name_with_characters_xml_cannot_hold():
    svg = default_badge_svg("Wiki\x00data\x1b basics", "badge")

    assert ElementTree.fromstring(svg.encode()).find(f"{{{SVG_NAMESPACE}}}title").text == (
        "Wikidata basics"
    )


def test_default_png_badge_is_a_square_picture_that_tells_kinds_apart():
    badge, certificate = (
        default_badge_png("Wikidata basics", kind) for kind in ("badge", "certificate")
    )

    with Image.open(io.BytesIO(badge)) as image:
        assert image.format == "PNG"
        assert image.size == (BADGE_SIZE, BADGE_SIZE)
        # The corners are outside the round badge, the middle is on it.
        assert image.getpixel((2, 2))[3] == 0
        assert image.getpixel((BADGE_SIZE // 2, 40))[3] == 255
    assert pixels(badge) != pixels(certificate)


def test_default_art_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        default_badge_svg("Wikidata basics", "trophy")


# Organisers' badge images


def test_checked_badge_image_keeps_the_pixels_and_drops_a_baked_credential(badge_png, token):
    checked = checked_badge_image(bake_png(badge_png, token))

    assert pixels(checked) == pixels(badge_png)
    with pytest.raises(UnbakedImageError):
        unbake_png(checked)


def test_checked_badge_image_refuses_a_jpeg():
    jpeg = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(jpeg, format="JPEG")

    with pytest.raises(BadgeImageRejectedError, match="must be a PNG"):
        checked_badge_image(jpeg.getvalue())


def test_checked_badge_image_refuses_too_many_bytes():
    noise = Image.frombytes("RGB", (400, 400), random.Random(4).randbytes(400 * 400 * 3))

    with pytest.raises(BadgeImageRejectedError, match="at most 256 KiB"):
        checked_badge_image(png_bytes(noise))


def test_checked_badge_image_refuses_too_many_pixels_without_decoding_them():
    bomb = png_bytes(Image.new("1", (4_000, 4_000)))
    assert len(bomb) < 256 * 1024

    with pytest.raises(BadgeImageRejectedError, match="at most 1024×1024"):
        checked_badge_image(bomb)


@pytest.mark.parametrize("cut", [40, 200, -20])
def test_checked_badge_image_refuses_a_truncated_png(badge_png, cut):
    with pytest.raises(BadgeImageRejectedError, match="damaged or incomplete"):
        checked_badge_image(badge_png[:cut])
