"""Burden estimates: what a request is expected to cost the teams that answer it, and recording one.

The Standard Cost Model's arithmetic (and the US Paperwork Reduction Act's
burden statement), one-off and recurring kept apart:

- minutes per response = gathering + quality assurance + extraction and
  transformation + submission + training and guidance
- responses a year     = responses_per_year + resubmissions_per_year (a
  resubmission counts as a full response)
- expected annual hours = respondents × responses a year × minutes per response ÷ 60
- expected annual cost  = those minutes at the band's hourly rate in force on
  the day the estimate was made (tracker.burden.rates.price), unrounded
- expected FTE          = expected annual hours ÷ (37.5 × 365 ÷ 7)
- one-off hours (and cost) = respondents × one-off set-up minutes ÷ 60, once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker import audit
from tracker.burden.figures import fte
from tracker.burden.rates import RateBook, price
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.models.licences import Estimate
from tracker.shared.choices import ESTIMATE_PARTS, FREQUENCIES, LOGGABLE_STATUSES, OCCURRENCES_PER_YEAR
from tracker.shared.errors import Refused

SIXTY = Decimal(60)
DAYS_A_YEAR = 365
WORKING_WEEK_MINUTES = 375 * 6  # 37.5 hours: more than this per response needs a note


class EstimateRefused(Refused):
    pass


@dataclass(frozen=True)
class EstimateFigures:
    """An estimate worked out: recurring figures a year, one-off figures once."""

    estimate: Estimate
    hourly_rate: Decimal
    minutes_per_response: int
    responses_a_year: int
    annual_minutes: int
    one_off_minutes: int

    @property
    def expected_annual_hours(self) -> Decimal:
        return Decimal(self.annual_minutes) / SIXTY

    @property
    def expected_annual_cost(self) -> Decimal:
        return price(self.annual_minutes, self.hourly_rate)

    @property
    def expected_fte(self) -> Decimal:
        return fte(self.expected_annual_hours, DAYS_A_YEAR)

    @property
    def one_off_hours(self) -> Decimal:
        return Decimal(self.one_off_minutes) / SIXTY

    @property
    def one_off_cost(self) -> Decimal:
        return price(self.one_off_minutes, self.hourly_rate)


def figures_of(estimate: Estimate, rates: RateBook) -> EstimateFigures:
    per_response = estimate.minutes_per_response
    responses = estimate.responses_per_year + (estimate.resubmissions_per_year or 0)
    return EstimateFigures(
        estimate=estimate,
        hourly_rate=rates.rate(estimate.band, estimate.estimated_on),
        minutes_per_response=per_response,
        responses_a_year=responses,
        annual_minutes=estimate.respondents * responses * per_response,
        one_off_minutes=estimate.respondents * (estimate.one_off_minutes or 0),
    )


def estimates_of(session, request_id: int) -> list[Estimate]:
    """A request's estimates, newest first."""
    query = select(Estimate).where(Estimate.request_id == request_id).order_by(Estimate.id.desc())
    return list(session.scalars(query))


def latest_estimates(session, request_ids) -> dict[int, Estimate]:
    """The newest estimate of each request asked for that has one."""
    latest: dict[int, Estimate] = {}
    query = select(Estimate).where(Estimate.request_id.in_(list(request_ids) or [-1])).order_by(Estimate.id)
    for estimate in session.scalars(query):
        latest[estimate.request_id] = estimate
    return latest


def expected_responses(frequency: str) -> int | None:
    """Responses a year a request's frequency implies (None for ad hoc: any number may be right)."""
    return OCCURRENCES_PER_YEAR.get(frequency)


def check_estimate(request: Request, values: dict) -> None:
    """The rules that need the request or several fields at once. Raises EstimateRefused, writing nothing."""
    if request.status not in LOGGABLE_STATUSES:
        raise EstimateRefused(
            f"This request is {request.status.replace('_', ' ')}: there is nothing to estimate", "request_id"
        )
    expected = expected_responses(request.frequency)
    if expected is not None and values["responses_per_year"] != expected and not values.get("frequency_reason"):
        raise EstimateRefused(
            f"A {FREQUENCIES[request.frequency].lower()} request is answered {expected} "
            f"time{'s' if expected != 1 else ''} a year: enter {expected}, or say why it differs",
            "responses_per_year",
        )
    per_response = sum(values.get(name) or 0 for name in ESTIMATE_PARTS)
    if per_response < 1:
        raise EstimateRefused("Enter the time one response takes: at least 1 minute in one of the parts", "minutes_gathering")
    if per_response > WORKING_WEEK_MINUTES and not values.get("notes"):
        raise EstimateRefused(
            f"{per_response:,} minutes is more than a working week (37.5 hours) for one response: "
            "check the figures, or add a note saying why",
            "notes",
        )


def record_estimate(user, request: Request, values: dict, today: date) -> Estimate:
    """Add an estimate to the request (audited). `values` come from EstimateForm.values()."""
    check_estimate(request, values)
    estimate = Estimate(request_id=request.id, estimated_on=today, created_by_id=getattr(user, "id", None), **values)
    db.session.add(estimate)
    db.session.flush()
    audit.record(db.session, user, "create", estimate, new=audit.snapshot(estimate))
    return estimate
