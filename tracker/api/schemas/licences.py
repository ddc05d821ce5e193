"""Estimates, licences and burden statements (tracker/api/licences.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import choice, day, identifier, integer, moment, number, text
from tracker.api.schemas import page_of
from tracker.api.schemas.burden import BurdenFigures
from tracker.api.schemas.catalogue import Source
from tracker.licences import forms as licence_forms
from tracker.shared.choices import (
    BANDS, DECISIONS, ESTIMATE_BASES, ESTIMATE_PARTS, FREQUENCIES, LICENCE_ACTIONS, LICENCE_STATUSES, LONG_TEXT_MAX,
    OBLIGATIONS, REFERENCE_MAX, REQUEST_STATUSES, SECTORS, SHORT_TEXT_MAX,
)


def _estimate_fields() -> dict:
    return {
        "reference": text(REFERENCE_MAX, description="The requester's, e.g. a national collection number."),
        "purpose": text(LONG_TEXT_MAX, required=True),
        "necessity": text(LONG_TEXT_MAX, description="Why necessary rather than useful."),
        "legal_basis": text(SHORT_TEXT_MAX),
        "answered_by": text(SHORT_TEXT_MAX, description="Who must answer, in words."),
        "sector": choice(SECTORS, allow_none=True, description=(
            "The sector answering; null (or left out) for any or several. An estimate read back has null then.")),
        "respondents": integer(1, licence_forms.MAX_RESPONDENTS, required=True, description="How many teams answer."),
        "responses_per_year": integer(1, licence_forms.MAX_RESPONSES, required=True),
        "resubmissions_per_year": integer(0, licence_forms.MAX_RESPONSES, default=0,
                                          description="Each counts as a full response."),
        "frequency_reason": text(LONG_TEXT_MAX),
        **{name: integer(0, licence_forms.MAX_PART_MINUTES, default=0, description=f"{label}, minutes per response.")
           for name, label in ESTIMATE_PARTS.items()},
        "one_off_minutes": integer(0, licence_forms.MAX_ONE_OFF_MINUTES, default=0,
                                   description="One-off set-up, minutes per team answering."),
        "band": choice(BANDS, required=True),
        "basis": choice(ESTIMATE_BASES, required=True, description="Where the estimate came from."),
        "notes": text(LONG_TEXT_MAX),
    }


class EstimateInput(JsonInput.from_dict(_estimate_fields(), name="EstimateFields")):
    """Refused (400, nothing written): a request that is retired or merged; responses_per_year that differ from
    the request's frequency (52 weekly, 26 fortnightly, 12 monthly, 4 quarterly, 2 twice a year, 1 annual or
    one-off; any number ad hoc) without frequency_reason; no time at all per response; more than a working
    week (2,250 minutes) per response without notes."""


class Estimate(Schema.from_dict(_estimate_fields(), name="EstimateRead")):
    id = identifier(required=True)
    request_id = identifier(required=True)
    estimated_on = day(required=True, description="Its cost is priced at the band's rate on this day.")
    minutes_per_response = integer(0, description="The five parts added up.")
    hourly_rate = number()
    expected_annual_hours = number(required=True, description=(
        "respondents × (responses_per_year + resubmissions_per_year) × minutes_per_response ÷ 60."))
    expected_annual_cost = number(required=True, description="Those hours at the band's rate, pounds to the penny.")
    expected_fte = number(required=True, description="expected_annual_hours ÷ (37.5 × 365 ÷ 7).")
    one_off_hours = number(required=True, description="respondents × one_off_minutes ÷ 60, once.")
    one_off_cost = number()
    observed_from = day(description="Present once entries exist: the approval date of the licence in force, or 364 "
                        "days before today without one.")
    observed_annual_hours = number(description="Hours logged on the request from observed_from to today × 365 ÷ "
                                   "days in that window.")
    observed_annual_cost = number()
    observed_to_expected = number(allow_none=True, description="observed ÷ expected annual hours.")
    created_at = moment()


EstimatePage = page_of(Estimate, "EstimatePage")


class LicenceInput(JsonInput):
    """Refused (400, nothing written): a retired or merged request; approve while a licence is in force (renew
    it); renew a request never licensed; decline without reasons; approve without a reference; an expiry on
    or before the approval date, or more than 5 years after it."""

    action = choice(LICENCE_ACTIONS, required=True)
    reference = text(REFERENCE_MAX, description="The licence number; a renewal keeps the last one if blank.")
    approved_on = day(description="Default today. In force from this day.")
    expires_on = day(description="Default a year after approved_on. In force until the day before.")
    reasons = text(LONG_TEXT_MAX, description="Required to decline.")


class LicenceDecision(Schema):
    id = identifier(required=True)
    request_id = identifier(required=True)
    action = choice(LICENCE_ACTIONS, required=True)
    reference = text()
    approved_on = day(allow_none=True)
    expires_on = day(allow_none=True)
    reasons = text()
    estimate_id = integer(allow_none=True)
    decided_on = day()
    decided_by_id = integer(allow_none=True)
    created_at = moment()
    licence_status = choice(LICENCE_STATUSES, required=True,
                            description="The request's licence today, after this decision.")
    licence_expires_on = day(allow_none=True)


def share(**kwargs):
    return number(0, 1, allow_none=True, **{"description": "0 to 1, of the hours; null with no hours.", **kwargs})


class StatementRequest(BurdenFigures):
    id = identifier(required=True)
    title = text(required=True)
    frequency = choice(FREQUENCIES)
    obligation = choice(OBLIGATIONS)
    status = choice(REQUEST_STATUSES)
    teams = integer(0, required=True)
    duplicated_share = share()
    unused_share = share(description="Share of hours with no sign of use ('no' or 'don't know').")
    licence_status = choice(LICENCE_STATUSES, required=True)
    licence_reference = text(allow_none=True)
    licence_expires_on = day(allow_none=True)
    expected_annual_hours = number(allow_none=True)
    observed_annual_hours = number(allow_none=True)
    observed_to_expected = number(allow_none=True)


class StatementTotals(BurdenFigures):
    teams = integer(0)


class StatementDecision(Schema):
    id = identifier(required=True)
    request_id = identifier(required=True)
    decision = choice(DECISIONS, required=True)
    merge_into = integer(allow_none=True)
    new_frequency = choice(FREQUENCIES, allow_none=True)
    target_hours_per_entry = number(allow_none=True)
    rationale = text()
    decided_on = day()
    effective_date = day(required=True)
    review_date = day(required=True)
    expected_saving_hours = number(required=True, description="A year, frozen when decided.")
    expected_saving_cost = number(required=True)


class Statement(Schema):
    source = fields.Nested(Source, required=True)
    start = day(data_key="from", attribute="from", required=True)
    end = day(data_key="to", attribute="to", required=True)
    days = integer(1)
    requests = fields.List(fields.Nested(StatementRequest), required=True)
    totals = fields.Nested(StatementTotals, required=True)
    duplicated_share = share()
    unused_share = share()
    unlicensed_hours = number(required=True, description="Hours on days a request had no licence in force.")
    unlicensed_cost = number(required=True)
    decisions = fields.List(fields.Nested(StatementDecision), required=True, metadata={
        "description": "Decisions on its requests not withdrawn, by effective date, as recorded (see Decision)."})


class StatementQuery(Schema):
    start = day(data_key="from", description="First day, inclusive. Give both from and to, or neither (the last "
                "whole quarter): one without the other is 400, as is from after to.")
    end = day(data_key="to", description="Last day, inclusive.")
