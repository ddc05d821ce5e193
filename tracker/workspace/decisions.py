"""Recording, applying and withdrawing decisions on requests (audited; nothing is ever deleted).

At decision time the baseline is frozen: hours, cost, entries and teams over
the 12 months before the effective date (ending no later than the decision
date, the last day anything is known about), and the expected annual saving,
priced at the rates in force on the decision date for the request's own mix
of staff bands:

- retire or merge:   the request's annual projection
- reduce frequency:  the projection × (1 − new occurrences a year ÷ old)
- simplify:          (median hours per entry − target) × occurrences a year × teams
- keep:              nothing

A simplification is offered a target: the median hours per response across the teams that answer
the request (tracker/workspace/variation.py), with the saving that target implies
(`simplify_suggestion`).

A decision takes effect on its effective date (`apply_due_decisions`: at once
when recorded on or after it, else by the scheduler's daily run): retire and
merge change the request's status (and point a merged request at the one that
replaces it), a reduced frequency changes its frequency, keep ends a review.
Withdrawing an applied decision puts back what it changed.

Retiring or merging a statutory or contractual request (one the law or a
contract demands) is confirmed on a page of its own before it is recorded:
`needs_confirmation` says when."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select

from tracker import audit
from tracker.burden.figures import fte
from tracker.burden.rates import RateBook
from tracker.burden.services import BurdenFilter, burden
from tracker.catalogue.services import CatalogueError, hold_request, set_request_status, update_with_audit
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.models.workspace import Decision
from tracker.workspace.figures import DAYS_A_YEAR, RequestFigures, request_figures, twelve_months_to
from tracker.catalogue.loggable import CLOSING_KINDS, live_closing_decision
from tracker.workspace.variation import variation_of
from tracker.shared.choices import DECISIONS, FREQUENCIES, OCCURRENCES_PER_YEAR
from tracker.shared.errors import Refused
from tracker.shared.timeutil import shift_months, utcnow

REVIEW_AFTER_MONTHS = 6
MONTHS_BACK = 12  # an effective date may be up to a year back (a decision recorded after the fact)
MONTHS_AHEAD = 24
SIX_PLACES = Decimal("0.000001")
FALLBACK_BAND = "other"  # prices a request with no baseline hours (follows band 7 until it has a rate)
# Ending a request someone is obliged to answer: the page asks again before recording it.
CONFIRM_KINDS = ("retire", "merge")
CONFIRM_OBLIGATIONS = ("statutory", "contractual")


class DecisionRefused(Refused):
    """A decision breaks a rule; nothing was written. `field` is the API's name for the input."""


@dataclass(frozen=True)
class DecisionInput:
    kind: str
    rationale: str
    effective_on: date
    review_on: date | None = None  # None: six months after the effective date
    merge_into_id: int | None = None
    new_frequency: str | None = None
    target_hours: Decimal | None = None


def default_review_date(effective_on: date) -> date:
    return shift_months(effective_on, REVIEW_AFTER_MONTHS)


def baseline_period(effective_on: date, decided_on: date) -> tuple[date, date]:
    """The 12 months before the effective date, ending no later than the decision date."""
    return twelve_months_to(min(effective_on - timedelta(days=1), decided_on))


def _six_places(value: Decimal) -> Decimal:
    return Decimal(value).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


# ---- the rules --------------------------------------------------------------------


def needs_confirmation(request: Request, kind: str) -> bool:
    """Retiring or merging a request the law or a contract demands is asked again before it is recorded."""
    return kind in CONFIRM_KINDS and request.obligation in CONFIRM_OBLIGATIONS


def check_decision(request: Request, values: DecisionInput, today: date, session=None) -> None:
    """Refuse, with the reason by the field, anything the rules do not allow. Writes nothing."""
    session = session or db.session
    if values.kind not in DECISIONS:
        raise DecisionRefused(f"Choose a decision from: {', '.join(DECISIONS)}", "decision")
    earliest, latest = shift_months(today, -MONTHS_BACK), shift_months(today, MONTHS_AHEAD)
    if values.effective_on < earliest:
        raise DecisionRefused(
            f"The effective date can be at most a year back: {earliest:%-d %B %Y} or later", "effective_date")
    if values.effective_on > latest:
        raise DecisionRefused(
            f"The effective date can be at most two years ahead: {latest:%-d %B %Y} or earlier", "effective_date")
    if values.review_on is not None and values.review_on < values.effective_on:
        raise DecisionRefused(
            f"The review date must be on or after the effective date ({values.effective_on:%-d %B %Y})", "review_date")
    live = session.scalar(select(Decision).where(Decision.request_id == request.id, Decision.withdrawn_at.is_(None)))
    if live is not None:
        raise DecisionRefused(
            f"'{request.title}' already has a live decision ({DECISIONS[live.kind].lower()}, from "
            f"{live.effective_on:%-d %B %Y}): withdraw it first", "decision")
    if values.kind == "merge":
        _check_merge_target(request, values.merge_into_id, session)
    if values.kind == "reduce_frequency":
        _check_reduction(request, values, today, session)
    if values.kind == "simplify":
        _check_target(request, values, today, session)


