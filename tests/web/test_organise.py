"""Organisers in the browser, without JavaScript: define and revise achievements, award them by
hand, suspend, reinstate and revoke; and nobody else can."""

from __future__ import annotations

import base64
import io
import re
from uuid import UUID

import pytest
from hypothesis import HealthCheck, given, settings

from projections.credentials import get_achievement
from tests.factories import register
from tests.web.conftest import csrf_token, login_as, post
from tests.web.holding import (  # noqa: F401 - fixtures
    achievement_id,
    complete,
    definition,
    held_by,
    holder,
    organiser,
    organiser_client,
    png,
)
from tests.web.hostile import ON_SQLITE, discover_forms, submissions, submit

NEW = "/organise/achievements/new"
FUZZ = settings(
    max_examples=25,  # per form
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def body(response) -> str:
    return response.get_data(as_text=True)


def head(services) -> int | None:
    return services.app.recorder.max_notification_id()


def achievement_form(course_id=None, **changes) -> dict:
    form = {
        "name": "Wikidata querier",
        "description": "Writes SPARQL queries.",
        "criteria": "Complete every module of the course.",
        "kind": "certificate",
        "courses": [str(course_id)] if course_id else [],
    }
    return {**form, **changes}


def achievement_of(response) -> UUID:
    assert response.status_code == 303, body(response)
    return UUID(response.location.rstrip("/").rsplit("/", 1)[1])


def test_an_organiser_defines_an_achievement_that_a_course_earns(
    app, services, organiser_client, course_id
):
    form = {**achievement_form(course_id), "image": (io.BytesIO(png("blue")), "badge.png")}
    response = organiser_client.post(
        NEW, data=_with_token(organiser_client, form), content_type="multipart/form-data"
    )
    achievement = achievement_of(response)
    page = body(organiser_client.get(response.location))
    assert "The achievement is defined." in page
    assert "Querying Wikidata" in page  # the course that earns it
    listed = body(organiser_client.get("/organise/achievements"))
    assert "Wikidata querier" in listed
    learner, _ = register(services)
    complete(services, learner, course_id)
    (credential,) = held_by(services, learner)
    assert credential.achievement_id == achievement
    image = organiser_client.get(f"/achievements/{achievement}/v1/image.png")
    assert image.mimetype == "image/png" and image.data.startswith(b"\x89PNG")


def test_revising_makes_a_new_version_and_keeps_the_image_unless_replaced(
    organiser_client, services, course_id
):
    image = (io.BytesIO(png("blue")), "badge.png")
    response = organiser_client.post(
        NEW,
        data=_with_token(organiser_client, {**achievement_form(course_id), "image": image}),
        content_type="multipart/form-data",
    )
    achievement = achievement_of(response)
    edit = f"/organise/achievements/{achievement}/edit"
    assert "Wikidata querier" in body(organiser_client.get(edit))
    revised = post(organiser_client, edit, achievement_form(course_id, name="SPARQL writer"))
    assert revised.status_code == 303
    with services.engine.connect() as conn:
        shown = get_achievement(conn, achievement)
    assert (shown.name, shown.version) == ("SPARQL writer", 2)
    assert shown.image is not None and base64.b64decode(shown.image).startswith(b"\x89PNG")


def test_a_definition_missing_its_name_is_refused_and_nothing_recorded(
    organiser_client, services, course_id
):
    before = head(services)
    response = post(organiser_client, NEW, achievement_form(course_id, name=" "))
    assert response.status_code == 400
    assert "An achievement needs a name" in body(response)
    assert "Writes SPARQL queries." in body(response)  # what was typed is kept
    assert head(services) == before


@pytest.mark.parametrize(
    ("upload", "message"),
    [
        ((b"GIF89a not a png", "badge.gif"), "must be a PNG"),
        ((png("red", size=2000), "huge.png"), "at most 1024"),
        ((png("red")[:60], "cut.png"), "damaged or incomplete"),
    ],
)
def test_an_image_that_is_not_a_small_png_is_refused(
    organiser_client, services, course_id, upload, message
):
    before = head(services)
    data, name = upload
    image = (io.BytesIO(data), name)
    response = organiser_client.post(
        NEW,
        data=_with_token(organiser_client, {**achievement_form(course_id), "image": image}),
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert message in body(response)
    assert head(services) == before


def test_a_mentoring_rule_is_set_in_the_form_and_shown_again_when_revising(
    organiser_client, services
):
    form = achievement_form(mentoring_skill="Wikidata", mentoring_hours="10", kind="badge")
    achievement = achievement_of(post(organiser_client, NEW, form))
    with services.engine.connect() as conn:
        shown = get_achievement(conn, achievement)
    assert (shown.mentoring_skill, shown.mentoring_hours, shown.courses) == ("Wikidata", 10, ())
    edit = body(organiser_client.get(f"/organise/achievements/{achievement}/edit"))
    assert '<option value="Wikidata" selected>' in edit
    assert 'value="10"' in edit


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"mentoring_skill": "Wikidata", "mentoring_hours": "ten"}, "whole number"),
        ({"mentoring_skill": "Wikidata", "mentoring_hours": "²"}, "whole number"),
        ({"mentoring_skill": "Wikidata", "mentoring_hours": "0"}, "An achievement needs"),
        ({"mentoring_skill": "Underwater basket", "mentoring_hours": "3"}, ""),
    ],
)
def test_a_broken_mentoring_rule_is_refused_and_nothing_recorded(
    organiser_client, services, changes, message
):
    before = head(services)
    response = post(organiser_client, NEW, achievement_form(**changes))
    assert 400 <= response.status_code < 500
    assert message in body(response)
    assert head(services) == before


