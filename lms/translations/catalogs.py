"""The translator workflow over Babel: extract the .pot, update and compile catalogs, measure them.

It imports nothing but Babel and the standard library: setup.py loads it by path to compile the
catalogs while building, where the app's own dependencies are not installed.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po, write_po

SOURCE_LANGUAGE = "en"  # the msgids are English: an empty English msgstr shows the msgid
DOMAIN = "messages"
KEYWORDS = {
    **DEFAULT_KEYWORDS,
    "_l": None,
    "lazy_gettext": None,
    "lazy_ngettext": (1, 2),
    "lazy_pgettext": ((1, "c"), 2),
}
COMMENT_TAGS = ("TRANSLATORS:",)
HEADER = """\
# Translations template for Mafunzo.
# This file is distributed under the same license as the Mafunzo project (AGPL-3.0-or-later).
#"""


class CatalogError(Exception):
    """The catalogs cannot be worked on; the message is the one line the user sees."""


@dataclass(frozen=True)
class Coverage:
    """How much of the template one language's catalog translates."""

    language: str
    translated: int
    fuzzy: int
    missing: int
    invalid: int  # translations whose placeholders or plural forms do not fit the msgid

    @property
    def total(self) -> int:
        return self.translated + self.fuzzy + self.missing

    @property
    def percent(self) -> float:
        return 100.0 * self.translated / self.total if self.total else 100.0

    @property
    def complete(self) -> bool:
        return not (self.fuzzy or self.missing or self.invalid)


def translations_dir(root: Path) -> Path:
    return root / "lms" / "translations"


def template_path(root: Path) -> Path:
    return translations_dir(root) / f"{DOMAIN}.pot"


def catalog_path(root: Path, language: str) -> Path:
    return translations_dir(root) / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def extract(root: Path) -> Catalog:
    """Every translatable string in the code and templates that babel.cfg names."""
    config = root / "babel.cfg"
    if not config.is_file():
        raise CatalogError(f"no babel.cfg in {root}: run this from a source checkout")
    with config.open(encoding="utf-8") as mapping:
        method_map, options_map = parse_mapping_cfg(mapping, str(config))
    catalog = Catalog(project="Mafunzo", header_comment=HEADER, charset="utf-8")
    found = extract_from_dir(
        root, method_map, options_map, keywords=KEYWORDS, comment_tags=COMMENT_TAGS
    )
    for filename, lineno, message, comments, context in found:
        catalog.add(message, None, [(filename, lineno)], auto_comments=comments, context=context)
    return catalog


def write_template(root: Path, catalog: Catalog) -> bool:
    """Write the .pot unless only its creation date would change; True when it was written."""
    path = template_path(root)
    if path.is_file():
        catalog.creation_date = _read(path).creation_date
        if _po_bytes(catalog) == path.read_bytes():
            return False
    catalog.creation_date = datetime.now(UTC)
    _write_atomically(path, _po_bytes(catalog))
    return True


def template_drift(root: Path, extracted: Catalog) -> tuple[list[str], list[str]]:
    """The msgids extraction finds that the .pot lacks, and those the .pot has that it does not."""
    path = template_path(root)
    committed = _keys(_read(path)) if path.is_file() else set()
    found = _keys(extracted)
    return sorted(found - committed), sorted(committed - found)


def update(root: Path, languages: Iterable[str]) -> list[str]:
    """Bring each language's catalog in step with the .pot, creating it when it is missing.

    New strings that resemble old ones arrive marked fuzzy, for a translator to review; the
    languages whose catalog was created are returned."""
    template = _read(template_path(root))
    created = []
    for language in languages:
        path = catalog_path(root, language)
        if path.is_file():
            catalog = _read(path, language)
            # English needs no translations, so a guessed one would only be noise to clear.
            catalog.update(template, no_fuzzy_matching=language == SOURCE_LANGUAGE)
        else:
            catalog = _read(template_path(root), language)
            catalog.locale = language
            catalog.revision_date = datetime.now(UTC)
            catalog.fuzzy = False
            created.append(language)
        _write_atomically(path, _po_bytes(catalog))
    return created


def compile_catalogs(directory: Path) -> list[Path]:
    """Compile every catalog under `directory` to its .mo, leaving out invalid translations."""
    written = []
    for po in sorted(directory.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        catalog = _read(po, po.parent.parent.name)
        # A translation with a placeholder the code does not pass would fail the page that
        # shows it; without it the page shows the English.
        for message, _errors in list(catalog.check()):
            message.string = ("",) * len(message.string) if message.pluralizable else ""
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        _write_atomically(po.with_suffix(".mo"), buffer.getvalue())
        written.append(po.with_suffix(".mo"))
    return written


def coverage(root: Path, language: str) -> Coverage:
    """Count the template's strings that `language` translates, leaves fuzzy or misses."""
    template = _read(template_path(root))
    path = catalog_path(root, language)
    catalog = _read(path, language) if path.is_file() else Catalog(locale=language)
    invalid = {_key(message) for message, _errors in catalog.check()}
    counts = {"translated": 0, "fuzzy": 0, "missing": 0}
    for wanted in _messages(template):
        counts[_state(catalog.get(wanted.id, context=wanted.context), language)] += 1
    return Coverage(language, invalid=len(invalid & _keys(template)), **counts)


def _state(message: Message | None, language: str) -> str:
    if message is None:
        return "missing"
    if message.fuzzy:
        return "fuzzy"
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    if language != SOURCE_LANGUAGE and not all(strings):
        return "missing"
    return "translated"


def _messages(catalog: Catalog) -> list[Message]:
    return [message for message in catalog if message.id]  # the first is the header


def _key(message: Message) -> str:
    msgid = message.id[0] if isinstance(message.id, tuple) else message.id
    return f"{message.context}\x04{msgid}" if message.context else msgid


def _keys(catalog: Catalog) -> set[str]:
    return {_key(message) for message in _messages(catalog)}


def _read(path: Path, language: str | None = None) -> Catalog:
    try:
        with path.open("rb") as po:
            return read_po(po, locale=language, domain=DOMAIN, abort_invalid=True)
    except FileNotFoundError as error:
        raise CatalogError(f"no catalog at {path}: run `lms i18n extract` first") from error
    except (PoFileError, UnicodeError, ValueError) as error:
        raise CatalogError(f"cannot read {path}: {error}") from error


def _po_bytes(catalog: Catalog) -> bytes:
    buffer = io.BytesIO()
    # File names without line numbers: moving a string within a file leaves the catalogs alone.
    write_po(buffer, catalog, include_lineno=False)
    return buffer.getvalue()


def _write_atomically(path: Path, content: bytes) -> None:
    # A running app or a concurrent build never sees half a catalog.
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(handle, "wb") as out:
            out.write(content)
        # mkstemp makes the file private; catalogs are read by whoever runs the app.
        os.chmod(temporary, 0o644)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
