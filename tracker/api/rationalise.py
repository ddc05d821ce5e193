"""The commissioner's workspace over the API (commissioners and admins; anyone else: 404).

- GET /api/v1/requests carries each request's figures for these roles
  (`requests_with_figures`, called by tracker/api/catalogue.py), sortable with
  `sort=name` or `sort=-name` (largest first);
- POST /api/v1/requests/<id>/decisions records a decision;
- GET /api/v1/decisions lists decisions with expected and realised savings."""
from __future__ import annotations

from flask import abort, request as http_request
from flask_login import current_user
from sqlalchemy import and_, select
from sqlalchemy.orm import joinedload

from tracker.api import blueprint
from tracker.api.common import json_input, page_of, refuse, whole_number_arg
from tracker.api.contract import WRITE_REFUSALS, answers, found_first
from tracker.api.schemas import rationalise as schemas
from tracker.api.serialise import decision_to_json, request_figures_to_json, request_to_json
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.models.rationalise import Decision
from tracker.rationalise.decisions import decision_status, expected_fte, record_decision
from tracker.rationalise.duplicates import duplicates_by_request, find_duplicates
from tracker.rationalise.figures import BadSort, parse_sort, request_figures, sort_figures, twelve_months_to
from tracker.rationalise.forms import DecisionForm
from tracker.rationalise.savings import measure
from tracker.shared.choices import DECISION_STATUSES
from tracker.shared.timeutil import local_today

WORKSPACE_ROLES = ("commissioner", "admin")


def _workspace_only() -> None:
    if current_user.role not in WORKSPACE_ROLES:
        abort(404)


def requests_with_figures(query, sort_text: str | None, licences: dict | None = None):
    """A page of the requests the query selects, each with its workspace figures, in the order asked for.

    `licences`: each request's LicenceStatus today (tracker.licences.status.licence_statuses)."""
    try:
        name, descending = parse_sort(sort_text, default="title")
    except BadSort as bad:
        refuse({"sort": [str(bad)]})
    today = local_today()
    start, end = twelve_months_to(today)
    requests = {r.id: r for r in db.session.scalars(query)}
    figures = request_figures(start, end, today)
    duplicates = duplicates_by_request(find_duplicates(today))
    ordered = sort_figures([figures[request_id] for request_id in requests], name, descending)
    return page_of(
        [requests[f.id] for f in ordered],
        lambda r: {**request_to_json(r, (licences or {}).get(r.id)), **request_figures_to_json(figures[r.id], duplicates.get(r.id, []))},
    )


def decision_json(decision: Decision) -> dict:
    today = local_today()
    return decision_to_json(decision, decision_status(decision, today), measure(decision, today), expected_fte(decision))


def _workspace_request_or_404(request_id: int) -> Request:
    _workspace_only()
    found = db.session.get(Request, request_id)
    if found is None:
        abort(404)
    return found


@blueprint.post("/requests/<int:request_id>/decisions")
@found_first(_workspace_request_or_404)
@blueprint.arguments(schemas.DecisionInput)
@blueprint.response(201, schemas.Decision)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data, request_id: DecisionForm.from_json(data, request=_workspace_request_or_404(request_id)))
def create_decision(form: DecisionForm, request_id: int):
    decision = record_decision(current_user, form.request, form.values(), local_today())
    return decision_json(decision), 201


def _status_condition(status: str, today):
    live = Decision.withdrawn_at.is_(None)
    return {
        "withdrawn": Decision.withdrawn_at.is_not(None),
        "scheduled": and_(live, Decision.effective_on > today),
        "review_due": and_(live, Decision.effective_on <= today, Decision.review_on <= today),
        "in_effect": and_(live, Decision.effective_on <= today, Decision.review_on > today),
    }[status]


@blueprint.get("/decisions")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.DecisionQuery}])
@blueprint.response(200, schemas.DecisionPage)
@answers(400, 401, 404)
def list_decisions():
    _workspace_only()
    request_id = whole_number_arg("request_id", "request_id must be the id of a request")
    status = http_request.args.get("status", "").strip()
    if status and status not in DECISION_STATUSES:
        refuse({"status": [f"status must be one of: {', '.join(DECISION_STATUSES)}"]})
    query = select(Decision).options(
        joinedload(Decision.request), joinedload(Decision.decided_by)
    ).order_by(Decision.id)
    if request_id is not None:
        query = query.where(Decision.request_id == request_id)
    if status:
        query = query.where(_status_condition(status, local_today()))
    return page_of(query, decision_json)