def test_courses_must_come_from_the_catalog(organiser_client, services):
    before = head(services)
    response = post(organiser_client, NEW, achievement_form(courses=["not-a-course"]))
    assert response.status_code == 400
    assert "choose courses from the list" in body(response)
    unknown = post(organiser_client, NEW, achievement_form(courses=[str(UUID(int=7))]))
    assert unknown.status_code == 404
    assert head(services) == before


@pytest.fixture
def by_hand(services, organiser) -> UUID:
    """An achievement no course earns: organisers award it by hand."""
    recorded = services.app.define_achievement(definition(name="Workshop helper"), organiser[0])
    return services.caught_up(recorded).id


def test_an_organiser_awards_by_hand_with_a_reason(organiser_client, services, by_hand):
    person_id, username = register(services)
    page = f"/organise/achievements/{by_hand}"
    response = post(
        organiser_client, f"{page}/award", {"username": username, "reason": "Ran the workshop"}
    )
    assert response.status_code == 303
    shown = body(organiser_client.get(page))
    assert f"{username.title()} now holds this achievement." in shown
    assert "Awarded by hand: Ran the workshop" in shown
    (credential,) = held_by(services, person_id)
    assert credential.award_reason == "Ran the workshop"
    again = post(
        organiser_client, f"{page}/award", {"username": username, "reason": "Ran it twice"}
    )
    assert again.status_code == 409
    assert "already holds this achievement" in body(again)


@pytest.mark.parametrize(
    ("form", "status", "message"),
    [
        ({"username": "nobody-here", "reason": "Helped"}, 400, "Nobody here has that username"),
        ({"username": "{person}", "reason": ""}, 400, "Please give a reason"),
    ],
)
def test_an_award_needs_a_known_person_and_a_reason(
    organiser_client, services, by_hand, form, status, message
):
    _, username = register(services)
    form = {k: v.format(person=username) for k, v in form.items()}
    before = head(services)
    url = f"/organise/achievements/{by_hand}/award"
    response = post(organiser_client, url, form)
    assert response.status_code == status
    assert message in body(response)
    assert head(services) == before


