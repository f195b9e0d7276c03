"""Mafunzo's web application factory: the one place the web app is wired together."""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

from flask import Flask
from flask_wtf.csrf import CSRFProtect
from htmx_flask import Htmx

from lms import assets, errors, i18n, pagecache, ratelimit, security, sessions
from lms.access import current_person
from lms.services import Services, build_services
from lms.settings import Settings, settings_from_environment

ROOT = Path(__file__).resolve().parent.parent


def create_app(settings: Settings | None = None, services: Services | None = None) -> Flask:
    settings = settings or settings_from_environment()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder="static")
    app.config.update(
        SECRET_KEY=settings.secret_key or _instance_secret(settings.instance_dir),
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(days=14),
        MAX_CONTENT_LENGTH=1024 * 1024,
        SEND_FILE_MAX_AGE_DEFAULT=365 * 24 * 3600,
        WTF_CSRF_TIME_LIMIT=None,
        TESTING=settings.testing,
    )
    app.session_interface = sessions.CookieSessions(app)
    app.extensions["mafunzo"] = services or build_services(settings)
    # First: its after-request hook must run after those below have shaped the response.
    pagecache.init_app(app, app.extensions["mafunzo"].engine)
    CSRFProtect(app)
    Htmx(app)
    i18n.init_app(app)
    security.init_app(app)
    assets.init_app(app)
    errors.init_app(app)
    ratelimit.init_app(app)
    _register_blueprints(app)
    app.context_processor(lambda: {"current_person": current_person()})
    return app


def _register_blueprints(app: Flask) -> None:
    from lms.web import (
        account,
        admin,
        auth,
        catalog,
        credentials,
        learn,
        mentoring,
        organise,
        verify,
    )

    app.register_blueprint(catalog.blueprint)
    app.register_blueprint(learn.blueprint)
    app.register_blueprint(auth.blueprint)
    app.register_blueprint(account.blueprint)
    app.register_blueprint(admin.blueprint)
    app.register_blueprint(organise.blueprint)
    app.register_blueprint(credentials.blueprint)
    app.register_blueprint(verify.blueprint)
    app.register_blueprint(mentoring.blueprint)


def _instance_secret(instance_dir: Path) -> str:
    """Zero set-up: a random secret made on first run and kept, readable by the owner only."""
    path = instance_dir / "secret_key"
    if not path.exists():
        instance_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_urlsafe(48))
    return path.read_text().strip()
