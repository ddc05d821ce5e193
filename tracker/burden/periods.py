"""Splitting a period into what the monthly rollups answer and what the entries table answers.

Plain dates in, plain dates out (no SQL), so the rules are easy to test:

- Whole months come from the rollups.
- A partial month at an edge of the period comes from the entries of its
  days, unless it covers more than half the month: then it is the month's
  rollup minus the entries of the days left out. "This month to date" is
  then almost free (the days after today hold next to no entries).
- A month in which some band's rate changes after the 1st cannot be priced
  from one monthly sum, so it always comes from its entries.
- A partial month whose days left out all come after `quiet_after` (normally
  today: days nobody has lived yet hold next to no entries) is its rollup less
  those days however few days it covers, so "this month to date" never reads
  the month's entries.

The work is proportional to the number of rate changes, never to the number
of months: the entry list asks for periods from 2000 to year 9999."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Iterable

from tracker.shared.timeutil import add_months

DayRange = tuple[date, date]  # inclusive


@dataclass(frozen=True)
class PeriodPlan:
    rollup_months: tuple[DayRange, ...] = ()  # blocks of months, as (first month's 1st, last month's 1st)
    add_days: tuple[DayRange, ...] = ()  # entries counted in
    subtract_days: tuple[DayRange, ...] = ()  # entries taken off a rollup month they are in

    @property
    def uses_rollups(self) -> bool:
        return bool(self.rollup_months)


@dataclass
class _Builder:
    months: list[date] = field(default_factory=list)  # single months (edges)
    blocks: list[DayRange] = field(default_factory=list)
    add: list[DayRange] = field(default_factory=list)
    subtract: list[DayRange] = field(default_factory=list)


def month_last_day(day: date) -> date:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1])


def _days(a: date, b: date) -> int:
    return (b - a).days + 1


def plan_period(start: date, end: date, breakpoints: Iterable[date], quiet_after: date | None = None) -> PeriodPlan:
    """How to add up [start, end]; `breakpoints` are the dates on which any band's rate changes.
    Days after `quiet_after` are taken to hold few entries (the plan is exact whatever they hold)."""
    if start > end:
        return PeriodPlan()
    # Months a rate changes inside of (not on the 1st): their rollup cannot be priced.
    unpriceable = sorted({d.replace(day=1) for d in breakpoints if d.day != 1})
    out = _Builder()
    first_month, last_month = start.replace(day=1), end.replace(day=1)
    if first_month == last_month:
        _partial(out, start, end, unpriceable, quiet_after)
        return _finish(out)
    head_whole = start.day == 1
    tail_whole = end == month_last_day(end)
    if not head_whole:
        _partial(out, start, month_last_day(start), unpriceable)
    if not tail_whole:
        _partial(out, last_month, end, unpriceable, quiet_after)
    whole_first = first_month if head_whole else add_months(first_month, 1)
    whole_last = last_month if tail_whole else add_months(last_month, -1)
    if whole_first <= whole_last:
        _whole_months(out, whole_first, whole_last, unpriceable)
    return _finish(out)


def _partial(out: _Builder, a: date, b: date, unpriceable: list[date], quiet_after: date | None = None) -> None:
    """Days a..b of one month."""
    month = a.replace(day=1)
    last = month_last_day(month)
    rest_is_quiet = quiet_after is not None and a == month and b >= quiet_after
    if (a, b) == (month, last) and month not in unpriceable:
        out.months.append(month)
    elif month in unpriceable or (_days(a, b) * 2 <= _days(month, last) and not rest_is_quiet):
        out.add.append((a, b))
    else:  # most of the month: the month's sum, less the days left out
        out.months.append(month)
        if a > month:
            out.subtract.append((month, a - timedelta(days=1)))
        if b < last:
            out.subtract.append((b + timedelta(days=1), last))


def _whole_months(out: _Builder, first: date, last: date, unpriceable: list[date]) -> None:
    block_start = first
    for month in unpriceable:
        if first <= month <= last:
            if block_start < month:
                out.blocks.append((block_start, add_months(month, -1)))
            out.add.append((month, month_last_day(month)))
            block_start = add_months(month, 1)
    if block_start <= last:
        out.blocks.append((block_start, last))


def _finish(out: _Builder) -> PeriodPlan:
    blocks = sorted(out.blocks + [(m, m) for m in out.months])
    return PeriodPlan(
        rollup_months=tuple(_merge(blocks, lambda a, b: add_months(a, 1) >= b)),
        add_days=tuple(_merge(sorted(out.add), lambda a, b: a + timedelta(days=1) >= b)),
        subtract_days=tuple(_merge(sorted(out.subtract), lambda a, b: a + timedelta(days=1) >= b)),
    )


def _merge(ranges: list[DayRange], touches) -> list[DayRange]:
    """Adjacent or overlapping ranges become one, so the SQL has fewer ORs."""
    merged: list[DayRange] = []
    for a, b in ranges:
        if merged and touches(merged[-1][1], a):
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return merged
