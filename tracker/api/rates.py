"""Staff-band hourly rates: admins list the history and add a rate from a date.
Everyone else gets 404 (the routes do not exist for them)."""
from __future__ import annotations

from flask import request as http_request
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError

from tracker.api import blueprint
from tracker.api.common import json_body, page_number, paginate, single_value_errors, validation_error
from tracker.api.serialise import rate_to_json
from tracker.auth.access import role_required
from tracker.burden.forms import RateForm
from tracker.models.burden import Rate
from tracker.burden.rate_changes import RateExists, create_rate
from tracker.shared.choices import BANDS
from tracker.extensions import db

DUPLICATE_MESSAGE = "That band already has a rate from that date. A rate is never changed: choose another date"


@blueprint.get("/rates")
@role_required("admin")
def list_rates():
    """The whole history, band by band (in pay order), oldest rate first."""
    band = http_request.args.get("band", "").strip()
    if band and band not in BANDS:
        return validation_error({"band": [f"band must be one of: {', '.join(BANDS)}"]})
    band_order = case({b: i for i, b in enumerate(BANDS)}, value=Rate.band)
    query = select(Rate).order_by(band_order, Rate.effective_from)
    if band:
        query = query.where(Rate.band == band)
    return paginate(db.session, query, rate_to_json, page_number())


@blueprint.post("/rates")
@role_required("admin")
def add_rate():
    data = json_body()
    errors = single_value_errors(data, RateForm.API_FIELDS)
    form = RateForm.from_json(data)
    if errors or not form.validate():
        return validation_error({**form.errors, **errors})
    values = form.values()
    try:
        rate = create_rate(current_user, values["band"], values["hourly_cost"], values["effective_from"], note=values["note"])
        db.session.commit()
    except (RateExists, IntegrityError):  # IntegrityError: the same rate added by someone else a moment ago
        db.session.rollback()
        return validation_error({"effective_from": [DUPLICATE_MESSAGE]})
    return rate_to_json(rate), 201
