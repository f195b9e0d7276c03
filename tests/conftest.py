"""Shared fixtures: the `backend` fixture runs a test once on SQLite and once on PostgreSQL."""

from __future__ import annotations

import os
import uuid

import psycopg
import pytest

from lms.services import build_services
from lms.settings import Settings

POSTGRES_URL = os.environ.get("LMS_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REQUIRE_POSTGRES = os.environ.get("CI") == "true" or os.environ.get("LMS_REQUIRE_POSTGRES") == "1"


def _postgres_answers() -> bool:
    try:
        with psycopg.connect(POSTGRES_URL, connect_timeout=3):
            return True
    except psycopg.OperationalError:
        return False


@pytest.fixture(scope="session")
def postgres_available() -> bool:
    available = _postgres_answers()
    if not available and REQUIRE_POSTGRES:
        pytest.fail(f"PostgreSQL is required here but does not answer at {POSTGRES_URL}")
    return available


@pytest.fixture
def sqlite_settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'mafunzo.db'}",
        secret_key="test-secret",
        keys_dir=tmp_path / "keys",
        instance_dir=tmp_path,
        testing=True,
    )


@pytest.fixture
def postgres_settings(tmp_path, postgres_available) -> Settings:
    """A fresh schema per test, so tests share the one `test` database without seeing each other."""
    if not postgres_available:
        pytest.skip(f"PostgreSQL not reachable at {POSTGRES_URL}: skipped the PostgreSQL run")
    schema = f"t_{uuid.uuid4().hex[:16]}"
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    yield Settings(
        database_url=POSTGRES_URL,
        database_schema=schema,
        secret_key="test-secret",
        keys_dir=tmp_path / "keys",
        instance_dir=tmp_path,
        testing=True,
    )
    with psycopg.connect(POSTGRES_URL, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def backend(request) -> Settings:
    """Settings for one storage backend; tests using it run on SQLite and on PostgreSQL."""
    return request.getfixturevalue(f"{request.param}_settings")


@pytest.fixture
def services(backend):
    """The application, read models and projections on the backend under test."""
    built = build_services(backend)
    yield built
    built.close()
