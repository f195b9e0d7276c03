"""Organisers translate courses in the browser, without JavaScript: the original beside each
field, every save a revision, a JSON file for translators offline; nobody else can, and bad
input is refused in words with nothing recorded."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

import pytest
from hypothesis import HealthCheck, given, settings

from tests.factories import course_content, register
from tests.web.conftest import csrf_token, login_as, post
from tests.web.holding import organiser, organiser_client  # noqa: F401 - fixtures
from tests.web.hostile import ON_SQLITE, discover_forms, submissions, submit

FUZZ = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
SWAHILI = {
    "title": "Kuuliza Wikidata",
    "description": "Jifunze SPARQL hatua kwa hatua",
    "modules.basics.title": "Misingi",
    "modules.basics.description": "Swali ni nini",
    "modules.basics.slides.check.title": "Jipime",
    "modules.basics.slides.check.content_html": "<p>Chagua moja.</p><script>alert(1)</script>",
    "modules.basics.slides.check.quiz.question": "Kauli ipi ni bora?",
    "modules.basics.slides.check.quiz.answers.1.text": "Badilisha thamani",
    "modules.basics.slides.check.quiz.answers.1.explanation": "Hapana.",
    "modules.basics.slides.check.quiz.answers.2.text": "Ongeza kiambishi",
    "modules.basics.slides.check.quiz.answers.2.explanation": "Ndiyo.",
}


def body(response) -> str:
    return response.get_data(as_text=True)


def head(services) -> int | None:
    return services.app.recorder.max_notification_id()


def page_of(course_id, language="sw") -> str:
    return f"/organise/courses/{course_id}/translations/{language}"


def send_form(client, url: str, form: dict):
    data = {"csrf_token": csrf_token(client), **form}
    return client.post(url, data=data, content_type="multipart/form-data")


def upload(client, url: str, content: bytes, name: str = "sw.json"):
    data = {"csrf_token": csrf_token(client), "file": (io.BytesIO(content), name)}
    return client.post(f"{url}/upload", data=data, content_type="multipart/form-data")


def field(page: str, name: str) -> str:
    """The value of an input, or the text of a textarea, named `name`."""
    found = re.search(
        rf'<input id="{re.escape(name)}" name="{re.escape(name)}"[^>]* value="([^"]*)"', page
    ) or re.search(rf'<textarea id="{re.escape(name)}" name="{re.escape(name)}"[^>]*>([^<]*)', page)
    return found.group(1) if found else ""


def test_an_organiser_finds_the_course_and_translates_it_beside_the_original(
    organiser_client, services, course_id
):
    listed = body(organiser_client.get("/organise/courses"))
    assert "Querying Wikidata" in listed and "Not translated yet." in listed
    started = organiser_client.get(f"/organise/courses/{course_id}/translations?language=SW")
    assert started.status_code == 303 and started.location.endswith(page_of(course_id))
    form = body(organiser_client.get(started.location))
    assert '<td lang="en" dir="auto">Basics</td>' in form  # the original, marked as English
    assert 'name="modules.basics.slides.check.quiz.answers.2.explanation" lang="sw"' in form

    saved = send_form(organiser_client, page_of(course_id), SWAHILI)

    assert saved.status_code == 303
    shown = body(organiser_client.get(saved.location))
    assert "The translation is published: revision 1." in shown
    assert field(shown, "modules.basics.title") == "Misingi"  # the form shows what is published
    translation = services.app.course_translation(course_id, 1, "sw")
    assert translation.modules[0].slides[0].content_html == "<p>Chagua moja.</p>"
    listed = body(organiser_client.get("/organise/courses"))
    assert "Swahili" in listed and "1 module, 1 slide" in listed


def test_saving_again_records_nothing_and_a_change_is_the_next_revision(
    organiser_client, services, course_id
):
    send_form(organiser_client, page_of(course_id), SWAHILI)
    before = head(services)
    again = send_form(organiser_client, page_of(course_id), SWAHILI)
    assert "Nothing changed" in body(organiser_client.get(again.location))
    assert head(services) == before
    changed = send_form(organiser_client, page_of(course_id), {**SWAHILI, "title": "Wikidata"})
    assert "revision 2." in body(organiser_client.get(changed.location))


@pytest.mark.parametrize(
    ("changes", "field_name", "where"),
    [
        ({"title": ""}, "title", "Title"),
        (
            {"modules.basics.slides.check.quiz.answers.2.text": ""},
            "modules.basics.slides.check.quiz.answers.2.text",
            "“Basics” › “Check yourself” › Answer 2",
        ),
        (
            {"modules.more.slides.cats.title": "Paka"},
            "modules.more.title",
            "“More” › Title",
        ),
        ({"description": "a\x00b"}, "description", "Description"),
        ({"title": "K" * 301}, "title", "Title"),
    ],
)
def test_an_incomplete_or_malformed_part_is_refused_at_its_field_and_nothing_recorded(
    organiser_client, services, course_id, changes, field_name, where
):
    before = head(services)
    response = send_form(organiser_client, page_of(course_id), {**SWAHILI, **changes})
    assert response.status_code == 400
    page = body(response)
    assert "A translation needs the course&#39;s title and description" in page
    assert f"Please check: {where}." in page.replace("&#34;", '"')
    assert re.search(rf'name="{re.escape(field_name)}"[^>]*aria-invalid="true"', page)
    assert field(page, "modules.basics.title") == "Misingi"  # what was typed is kept
    assert head(services) == before


@pytest.mark.parametrize(
    ("language", "status", "message"),
    [
        ("en", 400, "written in this language already"),
        ("xx", 400, "a code such as sw, fr or pt-BR"),
        ("und", 400, "a code such as sw, fr or pt-BR"),
    ],
)
def test_a_translation_into_the_original_or_an_unknown_language_is_refused(
    organiser_client, services, course_id, language, status, message
):
    before = head(services)
    shown = organiser_client.get(page_of(course_id, language))
    sent = send_form(organiser_client, page_of(course_id, language), SWAHILI)
    for response in (shown, sent):
        assert response.status_code == status
        assert message in body(response)
    assert head(services) == before


def test_unknown_courses_and_versions_answer_404(organiser_client, course_id):
    assert organiser_client.get(page_of("6f1c1c9e-0000-4000-8000-000000000000")).status_code == 404
    assert organiser_client.get(f"{page_of(course_id)}?version=2").status_code == 404
    assert organiser_client.get(f"{page_of(course_id)}?version=one").status_code == 400


def test_an_older_version_keeps_its_translation_and_the_new_one_starts_from_it(
    organiser_client, services, course_id
):
    send_form(organiser_client, page_of(course_id), SWAHILI)
    content = replace(services.app.course_version(course_id), title="Querying")
    services.caught_up(services.app.publish_course(content))
    fresh = body(organiser_client.get(page_of(course_id)))
    assert "Translation into Swahili of version 2" in fresh
    assert "filled in from its translation" in fresh
    assert field(fresh, "title") == ""  # its original changed
    assert field(fresh, "modules.basics.title") == "Misingi"  # its original did not
    assert services.app.course_translation(course_id, 2, "sw") is None  # nothing published yet
    older = body(organiser_client.get(f"{page_of(course_id)}?version=1"))
    assert "older version" in older and field(older, "title") == "Kuuliza Wikidata"


def test_translators_download_the_texts_and_upload_the_translation(
    organiser_client, services, course_id
):
    download = organiser_client.get(f"{page_of(course_id)}/translation.json")
    assert download.mimetype == "application/json"
    assert "attachment" in download.headers["Content-Disposition"]
    texts = download.get_json()
    assert (texts["language"], texts["title"]) == ("sw", "Querying Wikidata")  # to translate
    texts["title"] = "Kuuliza Wikidata"
    texts["modules"] = []  # leaves the modules in the original

    uploaded = upload(organiser_client, page_of(course_id), json.dumps(texts).encode())

    assert uploaded.status_code == 303
    assert services.app.course_translation(course_id, 1, "sw").title == "Kuuliza Wikidata"
    again = organiser_client.get(f"{page_of(course_id)}/translation.json").get_json()
    assert again == {**texts, "modules": []}


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"\xff\xfe not utf-8", "not JSON in UTF-8"),
        (b"{not json", "not JSON in UTF-8"),
        (b"[" * 100_000, "not JSON in UTF-8"),
        (b'{"title": "Kuuliza"}', "A translation needs"),
        (b'{"title": "K", "description": "D", "modules": [{"slug": "zz"}]}', "modules"),
        (json.dumps({"language": "fr", "title": "T", "description": "D"}).encode(), "language"),
    ],
)
def test_a_bad_file_is_refused_in_words_and_nothing_recorded(
    organiser_client, services, course_id, content, message
):
    before = head(services)
    response = upload(organiser_client, page_of(course_id), content)
    assert response.status_code == 400
    assert message in body(response)
    assert head(services) == before


def test_an_upload_without_a_file_is_refused(organiser_client, services, course_id):
    response = post(organiser_client, f"{page_of(course_id)}/upload", {})
    assert response.status_code == 400
    assert "Please choose a JSON file" in body(response)


def translation_urls(course_id) -> list[tuple[str, str]]:
    page = page_of(course_id)
    return [
        ("GET", "/organise/courses"),
        ("GET", f"/organise/courses/{course_id}/translations?language=sw"),
        ("GET", page),
        ("POST", page),
        ("POST", f"{page}/upload"),
        ("GET", f"{page}/translation.json"),
    ]


def test_learners_are_refused_and_visitors_sent_to_sign_in(app, services, course_id):
    _, username = register(services)
    learner = app.test_client()
    login_as(learner, username)
    visitor = app.test_client()
    before = head(services)
    for method, url in translation_urls(course_id):
        refused = post(learner, url, SWAHILI) if method == "POST" else learner.get(url)
        assert refused.status_code == 403, (method, url)
        sent = post(visitor, url, SWAHILI) if method == "POST" else visitor.get(url)
        assert sent.status_code in (302, 303) and "/login" in sent.location, (method, url)
    assert head(services) == before


def test_a_course_in_arabic_script_gets_right_to_left_fields(organiser_client, services):
    course_id = services.caught_up(services.app.publish_course(course_content())).id
    page = body(organiser_client.get(page_of(course_id, "ar")))
    assert 'name="title" lang="ar" dir="rtl"' in page


@ON_SQLITE
def test_the_translation_forms_survive_hostile_input(world):
    """The course list's and the translation page's forms, found on the pages and fuzzed."""
    forms = [
        f
        for f in discover_forms(world, world.admin)
        if f.endpoint
        in ("organise.start_translation", "organise.translation", "organise.upload_translation")
    ]
    assert {f.endpoint for f in forms} == {
        "organise.start_translation",
        "organise.translation",
        "organise.upload_translation",
    }
    for form in forms:
        _fuzz(world, form)


def _fuzz(world, form) -> None:
    @FUZZ
    @given(submission=submissions(form, world.foreign_ids()))
    def attack(submission):
        pairs, headers = submission
        submit(world, world.admin, form, pairs, headers)

    attack()
