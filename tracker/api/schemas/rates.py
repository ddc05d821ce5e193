"""Staff-band hourly rates (tracker/api/rates.py)."""
from __future__ import annotations

from marshmallow import Schema

from tracker.api.contract import JsonInput
from tracker.api.fields import Either, choice, day, identifier, integer, moment, number, text
from tracker.api.schemas import Paged, page_of
from tracker.burden.forms import COST_PLACES, MAX_HOURLY_COST
from tracker.shared.choices import BANDS, SHORT_TEXT_MAX


class RateInput(JsonInput):
    band = choice(BANDS, required=True)
    hourly_cost = Either("number", "string", required=True, one_of=[{"type": "number"}, {"type": "string"}], description=(
        f"More than 0, at most {MAX_HOURLY_COST:,}, at most {COST_PLACES} decimal places (a string keeps them exact)."))
    effective_from = day(required=True, description="Unique for the band; from 2000-01-01 to a year from today.")
    note = text(SHORT_TEXT_MAX)


class Rate(Schema):
    id = identifier(required=True)
    band = choice(BANDS, required=True)
    hourly_cost = number(required=True, description="Pounds an hour, up to 6 decimal places.")
    effective_from = day(required=True)
    note = text()
    created_at = moment()
    created_by_id = integer(allow_none=True)


RatePage = page_of(Rate, "RatePage")


class RateQuery(Paged):
    band = choice(BANDS, description="Only this band.")
