"""Estimate against reality: the burden a request was expected to cost beside what the logs show.

Observed annual hours of a request = hours logged on it from the approval
date of its licence in force (or, with none in force, over the last 365 days)
to today, × 365 ÷ days in that window. The hours come from the burden
service; the ratio is observed ÷ expected (above 1: the estimate was too
low). No burden method checks its estimates against what was spent: this
app can, because it has the logs."""
from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.burden.rates import RateBook
from tracker.burden.services import BurdenFilter, burden
from tracker.licences.estimates import EstimateFigures, figures_of, latest_estimates
from tracker.licences.status import LicenceStatus, licence_statuses
from tracker.models.catalogue import Request
from tracker.models.entries import Entry

DAYS_A_YEAR = 365
WORST = 5  # under-estimates listed


@dataclass(frozen=True)
class Observed:
    start: date
    end: date
    entries: int
    hours: Decimal
    cost: Decimal

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def annual_hours(self) -> Decimal:
        return self.hours * DAYS_A_YEAR / self.days

    @property
    def annual_cost(self) -> Decimal:
        return self.cost * DAYS_A_YEAR / self.days


def observation_start(status: LicenceStatus, today: date) -> date:
    """From the approval of the licence in force; without one, the last 365 days."""
    if status.current and status.licence.approved_on <= today:
        return status.licence.approved_on
    return today - timedelta(days=DAYS_A_YEAR - 1)


def requests_with_entries(session, request_ids) -> set[int]:
    """The requests among these with any live entry: a probe of the request's index each (a DISTINCT over
    the entries read all ten million of them, 0.7 s)."""
    logged = select(Entry.id).where(Entry.request_id == Request.id, Entry.deleted_at.is_(None)).exists()
    return set(session.scalars(select(Request.id).where(Request.id.in_(list(request_ids) or [-1]), logged)))


def observed_annual(session, request_ids, today: date, statuses: dict[int, LicenceStatus] | None = None) -> dict[int, Observed | None]:
    """Each request's observed burden to today; None for a request nobody has logged yet.

    One burden query per distinct window start (requests licensed on the same day share one)."""
    request_ids = list(request_ids)
    statuses = statuses if statuses is not None else licence_statuses(session, request_ids, today)
    logged = requests_with_entries(session, request_ids)
    by_start: dict[date, list[int]] = {}
    for request_id in request_ids:
        if request_id in logged:
            by_start.setdefault(observation_start(statuses[request_id], today), []).append(request_id)
    found: dict[int, Observed | None] = dict.fromkeys(request_ids)
    for start, ids in by_start.items():
        table = burden(BurdenFilter(start, today, request_ids=ids), ("request",), session=session)
        rows = {row.key[0]: row for row in table.rows}
        for request_id in ids:
            row = rows.get(request_id)
            found[request_id] = Observed(
                start, today, row.entries if row else 0, row.hours if row else Decimal(0), row.cost if row else Decimal(0)
            )
    return found


def largest_first(requests, observed: dict[int, Observed | None]) -> list:
    """Requests by their observed hours a year, then cost, largest first; those nobody logged last, by title."""
    def key(request):
        found = observed.get(request.id)
        return (found is None, -(found.annual_hours if found else 0), -(found.annual_cost if found else 0),
                request.title.lower(), request.id)
    return sorted(requests, key=key)


def ratio(observed: Observed | None, figures: EstimateFigures | None) -> Decimal | None:
    """Observed ÷ expected annual hours: 1 is a perfect estimate, 2 means it took twice as long."""
    if observed is None or figures is None or not figures.annual_minutes:
        return None
    return observed.annual_hours / figures.expected_annual_hours


@dataclass(frozen=True)
class Comparison:
    request_id: int
    status: LicenceStatus
    figures: EstimateFigures | None
    observed: Observed | None

    @property
    def ratio(self) -> Decimal | None:
        return ratio(self.observed, self.figures)


@dataclass(frozen=True)
class Accuracy:
    """How far estimates miss, across every request with a licence in force and an estimate."""

    comparisons: list[Comparison]

    @property
    def measured(self) -> list[Comparison]:
        return [c for c in self.comparisons if c.ratio is not None]

    @property
    def median_ratio(self) -> Decimal | None:
        ratios = [c.ratio for c in self.measured]
        return statistics.median(ratios) if ratios else None

    @property
    def worst_under_estimates(self) -> list[Comparison]:
        under = [c for c in self.measured if c.ratio > 1]
        return sorted(under, key=lambda c: (-c.ratio, c.request_id))[:WORST]


def compare(session, request_ids, today: date, statuses: dict[int, LicenceStatus] | None = None) -> list[Comparison]:
    """Each request's estimate (the one its licence was granted on, else the newest) beside its observed burden."""
    request_ids = list(request_ids)
    statuses = statuses if statuses is not None else licence_statuses(session, request_ids, today)
    rates = RateBook.load(session)
    newest = latest_estimates(session, request_ids)
    observed = observed_annual(session, request_ids, today, statuses)
    comparisons = []
    for request_id in request_ids:
        status = statuses[request_id]
        estimate = (status.licence.estimate if status.licence is not None else None) or newest.get(request_id)
        figures = figures_of(estimate, rates) if estimate is not None else None
        comparisons.append(Comparison(request_id, status, figures, observed[request_id]))
    return comparisons


def accuracy(session, today: date) -> Accuracy:
    """Estimate against observed for every request with a licence in force today."""
    statuses = {rid: s for rid, s in licence_statuses(session, None, today).items() if s.current}
    return Accuracy(compare(session, list(statuses), today, statuses))