def _check_merge_target(request: Request, target_id: int | None, session) -> None:
    field = "merge_into"
    if target_id is None:
        raise DecisionRefused("Choose the request this one is merged into", field)
    if target_id == request.id:
        raise DecisionRefused("A request cannot be merged into itself: choose the request that replaces it", field)
    target = session.get(Request, target_id)
    if target is None:
        raise DecisionRefused(f"There is no request {target_id}: choose a request from the catalogue", field)
    closing = live_closing_decision(target.id, session)
    if target.status in ("retired", "merged") or closing is not None:
        state = target.status if target.status in ("retired", "merged") else f"to be {'retired' if closing.kind == 'retire' else 'merged'}"
        raise DecisionRefused(f"'{target.title}' is {state}: merge into a live request", field)


def _check_reduction(request: Request, values: DecisionInput, today: date, session) -> None:
    field = "new_frequency"
    new = values.new_frequency
    if new not in FREQUENCIES:
        raise DecisionRefused(f"Choose the new frequency from: {', '.join(FREQUENCIES)}", field)
    if OCCURRENCES_PER_YEAR[new] is None:
        raise DecisionRefused("Choose a fixed frequency to reduce to (ad hoc is not a frequency)", field)
    old = _baseline_figures(request, values, today, session)[0].occurrences
    if old is None:
        raise DecisionRefused(
            f"'{request.title}' is ad hoc and nobody logged it in the baseline, so there is no frequency to reduce", field)
    if Decimal(OCCURRENCES_PER_YEAR[new]) >= old:
        raise DecisionRefused(
            f"{FREQUENCIES[new]} ({OCCURRENCES_PER_YEAR[new]} a year) is not less often than now "
            f"({_times(old)} a year): choose a lower frequency", field)


def _check_target(request: Request, values: DecisionInput, today: date, session) -> None:
    field = "target_hours_per_entry"
    if values.target_hours is None or values.target_hours <= 0:
        raise DecisionRefused("Enter the target hours per entry: more than 0", field)
    median = _baseline_figures(request, values, today, session)[0].median_hours
    if median is not None and values.target_hours >= median:
        raise DecisionRefused(
            f"The target must be less than the median now ({median:.2f} hours per entry): "
            "a simplification takes less time", field)


def _times(value: Decimal) -> str:
    return f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.1f}"


# ---- recording ------------------------------------------------------------------------


def _baseline_figures(request: Request, values: DecisionInput, today: date, session) -> tuple[RequestFigures, RequestFigures | None]:
    start, end = baseline_period(values.effective_on, today)
    ids = [request.id] + ([values.merge_into_id] if values.kind == "merge" and values.merge_into_id else [])
    figures = request_figures(start, end, today, ids, session)
    return figures[request.id], figures.get(values.merge_into_id) if values.kind == "merge" else None


def expected_saving_hours(kind: str, figures: RequestFigures, new_frequency: str | None, target_hours: Decimal | None) -> Decimal:
    """The expected annual saving in hours (see the module's docstring)."""
    if kind in ("retire", "merge"):
        return figures.projected_hours
    if kind == "reduce_frequency":
        old = figures.occurrences
        return figures.projected_hours * (1 - Decimal(OCCURRENCES_PER_YEAR[new_frequency]) / old) if old else Decimal(0)
    if kind == "simplify":
        if figures.median_hours is None or figures.occurrences is None:
            return Decimal(0)
        return (figures.median_hours - target_hours) * figures.occurrences * figures.teams
    return Decimal(0)


