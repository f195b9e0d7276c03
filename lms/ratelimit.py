"""Login throttling: failed sign-ins counted in the database, so every web worker sees them."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask
from sqlalchemy import Column, Engine, Float, Integer, MetaData, String, Table, select

# Kept apart from the read models like the vault's keys: this is not derived from the log,
# and a rebuild of the projections must not forget who has been guessing passwords.
throttle_metadata = MetaData()
login_failures = Table(
    "login_failures",
    throttle_metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    # A digest of the username or address: no names or addresses in clear here.
    Column("key", String(64), nullable=False, index=True),
    Column("at", Float, nullable=False, index=True),  # seconds since the epoch
)


class LoginThrottle:
    """At most `per_username` failures per username and `per_address` per client address
    within `window`; a success clears the username's count. Never sees a password."""

    def __init__(
        self,
        engine: Engine,
        clock: Callable[[], datetime],
        per_username: int = 5,
        per_address: int = 20,
        window: timedelta = timedelta(minutes=15),
    ):
        self.engine, self.clock, self.window = engine, clock, window.total_seconds()
        self.limits = {"user": per_username, "address": per_address}
        throttle_metadata.create_all(engine)

    def retry_after(self, username: str, address: str | None) -> int | None:
        """Seconds until another attempt is allowed, or None when it is allowed now."""
        now = self.clock().timestamp()
        waits = []
        with self.engine.connect() as conn:
            for kind, key in self._keys(username, address):
                times = conn.execute(
                    select(login_failures.c.at)
                    .where(login_failures.c.key == key, login_failures.c.at > now - self.window)
                    .order_by(login_failures.c.at)
                ).scalars()
                times = list(times)
                excess = len(times) - self.limits[kind]
                if excess >= 0:  # allowed again once the oldest failures leave the window
                    waits.append(times[excess] + self.window - now)
        return max(1, math.ceil(max(waits))) if waits else None

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock().timestamp()
        with self.engine.begin() as conn:
            conn.execute(login_failures.delete().where(login_failures.c.at <= now - self.window))
            conn.execute(
                login_failures.insert(),
                [{"key": key, "at": now} for _, key in self._keys(username, address)],
            )

    def succeeded(self, username: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(
                login_failures.delete().where(login_failures.c.key == _key("user", username))
            )

    def _keys(self, username: str, address: str | None) -> list[tuple[str, str]]:
        return [("user", _key("user", username)), ("address", _key("address", address or ""))]


def _key(kind: str, value: str) -> str:
    if kind == "user":
        value = value.strip().casefold()  # "Amina" and "amina" are the same account
    return hashlib.sha256(f"{kind}:{value}".encode()).hexdigest()


def init_app(app: Flask) -> None:
    services = app.extensions["mafunzo"]
    app.extensions["login_throttle"] = LoginThrottle(services.engine, clock=services.app.clock)
