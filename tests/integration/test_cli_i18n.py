"""The translator workflow: `lms i18n extract|update|compile|check` and the catalogs it keeps.

The workflow runs on a small project in a temporary folder; the last tests hold the real
template and catalogs to account.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from babel.messages.pofile import read_po, write_po
from babel.support import Translations

from lms.cli import main
from lms.i18n import SUPPORTED_LANGUAGES
from lms.translations import catalogs
from lms.translations.catalogs import CatalogError

ROOT = Path(__file__).resolve().parents[2]
CODE = """
from flask_babel import gettext as _, lazy_gettext as _l, ngettext

GREETING = _l("Welcome to the course")


def counted(n):
    return ngettext("%(num)d slide", "%(num)d slides", n)


def thanked(name):
    # TRANSLATORS: a person's display name
    return _("Thank you, %(name)s", name=name)
"""
TEMPLATE = """<p>{{ _("Save") }}</p>
{% trans %}
  Every page
  in your language
{% endtrans %}
"""


@pytest.fixture
def project(tmp_path) -> Path:
    """A checkout with Mafunzo's babel.cfg, one Python module and one template."""
    shutil.copy(ROOT / "babel.cfg", tmp_path / "babel.cfg")
    (tmp_path / "lms" / "web").mkdir(parents=True)
    (tmp_path / "lms" / "web" / "pages.py").write_text(CODE, encoding="utf-8")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "page.html").write_text(TEMPLATE, encoding="utf-8")
    catalogs.write_template(tmp_path, catalogs.extract(tmp_path))
    return tmp_path


def msgids(path: Path) -> set[str]:
    with path.open("rb") as po:
        return {m.id if isinstance(m.id, str) else m.id[0] for m in read_po(po) if m.id}


def translate(project: Path, language: str, translations: dict[str, str | tuple]) -> None:
    path = catalogs.catalog_path(project, language)
    with path.open("rb") as po:
        catalog = read_po(po, locale=language)
    for msgid, text in translations.items():
        catalog.get(msgid).string = text
    with path.open("wb") as po:
        write_po(po, catalog)


def test_extraction_finds_python_lazy_and_plural_strings_and_trimmed_template_blocks(project):
    found = msgids(catalogs.template_path(project))
    assert found == {
        "Welcome to the course",
        "%(num)d slide",
        "Thank you, %(name)s",
        "Save",
        "Every page in your language",
    }
    pot = catalogs.template_path(project).read_text(encoding="utf-8")
    assert "#. TRANSLATORS: a person's display name" in pot
    assert "#: lms/web/pages.py\n" in pot, "locations name the file, without line numbers"


def test_extracting_again_leaves_an_unchanged_template_alone(project):
    before = catalogs.template_path(project).read_bytes()
    assert catalogs.write_template(project, catalogs.extract(project)) is False
    assert catalogs.template_path(project).read_bytes() == before


def test_a_string_added_to_the_code_makes_the_template_out_of_date(project):
    page = project / "templates" / "page.html"
    page.write_text(TEMPLATE.replace('"Save"', '"Save changes"'), encoding="utf-8")
    assert catalogs.template_drift(project, catalogs.extract(project)) == (
        ["Save changes"],
        ["Save"],
    )


def test_update_creates_each_catalog_with_the_plural_forms_of_its_language(project):
    created = catalogs.update(project, ("en", "fr", "ar"))
    assert created == ["en", "fr", "ar"]
    with catalogs.catalog_path(project, "ar").open("rb") as po:
        arabic = read_po(po)
    assert arabic.num_plurals == 6
    assert msgids(catalogs.catalog_path(project, "ar")) == msgids(catalogs.template_path(project))
    assert catalogs.update(project, ("en", "fr", "ar")) == []


def test_update_keeps_translations_and_marks_a_changed_string_fuzzy_for_review(project):
    catalogs.update(project, ("en", "fr"))
    translate(project, "fr", {"Save": "Enregistrer", "Welcome to the course": "Bienvenue"})
    code = project / "lms" / "web" / "pages.py"
    code.write_text(CODE.replace("Welcome to the course", "Welcome to the courses"), "utf-8")
    catalogs.write_template(project, catalogs.extract(project))
    catalogs.update(project, ("en", "fr"))
    french = catalogs.coverage(project, "fr")
    assert (french.translated, french.fuzzy, french.missing) == (1, 1, 3)
    english = catalogs.coverage(project, "en")
    assert (english.translated, english.fuzzy, english.complete) == (5, 0, True)


