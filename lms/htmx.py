"""Rendering for htmx as an enhancement: partials on HX-Request, whole pages otherwise."""

from flask import make_response, render_template, request


def render(template_name: str, partial: str | None = None, status: int = 200, **context):
    template = partial if partial and request.htmx else template_name
    response = make_response(render_template(template, **context), status)
    response.vary.add("HX-Request")
    return response
