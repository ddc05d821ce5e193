"""Estimates, licences, burden statements and unlicensed burden (issue 10).

- GET/POST /api/v1/requests/<id>/estimates   commissioners and admins (404 for others)
- POST     /api/v1/requests/<id>/licence     approve, renew or decline; commissioners and admins
- GET      /api/v1/sources/<id>/statement    the burden statement; commissioners and admins
- GET      /api/v1/unlicensed                burden on days with no licence in force, by team or
                                             source, for the teams the caller may see (as /burden)

Figures come from tracker.licences (which asks the burden service), so they
equal the pages' and the workbooks' to the penny."""
from __future__ import annotations

from flask import abort, current_app, jsonify
from flask import request as http_request
from flask_login import current_user
from sqlalchemy import select

from tracker.api import blueprint
from tracker.api.burden import figures_to_json
from tracker.api.common import date_range_args, json_input, page_of, validation_error
from tracker.api.contract import WRITE_REFUSALS, answers, found_first
from tracker.api.schemas import Paged
from tracker.api.schemas import burden as burden_schemas
from tracker.api.schemas import licences as schemas
from tracker.api.serialise import estimate_to_json, iso, licence_decision_to_json, pounds, rounded
from tracker.auth.access import role_required
from tracker.burden.filters import parse_burden_query
from tracker.burden.rates import RateBook
from tracker.extensions import db
from tracker.licences.estimates import figures_of, record_estimate
from tracker.licences.forms import EstimateForm, LicenceForm
from tracker.licences.licensing import decide_licence
from tracker.licences.observed import observed_annual
from tracker.licences.statement import burden_statement, last_quarter
from tracker.licences.status import licence_status
from tracker.licences.unlicensed import unlicensed_burden
from tracker.models.catalogue import Request, Source
from tracker.models.licences import Estimate
from tracker.shared.timeutil import local_today

LICENCE_ROLES = ("commissioner", "admin")
UNLICENSED_GROUPINGS = burden_schemas.UNLICENSED_GROUPINGS


def today():
    return local_today(current_app.config.get("TIMEZONE"))


def request_or_404(request_id: int) -> Request:
    found = db.session.get(Request, request_id)
    if found is None:
        abort(404, f"There is no request {request_id}.")
    return found


@blueprint.get("/requests/<int:request_id>/estimates")
@role_required(*LICENCE_ROLES)
@blueprint.doc(parameters=[{"in": "query", "schema": Paged}])
@blueprint.response(200, schemas.EstimatePage)
@answers(400, 401, 404)
def list_estimates(request_id: int):
    request_or_404(request_id)
    rates = RateBook.load(db.session)
    observed = observed_annual(db.session, [request_id], today())[request_id]
    query = select(Estimate).where(Estimate.request_id == request_id).order_by(Estimate.id.desc())
    return page_of(query, lambda estimate: estimate_to_json(figures_of(estimate, rates), observed))


@blueprint.post("/requests/<int:request_id>/estimates")
@role_required(*LICENCE_ROLES)
@found_first(request_or_404)
@blueprint.arguments(schemas.EstimateInput)
@blueprint.response(201, schemas.Estimate)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data, request_id: EstimateForm.from_json(data))
def create_estimate(form, request_id: int):
    on = today()
    estimate = record_estimate(current_user, request_or_404(request_id), form.values(), on)
    observed = observed_annual(db.session, [request_id], on)[request_id]
    return estimate_to_json(figures_of(estimate, RateBook.load(db.session)), observed), 201


@blueprint.post("/requests/<int:request_id>/licence")
@role_required(*LICENCE_ROLES)
@found_first(request_or_404)
@blueprint.arguments(schemas.LicenceInput)
@blueprint.response(201, schemas.LicenceDecision)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data, request_id: LicenceForm.from_json(data), refusal_field="action")
def decide_request_licence(form, request_id: int):
    on = today()
    decision = decide_licence(current_user, request_or_404(request_id), today=on, **form.values())
    db.session.flush()
    return licence_decision_to_json(decision, licence_status(db.session, request_id, on)), 201


