"""Turns untrusted Markdown/HTML course text into safe HTML or plain text, by allow-list."""

from __future__ import annotations

from functools import lru_cache
from html import escape
from html.parser import HTMLParser
from urllib.parse import urlsplit

import markdown
import nh3

ALLOWED_TAGS = frozenset(
    {
        *("h1", "h2", "h3", "h4", "h5", "h6", "p", "br", "hr", "span", "div"),
        *("a", "em", "strong", "b", "i", "u", "s", "small", "sub", "sup", "mark"),
        *("ul", "ol", "li", "dl", "dt", "dd", "blockquote", "code", "pre"),
        *("table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td"),
        *("figure", "figcaption", "img", "details", "summary"),
    }
)
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "width", "height"},
}
# Layout and callout classes the training content relies on; every other class is dropped.
ALLOWED_CLASSES = {
    "figure": {
        *("alt-layout-100", "alt-layout-80", "alt-layout-70", "alt-layout-50"),
        *("alt-layout-40-left", "alt-layout-40-right", "alt-layout-30-right"),
    },
    "figcaption": {"image-credit"},
    "div": {"training__note"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
VIDEO_LINK_TEXT = "Watch the video"
# Iframes carry no useful fallback text, so their content goes with them.
_DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "noscript", "template"})
_CELL_ALIGN = {"align": {"left", "center", "right"}}
_MARKDOWN_EXTENSIONS = ("md_in_html", "tables", "fenced_code")
# The tables extension otherwise aligns cells with style attributes, which we strip.
_MARKDOWN_CONFIG = {"tables": {"use_align_attribute": True}}


def clean_html(source: str | None, *, base_url: str | None = None) -> str:
    """Markdown/HTML to sanitised HTML; relative links resolve against `base_url` or are dropped."""
    rendered = markdown.markdown(
        source or "", extensions=_MARKDOWN_EXTENSIONS, extension_configs=_MARKDOWN_CONFIG
    )
    cleaned = _html_cleaner(base_url).clean(_link_embedded_frames(rendered))
    return _with_image_alts(cleaned)


def clean_text(source: str | None) -> str:
    """Plain text from an HTML fragment: tags stripped, entities decoded, whitespace collapsed."""
    structure_only = _text_cleaner().clean(source or "")
    extractor = _TextExtractor()
    extractor.feed(structure_only)
    extractor.close()
    return " ".join("".join(extractor.parts).split())


def markdown_text(source: str | None) -> str:
    """Plain text from Markdown prose, so `_emphasis_` and `[label](url)` read as plain words."""
    return clean_text(markdown.markdown(source or "", extensions=_MARKDOWN_EXTENSIONS))


@lru_cache(maxsize=8)
def _html_cleaner(base_url: str | None) -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_filter_attribute,
        tag_attribute_values={"th": _CELL_ALIGN, "td": _CELL_ALIGN},
        set_tag_attribute_values={"img": {"loading": "lazy"}},
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=set(URL_SCHEMES),
        url_relative=("rewrite_with_base", base_url) if base_url else "deny",
        link_rel="noopener noreferrer",
    )


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    if attribute in ("src", "href"):
        return value.strip()  # the content has URLs with stray leading spaces
    if attribute in ("width", "height"):
        return value if value.isdigit() else None
    return value


# Block-level tags kept while extracting text, so paragraphs and list items stay apart.
_TEXT_BLOCKS = frozenset({"p", "br", "div", "li", "tr", "td", "th", "dt", "dd", "blockquote"})
_TEXT_HEADINGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})


@lru_cache(maxsize=1)
def _text_cleaner() -> nh3.Cleaner:
    return nh3.Cleaner(
        tags=set(_TEXT_BLOCKS | _TEXT_HEADINGS),
        clean_content_tags=set(_DROPPED_WITH_CONTENT),
        attributes={},
        link_rel=None,
    )


class _TextExtractor(HTMLParser):
    """Collects text from already-cleaned HTML, turning block boundaries into spaces."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.parts.append(" • " if tag == "li" else " ")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(" ")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def _link_embedded_frames(html: str) -> str:
    """Puts a link to each iframe's source before it, so a video slide is not left blank.

    The iframe itself is still dropped by nh3, which also vets the link; the parser is only used
    to find where each iframe starts.
    """
    finder = _FrameFinder()
    finder.feed(html)
    finder.close()
    # HTMLParser counts lines by "\n" alone, so offsets must too (not str.splitlines).
    line_starts = [0, *(at + 1 for at, char in enumerate(html) if char == "\n")]
    for (line, column), src in reversed(finder.frames):
        at = line_starts[line - 1] + column
        html = f'{html[:at]}<a href="{escape(src)}">{VIDEO_LINK_TEXT}</a>{html[at:]}'
    return html


class _FrameFinder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.frames: list[tuple[tuple[int, int], str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        src = (dict(attrs).get("src") or "").strip()
        if tag == "iframe" and urlsplit(src).scheme in ("http", "https"):
            self.frames.append((self.getpos(), src))


def _with_image_alts(cleaned: str) -> str:
    writer = _ImageAltWriter()
    writer.feed(cleaned)
    writer.close()
    return writer.html()


class _PendingImage:
    """An <img> whose alt is only known once its figure's caption has been read."""

    def __init__(self, attrs: list[tuple[str, str | None]]) -> None:
        self.attrs = attrs
        self.alt = ""

    def __str__(self) -> str:
        return _start_tag("img", [*self.attrs, ("alt", self.alt)])


class _Figure:
    def __init__(self) -> None:
        self.images: list[_PendingImage] = []
        self.caption: list[str] = []
        self.in_caption = 0


class _ImageAltWriter(HTMLParser):
    """Re-serialises nh3 output, giving each alt-less <img> its figure's caption or alt=""."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str | _PendingImage] = []
        self.figures: list[_Figure] = []

    def html(self) -> str:
        return "".join(str(part) for part in self.out)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "img" and not any(name == "alt" for name, _ in attrs):
            self._add_pending_image(attrs)
            return
        self.out.append(_start_tag(tag, attrs))
        if tag == "figure":
            self.figures.append(_Figure())
        elif tag == "figcaption" and self.figures:
            self.figures[-1].in_caption += 1

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag == "figure" and self.figures:
            figure = self.figures.pop()
            caption = " ".join("".join(figure.caption).split())
            for image in figure.images:
                image.alt = caption
        elif tag == "figcaption" and self.figures:
            self.figures[-1].in_caption -= 1

    def handle_data(self, data: str) -> None:
        self.out.append(escape(data, quote=False))
        if self.figures and self.figures[-1].in_caption:
            self.figures[-1].caption.append(data)

    def _add_pending_image(self, attrs: list[tuple[str, str | None]]) -> None:
        image = _PendingImage(attrs)
        self.out.append(image)
        if self.figures:
            self.figures[-1].images.append(image)


def _start_tag(tag: str, attrs: list[tuple[str, str | None]]) -> str:
    rendered = "".join(
        f" {name}" if value is None else f' {name}="{escape(value)}"' for name, value in attrs
    )
    return f"<{tag}{rendered}>"
