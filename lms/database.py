"""The SQLAlchemy engine for read models, on the same database as the event store."""

from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import Engine, create_engine, event

from lms.settings import Settings
from projections.runner import WRITE_LOCK


def create_read_engine(settings: Settings) -> Engine:
    if settings.is_postgres:
        return _postgres_engine(settings)
    return _sqlite_engine(settings)


def _postgres_engine(settings: Settings) -> Engine:
    url = urlsplit(settings.database_url)
    sqlalchemy_url = url._replace(scheme="postgresql+psycopg").geturl()
    return create_engine(
        sqlalchemy_url,
        connect_args={"options": f"-csearch_path={settings.database_schema}"},
        pool_size=10,
        pool_pre_ping=True,
    )


def _sqlite_engine(settings: Settings) -> Engine:
    settings.sqlite_path.parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(f"sqlite:///{settings.sqlite_path}", connect_args={"timeout": 15})

    @event.listens_for(engine, "connect")
    def _configure(dbapi_connection, _record):
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE below applies.
        dbapi_connection.isolation_level = None
        dbapi_connection.execute("PRAGMA journal_mode=WAL")
        dbapi_connection.execute("PRAGMA synchronous=NORMAL")
        dbapi_connection.execute("PRAGMA foreign_keys=ON")

    @event.listens_for(engine, "begin")
    def _begin(conn):
        # A transaction that reads before it writes (the projection runner reading positions)
        # asks for the write lock up front, so two processes never read the same position.
        immediate = conn.get_execution_options().get(WRITE_LOCK)
        conn.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")

    return engine
