"""Variation between teams on a request, and the teams' methods, over the API.

- GET /api/v1/requests/<id>/variation: each team's hours per response over the 12 months to today,
  the median, ratios, flags and the variation saving (tracker/workspace/variation.py).
  Commissioners and admins see every team; anyone else their own teams by id and name and every
  other team only by its position ("Team 3 of 7": no id, no name, no hours or responses), with
  the saving of their own teams only (`scope`).
- GET /api/v1/requests/<id>/methods: the methods the caller may read, cheapest team first.
- GET and PUT /api/v1/requests/<id>/methods/<team_id>: one team's method. Reading it: commissioners
  and admins, or the team's own members; writing it: the team's managers and leads (404 for anyone
  else). PUT may send the ETag it read in If-Match: a method changed since is not overwritten (412)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user

from tracker.api import blueprint
from tracker.api.common import json_input
from tracker.api.contract import WRITE_REFUSALS, answers, found_first
from tracker.api.entries import IF_MATCH, if_match_versions
from tracker.api.schemas import variation as schemas
from tracker.api.serialise import iso, pounds, rounded
from tracker.auth.access import can_see_team, visible_team_ids
from tracker.extensions import db
from tracker.models.catalogue import Request, Team
from tracker.models.workspace import Method
from tracker.workspace.figures import twelve_months_to
from tracker.workspace.forms import MethodForm
from tracker.workspace.methods import answers_request, can_write, method_of, methods_for, save_method
from tracker.workspace.variation import VariationView, variation_of
from tracker.shared.etags import format_entity_tag
from tracker.shared.timeutil import local_today

METHOD_ETAG = {"ETag": {
    "description": "The method's version: send it back in If-Match to change only the version you read.",
    "schema": {"type": "string"},
}}

RATIO_PLACES = 4


def _request_or_404(request_id: int) -> Request:
    found = db.session.get(Request, request_id)
    if found is None:
        abort(404)
    return found


def _view_of(request_id: int) -> tuple[VariationView | None, tuple]:
    period = twelve_months_to(local_today())
    found = variation_of(request_id, *period)
    return (found.seen_by(visible_team_ids(current_user)) if found else None), period


def _maybe(value, convert):
    return None if value is None else convert(value)


def variation_to_json(request_id: int, view: VariationView | None, period) -> dict:
    start, end = period
    if view is None:  # fewer than three teams answered it: nothing to compare
        return {"request_id": request_id, "from": iso(start), "to": iso(end), "teams_compared": 0,
                "median_hours_per_response": None, "teams": [], "variation_saving_hours": None,
                "variation_saving_cost": None, "scope": None}
    return {
        "request_id": request_id, "from": iso(start), "to": iso(end), "teams_compared": len(view.teams),
        "frequency": view.frequency,
        "median_hours_per_response": rounded(view.median_hours_per_response),
        "teams": [{
            "team_id": t.team_id, "label": t.label, "position": t.figures.position,
            "responses": t.responses, "hours": _maybe(t.hours, rounded),
            "hours_per_response": rounded(t.hours_per_response),
            "ratio_to_median": rounded(t.ratio_to_median, RATIO_PLACES), "flagged": t.flagged,
            "variation_saving_hours": _maybe(t.saving_hours, rounded), "variation_saving_cost": _maybe(t.saving_cost, pounds),
        } for t in view.teams],
        "variation_saving_hours": rounded(view.saving_hours),
        "variation_saving_cost": pounds(view.saving_cost),
        "scope": view.scope,
    }


@blueprint.get("/requests/<int:request_id>/variation")
@blueprint.response(200, schemas.Variation)
@answers(401, 404)
def get_variation(request_id: int):
    """How long each team takes per response, the median and the variation saving (any signed-in role)

    Commissioners and admins see every team; anyone else their own teams by id and name and every other
    team only by its position ("Team 3 of 7"), with the saving of their own teams only (`scope`)."""
    found = _request_or_404(request_id)
    view, period = _view_of(found.id)
    return variation_to_json(found.id, view, period)


def method_to_json(method: Method, view: VariationView | None) -> dict:
    compared = next((t for t in view.teams if t.figures.team_id == method.team_id), None) if view else None
    return {"request_id": method.request_id, "team_id": method.team_id, "team": method.team.name, "text": method.text,
            "version": method.version, "updated_at": iso(method.updated_at),
            "hours_per_response": _maybe(compared.hours_per_response if compared else None, rounded)}


def _method_response(method: Method, status: int = 200):
    etag = format_entity_tag(f"{method.id}-{method.version}")
    return method_to_json(method, _view_of(method.request_id)[0]), status, {"ETag": etag}


@blueprint.get("/requests/<int:request_id>/methods")
@blueprint.response(200, schemas.MethodList)
@answers(401, 404)
def list_methods(request_id: int):
    """The methods the caller may read, cheapest team first (teams that answer the request, commissioners, admins)"""
    found = _request_or_404(request_id)
    view, (start, end) = _view_of(found.id)
    visible = visible_team_ids(current_user)
    rows = methods_for(found.id, view, visible) if answers_request(current_user, found.id, start, end) else []
    return {"items": [{"team_id": r.team_id, "label": r.label, "hours_per_response": _maybe(r.hours_per_response, rounded),
                       "text": r.text, "updated_at": iso(r.updated_at)} for r in rows]}


@blueprint.get("/requests/<int:request_id>/methods/<int:team_id>")
@blueprint.response(200, schemas.Method, headers=METHOD_ETAG)
@answers(401, 404)
def get_method(request_id: int, team_id: int):
    """One team's method: commissioners and admins, or the team's own members (404 for anyone else)"""
    found = _request_or_404(request_id)
    method = method_of(found.id, team_id) if can_see_team(current_user, team_id) else None
    if method is None:
        abort(404)
    return _method_response(method)


def _writable_or_404(request_id: int, team_id: int) -> Request:
    found = _request_or_404(request_id)
    if db.session.get(Team, team_id) is None or not can_write(current_user, team_id):
        abort(404)
    return found


def _method_form(data: dict, request_id: int, team_id: int) -> MethodForm:
    form = MethodForm.from_json(data)
    form.request = _writable_or_404(request_id, team_id)
    return form


@blueprint.put("/requests/<int:request_id>/methods/<int:team_id>")
@found_first(_writable_or_404)
@blueprint.doc(parameters=[IF_MATCH])
@blueprint.arguments(schemas.MethodInput)
@blueprint.response(200, schemas.Method, headers=METHOD_ETAG)
@blueprint.alt_response(201, schema=schemas.Method, headers=METHOD_ETAG, description="Written for the first time")
@answers(*WRITE_REFUSALS, 404, 412)
@json_input(_method_form)
def put_method(form: MethodForm, request_id: int, team_id: int):
    """Write or change one team's method (the team's managers and leads; 404 for anyone else)

    If-Match naming another version: 412 (a method changed since is not overwritten); malformed: 400 by `If-Match`.
    Refused (400): blank text; text over the limit."""
    stored = method_of(request_id, team_id)
    expected = if_match_versions(stored.id) if stored is not None else None
    method = save_method(current_user, request_id, team_id, form.text.data, expected)
    return _method_response(method, 200 if stored is not None else 201)
