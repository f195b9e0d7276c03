"""Offline JSON-LD: bundled contexts, a fail-closed loader, strict and bounded canonicalisation."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable, Mapping
from functools import cache, partial
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary

from cachetools import LRUCache
from frozendict import frozendict
from pyld import jsonld
from pyld.canon import URDNA2015
from pyld.context_resolver import ContextResolver

from lms.credentials.errors import (
    CredentialError,
    DocumentTooComplexError,
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

# Values (and types) a document may hold once expanded; a credential we issue holds about 45, the
# W3C test vector 9. pyld turns them into statements in time quadratic in the values of one
# property, so this also caps that time (measured: about 0.2 s for a document at the limit).
MAX_VALUES = 512


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
            # No cache tag: `extra` belongs to the caller and may change; bundled bytes never do.
            return {"contextUrl": None, "documentUrl": url, "document": copy.deepcopy(extra[url])}
        return offline_document_loader(url, options)

    return load


def canonicalize(document: dict[str, Any], document_loader: DocumentLoader) -> str:
    """RDFC-1.0 canonical N-Quads of `document`, refusing anything a strict verifier would drop
    and anything too costly to canonicalise."""
    # pyld's normalize would run its own, unbounded canonicaliser on this dataset, so convert
    # here and canonicalise with ours; the strict expansion still runs exactly once.
    dataset = _guarded(lambda: _StrictProcessor().to_rdf(document, _options(document_loader)))
    return _guarded(lambda: _BoundedCanonicaliser().main(dataset, _N_QUADS))


def check_terms(document: dict[str, Any], document_loader: DocumentLoader) -> None:
    """Raise unless every member of `document` is defined by its (bundled) contexts."""
    _StrictProcessor().expand(document, _options(document_loader))


class _StrictProcessor(jsonld.JsonLdProcessor):
    """pyld's processor, raising wherever jsonld.js 'safe mode' would, and reusing processed
    type-scoped contexts where pyld would process them again for every typed node."""

    def __init__(self) -> None:
        super().__init__(on_property_dropped=_refuse_dropped_term)

    def expand(self, input_: Any, options: dict[str, Any]) -> list[Any]:
        # Our own error right here: inside normalize, pyld would wrap its expansion error in
        # two vaguer ones ("Could not convert input to RDF dataset ...").
        expanded = _guarded(partial(super().expand, input_, options))
        _refuse_relative_iris(expanded)
        if (values := _count_values(expanded)) > MAX_VALUES:
            raise DocumentTooComplexError(
                f"it holds {values} values; at most {MAX_VALUES} are accepted"
            )
        return expanded

    def _process_context(
        self,
        active_ctx: Mapping[str, Any],
        local_ctx: Any,
        options: dict[str, Any],
        override_protected: bool = False,
        propagate: bool = True,
        validate_scoped: bool = True,
        cycles: set[str] | None = None,
    ) -> Mapping[str, Any]:
        # pyld caches a processed context under the id of the context it was processed against.
        # For a type-scoped context it first wraps that context in a child remembering the way
        # back, with a fresh random id each time, so that cache never hits. Making the same
        # child here, under an id derived from its parent's, lets it hit.
        if not propagate and _stays_unpropagated(local_ctx) and _final_and_unwrapped(active_ctx):
            active_ctx = self._non_propagating_child(active_ctx)
        return super()._process_context(
            active_ctx, local_ctx, options, override_protected, propagate, validate_scoped, cycles
        )

    def _non_propagating_child(self, active_ctx: Mapping[str, Any]) -> Mapping[str, Any]:
        """The child pyld would make, named after its parent: it depends on nothing else, and
        the parent's id is unique and never reused for other content, so the child's is too."""
        child = self._clone_active_context(active_ctx)
        child["previousContext"] = active_ctx
        child["_uuid"] = f"{active_ctx['_uuid']}:non-propagating"
        return frozendict(child)


_N_QUADS = {"format": "application/n-quads"}


class _BoundedCanonicaliser(URDNA2015):
    """pyld's RDFC-1.0 (still named URDNA2015 there), with a limit on its work.

    Blank nodes that look alike to their first-degree hashes are told apart by Hash N-Degree
    Quads, which tries every ordering of their look-alike neighbours: factorial time, so a few
    hundred hostile bytes can take hours. Like rdf-canonize's default (`maxWorkFactor` 1), which
    Digital Bazaar's verifier uses, it runs Hash N-Degree Quads at most once per look-alike
    blank node, in all. Our credentials need none, or one per look-alike when two evidence
    entries read the same; a document needing more would fail Digital Bazaar's check too.
    """

    def __init__(self) -> None:
        super().__init__()
        self._deep_iterations_left: int | None = None

    def hash_n_degree_quads(self, id_: str, issuer: Any) -> dict[str, Any]:
        if self._deep_iterations_left is None:
            # First called once every blank node with a unique hash has its canonical name:
            # the groups left in this map are the look-alikes.
            self._deep_iterations_left = sum(map(len, self.hash_to_blank_nodes.values()))
        if self._deep_iterations_left == 0:
            raise DocumentTooComplexError(
                "its blank nodes are too alike to canonicalise within the work limit"
            )
        self._deep_iterations_left -= 1
        return super().hash_n_degree_quads(id_, issuer)


def _stays_unpropagated(local_ctx: Any) -> bool:
    """True for one inline context that cannot switch propagation back on (`@propagate`)."""
    return isinstance(local_ctx, dict) and not {"@context", "@propagate"} & local_ctx.keys()


def _final_and_unwrapped(active_ctx: Mapping[str, Any]) -> bool:
    # pyld freezes a context once processed and named; only then is its id a sound cache key.
    return (
        isinstance(active_ctx, frozendict)
        and "_uuid" in active_ctx
        and not active_ctx.get("previousContext")
    )


def _options(document_loader: DocumentLoader) -> dict[str, Any]:
    # No base IRI: pyld would otherwise resolve relative IRIs against http://example.org/base/,
    # hiding them from `_refuse_relative_iris` and signing statements no other verifier produces.
    return {
        "documentLoader": document_loader,
        "base": None,
        "contextResolver": ContextResolver(_resolved_contexts(document_loader), document_loader),
    }


# pyld's own size; one of our credentials uses about 30 (two URLs, the rest scoped contexts).
_RESOLVED_CONTEXTS_PER_LOADER = 100
_resolved_contexts_by_loader: WeakKeyDictionary[DocumentLoader, LRUCache] = WeakKeyDictionary()


def _resolved_contexts(document_loader: DocumentLoader) -> LRUCache:
    """The resolved-context cache of this loader alone.

    pyld's default cache is shared by every loader in the process, keyed by URL: a context any
    other loader once served would then be used without asking ours, which must refuse it.
    """
    cache = _resolved_contexts_by_loader.get(document_loader)
    if cache is None:
        cache = _resolved_contexts_by_loader[document_loader] = LRUCache(
            _RESOLVED_CONTEXTS_PER_LOADER
        )
    return cache


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


def _count_values(node: Any) -> int:
    """Entries of every array in expanded JSON-LD: each value and type there is a statement."""
    if isinstance(node, list):
        return len(node) + sum(map(_count_values, node))
    if isinstance(node, dict):
        # A value's own content is one literal, even a JSON array (`@json`).
        return sum(_count_values(value) for key, value in node.items() if key != "@value")
    return 0


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
