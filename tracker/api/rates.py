"""Staff-band hourly rates: admins list the history and add a rate from a date.
Everyone else gets 404 (the routes do not exist for them)."""
from __future__ import annotations

from flask import request as http_request
from flask_login import current_user
from sqlalchemy import case, select

from tracker.api import blueprint
from tracker.api.common import json_input, page_of, refuse
from tracker.api.contract import WRITE_REFUSALS, answers
from tracker.api.schemas import rates as schemas
from tracker.api.serialise import rate_to_json
from tracker.auth.access import role_required
from tracker.burden.forms import RateForm
from tracker.models.burden import Rate
from tracker.burden.rate_changes import create_rate
from tracker.shared.choices import BANDS
from tracker.extensions import db


@blueprint.get("/rates")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.RateQuery}])
@blueprint.response(200, schemas.RatePage)
@answers(400, 401, 404)
@role_required("admin")
def list_rates():
    """The whole history, band by band (in pay order), oldest rate first."""
    band = http_request.args.get("band", "").strip()
    if band and band not in BANDS:
        refuse({"band": [f"band must be one of: {', '.join(BANDS)}"]})
    band_order = case({b: i for i, b in enumerate(BANDS)}, value=Rate.band)
    query = select(Rate).order_by(band_order, Rate.effective_from)
    if band:
        query = query.where(Rate.band == band)
    return page_of(query, rate_to_json)


@blueprint.post("/rates")
@role_required("admin")
@blueprint.arguments(schemas.RateInput)
@blueprint.response(201, schemas.Rate)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data: RateForm.from_json(data))
def add_rate(form):
    values = form.values()
    rate = create_rate(current_user, values["band"], values["hourly_cost"], values["effective_from"], note=values["note"])
    return rate_to_json(rate), 201
