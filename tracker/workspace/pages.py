"""What the workspace's pages show, gathered as plain data (the views render it, the tests read it)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from tracker.burden.services import BurdenFilter, BurdenTable, burden
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.models.workspace import Decision
from tracker.workspace.decisions import SimplifySuggestion, decision_status, simplify_suggestion
from tracker.workspace.duplicates import DuplicatePair, find_duplicates
from tracker.workspace.figures import RequestFigures, request_figures, twelve_months_to
from tracker.workspace.savings import Saving, measure
from tracker.workspace.variation import VariationView, variation_of
from tracker.shared.timeutil import add_months, month_so_far

TREND_MONTHS = 24
SIXTY = Decimal(60)


@dataclass
class DecisionRow:
    decision: Decision
    status: str
    saving: Saving


def decision_rows(decisions, today: date) -> list[DecisionRow]:
    return [DecisionRow(d, decision_status(d, today), measure(d, today)) for d in decisions]


@dataclass(frozen=True)
class DecisionsSummary:
    """The decisions page's key figures: withdrawn decisions count for nothing."""

    in_effect: int
    review_due: int
    expected_hours: Decimal  # every live decision's expected saving a year
    realised_hours: Decimal  # the measured ones' realised saving a year
    measured: int


def decisions_summary(rows: list[DecisionRow]) -> DecisionsSummary:
    live = [row for row in rows if row.status != "withdrawn"]
    measured = [row for row in live if row.saving.measured]
    return DecisionsSummary(
        in_effect=sum(1 for row in live if row.status == "in_effect"),
        review_due=sum(1 for row in live if row.status == "review_due"),
        expected_hours=sum((row.decision.expected_saving_hours for row in live), Decimal(0)),
        realised_hours=sum((row.saving.realised_hours for row in measured), Decimal(0)),
        measured=len(measured),
    )


def all_decisions(session=None):
    session = session or db.session
    return list(session.scalars(
        select(Decision)
        .options(joinedload(Decision.request).joinedload(Request.source), joinedload(Decision.merge_into),
                 joinedload(Decision.decided_by))
        .order_by(Decision.withdrawn_at.is_not(None), Decision.review_on, Decision.id)
    ))


@dataclass
class RequestPage:
    request: Request
    figures: RequestFigures
    trend: list[tuple[str, Decimal]]  # (month label, hours), oldest first
    trend_start: date
    trend_so_far: str | None  # "1–5 Dec": the last month is not over yet
    teams: BurdenTable  # the 12 months, by team
    decisions: list[DecisionRow]  # newest first
    duplicates: list[DuplicatePair]
    variation: VariationView | None = None  # every team by name: the workspace is commissioners' and admins'
    simplify: SimplifySuggestion | None = None  # the median team's time per response as a simplification's target

    @property
    def live_decision(self) -> Decision | None:
        return next((row.decision for row in self.decisions if row.decision.withdrawn_at is None), None)


def request_page(request: Request, today: date, session=None) -> RequestPage:
    session = session or db.session
    start, end = twelve_months_to(today)
    figures = request_figures(start, end, today, [request.id], session)[request.id]
    trend_start = add_months(today, 1 - TREND_MONTHS)
    by_month = burden(BurdenFilter(trend_start, today, request_ids=[request.id]), ("month",), session=session)
    minutes = {row.key[0]: row.minutes for row in by_month.rows}
    months = [add_months(trend_start, i) for i in range(TREND_MONTHS)]
    trend = [(f"{m:%b %Y}", Decimal(minutes.get(f"{m:%Y-%m}", 0)) / SIXTY) for m in months]
    teams = burden(BurdenFilter(start, end, request_ids=[request.id]), ("team",), with_counts=True, session=session)
    decisions = session.scalars(
        select(Decision).where(Decision.request_id == request.id).order_by(Decision.created_at.desc(), Decision.id.desc())
    )
    pairs = [p for p in find_duplicates(today, session=session) if request.id in p.key]
    variation = variation_of(request.id, start, end, session)
    return RequestPage(request, figures, trend, trend_start, month_so_far(months[-1], today), teams,
                       decision_rows(decisions, today), pairs,
                       variation.seen_by(None) if variation else None, simplify_suggestion(request, today, session))
