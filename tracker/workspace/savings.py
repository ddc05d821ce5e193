"""The realised saving of a decision in effect, measured from the logs beside the expected one.

Once three whole months have passed since the effective date (before that:
"too early to tell"):

    realised hours = baseline hours − hours logged from the effective date to today × 365 ÷ days
                     − for a merge, the survivor's extra hours: its hours since × 365 ÷ days
                       less its own baseline hours, when more (never less than nothing)
    realised cost  = realised hours × the decision's hourly cost (its rates, frozen when decided,
                     so a pay rise does not look like lost savings)

Seasonality: where the request's data reaches back, the same days a year
before are shown too, with the saving measured against them the same way.

A keep decision saves nothing by design: it has no realised saving (more or
less work logged since is not the decision's doing).

Coverage check: the teams that carried the request in the baseline should go
on logging their other work. If they logged more than a third fewer hours a
day on every other request after the effective date than in the baseline,
the "saving" may be teams logging less of everything: it is marked uncertain,
with both figures."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from tracker.burden.services import BurdenFilter, burden
from tracker.extensions import db
from tracker.models.entries import Entry
from tracker.models.workspace import Decision
from tracker.shared.timeutil import shift_months

MONTHS_BEFORE_MEASURING = 3
DAYS_A_YEAR = Decimal(365)
SIXTY = Decimal(60)
SAVES_NOTHING = ("keep",)
COVERAGE_DROP = Decimal(1) / 3  # more than this fall in the carriers' other work: uncertain


def measurable_from(decision: Decision) -> date:
    return shift_months(decision.effective_on, MONTHS_BEFORE_MEASURING)


@dataclass
class Seasonality:
    start: date
    end: date
    minutes: int  # the request's, the same days a year before
    survivor_minutes: int | None
    realised_hours: Decimal  # the saving measured against those days instead of the baseline


@dataclass
class Saving:
    """A decision's measured saving; `measured` is False while it is too early to tell (or not in effect)."""

    decision: Decision
    measured: bool
    saves_nothing: bool = False  # a keep decision: there is no saving to measure
    start: date | None = None  # the effective date
    end: date | None = None  # today
    after_minutes: int = 0
    survivor_after_minutes: int | None = None
    survivor_extra_hours: Decimal = Decimal(0)
    realised_hours: Decimal | None = None
    realised_cost: Decimal | None = None
    seasonality: Seasonality | None = None
    other_minutes_a_day_before: Decimal | None = None  # the carriers' other work, baseline
    other_minutes_a_day_after: Decimal | None = None
    uncertain: bool | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1 if self.measured else 0

    @property
    def after_hours(self) -> Decimal:
        return Decimal(self.after_minutes) / SIXTY

    @property
    def annualised_after_hours(self) -> Decimal:
        return self.after_hours * DAYS_A_YEAR / self.days if self.days else Decimal(0)

    @property
    def other_work_change(self) -> Decimal | None:
        """The carriers' other hours a day after, against before: -0.4 is 40 % fewer."""
        before, after = self.other_minutes_a_day_before, self.other_minutes_a_day_after
        return None if not before or after is None else after / before - 1


def _annual(minutes: int, days: int) -> Decimal:
    """Hours a year: minutes over `days`, × 365 ÷ days (one division, so exact figures stay exact)."""
    return Decimal(minutes) * DAYS_A_YEAR / (SIXTY * days)


def _minutes_by_request(start: date, end: date, request_ids: list[int], team_ids=None) -> dict[int, int]:
    flt = BurdenFilter(start, end, team_ids=team_ids, request_ids=request_ids)
    return {row.key[0]: row.minutes for row in burden(flt, ("request",)).rows}


def measure(decision: Decision, today: date, session=None) -> Saving:
    """The decision's realised saving as of `today` (see the module's docstring)."""
    session = session or db.session
    if decision.kind in SAVES_NOTHING:
        return Saving(decision, measured=False, saves_nothing=True)
    if decision.withdrawn_at is not None or today < measurable_from(decision):
        return Saving(decision, measured=False)
    start, end = decision.effective_on, today
    days = (end - start).days + 1
    ids = [decision.request_id] + ([decision.merge_into_id] if decision.merge_into_id else [])
    after = _minutes_by_request(start, end, ids)
    saving = Saving(decision, measured=True, start=start, end=end, after_minutes=after.get(decision.request_id, 0))
    baseline_hours = Decimal(decision.baseline_minutes) / SIXTY
    realised = baseline_hours - _annual(saving.after_minutes, days)
    if decision.merge_into_id:
        saving.survivor_after_minutes = after.get(decision.merge_into_id, 0)
        extra = _annual(saving.survivor_after_minutes, days) - Decimal(decision.survivor_baseline_minutes or 0) / SIXTY
        saving.survivor_extra_hours = max(extra, Decimal(0))
        realised -= saving.survivor_extra_hours
    saving.realised_hours = realised
    saving.realised_cost = realised * decision.hourly_cost
    saving.seasonality = _seasonality(decision, start, end, after, session)
    _coverage(saving, decision, start, end, days)
    return saving


def _seasonality(decision: Decision, start: date, end: date, after: dict[int, int], session) -> Seasonality | None:
    """The same days a year before, where the request's data reaches back that far."""
    prior_start, prior_end = shift_months(start, -12), shift_months(end, -12)
    first_logged = session.scalar(select(func.min(Entry.occurred_on)).where(
        Entry.request_id == decision.request_id, Entry.deleted_at.is_(None)))
    if first_logged is None or first_logged > prior_start:
        return None
    days = (end - start).days + 1
    ids = [decision.request_id] + ([decision.merge_into_id] if decision.merge_into_id else [])
    prior = _minutes_by_request(prior_start, prior_end, ids)
    minutes = prior.get(decision.request_id, 0)
    realised = _annual(minutes - after.get(decision.request_id, 0), days)
    survivor_minutes = None
    if decision.merge_into_id:
        survivor_minutes = prior.get(decision.merge_into_id, 0)
        realised -= max(_annual(after.get(decision.merge_into_id, 0) - survivor_minutes, days), Decimal(0))
    return Seasonality(prior_start, prior_end, minutes, survivor_minutes, realised)


def _coverage(saving: Saving, decision: Decision, start: date, end: date, days: int) -> None:
    carriers = list(decision.baseline_team_ids or [])
    if not carriers:
        return
    baseline_days = (decision.baseline_end - decision.baseline_start).days + 1
    saving.other_minutes_a_day_before = Decimal(decision.baseline_other_minutes) / baseline_days
    everything = burden(BurdenFilter(start, end, team_ids=carriers)).totals.minutes
    own = _minutes_by_request(start, end, [decision.request_id], team_ids=carriers).get(decision.request_id, 0)
    saving.other_minutes_a_day_after = Decimal(everything - own) / days
    saving.uncertain = saving.other_minutes_a_day_after < saving.other_minutes_a_day_before * (1 - COVERAGE_DROP)


def measure_all(decisions, today: date, session=None) -> dict[int, Saving]:
    return {d.id: measure(d, today, session) for d in decisions}
