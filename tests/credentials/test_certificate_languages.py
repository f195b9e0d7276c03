"""Certificates in Arabic and Bengali: the names come back out of the PDF as written, set in
Debian's Noto fonts (embedded), and an Arabic certificate is laid out right to left."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from datetime import date

import pytest
from pypdf import PdfReader

from lms import create_app
from lms.credentials.certificate import CertificateView, render_certificate_pdf
from lms.settings import Settings

ON_CI = os.environ.get("CI") == "true"
NOTO_FAMILIES = ("Noto Sans", "Noto Naskh Arabic", "Noto Sans Arabic", "Noto Sans Bengali")
ARABIC = CertificateView(
    learner_name="أمينة نجيري",
    achievement_name="أساسيات ويكي بيانات",
    kind="certificate",
    description="تنشئ عناصر ويكي بيانات وتحسنها مع المراجع.",
    issued_on=date(2026, 3, 1),
    issuer_name="Mafunzo",
    verify_url="https://mafunzo.example/credentials/2f0a6d3e-8c1b-4b5e-9f7a-1d2c3b4a5e6f",
    language="ar",
)
BENGALI = CertificateView(
    learner_name="রহিম উদ্দিন",
    achievement_name="উইকিউপাত্তের মূল বিষয়",
    kind="certificate",
    description="উইকিউপাত্তে আইটেম তৈরি ও উন্নত করেন।",
    issued_on=date(2026, 3, 1),
    issuer_name="Mafunzo",
    verify_url="https://mafunzo.example/credentials/2f0a6d3e-8c1b-4b5e-9f7a-1d2c3b4a5e6f",
    language="bn",
)


def installed_font_families() -> set[str]:
    """The families fontconfig (which WeasyPrint renders with) knows."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return set()
    listed = subprocess.run(  # noqa: S603 - a fixed command, no input of ours
        [fc_list, ":", "family"], capture_output=True, text=True, check=True
    ).stdout
    return {family.strip() for line in listed.splitlines() for family in line.split(",")}


@pytest.fixture(scope="module")
def noto_fonts() -> None:
    missing = [f for f in NOTO_FAMILIES if f not in installed_font_families()]
    if missing:
        reason = f"fonts {missing} not installed: run scripts/install-system-packages"
        if ON_CI:
            pytest.fail(f"{reason} (CI=true: the set-up must install them)")
        pytest.skip(reason)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    folder = tmp_path_factory.mktemp("certificate-languages")
    return create_app(
        Settings(
            database_url=f"sqlite:///{folder / 'mafunzo.db'}",
            secret_key="test-secret",
            keys_dir=folder / "keys",
            instance_dir=folder,
            testing=True,
        )
    )


@pytest.fixture(scope="module")
def certificates(app, noto_fonts) -> dict[str, PdfReader]:
    with app.app_context():
        return {
            view.language: PdfReader(io.BytesIO(render_certificate_pdf(view, '{"id": "urn:x"}')))
            for view in (ARABIC, BENGALI)
        }


def embedded_fonts(reader: PdfReader) -> dict[str, bool]:
    """Each font the page uses, without its subset prefix, and whether its file is embedded."""
    found = {}
    for font in reader.pages[0]["/Resources"]["/Font"].values():
        for face in [font.get_object(), *font.get_object().get("/DescendantFonts", [])]:
            face = face.get_object()
            if "/FontDescriptor" in face:
                descriptor = face["/FontDescriptor"].get_object()
                name = str(face["/BaseFont"]).split("+", 1)[-1]
                found[name] = any(
                    k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
                )
    return found


def qr_code_x(reader: PdfReader) -> float:
    """Where the page draws its one image, the QR code: the x of its transformation matrix."""
    drawn = []
    reader.pages[0].extract_text(
        visitor_operand_before=lambda op, args, cm, tm: drawn.append(cm[4]) if op == b"Do" else None
    )
    (x,) = drawn
    return x


@pytest.mark.parametrize("view", [ARABIC, BENGALI], ids=lambda v: v.language)
def test_the_names_come_back_out_of_the_pdf_as_written(certificates, view):
    text = certificates[view.language].pages[0].extract_text()
    assert view.learner_name in text
    assert view.achievement_name in text


def test_the_arabic_description_comes_back_word_for_word(certificates):
    # Word by word: a text extractor puts the sentence's final stop where it is drawn, at the
    # line's left end.
    text = certificates["ar"].pages[0].extract_text()
    assert all(word.strip(".") in text for word in ARABIC.description.split())


@pytest.mark.parametrize(
    ("language", "script_font"), [("ar", "Noto-Naskh-Arabic"), ("bn", "Noto-Sans-Bengali")]
)
def test_the_text_is_set_in_embedded_noto_fonts(certificates, language, script_font):
    fonts = embedded_fonts(certificates[language])
    assert script_font in fonts
    # The link is set in a monospace font, the one text not in Noto.
    proportional = {name for name in fonts if "Mono" not in name}
    assert all(name.startswith("Noto-") for name in proportional), sorted(fonts)
    assert all(fonts.values()), f"fonts referenced but not embedded: {fonts}"


def test_an_arabic_certificate_is_mirrored(certificates):
    width = float(certificates["ar"].pages[0].mediabox.width)
    # The check block starts with its QR code: on the right in Arabic, on the left otherwise.
    assert qr_code_x(certificates["ar"]) > width / 2
    assert qr_code_x(certificates["bn"]) < width / 2
