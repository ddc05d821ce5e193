"""How many responses each team gave each request with periods: the request's periods (answer_periods.py)
in [start, end] in which the team logged any of it (tracker/workspace/variation.py divides its hours by them).

`period_counts` reads whole weeks from the week counts (burden_rollup_week), whole months from the monthly
rollup and the days at the edges of the period (and daily requests) from the entries, in one statement.
Months before this one are kept between calls; this month is read again each time, from its rollups
alone as a rule (its first week whole, and up to the end of the month when nothing is dated after today),
so its cost does not grow with the days logged so far.
`period_counts_direct` reads the entries table alone, the reference the fast counts are held to."""
from __future__ import annotations

from datetime import date, timedelta
from typing import Sequence

from sqlalchemy import case, func, literal, or_, select, union_all

from tracker.burden.part_cache import live_from, reuse

from tracker.extensions import db
from tracker.models.burden import BurdenRollup, BurdenRollupWeek
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.workspace.answer_periods import MONTH_FREQUENCIES, PER_ENTRY, WEEK_FREQUENCIES, period_number
from tracker.shared.timeutil import add_months, month_end


def period_counts(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[tuple[int, int], int]:
    """(request id, team id) -> how many of the request's periods in [start, end] the team logged any of it
    in, for every request with periods (not one-off or ad hoc: their responses are their entries).

    Months before this one are counted apart from this month and reused while their stamps stand
    (tracker/burden/part_cache.py). The only period the two can share is the one this month begins
    in, so each side also says whether it has that period, and it is counted once."""
    session = session or db.session
    this_month = live_from()
    if not start < this_month <= end:
        return {pair: n for pair, (n, _) in _counts(start, end, request_ids, session).items() if n}
    frequencies = tuple(session.execute(select(Request.id, Request.frequency).order_by(Request.id)).tuples())
    asked = ("period counts", None if request_ids is None else tuple(sorted(request_ids)), frequencies, start, this_month)
    before = reuse(session, asked, [(start, this_month - timedelta(days=1))],
                   lambda: _counts(start, this_month - timedelta(days=1), request_ids, session, this_month))
    # The week this month begins in is the boundary period of the week frequencies: its days before this
    # month (inside [start, end]) may be counted again on this side, so its whole week comes from the rollup.
    week_of_first = max(start, this_month - timedelta(days=this_month.weekday()))
    since = _counts(this_month, _quiet_end(end, session), request_ids, session, this_month, week_of_first)
    out = {}
    for pair in before.keys() | since.keys():
        (n_before, shared_before), (n_since, shared_since) = before.get(pair, (0, 0)), since.get(pair, (0, 0))
        n = n_before + n_since - (1 if shared_before and shared_since else 0)
        if n:
            out[pair] = n
    return out


def _quiet_end(end: date, session) -> date:
    """`end`, or a later day when nobody logged anything after `end` up to it: the Sunday on or after the
    end of `end`'s month. The counts are the same (no entries, no periods), and this month to date then
    comes from its month and week rollups, not from every entry logged this month."""
    later = month_end(end)
    later += timedelta(days=6 - later.weekday())
    logged_after = session.scalar(select(Entry.id).where(
        Entry.deleted_at.is_(None), Entry.occurred_on > end, Entry.occurred_on <= later).limit(1))
    return end if logged_after is not None else later


def _counts(start: date, end: date, request_ids, session, boundary: date | None = None,
            weeks_from: date | None = None) -> dict[tuple[int, int], tuple[int, int]]:
    """(request id, team id) -> (distinct periods in [start, end], 1 if one of them is the period `boundary`
    falls in). Whole weeks come from the week counts (burden_rollup_week), whole months from the monthly
    rollup, the days at the edges of the period (and daily requests) from the entries: one statement.
    `weeks_from`: where the week frequencies' days begin, if before `start`."""
    weeks_from = weeks_from or start
    weeks, months = whole_weeks(weeks_from, end), whole_months(start, end)
    week_rollup, month_rollup = BurdenRollupWeek, BurdenRollup
    parts = []
    if weeks:
        parts.append(_periodic(select(week_rollup.request_id, week_rollup.team_id, Request.frequency,
                                      week_rollup.week.label("day")), week_rollup.request_id, request_ids)
                     .where(Request.frequency.in_(WEEK_FREQUENCIES), week_rollup.week.between(*weeks)))
    if months:
        parts.append(_periodic(select(month_rollup.request_id, month_rollup.team_id, Request.frequency,
                                      month_rollup.month.label("day")), month_rollup.request_id, request_ids)
                     .where(Request.frequency.in_(MONTH_FREQUENCIES), month_rollup.month.between(*months)))
    # The edge days of the week and month frequencies, and every day of the daily ones, from the entries:
    # ranges that coincide (a period inside one month has no whole weeks or months) are one scan.
    by_range: dict[tuple[date, date], set[str]] = {}
    for group, first, whole in (("week", weeks_from, weeks), ("month", start, months)):
        for day_range in _edges(first, end, whole):  # a few days each: read by the date index
            by_range.setdefault(day_range, set()).add(group)
    by_range.setdefault((start, end), set()).add("day")
    entry_rows = select(Entry.request_id, Entry.team_id, Request.frequency, Entry.occurred_on.label("day"))
    for (first, last), groups in by_range.items():
        parts.append(_periodic(entry_rows, Entry.request_id, request_ids).where(
            Entry.deleted_at.is_(None), Entry.occurred_on.between(first, last), _frequency_in(groups)))
    both = union_all(*parts).subquery()
    dialect = session.get_bind().dialect.name
    # Each (request, team, period) once, by hashing, then the periods of each pair counted: far cheaper
    # than a count of distinct periods, which sorts every row.
    period = period_number(dialect, both.c.frequency, both.c.day)
    periods = (select(both.c.request_id, both.c.team_id, both.c.frequency, period.label("period"))
               .group_by(both.c.request_id, both.c.team_id, both.c.frequency, period).subquery())
    shared = (func.max(case((periods.c.period == period_number(dialect, periods.c.frequency, literal(boundary)), 1), else_=0))
              if boundary else literal(0))
    query = (select(periods.c.request_id, periods.c.team_id, func.count(periods.c.period), shared)
             .group_by(periods.c.request_id, periods.c.team_id))
    return {(request_id, team_id): (int(n), int(flag or 0)) for request_id, team_id, n, flag in session.execute(query)}


def period_counts_direct(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[tuple[int, int], int]:
    """The same counts read from the entries table alone: the reference `period_counts` is held to."""
    session = session or db.session
    period = period_number(session.get_bind().dialect.name, Request.frequency, Entry.occurred_on)
    query = _periodic(select(Entry.request_id, Entry.team_id, func.count(period.distinct())), Entry.request_id, request_ids)
    query = query.where(Entry.deleted_at.is_(None), Entry.occurred_on.between(start, end), Request.frequency.not_in(PER_ENTRY))
    rows = session.execute(query.group_by(Entry.request_id, Entry.team_id))
    return {(request_id, team_id): int(n) for request_id, team_id, n in rows if n}


def _frequency_in(groups: set[str]):
    """SQL: the request's frequency has periods of these kinds ('week', 'month', 'day': daily, and any
    frequency with periods of days this module adds later)."""
    if groups == {"week", "month", "day"}:
        return Request.frequency.not_in(PER_ENTRY)
    conditions = [Request.frequency.in_(WEEK_FREQUENCIES)] if "week" in groups else []
    conditions += [Request.frequency.in_(MONTH_FREQUENCIES)] if "month" in groups else []
    if "day" in groups:
        conditions.append(Request.frequency.not_in((*WEEK_FREQUENCIES, *MONTH_FREQUENCIES, *PER_ENTRY)))
    return or_(*conditions)


def _periodic(query, request_column, request_ids):
    query = query.join(Request, Request.id == request_column)
    return query if request_ids is None else query.where(request_column.in_(list(request_ids) or [-1]))


def whole_weeks(start: date, end: date) -> tuple[date, date] | None:
    """The first Monday and last Sunday of the Monday-to-Sunday weeks wholly inside [start, end]; None for none."""
    first = start + timedelta(days=(7 - start.weekday()) % 7)
    last = end - timedelta(days=(end.weekday() + 1) % 7)
    return (first, last) if first < last else None


def whole_months(start: date, end: date) -> tuple[date, date] | None:
    """The first and last days of the calendar months wholly inside [start, end]; None for none."""
    first = start if start.day == 1 else add_months(start.replace(day=1), 1)
    last = end if end == month_end(end) else end.replace(day=1) - timedelta(days=1)
    return (first, last) if first < last else None


def _edges(start: date, end: date, whole: tuple[date, date] | None) -> list[tuple[date, date]]:
    """The days of [start, end] outside the whole weeks or months (all of them when there are none)."""
    if whole is None:
        return [(start, end)]
    ranges = [(start, whole[0] - timedelta(days=1)), (whole[1] + timedelta(days=1), end)]
    return [(a, b) for a, b in ranges if a <= b]
