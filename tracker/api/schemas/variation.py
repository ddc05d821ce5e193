"""Variation between teams on a request, and the teams' methods (tracker/api/variation.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import boolean, choice, day, identifier, integer, moment, number, plain_text, text
from tracker.shared.choices import FREQUENCIES
from tracker.workspace.methods import MAX_LENGTH as METHOD_MAX

ANONYMISED = ("Commissioners and admins see every team; anyone else sees their own teams by id and name and "
              "every other team only by its position (`label` \"Team 3 of 7\"; `team_id`, `responses`, `hours` "
              "and its saving null).")
SCOPES = ("all_teams", "your_teams")


class VariationTeam(Schema):
    team_id = integer(1, allow_none=True, required=True, description="Null for a team the caller may not see.")
    label = text(required=True, description="The team's name, or its position (\"Team 3 of 7\").")
    position = integer(1, required=True, description="1 = the fewest hours per response.")
    responses = integer(0, allow_none=True, required=True)
    hours = number(allow_none=True, required=True)
    hours_per_response = number(required=True)
    ratio_to_median = number(required=True, description="Hours per response ÷ the median (4 places).")
    flagged = boolean(required=True, description="At twice the median or more.")
    variation_saving_hours = number(allow_none=True)
    variation_saving_cost = number(allow_none=True)


class Variation(Schema):
    """Each team's hours per response over the 12 months to today: its hours ÷ the request's periods (days,
    weeks, fortnights, months, quarters, financial half-years, financial years) in which it logged any of
    it, or ÷ its entries for one-off and ad hoc requests. Compared only when three teams or more answered it
    (otherwise `teams` is empty and the figures null)."""

    request_id = identifier(required=True)
    start = day(data_key="from", attribute="from", required=True)
    end = day(data_key="to", attribute="to", required=True)
    teams_compared = integer(0, required=True)
    frequency = choice(FREQUENCIES)
    median_hours_per_response = number(allow_none=True, required=True)
    teams = fields.List(fields.Nested(VariationTeam), required=True, metadata={"description": "Cheapest per response first. " + ANONYMISED})
    variation_saving_hours = number(allow_none=True, required=True, description=(
        "Σ over the teams above the median of (hours per response − median) × responses: every team's "
        "(scope all_teams) or the caller's own teams' (scope your_teams)."))
    variation_saving_cost = number(allow_none=True, required=True, description=(
        "The same at each team's own cost of an hour on the request, in pounds."))
    scope = choice(SCOPES, allow_none=True, required=True)


class MethodInput(JsonInput):
    text = plain_text(METHOD_MAX, required=True, description="Plain text: what the team runs, who checks, how it submits.")


class Method(Schema):
    request_id = identifier(required=True)
    team_id = identifier(required=True)
    team = text(required=True)
    text = text(required=True)
    version = integer(1, required=True)
    updated_at = moment(required=True)
    hours_per_response = number(allow_none=True, required=True, description="The team's, when the request's teams are compared.")


class MethodListItem(Schema):
    team_id = integer(1, allow_none=True, required=True)
    label = text(required=True)
    hours_per_response = number(allow_none=True, required=True)
    text = text(required=True)
    updated_at = moment(required=True)


class MethodList(Schema):
    items = fields.List(fields.Nested(MethodListItem), required=True)
