"""Web fixtures: an app on a backend, a published course, and signed-in clients."""

from __future__ import annotations

import re

import pytest

from lms import create_app
from tests.factories import PASSWORD, course_content, register

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@pytest.fixture
def app(backend, services):
    return create_app(backend, services=services)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def course_id(services):
    return services.caught_up(services.app.publish_course(course_content())).id


def csrf_token(client) -> str:
    return CSRF.search(client.get("/login").get_data(as_text=True)).group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    return client.post(url, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)


def login_as(client, username: str, password: str = PASSWORD):
    response = post(client, "/login", {"username": username, "password": password})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response


@pytest.fixture
def learner(services, client):
    person_id, username = register(services)
    login_as(client, username)
    return person_id


@pytest.fixture
def world(app, services):
    """Two learners (one with progress of their own), an admin and two courses: the ground
    the hostile-input and authorisation tests attack (tests/web/hostile.py)."""
    from flask import request_started

    from tests.web.hostile import build_world, record_dispatches

    built = build_world(app, services)
    receiver = record_dispatches(built)
    yield built
    request_started.disconnect(receiver, app)
