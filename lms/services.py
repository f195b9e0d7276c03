"""The composition root for everything but the web: application, read models, projections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from domain.application import Mafunzo, Recorded
from lms.credentials.issuer import Issuer
from lms.credentials.issuing import OpenBadgeSigner
from lms.credentials.keys import IssuerKeys
from lms.database import create_read_engine
from lms.eventstore import event_store_env
from lms.settings import Settings
from lms.vault import PersonalDataVault
from projections.catalog import CatalogProjection
from projections.credentials import CredentialsProjection
from projections.history import HistoryProjection
from projections.mentoring import MentoringProjection
from projections.outline import OutlineProjection
from projections.people import PeopleProjection
from projections.private_notes import PrivateNotesProjection
from projections.progress import ProgressProjection
from projections.runner import ProjectionRunner
from projections.translations import TranslationsProjection

ISSUER_NAME = "Mafunzo"


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    app: Mafunzo
    engine: Engine
    vault: PersonalDataVault
    projections: ProjectionRunner
    issuer: Issuer

    def caught_up(self, recorded: Recorded) -> Recorded:
        """Read-your-writes: project up to the command's position before anyone reads."""
        if recorded.position is not None:
            self.projections.catch_up(upto=recorded.position, just_logged=recorded.events)
        return recorded

    def close(self) -> None:
        self.projections.close()
        self.app.close()
        self.engine.dispose()


def _application_env(settings: Settings) -> dict[str, str]:
    env = event_store_env(settings)
    if not settings.is_postgres:
        # One process writes a SQLite deployment, so its cache is never behind the log and
        # need not ask the database first; a stale copy is still caught when saving.
        env["AGGREGATE_CACHE_FASTFORWARD"] = "n"
    return env


def build_services(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Services:
    engine = create_read_engine(settings)
    vault = PersonalDataVault(engine)
    issuer = Issuer(settings.base_url, ISSUER_NAME, IssuerKeys.open(settings.keys_dir, clock()))
    app = Mafunzo(
        env=_application_env(settings), clock=clock, vault=vault, signer=OpenBadgeSigner(issuer)
    )
    runner = ProjectionRunner(
        app,
        engine,
        [
            CatalogProjection(),
            OutlineProjection(),
            ProgressProjection(),
            HistoryProjection(),
            PeopleProjection(vault),
            CredentialsProjection(vault),
            MentoringProjection(vault),
            PrivateNotesProjection(vault),
            TranslationsProjection(),
        ],
    )
    runner.create_tables()
    return Services(settings, app, engine, vault, runner, issuer)
