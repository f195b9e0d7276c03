"""Offline JSON-LD: bundled contexts, a fail-closed loader, strict RDFC-1.0 canonicalisation."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld

from lms.credentials.errors import (
    CredentialError,
    InvalidDocumentError,
    RelativeIriError,
    UndefinedTermError,
    UnknownContextError,
)

VC_V2_CONTEXT = "https://www.w3.org/ns/credentials/v2"
OB_V3_CONTEXT = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"

_CONTEXTS_DIR = Path(__file__).with_name("contexts")

# Same test as pyld's own: a scheme (or `_` for blank nodes), a colon, no whitespace.
_ABSOLUTE_IRI = re.compile(r"^([A-Za-z][A-Za-z0-9+\-.]*|_):\S*$")

DocumentLoader = Callable[[str, dict[str, Any] | None], dict[str, Any]]


@cache
def bundled_context_files() -> dict[str, str]:
    """Context URL -> file name in contexts/; the index is shared with the JS interop verifier."""
    return json.loads((_CONTEXTS_DIR / "index.json").read_text(encoding="utf-8"))


@cache
def bundled_context(url: str) -> dict[str, Any]:
    """The parsed bundled context document for `url`."""
    files = bundled_context_files()
    if url not in files:
        raise UnknownContextError(f"context {url!r} is not bundled, and contexts are never fetched")
    return json.loads((_CONTEXTS_DIR / files[url]).read_text(encoding="utf-8"))


def offline_document_loader(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    """Serve a bundled context; refuse every other URL."""
    # The 'static' tag lets pyld cache the resolved context across calls: safe, as the bytes
    # behind a bundled URL never change. The copy keeps pyld's in-place edits out of our cache.
    return {
        "contentType": "application/ld+json",
        "contextUrl": None,
        "documentUrl": url,
        "document": copy.deepcopy(bundled_context(url)),
        "tag": "static",
    }


def loader_with(extra: Mapping[str, dict[str, Any]]) -> DocumentLoader:
    """A loader serving the bundled contexts plus `extra` (URL to document), e.g. in tests."""
    if overlap := set(extra) & set(bundled_context_files()):
        raise ValueError(f"extra documents may not replace bundled contexts: {sorted(overlap)}")

    def load(url: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
        if url in extra:
            # No cache tag: an extra document must not outlive this loader in pyld's cache.
            return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(extra[url])}
        return offline_document_loader(url, options)

    return load


def canonicalize(document: dict[str, Any], document_loader: DocumentLoader) -> str:
    """RDFC-1.0 canonical N-Quads of `document`, refusing anything a strict verifier would drop."""
    expanded = _strictly_expanded(document, document_loader)
    return _guarded(
        lambda: jsonld.normalize(
            expanded,
            {
                **_options(document_loader),
                "algorithm": "URDNA2015",
                "format": "application/n-quads",
            },
        )
    )


def check_terms(document: dict[str, Any], document_loader: DocumentLoader) -> None:
    """Raise unless every member of `document` is defined by its (bundled) contexts."""
    _strictly_expanded(document, document_loader)


def _strictly_expanded(document: dict[str, Any], document_loader: DocumentLoader) -> list[Any]:
    """Expanded JSON-LD, or an error wherever jsonld.js 'safe mode' would raise one."""
    expanded = _guarded(
        lambda: jsonld.expand(document, _options(document_loader), _refuse_dropped_term)
    )
    _refuse_relative_iris(expanded)
    return expanded


def _options(document_loader: DocumentLoader) -> dict[str, Any]:
    # No base IRI: pyld would otherwise resolve relative IRIs against http://example.org/base/,
    # hiding them from the check below and signing statements no other verifier produces.
    return {"documentLoader": document_loader, "base": None}


def _guarded(operation: Callable[[], Any]) -> Any:
    """Run a pyld operation, surfacing our own error from inside its wrapping."""
    try:
        return operation()
    # Hostile input can trip pyld into plain Python errors too (e.g. ValueError for an empty
    # context URL); all of them mean "not a document we can check", so all fail closed.
    except (
        jsonld.JsonLdError,
        ValueError,
        TypeError,
        KeyError,
        IndexError,
        RecursionError,
    ) as error:
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, CredentialError):
                raise cause from None
            cause = cause.__cause__
        raise InvalidDocumentError(f"not canonicalisable JSON-LD: {error}") from error


def _refuse_dropped_term(expanded_property: str | None) -> None:
    raise UndefinedTermError(f"member {expanded_property!r} is not defined by the contexts")


def _refuse_relative_iris(node: Any) -> None:
    """Walk expanded JSON-LD; every `@id` and `@type` must be absolute (or a blank node)."""
    if isinstance(node, list):
        for item in node:
            _refuse_relative_iris(item)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "@id" and not _ABSOLUTE_IRI.match(value):
            raise RelativeIriError(f"id {value!r} is not an absolute IRI")
        if key == "@type":
            for iri in value if isinstance(value, list) else [value]:
                if iri != "@json" and not _ABSOLUTE_IRI.match(iri):
                    raise RelativeIriError(f"type {iri!r} is not defined by the contexts")
        elif key != "@value":
            _refuse_relative_iris(value)
