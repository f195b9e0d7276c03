"""PDF certificates: a person reads who earned what, when, from whom and where to check it; a
verifier finds the signed credential attached; anything else handed in as a PDF is refused."""

from __future__ import annotations

import dataclasses
import io
import json
from datetime import date

import pytest
import segno
from pypdf import PdfReader, PdfWriter

from lms import create_app
from lms.credentials.certificate import (
    ATTACHMENT_NAME,
    MAX_CERTIFICATE_BYTES,
    CertificateView,
    MissingCredentialError,
    OversizedCertificateError,
    UnreadableCertificateError,
    extract_from_pdf,
    offline_url_fetcher,
    render_certificate_pdf,
)
from lms.credentials.data_integrity import add_proof, verify_proof
from lms.credentials.multikey import resolve_did_key
from lms.settings import Settings
from tests.credentials.conftest import SIGNED_AT

A4_LANDSCAPE = (842, 595)  # points
VIEW = CertificateView(
    learner_name="Amina Njeri",
    achievement_name="Misingi ya Wikidata — Wikidata basics",
    kind="certificate",
    description="Creates and improves Wikidata items, with références.",
    issued_on=date(2026, 3, 1),
    issuer_name="Mafunzo (test deployment)",
    verify_url="https://mafunzo.example/credentials/2f0a6d3e-8c1b-4b5e-9f7a-1d2c3b4a5e6f",
)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certificate")
    return create_app(
        Settings(
            database_url=f"sqlite:///{folder / 'mafunzo.db'}",
            secret_key="test-secret",
            keys_dir=folder / "keys",
            instance_dir=folder,
            testing=True,
        )
    )


@pytest.fixture
def render(app):
    def render(view: CertificateView = VIEW, credential_json: str = '{"id": "urn:x"}') -> bytes:
        with app.app_context():
            return render_certificate_pdf(view, credential_json)

    return render


@pytest.fixture
def signed_json(open_badge, private_key, verification_method):
    signed = add_proof(open_badge, private_key, verification_method, SIGNED_AT)
    return json.dumps(signed, ensure_ascii=False)


def page_text(pdf: bytes) -> str:
    (page,) = PdfReader(io.BytesIO(pdf)).pages
    return " ".join(page.extract_text().split())


def pdf_with_attachments(*attachments: tuple[str, bytes]) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(width=100, height=100)
    for name, data in attachments:
        writer.add_attachment(name, data)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_certificate_shows_who_earned_what_when_from_whom_and_where_to_check(render):
    text = page_text(render())

    for shown in (
        "Certificate of achievement",
        "Amina Njeri",
        "Misingi ya Wikidata — Wikidata basics",
        "Creates and improves Wikidata items, with références.",
        "Issued on March 1, 2026 by Mafunzo (test deployment)",
        VIEW.verify_url,
    ):
        assert shown.lower() in text.lower()


def test_certificate_is_dated_and_tagged_in_the_learners_language(render):
    pdf = render(dataclasses.replace(VIEW, language="fr"))

    assert "1 mars 2026" in page_text(pdf)
    assert PdfReader(io.BytesIO(pdf)).trailer["/Root"]["/Lang"] == "fr"


def test_badge_certificate_says_it_is_a_badge(render):
    assert "open badge" in page_text(render(dataclasses.replace(VIEW, kind="badge"))).lower()


def test_certificate_is_one_a4_landscape_page_even_with_the_longest_texts(render):
    longest = dataclasses.replace(
        VIEW,
        learner_name="Wanjiku " * 10,
        achievement_name="Strategic planning for affiliates " * 4,
        description="Plans, runs and reports on a year of outreach with partners. " * 65,
    )

    (page,) = PdfReader(io.BytesIO(render(longest))).pages

    assert (round(page.mediabox.width), round(page.mediabox.height)) == A4_LANDSCAPE


def test_learner_text_is_printed_as_text_never_read_as_markup(render):
    hostile = dataclasses.replace(
        VIEW,
        learner_name='<b>Amina</b> & "co"',
        description='<img src="http://127.0.0.1:9/tracker.png"> <script>x()</script>',
    )

    text = page_text(render(hostile))

    assert '<b>Amina</b> & "co"' in text
    assert '<img src="http://127.0.0.1:9/tracker.png">' in text


def test_qr_code_on_the_certificate_encodes_the_verification_link(render):
    (page,) = PdfReader(io.BytesIO(render())).pages
    (image,) = page.images
    dark = [[value < 128 for value in row] for row in _rows(image.image.convert("L"))]

    encodings = (segno.make(VIEW.verify_url, error=level) for level in "LMQH")
    assert any(
        dark == [[bool(module) for module in row] for row in qr.matrix_iter(border=4)]
        for qr in encodings
    )


def _rows(image):
    width, height = image.size
    values = list(image.get_flattened_data())
    return [values[y * width : (y + 1) * width] for y in range(height)]


def test_attached_credential_is_exactly_the_signed_json_and_still_verifies(render, signed_json):
    pdf = render(credential_json=signed_json)

    extracted = extract_from_pdf(pdf)

    assert extracted == signed_json
    assert verify_proof(json.loads(extracted), resolve_did_key).verified


def test_certificate_fetches_nothing_but_data_urls():
    fetch = offline_url_fetcher()

    assert fetch("data:text/plain,offline").read() == b"offline"
    for url in ("http://127.0.0.1:9/x.png", "https://example.org/", "file:///etc/passwd"):
        with pytest.raises(ValueError, match="disallowed protocol"):
            fetch(url)


def test_certificate_view_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="kind"):
        dataclasses.replace(VIEW, kind="trophy")


def test_pdf_without_a_credential_attachment_says_so():
    with pytest.raises(MissingCredentialError, match="0 attachments"):
        extract_from_pdf(pdf_with_attachments(("notes.txt", b"hello")))


def test_pdf_with_two_credential_attachments_is_refused():
    two = pdf_with_attachments((ATTACHMENT_NAME, b'{"a": 1}'), (ATTACHMENT_NAME, b'{"b": 2}'))

    with pytest.raises(MissingCredentialError, match="2 attachments"):
        extract_from_pdf(two)


def test_attachment_that_is_not_text_is_unreadable():
    with pytest.raises(UnreadableCertificateError, match="not UTF-8"):
        extract_from_pdf(pdf_with_attachments((ATTACHMENT_NAME, b"\xff\xfe\x00{")))


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"%PDF-1.7\n%garbage", id="garbage"),
        pytest.param(b"", id="empty"),
        pytest.param(b"just some text", id="not-a-pdf"),
    ],
)
def test_malformed_pdf_is_unreadable(data):
    with pytest.raises(UnreadableCertificateError, match="not a readable PDF"):
        extract_from_pdf(data)


def test_truncated_certificate_is_refused_with_a_named_error(render):
    pdf = render()

    with pytest.raises((UnreadableCertificateError, MissingCredentialError)):
        extract_from_pdf(pdf[: len(pdf) // 3])


def test_oversized_pdf_is_refused_before_it_is_parsed():
    with pytest.raises(OversizedCertificateError):
        extract_from_pdf(b"%PDF-1.7\n" + b" " * MAX_CERTIFICATE_BYTES)
