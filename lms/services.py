"""The composition root for everything but the web: application, read models, projections."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine

from domain.application import Mafunzo, Recorded
from lms.database import create_read_engine
from lms.eventstore import event_store_env
from lms.settings import Settings
from lms.vault import PersonalDataVault
from projections.catalog import CatalogProjection
from projections.outline import OutlineProjection
from projections.people import PeopleProjection
from projections.progress import ProgressProjection
from projections.roster import RosterProjection
from projections.runner import ProjectionRunner


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Services:
    settings: Settings
    app: Mafunzo
    engine: Engine
    vault: PersonalDataVault
    projections: ProjectionRunner

    def caught_up(self, recorded: Recorded) -> Recorded:
        """Read-your-writes: project up to the command's position before anyone reads."""
        if recorded.position is not None:
            self.projections.catch_up(upto=recorded.position)
        return recorded

    def close(self) -> None:
        self.app.close()
        self.engine.dispose()


def build_services(settings: Settings, clock: Callable[[], datetime] = utc_now) -> Services:
    engine = create_read_engine(settings)
    vault = PersonalDataVault(engine)
    app = Mafunzo(env=event_store_env(settings), clock=clock, vault=vault)
    runner = ProjectionRunner(
        app,
        engine,
        [
            CatalogProjection(),
            OutlineProjection(),
            ProgressProjection(),
            RosterProjection(),
            PeopleProjection(vault),
        ],
    )
    runner.create_tables()
    return Services(settings, app, engine, vault, runner)
