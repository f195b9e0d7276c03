"""PDF certificates: a printable page for a credential, with the signed credential attached."""

from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from datetime import UTC, date, datetime, time

import segno
from babel import Locale
from flask import current_app
from flask_babel import force_locale, format_date, gettext
from pypdf import PdfReader
from pypdf.errors import PyPdfError
from weasyprint import HTML, Attachment
from weasyprint.urls import URLFetcher

from domain.achievements import KINDS
from lms.credentials.errors import CredentialError

ATTACHMENT_NAME = "credential.json"
# Our certificates are under 30 KiB; a copy re-saved by a PDF editor stays well under this.
MAX_CERTIFICATE_BYTES = 5 * 1024 * 1024
# A credential with an embedded badge image is a few hundred KiB at most.
MAX_ATTACHMENT_BYTES = 1024 * 1024
_TEMPLATE = "credentials/certificate.html"
# What pypdf raises, besides its own errors, when a hostile PDF trips it up.
_PDF_FAILURES = (
    PyPdfError,
    ValueError,
    KeyError,
    TypeError,
    AttributeError,
    IndexError,
    RecursionError,
    OSError,
    zlib.error,
)


@dataclass(frozen=True)
class CertificateView:
    """What a certificate shows: names as the learner chose them at issuance, and where to check."""

    learner_name: str
    achievement_name: str
    kind: str
    description: str
    issued_on: date
    issuer_name: str
    verify_url: str
    language: str = "en"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")


class CertificateError(CredentialError):
    """A PDF certificate could not give up the credential attached to it."""


class OversizedCertificateError(CertificateError):
    """The PDF, or the credential attached to it, is larger than we read."""


class UnreadableCertificateError(CertificateError):
    """The file is not a PDF we can read, or its credential attachment is not text."""


class MissingCredentialError(CertificateError):
    """The PDF is readable but has no `credential.json` attachment, or has several."""


def render_certificate_pdf(certificate: CertificateView, credential_json: str) -> bytes:
    """An A4 landscape certificate, `credential_json` attached; needs an app context."""
    with force_locale(certificate.language):
        # The app's templates without its context processors: those read the request (the
        # signed-in person), and a certificate depends on none of it, e.g. in `lms credentials`.
        html = current_app.jinja_env.get_template(_TEMPLATE).render(
            certificate=certificate,
            language=certificate.language,
            direction=Locale.parse(certificate.language).text_direction,
            issued_on=format_date(certificate.issued_on, "long"),
            qr_code=_qr_code(certificate.verify_url),
        )
        description = gettext("The signed Open Badges 3.0 credential")
    issued_at = datetime.combine(certificate.issued_on, time(), tzinfo=UTC)
    credential = Attachment(
        string=credential_json,
        name=ATTACHMENT_NAME,
        description=description,
        created=issued_at,
        modified=issued_at,
        relationship="Data",
    )
    return HTML(string=html, url_fetcher=offline_url_fetcher()).write_pdf(attachments=[credential])


def extract_from_pdf(data: bytes) -> str:
    """The text of the PDF's `credential.json` attachment."""
    if len(data) > MAX_CERTIFICATE_BYTES:
        raise OversizedCertificateError(
            f"the PDF is {len(data)} bytes; we read PDFs of at most {MAX_CERTIFICATE_BYTES} bytes"
        )
    try:
        attached = PdfReader(io.BytesIO(data)).attachments.get(ATTACHMENT_NAME, [])
    except _PDF_FAILURES as error:
        raise UnreadableCertificateError(f"the file is not a readable PDF: {error}") from error
    if len(attached) != 1:
        raise MissingCredentialError(
            f"the PDF has {len(attached)} attachments named {ATTACHMENT_NAME}; expected one"
        )
    return _credential_text(attached[0])


def offline_url_fetcher() -> URLFetcher:
    """A WeasyPrint fetcher for `data:` URLs only: a certificate never reaches the network."""
    # Failing loudly: a refused URL is a template bug, not something to print around.
    return URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)


def _qr_code(url: str) -> str:
    """The link as a QR code, one pixel a module (CSS scales it up without blurring), with the
    four-module quiet zone readers need around it."""
    return segno.make(url, error="m").png_data_uri(scale=1, border=4)


def _credential_text(attachment: bytes) -> str:
    if len(attachment) > MAX_ATTACHMENT_BYTES:
        raise OversizedCertificateError(
            f"the attached credential is {len(attachment)} bytes; "
            f"we read at most {MAX_ATTACHMENT_BYTES}"
        )
    try:
        return attachment.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableCertificateError(f"{ATTACHMENT_NAME} is not UTF-8 text") from error
