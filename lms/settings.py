"""Deployment settings: the only place that reads the LMS_* environment variables."""

from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

DEFAULT_INSTANCE = Path(os.getcwd()) / "instance"


@dataclass(frozen=True)
class Settings:
    database_url: str
    database_schema: str = "public"
    secret_key: str = ""
    base_url: str = "http://127.0.0.1:5000"
    keys_dir: Path = DEFAULT_INSTANCE / "keys"
    instance_dir: Path = DEFAULT_INSTANCE
    demo_password: str = "mafunzo-demo"  # noqa: S105 - documented, for local demos only
    testing: bool = False

    @property
    def is_postgres(self) -> bool:
        return self.database_url.startswith(("postgresql://", "postgres://"))

    @property
    def sqlite_path(self) -> Path:
        return Path(self.database_url.removeprefix("sqlite:///"))

    def with_overrides(self, **overrides) -> Settings:
        return replace(self, **overrides)


def settings_from_environment(environ=os.environ) -> Settings:
    instance_dir = Path(environ.get("LMS_INSTANCE_DIR", DEFAULT_INSTANCE))
    return Settings(
        database_url=environ.get("LMS_DATABASE_URL") or f"sqlite:///{instance_dir / 'mafunzo.db'}",
        database_schema=environ.get("LMS_DATABASE_SCHEMA", "public"),
        secret_key=environ.get("LMS_SECRET_KEY", ""),
        base_url=environ.get("LMS_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        keys_dir=Path(environ.get("LMS_KEYS_DIR", instance_dir / "keys")),
        instance_dir=instance_dir,
        demo_password=environ.get("LMS_DEMO_PASSWORD") or Settings.demo_password,
    )