@dataclass(frozen=True)
class SimplifySuggestion:
    """The median team's hours per response as a simplification's target, and what it implies."""

    target_hours: Decimal  # to the hundredth, as a target is recorded
    median_hours_per_entry: Decimal | None
    saving_hours: Decimal | None  # the decision's expected saving a year at that target; None if it cannot be one
    saving_cost: Decimal | None
    variation_saving_hours: Decimal  # the last 12 months: the teams above the median, brought to it
    variation_saving_cost: Decimal

    @property
    def usable(self) -> bool:
        """A target must be under the median hours per entry now (`_check_target`)."""
        return self.saving_hours is not None


def simplify_suggestion(request: Request, today: date, session=None) -> SimplifySuggestion | None:
    """None when fewer than three teams answered the request in the 12 months to `today`."""
    session = session or db.session
    start, end = twelve_months_to(today)
    variation = variation_of(request.id, start, end, session)
    if variation is None:
        return None
    target = variation.median_hours_per_response.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    figures = request_figures(start, end, today, [request.id], session)[request.id]
    usable = target > 0 and figures.median_hours is not None and target < figures.median_hours
    saving = expected_saving_hours("simplify", figures, None, target) if usable else None
    return SimplifySuggestion(target, figures.median_hours, saving, None if saving is None else figures.cost_of(saving),
                              variation.saving_hours, variation.saving_cost)


def _hourly_cost(figures: RequestFigures, today: date, session) -> Decimal:
    hourly_cost = figures.hourly_cost
    if hourly_cost is None:
        hourly_cost = RateBook.load(session).rate(FALLBACK_BAND, today)
    return _six_places(hourly_cost)


def expected_saving(request: Request, values: DecisionInput, today: date, session=None) -> tuple[Decimal, Decimal]:
    """The (hours, cost) a year the decision would be expected to save if recorded today (for the confirmation page)."""
    session = session or db.session
    figures, _survivor = _baseline_figures(request, values, today, session)
    hours = _six_places(expected_saving_hours(values.kind, figures, values.new_frequency, values.target_hours))
    return hours, _six_places(hours * _hourly_cost(figures, today, session))


def record_decision(user, request: Request, values: DecisionInput, today: date, session=None) -> Decision:
    """Check, freeze the baseline and the expected saving, write (audited), apply if already in effect."""
    session = session or db.session
    request = hold_request(request)  # two decisions at once: the second is checked against the first
    check_decision(request, values, today, session)
    figures, survivor = _baseline_figures(request, values, today, session)
    hourly_cost = _hourly_cost(figures, today, session)
    saving = _six_places(expected_saving_hours(values.kind, figures, values.new_frequency, values.target_hours))
    carriers = sorted(row.key[0] for row in burden(
        BurdenFilter(figures.start, figures.end, request_ids=[request.id]), ("team",), session=session).rows)
    carriers_minutes = burden(BurdenFilter(figures.start, figures.end, team_ids=carriers), session=session).totals.minutes
    decision = Decision(
        request_id=request.id,
        kind=values.kind,
        rationale=values.rationale.strip(),
        decided_by_id=user.id,
        decided_on=today,
        effective_on=values.effective_on,
        review_on=values.review_on or default_review_date(values.effective_on),
        merge_into_id=values.merge_into_id if values.kind == "merge" else None,
        new_frequency=values.new_frequency if values.kind == "reduce_frequency" else None,
        target_hours=values.target_hours if values.kind == "simplify" else None,
        frequency_before=request.frequency,
        baseline_start=figures.start,
        baseline_end=figures.end,
        baseline_entries=figures.entries,
        baseline_minutes=figures.minutes,
        baseline_cost=_six_places(figures.cost),
        baseline_teams=figures.teams,
        baseline_team_ids=carriers,
        baseline_other_minutes=carriers_minutes - figures.minutes,
        baseline_median_minutes=figures.median_minutes,
        baseline_occurrences=None if figures.occurrences is None else _six_places(figures.occurrences),
        survivor_baseline_minutes=survivor.minutes if survivor is not None else None,
        hourly_cost=hourly_cost,
        expected_saving_hours=saving,
        expected_saving_cost=_six_places(saving * hourly_cost),
    )
    session.add(decision)
    session.flush()
    audit.record(session, user, "create", decision, new=audit.snapshot(decision))
    apply_decision(decision, today, session)
    return decision


# ---- taking effect and withdrawing --------------------------------------------------------