@blueprint.get("/sources/<int:source_id>/statement")
@role_required(*LICENCE_ROLES)
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.StatementQuery}])
@blueprint.response(200, schemas.Statement)
@answers(400, 401, 404)
def source_statement(source_id: int):
    source = db.session.get(Source, source_id)
    if source is None:
        abort(404, f"There is no source {source_id}.")
    start, end = date_range_args("from", "to")
    on = today()
    default_start, default_end = last_quarter(on)
    if start is None and end is None:
        start, end = default_start, default_end
    elif start is None or end is None:
        return validation_error({"from" if start is None else "to": ["Give both from and to, or neither (the last quarter)"]})
    st = burden_statement(db.session, source, start, end, on)

    def line_to_json(line) -> dict:
        comparison, licence = line.comparison, line.licence
        figures = comparison.figures
        return {
            "id": line.request.id,
            "title": line.request.title,
            "frequency": line.request.frequency,
            "obligation": line.request.obligation,
            "status": line.request.status,
            "teams": line.row.teams or 0,
            **figures_to_json(st.table, line.row),
            "duplicated_share": rounded(line.row.share_duplicated(), 4) if line.row.minutes else None,
            "unused_share": rounded(line.share_no_sign_of_use, 4) if line.row.minutes else None,
            "licence_status": licence.status,
            "licence_reference": licence.reference,
            "licence_expires_on": iso(licence.expires_on),
            "expected_annual_hours": rounded(figures.expected_annual_hours, 2) if figures else None,
            "observed_annual_hours": rounded(comparison.observed.annual_hours, 2) if comparison.observed else None,
            "observed_to_expected": rounded(comparison.ratio, 3) if comparison.ratio is not None else None,
        }

    return jsonify(
        {
            "source": {"id": source.id, "name": source.name, "kind": source.kind},
            "from": st.start.isoformat(),
            "to": st.end.isoformat(),
            "days": st.days,
            "requests": [line_to_json(line) for line in st.lines],
            "totals": {**figures_to_json(st.table, st.totals), "teams": st.totals.teams or 0},
            "duplicated_share": rounded(st.duplicated_share, 4) if st.duplicated_share is not None else None,
            "unused_share": rounded(st.unused_share, 4) if st.unused_share is not None else None,
            "unlicensed_hours": rounded(st.unlicensed.totals.hours, 2),
            "unlicensed_cost": pounds(st.unlicensed.totals.cost),
            "decisions": [
                {
                    "id": d.id,
                    "request_id": d.request_id,
                    "decision": d.kind,
                    "merge_into": d.merge_into_id,
                    "new_frequency": d.new_frequency,
                    "target_hours_per_entry": None if d.target_hours is None else float(d.target_hours),
                    "rationale": d.rationale,
                    "decided_on": iso(d.decided_on),
                    "effective_date": iso(d.effective_on),
                    "review_date": iso(d.review_on),
                    "expected_saving_hours": rounded(d.expected_saving_hours, 2),
                    "expected_saving_cost": pounds(d.expected_saving_cost),
                }
                for d in st.decisions
            ],
        }
    )


@blueprint.get("/unlicensed")
@blueprint.doc(parameters=[{"in": "query", "schema": burden_schemas.UnlicensedQuery}])
@blueprint.response(200, burden_schemas.Burden)
@answers(400, 401, 404)
def unlicensed_report():
    group_by = (http_request.args.get("group_by") or "team").strip()
    query, errors = parse_burden_query(http_request.args, current_user, today())
    if group_by not in UNLICENSED_GROUPINGS:
        errors["group_by"] = [f"group_by must be one of: {', '.join(UNLICENSED_GROUPINGS)}"]
    if errors:
        return validation_error(errors)
    found = unlicensed_burden(db.session, query.burden_filter())
    return jsonify(
        {
            "group_by": group_by,
            "from": query.start.isoformat(),
            "to": query.end.isoformat(),
            "days": found.days,
            "team_id": query.team_id,
            "rows": [{"key": row.key[0], "label": row.label[0], **figures_to_json(found, row)} for row in found.rows(group_by)],
            "totals": figures_to_json(found, found.totals),
        }
    )
