"""Credentials people hold: their pages and downloads, the holder's list, and the issuer's public
documents (DID document, status lists, badge images) that verifiers fetch."""

from __future__ import annotations

import json
from urllib.parse import urlencode
from uuid import UUID

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.access import current_person, login_required, services
from lms.credentials import local
from lms.credentials.issuing import credential_url
from lms.credentials.renditions import (
    MEDIA_TYPES,
    CredentialSummary,
    Renditions,
    badge_png,
    rendition,
    summary_of,
)
from lms.errors import render_error
from lms.htmx import render
from projections import credentials as held

blueprint = Blueprint("credentials", __name__)

# A signed credential never changes; only its status does, and the page shows that.
IMMUTABLE = "public, max-age=31536000, immutable"
# Verifiers should see a revocation soon after it happens.
STATUS_LIST_CACHE = "public, max-age=60"
DID_DOCUMENT_CACHE = "public, max-age=300"
FORGOTTEN = _l(
    "The holder of this credential asked us to forget them, so it is no longer shown here. "
    "Copies they kept still verify."
)
LINKEDIN_ADD = "https://www.linkedin.com/profile/add"


@blueprint.record_once
def _keep_renditions(state) -> None:
    state.app.extensions["credential_renditions"] = Renditions()


def renditions() -> Renditions:
    return current_app.extensions["credential_renditions"]


@blueprint.get("/credentials/<public_id>")
def page(public_id: str):
    credential = _held(public_id)
    if _wants_linked_data():
        response = _document(credential, attachment=False)
    else:
        summary = summary_of(json.loads(credential.document))
        base = services().settings.base_url
        response = render(
            "credentials/page.html",
            credential=credential,
            summary=summary,
            is_holder=_is_holder(credential),
            credential_url=credential_url(base, public_id),
            linkedin_url=_linkedin_url(credential, summary),
            # Our own image, by path: the page may be served under another host name.
            image_src=(summary.image_url or "").removeprefix(base),
        )
        response.headers["Cache-Control"] = "no-cache"  # the status can change at any time
    response.vary.add("Accept")
    return _unlisted_unless_public(response, credential)


@blueprint.get("/credentials/<public_id>.json", defaults={"extension": "json"})
@blueprint.get("/credentials/<public_id>.jwt", defaults={"extension": "jwt"})
@blueprint.get("/credentials/<public_id>.pdf", defaults={"extension": "pdf"})
@blueprint.get("/credentials/<public_id>.png", defaults={"extension": "png"})
@blueprint.get("/credentials/<public_id>.svg", defaults={"extension": "svg"})
def download(public_id: str, extension: str):
    credential = _held(public_id)
    if extension == "json":
        return _unlisted_unless_public(_document(credential, attachment=True), credential)
    language = str(get_locale())
    key = (public_id, extension, language if extension == "pdf" else None)
    body = renditions().get(key, lambda: rendition(services(), credential, extension, language))
    response = Response(body, mimetype=MEDIA_TYPES[extension])
    response.headers["Content-Disposition"] = _attachment(public_id, extension)
    response.headers["Cache-Control"] = IMMUTABLE
    return _unlisted_unless_public(response, credential)


@blueprint.post("/credentials/<public_id>/visibility")
@login_required
def change_visibility(public_id: str):
    credential = _held(public_id)
    visibility = request.form.get("visibility", "")[:20]
    recorded = services().app.change_credential_visibility(
        credential.credential_id, visibility, by=current_person().person_id
    )
    services().caught_up(recorded)
    if visibility == "public":
        flash(_("Your credential is public: anyone may find its page."))
    else:
        flash(_("Your credential is unlisted: only people with its link can open its page."))
    return redirect(url_for("credentials.page", public_id=public_id), 303)


@blueprint.get("/dashboard/credentials")
@login_required
def held_list():
    with services().engine.connect() as conn:
        found = held.credentials_of_person(conn, current_person().person_id)
    return render("credentials/held.html", credentials=found)


@blueprint.get("/achievements/<uuid:achievement_id>/v<int:version>/image.png")
def achievement_image(achievement_id: UUID, version: int):
    def make() -> bytes:
        definition = local.achievement_version(services(), achievement_id, version)
        if definition is None:
            abort(404)
        return badge_png(definition.name, definition.kind, definition.image)

    body = renditions().get((str(achievement_id), f"v{version}", "image.png"), make)
    response = Response(body, mimetype="image/png")
    response.headers["Cache-Control"] = IMMUTABLE  # a version's image never changes
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


@blueprint.get("/.well-known/did.json")
def did_document():
    response = _json(services().issuer.did_document(), "application/did+json")
    response.headers["Cache-Control"] = DID_DOCUMENT_CACHE
    return response


@blueprint.get("/status/<list_id>")
def status_list(list_id: str):
    signed = local.signed_status_list(services(), list_id, services().app.clock())
    if signed is None:
        abort(404)
    response = _json(signed, MEDIA_TYPES["json"])
    response.headers["Cache-Control"] = STATUS_LIST_CACHE
    return response


# --- helpers ------------------------------------------------------------------------------


def _held(public_id: str) -> held.CredentialView:
    """The credential, while we still hold its document; 404 or 410 otherwise."""
    with services().engine.connect() as conn:
        credential = local.find_credential(conn, public_id) or abort(404)
    if credential.document is None:
        abort(make_response(*render_error(410, str(FORGOTTEN))))
    return credential


def _unlisted_unless_public(response: Response, credential: held.CredentialView) -> Response:
    """Search engines are asked not to list a credential its holder has not made public."""
    if credential.visibility != "public":
        response.headers["X-Robots-Tag"] = "noindex"
    return response


def _is_holder(credential: held.CredentialView) -> bool:
    person = current_person()
    return person is not None and person.person_id == credential.person_id


def _wants_linked_data() -> bool:
    offered = ["text/html", MEDIA_TYPES["json"]]
    return request.accept_mimetypes.best_match(offered) == MEDIA_TYPES["json"]


def _document(credential: held.CredentialView, attachment: bool) -> Response:
    response = Response(credential.document, mimetype=MEDIA_TYPES["json"])
    if attachment:
        response.headers["Content-Disposition"] = _attachment(credential.public_id, "json")
        response.headers["Cache-Control"] = IMMUTABLE
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _attachment(public_id: str, extension: str) -> str:
    return f'attachment; filename="credential-{public_id}.{extension}"'


def _json(document: dict, media_type: str) -> Response:
    response = Response(json.dumps(document, ensure_ascii=False, indent=2), mimetype=media_type)
    # Verifiers in browsers fetch these from other sites; no cookies are involved.
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _linkedin_url(credential: held.CredentialView, summary: CredentialSummary) -> str:
    """LinkedIn's "Add licence or certification" form, filled in."""
    query = {
        "startTask": "CERTIFICATION_NAME",
        "name": summary.achievement_name,
        "organizationName": summary.issuer_name,
        "issueYear": summary.issued_at.year,
        "issueMonth": summary.issued_at.month,
        "certUrl": credential_url(services().settings.base_url, credential.public_id),
        "certId": credential.public_id,
    }
    return f"{LINKEDIN_ADD}?{urlencode(query)}"
