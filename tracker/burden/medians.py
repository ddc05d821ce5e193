"""Exact medians of time per entry, from counts of entries per minutes value.

Minutes are whole numbers, so "how many live entries of this request took
exactly m minutes" for every m gives the median exactly. The counts come from
the monthly `burden_rollup_minutes` for whole months and from the entries for
the days at the edges of the period (the same plan as the burden service:
tracker/burden/periods.py), so a year of a million entries is never read entry
by entry."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Sequence

from sqlalchemy import case, func, literal_column, select, union_all

from tracker.burden.periods import plan_period
from tracker.burden.row_sources import between
from tracker.extensions import db
from tracker.models.burden import BurdenRollupMinutes
from tracker.models.entries import Entry

Counts = list[tuple[int, int]]  # (minutes, entries), minutes ascending


def _counts(start: date, end: date, request_ids: Sequence[int] | None):
    """SQL: (request_id, minutes, n) for every minutes value with live entries in [start, end]; None for none."""
    plan = plan_period(start, end, ())  # counts carry no money: rate changes do not matter here
    rollup = BurdenRollupMinutes
    parts = []
    if plan.rollup_months:
        query = select(rollup.request_id, rollup.minutes, func.sum(rollup.entries).label("n")).where(
            between(rollup.month, plan.rollup_months)
        )
        parts.append(_only(query, rollup.request_id, request_ids).group_by(rollup.request_id, rollup.minutes))
    for ranges, sign in ((plan.add_days, 1), (plan.subtract_days, -1)):
        if ranges:
            counted = func.count() if sign > 0 else -func.count()
            query = select(Entry.request_id, Entry.minutes, counted.label("n")).where(
                Entry.deleted_at.is_(None), between(Entry.occurred_on, ranges)
            )
            parts.append(_only(query, Entry.request_id, request_ids).group_by(Entry.request_id, Entry.minutes))
    if start > end or not parts:
        return None
    both = (union_all(*parts) if len(parts) > 1 else parts[0]).subquery()
    total = func.sum(both.c.n)
    return (
        select(both.c.request_id, both.c.minutes, total.label("n"))
        .group_by(both.c.request_id, both.c.minutes)
        .having(total > literal_column("0"))
    )


def minute_counts(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[int, Counts]:
    """For each request with live entries in [start, end]: how many took each number of minutes."""
    session = session or db.session
    query = _counts(start, end, request_ids)
    out: dict[int, Counts] = {}
    if query is None:
        return out
    counts = query.subquery()
    for request_id, minutes, entries in session.execute(select(counts).order_by(counts.c.request_id, counts.c.minutes)):
        out.setdefault(request_id, []).append((int(minutes), int(entries)))
    return out


def medians(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[int, Decimal]:
    """The exact median minutes per entry of each request with live entries in [start, end].

    The database walks each request's counts in order of minutes (running sums) and returns the
    minutes at the middle rank or ranks: one row per request, however many entries. Equal to
    `median_minutes(minute_counts(...))`, which the tests hold it to."""
    session = session or db.session
    query = _counts(start, end, request_ids)
    if query is None:
        return {}
    counts = query.subquery()
    running = select(
        counts.c.request_id,
        counts.c.minutes,
        func.sum(counts.c.n).over(partition_by=counts.c.request_id, order_by=counts.c.minutes).label("upto"),
        func.sum(counts.c.n).over(partition_by=counts.c.request_id).label("total"),
    ).subquery()
    # the lower middle rank is ceil(total / 2), the upper floor(total / 2) + 1: as comparisons of whole numbers
    odd = running.c.total % 2
    lower = func.min(case((2 * running.c.upto >= running.c.total + odd, running.c.minutes)))
    upper = func.min(case((2 * running.c.upto >= running.c.total + 2 - odd, running.c.minutes)))
    query = select(running.c.request_id, lower, upper).group_by(running.c.request_id)
    return {request_id: Decimal(int(low) + int(high)) / 2 for request_id, low, high in session.execute(query)}


def _only(query, column, request_ids):
    return query if request_ids is None else query.where(column.in_(list(request_ids) or [-1]))


def median_minutes(counts: Counts) -> Decimal | None:
    """The median of the entries' minutes (the mean of the two middle ones for an even count); None for none."""
    total = sum(n for _, n in counts)
    if total == 0:
        return None
    lower_rank, upper_rank = (total + 1) // 2, total // 2 + 1  # 1-based ranks of the middle one or two
    lower = upper = None
    seen = 0
    for minutes, n in counts:
        seen += n
        if lower is None and seen >= lower_rank:
            lower = minutes
        if seen >= upper_rank:
            upper = minutes
            break
    return Decimal(lower + upper) / 2
