"""Signed-cookie sessions, re-sent when they change or age rather than with every response.

Flask re-signs a permanent session and sends it again with every response, so that it lasts
PERMANENT_SESSION_LIFETIME after the last visit. Here it is re-sent when its cookie is more
than REFRESH_AFTER old: it still lasts that long after the last visit, give or take a day,
and most pages then carry no Set-Cookie, so a page kept by lms/pagecache.py can be answered
without touching the session. Signing it again on every request also cost more than
answering a kept page. The signing serializer, which Flask builds twice per request, is
built once.

Responses for static files never save the session: on an asset that caches may keep for a
year and share between people, a Set-Cookie would hand one person's session to the next (and
`Vary: Cookie` would stop the sharing that makes assets cheap). The session still opens there,
so an error page under /static/ renders as any other.
"""

from __future__ import annotations

import time
from datetime import timedelta
from functools import cached_property

from flask import Flask, Request, Response, request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from itsdangerous import BadSignature, URLSafeTimedSerializer

REFRESH_AFTER = timedelta(days=1)


class AgedSession(SecureCookieSession):
    signed_at: float = 0.0  # seconds since the epoch when its cookie was signed


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions for one app: refreshed when a day old, never on assets."""

    session_class = AgedSession

    def __init__(self, app: Flask):
        self.app = app
        self.static_prefix = app.static_url_path.rstrip("/") + "/"

    @cached_property
    def _serializer(self) -> URLSafeTimedSerializer | None:
        return super().get_signing_serializer(self.app)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        return self._serializer

    def open_session(self, app: Flask, request: Request) -> AgedSession | None:
        serializer = self.get_signing_serializer(app)
        if serializer is None:
            return None
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class()
        max_age = int(app.permanent_session_lifetime.total_seconds())
        try:
            data, signed_at = serializer.loads(value, max_age=max_age, return_timestamp=True)
        except BadSignature:
            return self.session_class()
        session = self.session_class(data)
        session.signed_at = signed_at.timestamp()
        return session

    def should_set_cookie(self, app: Flask, session: SessionMixin) -> bool:
        age = time.time() - getattr(session, "signed_at", 0.0)
        return session.modified or (session.permanent and age > REFRESH_AFTER.total_seconds())

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if not request.path.startswith(self.static_prefix):
            super().save_session(app, session, response)
