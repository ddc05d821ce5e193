"""Burden figures (tracker/api/burden.py, and the unlicensed burden of tracker/api/licences.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.fields import choice, day, identifier, integer, number, text
from tracker.burden.dimensions import API, offered_in

BURDEN_GROUPINGS = offered_in(API)
UNLICENSED_GROUPINGS = ("team", "source")
RANGE_RULES = (
    " Refused (400): `from` after `to`; a date that is not a real YYYY-MM-DD. "
    "A `team_id` the caller may not see answers 404, whether or not the team exists."
)


class BurdenFigures(Schema):
    entries = integer(0, required=True)
    hours = number(required=True)
    cost = number(required=True, description="Pounds, rounded half-up to 2 places.")
    fte = number(required=True, description="hours ÷ (37.5 × days in the period ÷ 7).")


class BurdenRow(BurdenFigures):
    key = fields.Raw(required=True, metadata={"type": ["string", "integer"],
                                              "description": "The group's id, or YYYY-MM for month."})
    label = text(required=True)


class Burden(Schema):
    group_by = text()
    start = day(data_key="from", attribute="from")
    end = day(data_key="to", attribute="to")
    days = integer(1)
    team_id = integer(allow_none=True)
    rows = fields.List(fields.Nested(BurdenRow), required=True)
    totals = fields.Nested(BurdenFigures, required=True)


def burden_query(groupings, default_range: str) -> type[Schema]:
    return Schema.from_dict({
        "group_by": choice(groupings, default="team", description="How rows are grouped."),
        "start": day(data_key="from", description="First day, inclusive (YYYY-MM-DD). Default: " + default_range),
        "end": day(data_key="to", description="Last day, inclusive (YYYY-MM-DD); not before `from`. Default: today "
                   "(Europe/London)."),
        "team_id": identifier(description="Only this team; a team the caller may not see answers 404."),
        "source_id": identifier(description="Only requests from this source."),
    }, name="BurdenQuery" if groupings == BURDEN_GROUPINGS else "UnlicensedQuery")


LAST_12_MONTHS = "the 1st of the month 11 months before `to` (the last 12 calendar months)."
BurdenQuery = burden_query(BURDEN_GROUPINGS, LAST_12_MONTHS)
UnlicensedQuery = burden_query(UNLICENSED_GROUPINGS, LAST_12_MONTHS)