def apply_decision(decision: Decision, today: date, session=None) -> bool:
    """Make the catalogue say what a decision in effect decided (once). True when it changed something."""
    session = session or db.session
    if decision.withdrawn_at is not None or decision.applied_at is not None or decision.effective_on > today:
        return False
    request, user = hold_request(decision.request), decision.decided_by
    session.refresh(decision)  # withdrawn or applied by someone else meanwhile?
    if decision.withdrawn_at is not None or decision.applied_at is not None:
        return False
    decision.status_before, decision.merged_into_before_id = request.status, request.merged_into_id
    try:
        if decision.kind == "retire":
            set_request_status(user, request, "retired")
        elif decision.kind == "merge":
            set_request_status(user, request, "merged", decision.merge_into_id)
        elif decision.kind == "reduce_frequency":
            update_with_audit(user, request, {"frequency": decision.new_frequency})
        elif decision.kind == "keep" and request.status == "under_review":
            update_with_audit(user, request, {"status": "active"})
    except CatalogueError as refused:  # e.g. the merge target was retired since: say so, change nothing
        decision.apply_problem = refused.message
        return False
    decision.applied_at = utcnow()
    decision.apply_problem = None
    session.flush()
    return True


def apply_due_decisions(today: date, session=None) -> int:
    """Apply every live decision whose effective date has come (the scheduler runs this daily)."""
    session = session or db.session
    due = session.scalars(select(Decision).where(
        Decision.withdrawn_at.is_(None), Decision.applied_at.is_(None), Decision.effective_on <= today
    ).order_by(Decision.effective_on, Decision.id))
    return sum(1 for decision in due if apply_decision(decision, today, session))


def withdraw_decision(user, decision: Decision, reason: str, session=None) -> Decision:
    """Withdraw a live decision (audited) and put back what it changed, where nobody changed it since."""
    session = session or db.session
    reason = (reason or "").strip()
    hold_request(decision.request)
    session.refresh(decision)  # withdrawn by someone else while the request was held?
    if decision.withdrawn_at is not None:
        raise DecisionRefused("This decision was already withdrawn", "decision")
    if not reason:
        raise DecisionRefused("Say why the decision is withdrawn", "reason")
    if decision.applied_at is not None:
        _put_back(user, decision)  # the catalogue as it was (its own audit events); the decision itself is unchanged
    audit.change(session, user, "withdraw", decision,
                 {"withdrawn_at": utcnow(), "withdrawn_by_id": user.id, "withdrawal_reason": reason}, always=True)
    return decision


def _put_back(user, decision: Decision) -> None:
    request = decision.request
    if decision.kind in CLOSING_KINDS:
        made = "retired" if decision.kind == "retire" else "merged"
        if request.status == made and request.merged_into_id == decision.merge_into_id:
            update_with_audit(user, request, {"status": decision.status_before or "active",
                                              "merged_into_id": decision.merged_into_before_id})
    elif decision.kind == "reduce_frequency" and request.frequency == decision.new_frequency:
        update_with_audit(user, request, {"frequency": decision.frequency_before})
    elif decision.kind == "keep" and decision.status_before == "under_review" and request.status == "active":
        update_with_audit(user, request, {"status": "under_review"})


# ---- where a decision stands ------------------------------------------------------------


def decision_status(decision: Decision, today: date) -> str:
    """withdrawn, scheduled (not in effect yet), review_due (review date reached) or in_effect."""
    if decision.withdrawn_at is not None:
        return "withdrawn"
    if decision.effective_on > today:
        return "scheduled"
    if decision.review_on <= today:
        return "review_due"
    return "in_effect"


def expected_fte(decision: Decision) -> Decimal:
    """The expected annual saving as whole-time staff: hours over a year of 37.5-hour weeks."""
    return fte(decision.expected_saving_hours, DAYS_A_YEAR)


def due_for_review(today: date, session=None, *, source_ids=None, request_ids=None) -> list[Decision]:
    """Live decisions whose review date has come, oldest review first; only those on requests of
    `source_ids`, or among `request_ids`, when given."""
    session = session or db.session
    query = select(Decision).where(
        Decision.withdrawn_at.is_(None), Decision.review_on <= today, Decision.effective_on <= today,
    )
    if source_ids is not None:
        query = query.join(Request, Request.id == Decision.request_id).where(Request.source_id.in_(list(source_ids) or [-1]))
    if request_ids is not None:
        query = query.where(Decision.request_id.in_(list(request_ids) or [-1]))
    return list(session.scalars(query.order_by(Decision.review_on, Decision.id)))
