"""Exact medians of time per entry, from counts of entries per minutes value.

Minutes are whole numbers, so "how many live entries of this request took
exactly m minutes" for every m gives the median exactly. The counts come from
the monthly `burden_rollup_minutes` for whole months and from the entries for
the days at the edges of the period (the same plan as the burden service:
tracker/burden/periods.py), so a year of a million entries is never read entry
by entry; months that have not changed are not read again (part_cache.py)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Sequence

from sqlalchemy import func, select

from tracker.burden.part_cache import reuse, split_days, split_months
from tracker.burden.periods import plan_period
from tracker.burden.row_sources import between
from tracker.extensions import db
from tracker.models.burden import BurdenRollupMinutes
from tracker.models.entries import Entry

Counts = list[tuple[int, int]]  # (minutes, entries), minutes ascending


def _parts(start: date, end: date, request_ids: Sequence[int] | None) -> list[tuple[str, tuple, object]]:
    """(what it reads, day ranges, SQL of (request_id, minutes, n)) for each part of [start, end]: whole months from the
    counts, the days at the edges from the entries (n negative for days taken off a month), the months
    still being logged apart from the others so that the others can be reused (tracker/burden/part_cache.py)."""
    today = date.today()  # only where the plan reads from, never what it counts
    plan = plan_period(start, end, (), quiet_after=today)  # counts carry no money: rate changes do not matter
    rollup = BurdenRollupMinutes
    parts = []
    for block in split_months(plan.rollup_months):
        query = select(rollup.request_id, rollup.minutes, func.sum(rollup.entries)).where(between(rollup.month, block))
        parts.append(("months", block, _only(query, rollup.request_id, request_ids).group_by(rollup.request_id, rollup.minutes)))
    for ranges, sign in ((plan.add_days, 1), (plan.subtract_days, -1)):
        for block in split_days(ranges):
            counted = func.count() if sign > 0 else -func.count()
            query = select(Entry.request_id, Entry.minutes, counted).where(Entry.deleted_at.is_(None), between(Entry.occurred_on, block))
            parts.append((f"days {sign:+}", block, _only(query, Entry.request_id, request_ids).group_by(Entry.request_id, Entry.minutes)))
    return parts


def minute_counts(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[int, Counts]:
    """For each request with live entries in [start, end]: how many took each number of minutes."""
    session = session or db.session
    if start > end:
        return {}
    totals: dict[int, dict[int, int]] = {}
    asked = ("minute counts", None if request_ids is None else tuple(sorted(request_ids)))
    for kind, ranges, query in _parts(start, end, request_ids):
        rows = reuse(session, (*asked, kind, ranges), ranges,
                     lambda: [tuple(int(value) for value in row) for row in session.execute(query)])
        for request_id, minutes, n in rows:
            counts = totals.setdefault(request_id, {})
            counts[minutes] = counts.get(minutes, 0) + n
    return {request_id: sorted((m, n) for m, n in counts.items() if n > 0)
            for request_id, counts in totals.items() if any(n > 0 for n in counts.values())}


def medians(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[int, Decimal]:
    """The exact median minutes per entry of each request with live entries in [start, end]: from each
    request's counts of entries per minutes value, never entry by entry."""
    return {request_id: median_minutes(counts)
            for request_id, counts in minute_counts(start, end, request_ids, session).items()}


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