def test_suspend_reinstate_and_revoke_with_reasons(organiser_client, services, holder):
    def act(action: str, reason: str):
        url = f"/organise/credentials/{holder.credential.public_id}/{action}"
        return post(organiser_client, url, {"reason": reason})

    assert act("suspend", "Under review").status_code == 303
    shown = body(organiser_client.get(f"/organise/achievements/{holder.achievement_id}"))
    assert "Suspended" in shown and "Under review" in shown
    assert held_by(services, holder.person_id)[0].status == "suspended"
    assert act("reinstate", "Cleared").status_code == 303
    assert held_by(services, holder.person_id)[0].status == "active"
    assert act("revoke", "Plagiarism").status_code == 303
    (revoked,) = held_by(services, holder.person_id)
    assert (revoked.status, revoked.status_reason) == ("revoked", "Plagiarism")
    again = act("reinstate", "Oops")
    assert again.status_code == 409
    assert "stays revoked" in body(again)


def test_a_status_change_without_a_reason_is_refused(organiser_client, services, holder):
    before = head(services)
    url = f"/organise/credentials/{holder.credential.public_id}/revoke"
    response = post(organiser_client, url, {"reason": "  "})
    assert response.status_code == 400
    assert "Please give a reason" in body(response)
    assert head(services) == before


def test_issuing_to_everyone_who_already_earned_an_achievement(
    organiser_client, organiser, services, course_id
):
    learner, _ = register(services)
    complete(services, learner, course_id)  # before any achievement exists
    assert held_by(services, learner) == []
    post(organiser_client, NEW, achievement_form(course_id))
    response = post(organiser_client, "/organise/achievements/issue-earned")
    assert response.status_code == 303
    assert "1 credential issued" in body(organiser_client.get(response.location))
    assert len(held_by(services, learner)) == 1
    post(organiser_client, "/organise/achievements/issue-earned")
    assert len(held_by(services, learner)) == 1  # never twice


def test_the_list_counts_each_achievements_credentials(organiser_client, holder):
    listed = body(organiser_client.get("/organise/achievements"))
    row = re.search(r"Wikidata querier</a></td>.*?</tr>", listed, re.S).group(0)
    assert re.findall(r"<td>(\d+)</td>", row) == ["1", "1"]  # version 1, one credential


def organise_urls(achievement: UUID, public_id: str) -> list[tuple[str, str]]:
    page = f"/organise/achievements/{achievement}"
    actions = f"/organise/credentials/{public_id}"
    return [
        ("GET", "/organise/achievements"),
        ("GET", NEW),
        ("POST", NEW),
        ("GET", page),
        ("GET", f"{page}/edit"),
        ("POST", f"{page}/edit"),
        ("POST", f"{page}/award"),
        ("POST", f"{actions}/suspend"),
        ("POST", f"{actions}/reinstate"),
        ("POST", f"{actions}/revoke"),
        ("POST", "/organise/achievements/issue-earned"),
    ]


def test_learners_are_refused_and_visitors_sent_to_sign_in(app, services, holder):
    learner = app.test_client()
    login_as(learner, holder.username)
    visitor = app.test_client()
    before = head(services)
    for method, url in organise_urls(holder.achievement_id, holder.credential.public_id):
        form = {"reason": "x", "username": holder.username, **achievement_form()}
        refused = post(learner, url, form) if method == "POST" else learner.get(url)
        assert refused.status_code == 403, (method, url)
        sent = post(visitor, url, form) if method == "POST" else visitor.get(url)
        assert sent.status_code in (302, 303) and "/login" in sent.location, (method, url)
    assert head(services) == before


def test_admins_organise_too(app, services, achievement_id):
    _, username = register(services, roles=("learner", "admin"))
    admin = app.test_client()
    login_as(admin, username)
    assert admin.get(f"/organise/achievements/{achievement_id}").status_code == 200


@ON_SQLITE
def test_every_organiser_form_survives_hostile_input(world):
    """The organiser's forms, found on the pages and fuzzed like every other form."""
    forms = [f for f in discover_forms(world, world.admin) if f.endpoint.startswith("organise.")]
    assert {f.endpoint for f in forms} >= {
        "organise.define",
        "organise.revise",
        "organise.award",
        "organise.suspend",
        "organise.revoke",
        "organise.issue_earned",
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


def _with_token(client, form: dict) -> dict:
    return {"csrf_token": csrf_token(client), **form}
