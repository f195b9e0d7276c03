"""The language of every page: the switcher, what it remembers, whose choice wins, and the
numbers, directions and names each language gets."""

from __future__ import annotations

import re

import pytest

from lms.i18n import SUPPORTED_LANGUAGES
from projections.people import person
from tests.web.conftest import post

HTML_LANG = re.compile(r'<html lang="([^"]*)" dir="([^"]*)"')
SWITCHER = re.compile(
    r'<form method="get" action="([^"]*)" class="language-choice">(.*?)</form>', re.S
)
OPTION = re.compile(r'<option value="([^"]*)" lang="([^"]*)"( selected)?>([^<]*)</option>')


def html_lang(response) -> tuple[str, str]:
    return HTML_LANG.search(response.get_data(as_text=True)).groups()


def switcher(response) -> tuple[str, str]:
    """The switcher's action and inner HTML."""
    found = SWITCHER.search(response.get_data(as_text=True))
    assert found, "no language switcher on the page"
    return found.groups()


def test_every_shipped_language_is_offered_in_its_own_name_and_marked_for_screen_readers(client):
    _, form = switcher(client.get("/courses"))
    options = OPTION.findall(form)
    assert [code for code, *_ in options] == list(SUPPORTED_LANGUAGES)
    assert all(code == lang for code, lang, *_ in options)
    names = {code: name for code, _, _, name in options}
    assert names["fr"] == "français"
    assert names["sw"] == "Kiswahili"
    assert names["ar"] == "العربية"
    assert names["bn"] == "বাংলা"
    assert 'name="lang"' in form
    assert '<button type="submit">' in form, "the switcher must work without JavaScript"


def test_choosing_a_language_goes_back_to_the_page_in_it_and_is_remembered(client):
    chosen = client.get("/language", query_string={"lang": "fr", "next": "/courses?q=wiki"})
    assert chosen.status_code == 303
    assert chosen.headers["Location"] == "/courses?q=wiki"
    page = client.get("/courses?q=wiki")
    assert html_lang(page) == ("fr", "ltr")
    assert html_lang(client.get("/")) == ("fr", "ltr")
    _, form = switcher(page)
    selected = [code for code, _, chosen, _ in OPTION.findall(form) if chosen]
    assert selected == ["fr"]


def test_lang_in_the_address_picks_the_language_too(client):
    assert html_lang(client.get("/courses?lang=sw")) == ("sw", "ltr")
    assert html_lang(client.get("/courses")) == ("sw", "ltr")


def test_arabic_pages_are_right_to_left(client):
    assert html_lang(client.get("/?lang=ar")) == ("ar", "rtl")
    assert html_lang(client.get("/?lang=bn")) == ("bn", "ltr")


def test_an_explicit_choice_wins_over_the_browsers_languages(client):
    headers = {"Accept-Language": "sw, en;q=0.5"}
    assert html_lang(client.get("/courses", headers=headers)) == ("sw", "ltr")
    assert html_lang(client.get("/courses?lang=pt", headers=headers)) == ("pt", "ltr")
    assert html_lang(client.get("/courses", headers=headers)) == ("pt", "ltr")


@pytest.mark.parametrize(
    "lang", ["xx", "", "fr-FR-x-" + "a" * 300, "<script>", "%00", "en&lang=ar"], ids=repr
)
def test_a_language_we_do_not_ship_falls_back_to_english(client, lang):
    response = client.get("/courses", query_string={"lang": lang})
    assert response.status_code == 200
    assert html_lang(response) == ("en", "ltr")


def test_the_switcher_comes_back_to_the_same_address_without_the_old_choice(client):
    response = client.get("/courses", query_string={"q": 'wiki"data', "lang": "fr"})
    action, form = switcher(response)
    assert action == "/language"
    assert '<input type="hidden" name="next" value="/courses?q=wiki%22data">' in form


@pytest.mark.parametrize(
    "next_",
    ["//evil.example/", "https://evil.example/", "/\\evil.example", "/courses\n", "", None],
    ids=repr,
)
def test_the_switcher_only_goes_back_to_pages_of_this_site(client, next_):
    query = {"lang": "ar"} | ({"next": next_} if next_ is not None else {})
    response = client.get("/language", query_string=query)
    assert response.status_code == 303
    assert response.headers["Location"] == "/"


@pytest.mark.parametrize("lang", ["xx", "<script>", "a" * 5000], ids=repr)
def test_choosing_a_language_we_do_not_ship_changes_nothing(client, lang):
    client.get("/language?lang=sw&next=/")
    response = client.get("/language", query_string={"lang": lang, "next": "/courses"})
    assert response.status_code == 303
    assert html_lang(client.get("/courses")) == ("sw", "ltr")


def test_a_signed_in_person_is_sent_to_their_account_where_their_language_wins(
    client, learner, services
):
    with services.engine.connect() as conn:
        name = person(conn, learner).display_name
    services.caught_up(services.app.change_profile(learner, name, "sw"))
    page = client.get("/courses?lang=fr")
    assert html_lang(page) == ("sw", "ltr"), "the profile's language wins over ?lang="
    body = page.get_data(as_text=True)
    assert 'class="language-choice"' in body and SWITCHER.search(body) is None
    assert re.search(r'<a href="/account">[^<]*Kiswahili[^<]*</a>', body)
    account = client.get("/account").get_data(as_text=True)
    assert re.search(r'<option value="sw"[^>]*selected', account)


def test_the_progress_shown_is_a_percentage_written_the_readers_way(
    client, learner, course_id, services
):
    with services.engine.connect() as conn:
        name = person(conn, learner).display_name
    post(client, f"/courses/{course_id}/enrol")
    post(client, f"/courses/{course_id}/modules/basics/slides/what/viewed")
    post(client, f"/courses/{course_id}/modules/basics/slides/check/answer", {"answer": "2"})
    shown = {}
    for language in ("en", "fr"):
        services.caught_up(services.app.change_profile(learner, name, language))
        body = client.get("/dashboard").get_data(as_text=True)
        shown[language] = re.search(r'<progress max="100" value="50"[^>]*>([^<]*)<', body)[1]
    assert shown == {"en": "50%", "fr": "50\xa0%"}  # one module of two done
