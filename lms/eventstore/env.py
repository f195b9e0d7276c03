"""The eventsourcing environment that puts an application's events in the chained log."""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

if TYPE_CHECKING:
    from lms.settings import Settings

_SQLITE_RECORDER = "lms.eventstore.sqlite:ChainedSQLiteApplicationRecorder"
_POSTGRES_RECORDER = "lms.eventstore.postgres:ChainedPostgresApplicationRecorder"


def event_store_env(settings: Settings) -> dict[str, str]:
    """Application `env` for the configured database (aggregate caching is the app's to set)."""
    backend = _postgres_env(settings) if settings.is_postgres else _sqlite_env(settings)
    return {"CREATE_TABLE": "y", **backend}


def _sqlite_env(settings: Settings) -> dict[str, str]:
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.sqlite",
        "APPLICATION_RECORDER_TOPIC": _SQLITE_RECORDER,
        "SQLITE_DBNAME": str(settings.sqlite_path),
    }


def _postgres_env(settings: Settings) -> dict[str, str]:
    url = urlsplit(settings.database_url)
    return {
        "PERSISTENCE_MODULE": "eventsourcing.postgres",
        "APPLICATION_RECORDER_TOPIC": _POSTGRES_RECORDER,
        # The library's insert function bypasses the chain, and the recorder refuses it.
        "POSTGRES_ENABLE_DB_FUNCTIONS": "n",
        "POSTGRES_DBNAME": unquote(url.path.lstrip("/")),
        "POSTGRES_HOST": url.hostname or "localhost",
        "POSTGRES_PORT": str(url.port or 5432),
        "POSTGRES_USER": unquote(url.username or ""),
        "POSTGRES_PASSWORD": unquote(url.password or ""),
        "POSTGRES_SCHEMA": settings.database_schema,
    }
