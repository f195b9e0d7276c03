"""A signed credential in the forms people carry: VC-JWT, PDF certificate, baked PNG and SVG.

The signed document never changes, so each rendition is made the first time someone asks for
it and kept in a bounded cache, keyed by (public id, format, language).
"""

from __future__ import annotations

import base64
import json
import threading
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urlencode
from xml.etree import ElementTree

from cachetools import LRUCache

from lms.credentials import local
from lms.credentials.badge_art import BADGE_SIZE, default_badge_png, default_badge_svg
from lms.credentials.baking import SVG_NAMESPACE, bake_png, bake_svg
from lms.credentials.certificate import CertificateView, render_certificate_pdf
from lms.credentials.dates import parse_datetime
from lms.credentials.errors import CredentialError
from lms.credentials.issuing import ACHIEVEMENT_TYPES, credential_url
from lms.credentials.signing import credential_jwt
from lms.services import Services
from projections.credentials import CredentialView

MEDIA_TYPES = {
    "json": "application/ld+json",
    "jwt": "application/vc+jwt",
    "pdf": "application/pdf",
    "png": "image/png",
    "svg": "image/svg+xml",
}
FORMATS = tuple(MEDIA_TYPES)
# A PDF is about 50 KiB and a baked badge a few hundred at most: hundreds of renditions.
RENDITIONS_BUDGET_BYTES = 64 * 1024 * 1024
_KIND_OF_TYPE = {achievement_type: kind for kind, achievement_type in ACHIEVEMENT_TYPES.items()}


class ForgottenHolderError(CredentialError):
    """The holder was forgotten: we no longer hold the document to render."""


@dataclass(frozen=True)
class CredentialSummary:
    """What one of our signed credentials states, read back for its page and renditions."""

    achievement_name: str
    kind: str
    description: str
    criteria: str
    learner_name: str
    issuer_name: str
    issuer_id: str
    issued_at: datetime
    image_url: str | None
    evidence: tuple[tuple[str, str], ...]


def summary_of(document: dict[str, Any]) -> CredentialSummary:
    """The summary of a credential our signer made (OpenBadgeSigner): the shape is ours."""
    subject = document["credentialSubject"]
    achievement = subject["achievement"]
    name = next(i for i in subject["identifier"] if i["identityType"] == "name")
    return CredentialSummary(
        achievement_name=achievement["name"],
        kind=_KIND_OF_TYPE[achievement["achievementType"]],
        description=achievement["description"],
        criteria=achievement["criteria"]["narrative"],
        learner_name=name["identityHash"],
        issuer_name=document["issuer"]["name"],
        issuer_id=document["issuer"]["id"],
        issued_at=parse_datetime(document["validFrom"]),
        image_url=achievement.get("image", {}).get("id"),
        evidence=tuple((e["name"], e["narrative"]) for e in document.get("evidence", [])),
    )


def rendition(services: Services, credential: CredentialView, form: str, language: str) -> bytes:
    """`credential` as one of FORMATS; `language` is the PDF's. Needs an app context for PDF."""
    document = credential.document
    if document is None:
        raise ForgottenHolderError(credential.public_id)
    if form == "json":
        return document.encode("utf-8")
    if form == "jwt":
        return credential_jwt(json.loads(document), services.issuer).encode("ascii")
    summary = summary_of(json.loads(document))
    if form == "pdf":
        return render_certificate_pdf(
            _certificate(services, credential, summary, language), document
        )
    # The image of the achievement's version the credential certifies.
    certified = local.achievement_version(
        services, credential.achievement_id, credential.achievement_version
    )
    image = certified.image if certified else None
    if form == "png":
        return bake_png(badge_png(summary.achievement_name, summary.kind, image), document)
    svg = badge_svg(summary.achievement_name, summary.kind, image)
    return bake_svg(svg, document).encode("utf-8")


def _certificate(
    services: Services, credential: CredentialView, summary: CredentialSummary, language: str
) -> CertificateView:
    base = services.issuer.base_url
    link = urlencode({"url": credential_url(base, credential.public_id)})
    return CertificateView(
        learner_name=summary.learner_name,
        achievement_name=summary.achievement_name,
        kind=summary.kind,
        description=summary.description,
        issued_on=summary.issued_at.date(),
        issuer_name=summary.issuer_name,
        verify_url=f"{base}/verify?{link}",
        language=language,
    )


def badge_png(name: str, kind: str, image: str | None) -> bytes:
    """The organiser's image (base64 PNG), or the default art."""
    return base64.b64decode(image) if image else default_badge_png(name, kind)


def badge_svg(name: str, kind: str, image: str | None) -> str:
    """The default art, or an SVG showing the organiser's PNG (baking needs an SVG document)."""
    if not image:
        return default_badge_svg(name, kind)
    size = str(BADGE_SIZE)
    svg = ElementTree.Element(
        "svg",
        {"xmlns": SVG_NAMESPACE, "width": size, "height": size, "viewBox": f"0 0 {size} {size}"},
    )
    ElementTree.SubElement(
        svg, "image", {"href": f"data:image/png;base64,{image}", "width": size, "height": size}
    )
    return ElementTree.tostring(svg, encoding="unicode")


class Renditions:
    """Renditions made once and kept, the least recently used dropped past a byte budget."""

    def __init__(self, budget_bytes: int = RENDITIONS_BUDGET_BYTES):
        self._cache: LRUCache = LRUCache(maxsize=budget_bytes, getsizeof=len)
        self._lock = threading.Lock()

    def get(self, key: Hashable, make: Callable[[], bytes]) -> bytes:
        with self._lock:
            found = self._cache.get(key)
        if found is None:
            # Made outside the lock: two first requests may both render, which is harmless.
            found = make()
            with self._lock:
                if len(found) <= self._cache.maxsize:
                    self._cache[key] = found
        return found
