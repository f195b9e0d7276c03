"""Verification for anyone: a page (paste, upload or one of our links) and a JSON API."""

from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, jsonify, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import RequestEntityTooLarge

from lms.access import services
from lms.credentials import local
from lms.credentials.verification import (
    VerificationReport,
    verify_credential_bytes,
    verify_credential_text,
)
from lms.errors import BadInput
from lms.htmx import render
from lms.web.auth import form_error

blueprint = Blueprint("verify", __name__)

PAGE = "credentials/verify.html"
MAX_URL_LENGTH = 2000
JWT_TYPES = ("application/vc+jwt", "application/jwt", "text/plain")
FILE_TYPES = ("application/octet-stream", "application/pdf", "image/png", "image/svg+xml")
TOO_LARGE = _l("That is too large to be a credential: files up to %(size)s MiB can be checked.")


@blueprint.record_once
def _exempt_api_from_csrf(state) -> None:
    # A third party's program calls the API without cookies, so there is no session to forge.
    state.app.extensions["csrf"].exempt(api_verify)


@blueprint.route("/verify", methods=["GET", "POST"])
def page():
    link = request.args.get("url", "")[:MAX_URL_LENGTH]
    if request.method == "GET" and not link:
        return render(PAGE, report=None)
    try:
        report = _verified_link(link) if request.method == "GET" else _verified_submission()
    except BadInput as error:
        return form_error(PAGE, error, report=None, url=link)
    return render(PAGE, report=report, url=link)


@blueprint.post("/api/v1/verify")
def api_verify():
    try:
        report = _verified_api_request()
    except BadInput as error:
        return _api_error(str(error.message), 400)
    return jsonify(
        verified=report.verified,
        status=report.status,
        format=report.format,
        checks=[
            {"check": c.name, "outcome": c.outcome, "message": str(c.message)}
            for c in report.checks
        ],
    )


@blueprint.after_request
def _allow_other_sites(response):
    if request.endpoint == "verify.api_verify":
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Allow-Headers"] = "Content-Type"
    return response


@blueprint.errorhandler(RequestEntityTooLarge)
def _too_large(_error):
    message = str(TOO_LARGE % {"size": current_app.config["MAX_CONTENT_LENGTH"] // 2**20})
    if request.endpoint == "verify.api_verify":
        return _api_error(message, 413)
    response = form_error(PAGE, BadInput(message), report=None)
    response.status_code = 413
    return response


# --- reading what was sent ----------------------------------------------------------------


def _verified_link(link: str) -> VerificationReport:
    """One of our own credential links, looked up here: nothing is fetched from the network."""
    base = re.escape(services().settings.base_url)
    found = re.fullmatch(rf"{base}/credentials/([A-Za-z0-9_-]{{1,32}})(?:\.json)?", link)
    if found is None:
        raise BadInput(
            _(
                "Only links to credentials on this site can be checked here. "
                "Download the credential and upload the file instead."
            )
        )
    with services().engine.connect() as conn:
        credential = local.find_credential(conn, found[1])
    if credential is None or credential.document is None:
        raise BadInput(_("No credential we hold has that link."))
    return verify_credential_text(credential.document, _context())


def _verified_submission() -> VerificationReport:
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return verify_credential_bytes(upload.read(), _context())
    pasted = request.form.get("credential", "")
    if not pasted.strip():
        raise BadInput(_("Paste a credential, or choose a file to upload."))
    return verify_credential_text(pasted, _context())


def _verified_api_request() -> VerificationReport:
    """A JSON credential (bare, or as {"credential": …} or {"jwt": "…"}), a JWT, or a file."""
    mimetype = request.mimetype
    if mimetype == "application/json" or mimetype.endswith("+json"):
        return verify_credential_text(_credential_text(_json_body()), _context())
    if mimetype in JWT_TYPES:
        return verify_credential_text(_text_body(), _context())
    if mimetype in FILE_TYPES:
        return verify_credential_bytes(request.get_data(), _context())
    raise BadInput(
        _(
            "Send the credential as application/json, a JWT as application/vc+jwt, "
            "or a file (PDF, PNG or SVG) as application/octet-stream."
        )
    )


def _json_body():
    try:
        return json.loads(request.get_data(), object_pairs_hook=_refuse_duplicate_members)
    except (ValueError, RecursionError):
        raise BadInput(_("The body is not valid JSON, or names a member twice.")) from None


def _refuse_duplicate_members(pairs: list[tuple[str, object]]) -> dict:
    # Parsers disagree on which of two same-named members wins; a credential must not be unclear.
    members = dict(pairs)
    if len(members) != len(pairs):
        raise ValueError("a member name appears twice")
    return members


def _credential_text(body) -> str:
    if isinstance(body, dict) and set(body) == {"jwt"}:
        body = body["jwt"]
    elif isinstance(body, dict) and set(body) == {"credential"}:
        body = body["credential"]
    if isinstance(body, dict):
        return json.dumps(body, ensure_ascii=False)
    if isinstance(body, str):
        return body
    raise BadInput(
        _('Send a credential object, {"credential": {…}} or {"jwt": "…"}: not a list or number.')
    )


def _text_body() -> str:
    try:
        return request.get_data().decode("utf-8")
    except UnicodeDecodeError:
        raise BadInput(_("The body is not UTF-8 text.")) from None


def _context():
    return local.verification_context(services())


def _api_error(message: str, status: int):
    response = jsonify(error=message)
    response.status_code = status
    return response