def test_coverage_counts_translated_fuzzy_missing_and_broken_placeholders(project):
    catalogs.update(project, ("fr",))
    translate(
        project,
        "fr",
        {
            "Save": "Enregistrer",
            "%(num)d slide": ("%(num)d diapositive", "%(num)d diapositives"),
            "Thank you, %(name)s": "Merci, %(nom)s",
        },
    )
    french = catalogs.coverage(project, "fr")
    assert (french.translated, french.fuzzy, french.missing, french.invalid) == (3, 0, 2, 1)
    assert round(french.percent) == 60
    assert not french.complete


def test_compiled_catalogs_translate_and_leave_out_a_translation_that_would_fail(project):
    catalogs.update(project, ("fr",))
    translate(
        project,
        "fr",
        {
            "Save": "Enregistrer",
            "%(num)d slide": ("%(num)d diapositive", "%(num)d diapositives"),
            "Thank you, %(name)s": "Merci, %(nom)s",  # the code passes name, not nom
        },
    )
    (compiled,) = catalogs.compile_catalogs(catalogs.translations_dir(project))
    with compiled.open("rb") as mo:
        french = Translations(mo)
    assert french.gettext("Save") == "Enregistrer"
    assert french.ngettext("%(num)d slide", "%(num)d slides", 2) == "%(num)d diapositives"
    assert french.gettext("Thank you, %(name)s") % {"name": "Amina"} == "Thank you, Amina"


@pytest.mark.parametrize(
    "content",
    [b'msgid "Save"\nEnregistrer\n', b'msgid "Save"\n', b"\xff\xfe not UTF-8"],
    ids=["unknown keyword", "no msgstr", "not UTF-8"],
)
def test_a_malformed_catalog_is_refused_with_its_path(project, content):
    catalogs.update(project, ("fr",))
    catalogs.catalog_path(project, "fr").write_bytes(content)
    with pytest.raises(CatalogError, match=r"cannot read .*fr/LC_MESSAGES/messages\.po"):
        catalogs.coverage(project, "fr")
    with pytest.raises(CatalogError):
        catalogs.compile_catalogs(catalogs.translations_dir(project))


def test_extraction_outside_a_checkout_is_refused(tmp_path):
    with pytest.raises(CatalogError, match=r"no babel\.cfg"):
        catalogs.extract(tmp_path)


def test_check_prints_a_coverage_row_per_shipped_language(capsys):
    status = main(["i18n", "check"])
    out, err = capsys.readouterr()
    header, *rows = out.splitlines()[: len(SUPPORTED_LANGUAGES) + 1]
    assert header.split() == ["language", "translated", "fuzzy", "missing", "invalid", "%"]
    assert [row.split()[0] for row in rows] == list(SUPPORTED_LANGUAGES)
    complete = all(catalogs.coverage(ROOT, language).complete for language in SUPPORTED_LANGUAGES)
    current = catalogs.template_drift(ROOT, catalogs.extract(ROOT)) == ([], [])
    assert status == (0 if complete and current else 1)
    if status:
        assert len(err.splitlines()) == 1 and err.startswith("i18n check failed: ")


def test_compile_writes_a_catalog_the_app_reads_for_every_shipped_language(capsys):
    assert main(["i18n", "compile"]) == 0
    assert capsys.readouterr().out == f"Compiled {len(SUPPORTED_LANGUAGES)} catalogs.\n"
    for language in SUPPORTED_LANGUAGES:
        assert catalogs.catalog_path(ROOT, language).with_suffix(".mo").is_file()


# --- the real template and catalogs -------------------------------------------------------


def test_the_template_holds_every_string_the_code_marks_for_translation():
    new, gone = catalogs.template_drift(ROOT, catalogs.extract(ROOT))
    assert not new, f"strings missing from messages.pot (run lms i18n extract, update): {new}"
    assert not gone, f"messages.pot holds strings the code no longer has: {gone}"


@pytest.mark.parametrize("language", SUPPORTED_LANGUAGES)
def test_every_shipped_catalog_translates_every_string(language):
    """Fails until the translators of issue 6 have filled and reviewed every catalog."""
    coverage = catalogs.coverage(ROOT, language)
    assert coverage.complete, (
        f"{language}: {coverage.missing} missing, {coverage.fuzzy} fuzzy, "
        f"{coverage.invalid} with broken placeholders (see lms i18n check)"
    )
