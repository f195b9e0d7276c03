"""Admin pages: find people, grant and revoke roles, issue one-time password reset links."""

from __future__ import annotations

from uuid import UUID

from flask import Blueprint, flash, redirect, request, url_for
from flask_babel import gettext as _

from domain.people import ROLES
from lms.access import current_person, role_required, services
from lms.htmx import render
from projections import people

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

SHOWN = 100  # people per page: enough for a workshop; a search narrows a movement down
MAX_QUERY = 100


@blueprint.get("/people")
@role_required("admin")
def people_list():
    query = request.args.get("q", "")[:MAX_QUERY]
    with services().engine.connect() as conn:
        found = people.search_people(conn, query, limit=SHOWN + 1)
    return render(
        "admin/people.html", people=found[:SHOWN], more=len(found) > SHOWN, q=query, roles=ROLES
    )


@blueprint.post("/people/<uuid:person_id>/roles")
@role_required("admin")
def change_roles(person_id: UUID):
    roles = request.form.getlist("roles")
    recorded = services().app.change_roles(person_id, roles, by=current_person().person_id)
    services().caught_up(recorded)
    flash(_("Roles saved."))
    return redirect(url_for("admin.people_list", q=_query()), 303)


@blueprint.post("/people/<uuid:person_id>/reset-link")
@role_required("admin")
def reset_link(person_id: UUID):
    link = services().app.issue_password_reset(person_id, by=current_person().person_id)
    services().caught_up(link.recorded)
    with services().engine.connect() as conn:
        person = people.person(conn, person_id)
    url = services().settings.base_url + url_for("auth.reset_password", token=link.token)
    response = render("admin/reset_link.html", person=person, url=url, expires_at=link.expires_at)
    response.headers["Cache-Control"] = "no-store"  # the link is shown once and kept nowhere
    return response


def _query() -> str | None:
    return request.form.get("q", "")[:MAX_QUERY] or None
