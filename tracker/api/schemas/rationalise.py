"""Decisions on requests (tracker/api/rationalise.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import boolean, choice, day, identifier, integer, moment, number, text
from tracker.api.schemas import Paged, Person, page_of
from tracker.rationalise.forms import MOST_TARGET_HOURS
from tracker.shared.choices import DECISION_STATUSES, DECISIONS, FREQUENCIES, RATIONALE_MAX




class DecisionInput(JsonInput):
    decision = choice(DECISIONS, required=True)
    rationale = text(RATIONALE_MAX, required=True)
    effective_date = day(required=True, description="At most a year back, at most two years ahead.")
    review_date = day(description="Not before effective_date. Default: six months after it.")
    merge_into = identifier(description="merge: the live request that replaces this one (not itself).")
    new_frequency = choice(FREQUENCIES, description="reduce_frequency: less often than now (not ad_hoc).")
    target_hours_per_entry = number(exclusive_minimum=0, maximum=int(MOST_TARGET_HOURS),
                                    description="simplify: less than the median hours per entry now; 2 places.")


class Decision(Schema):
    id = identifier(required=True)
    request_id = identifier(required=True)
    request = text(description="The request's title.")
    decision = choice(DECISIONS, required=True)
    rationale = text()
    decided_by = fields.Nested(Person)
    decided_on = day(description="When it was recorded: its rates price every saving.")
    effective_date = day(required=True)
    review_date = day(required=True)
    merge_into = integer(allow_none=True)
    new_frequency = choice(FREQUENCIES, allow_none=True)
    target_hours_per_entry = number(allow_none=True)
    status = choice(DECISION_STATUSES, required=True)
    baseline_start = day()
    baseline_end = day()
    baseline_hours = number(required=True, description="The 12 months before the effective date (frozen).")
    baseline_cost = number()
    baseline_entries = integer()
    baseline_teams = integer()
    expected_saving_hours = number(required=True, description="A year, frozen at decision time.")
    expected_saving_cost = number(required=True, description="Pounds a year at the decision date's rates.")
    expected_saving_fte = number()
    realised_saving_hours = number(required=True, allow_none=True, description=(
        "Baseline hours − hours since the effective date × 365 ÷ days (for a merge, less the survivor's "
        "extra hours); null until three whole months have passed."))
    realised_saving_cost = number(required=True, allow_none=True, description="At the decision's rates.")
    seasonal_saving_hours = number(allow_none=True, description=(
        "The same, against the same days a year before, where the data reaches back."))
    saving_uncertain = boolean(required=True, allow_none=True, description=(
        "True when the teams that carried it logged more than a third fewer hours a day on everything else."))
    withdrawn_at = moment(allow_none=True)
    withdrawal_reason = text(allow_none=True)


DecisionPage = page_of(Decision, "DecisionPage")


class DecisionQuery(Paged):
    request_id = identifier(description="Only decisions on this request.")
    status = choice(DECISION_STATUSES, description="Only decisions that stand so today.")
