"""Where burden rows come from, as SQL: the entries table, or one of the monthly rollups.

The service asks `parts()` how to read a period (tracker/burden/periods.py
decides which days come from where) and `grouped_select()` for each part's
query, with the same keys, joins and filters whatever the source."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterator

from sqlalchemy import BigInteger, and_, case, cast, func, literal_column, or_, select

from tracker.models.burden import BurdenRollup, BurdenRollupRequest, BurdenRollupTeam
from tracker.burden.dimensions import dimension
from tracker.burden.figures import BurdenFilter
from tracker.burden.part_cache import Keeper, split_days, split_months
from tracker.burden.periods import plan_period
from tracker.burden.rates import RateBook
from tracker.models.catalogue import Request, Source, Team
from tracker.models.entries import Entry

@dataclass(frozen=True)
class _Rows:
    """One place burden rows are read from, under common names, with its measures as SQL aggregates."""

    table: object
    team_id: object | None
    request_id: object | None
    band: object
    day: object  # occurred_on, or the rollup's month (its first day)
    entries: object
    minutes: object
    duplicated: object
    used: object
    live: object | None  # condition that leaves deleted rows out, if the source has any


def _entry_rows() -> _Rows:
    minutes = Entry.minutes
    return _Rows(
        table=Entry.__table__,
        team_id=Entry.team_id,
        request_id=Entry.request_id,
        band=Entry.band,
        day=Entry.occurred_on,
        entries=func.count(),
        minutes=func.sum(minutes),
        duplicated=func.sum(case((Entry.duplicated_elsewhere == "yes", minutes), else_=0)),
        used=func.sum(case((Entry.used == "yes", minutes), else_=0)),
        live=Entry.deleted_at.is_(None),
    )


def _rollup_rows(level) -> _Rows:
    return _Rows(
        table=level.__table__,
        team_id=getattr(level, "team_id", None),
        request_id=getattr(level, "request_id", None),
        band=level.band,
        day=level.month,
        entries=func.sum(level.entries),
        minutes=func.sum(level.minutes),
        duplicated=func.sum(level.duplicated_minutes),
        used=func.sum(level.used_minutes),
        live=None,
    )


@dataclass(frozen=True)
class _Part:
    rows: _Rows
    days: object  # SQL condition on rows.day
    sign: int  # +1, or -1 for days taken off a rollup month
    ranges: tuple = ()  # the inclusive (first, last) day ranges it reads: its months' stamps say if it changed

    def describe(self, *more) -> tuple:
        """What the part asks, as a hashable key (tracker/burden/part_cache.py): with the stamps of
        its months, it identifies the part's rows."""
        return (self.rows.table.name, self.sign, self.ranges, *more)


def parts(flt: BurdenFilter, rates: RateBook, group_by: tuple, with_counts: bool, use_rollup: bool) -> list[_Part]:
    entries = _entry_rows()
    if not use_rollup:
        return [_Part(entries, between(Entry.occurred_on, [(flt.start, flt.end)]), +1, ((flt.start, flt.end),))]
    today = date.today()  # only where the plan reads from, never what it adds up (plan_period)
    plan = plan_period(flt.start, flt.end, rates.breakpoints(), quiet_after=today)
    parts = []
    if plan.rollup_months:
        level = _rollup_level(flt, group_by, with_counts)
        # Months still being logged apart from the others, so the others' rows can be reused.
        for block in split_months(plan.rollup_months):
            parts.append(_Part(_rollup_rows(level), between(level.month, block), +1, block))
    for days, sign in ((plan.add_days, +1), (plan.subtract_days, -1)):
        for block in split_days(days):
            parts.append(_Part(entries, between(Entry.occurred_on, block), sign, block))
    return parts


def read_parts(session, flt: BurdenFilter, group_by: tuple, plan: list[_Part], query_of, asked: tuple,
               reuse: bool = True, summarise=list) -> Iterator:
    """Each part's grouped rows (`query_of(part)` is its SQL; its sums whole numbers, `signed`), summarised
    by `summarise` (a function of the part's rows as plain tuples, whose answer must depend on nothing `asked` does not name), part by part.
    A part whose months' stamps have not changed since this process last read it is not read again
    (tracker/burden/part_cache.py); with `reuse` False everything is read afresh."""
    keep = None
    if reuse and plan:
        days = [day for part in plan for day_range in part.ranges for day in day_range]
        keep = Keeper(session, min(days), max(days))
    if keep is not None and keep.stamps is not None:
        joins = joins_of(flt, group_by)
        asked = (*asked, group_by, *(None if ids is None else tuple(sorted(ids))
                                    for ids in (flt.team_ids, flt.source_ids, flt.request_ids)),
                 catalogue_signature(session, joins) if joins else ())
    for part in plan:
        def read(part=part):
            return summarise(list(map(tuple, session.execute(query_of(part)))))

        yield read() if keep is None else keep(part.describe(*asked), part.ranges, read)


def catalogue_signature(session, joins: set) -> tuple:
    """The catalogue columns a part's keys and filters read through its joins (a source of a request,
    a kind of a source, a sector of a team): a part's rows change when these do, stamps or not."""
    signature = []
    if "request" in joins or "source" in joins:
        signature.append(tuple(map(tuple, session.execute(select(Request.id, Request.source_id).order_by(Request.id)))))
    if "source" in joins:
        signature.append(tuple(map(tuple, session.execute(select(Source.id, Source.kind).order_by(Source.id)))))
    if "team" in joins:
        signature.append(tuple(map(tuple, session.execute(select(Team.id, Team.sector).order_by(Team.id)))))
    return tuple(signature)


def joins_of(flt: BurdenFilter, group_by: tuple) -> set:
    """The catalogue tables a part's keys and filters join."""
    joins = set().union(*(dimension(name).joins for name in group_by))
    return joins | ({"request"} if flt.source_ids is not None else set())


def between(column, ranges):
    """SQL: the column falls in any of the inclusive (first, last) ranges."""
    return or_(*(and_(column >= a, column <= b) for a, b in ranges))


def _rollup_level(flt: BurdenFilter, group_by: tuple, with_counts: bool):
    """The smallest rollup whose key holds every dimension and filter asked for."""
    needed = set().union(*(dimension(name).needs for name in group_by))
    needs_team = with_counts or flt.team_ids is not None or "team_id" in needed
    needs_request = with_counts or flt.request_ids is not None or flt.source_ids is not None or "request_id" in needed
    if needs_team and needs_request:
        return BurdenRollup
    if needs_request:
        return BurdenRollupRequest
    return BurdenRollupTeam


def grouped_select(part: _Part, flt: BurdenFilter, group_by: tuple, *columns):
    """SELECT keys, *columns FROM the part's rows, joined and filtered; the keys come back too."""
    rows = part.rows
    keys, joins = [], set()
    for name in group_by:
        grouping = dimension(name)
        keys.append(grouping.key(rows).label(f"k_{name}"))
        joins |= grouping.joins
    query = select(*keys, *columns).select_from(rows.table)
    if "request" in joins or "source" in joins:
        query = query.join(Request, Request.id == rows.request_id)
    if "source" in joins:
        query = query.join(Source, Source.id == Request.source_id)
    if "team" in joins:
        query = query.join(Team, Team.id == rows.team_id)
    query = query.where(part.days)
    if rows.live is not None:
        query = query.where(rows.live)
    if flt.team_ids is not None:
        query = query.where(rows.team_id.in_(list(flt.team_ids) or [-1]))
    if flt.request_ids is not None:
        query = query.where(rows.request_id.in_(list(flt.request_ids) or [-1]))
    if flt.source_ids is not None:
        if "request" not in joins:
            query = query.join(Request, Request.id == rows.request_id)
        query = query.where(Request.source_id.in_(list(flt.source_ids) or [-1]))
    return query, keys


def segment_of(rates: RateBook, start: date, end: date, day_column):
    """SQL: index of the rate segment a row's date falls in (breakpoints inside the period only)."""
    inside = [d for d in rates.breakpoints() if start < d <= end]
    if not inside:
        return literal_column("0"), [start]
    whens = [(day_column >= d, i + 1) for i, d in reversed(list(enumerate(inside)))]
    return case(*whens, else_=0), [start] + inside


def signed(aggregate, sign: int):
    """A sum as a whole number (PostgreSQL sums big integers as numeric, which would arrive as
    Decimals), negated for days taken off a rollup month."""
    whole = cast(aggregate, BigInteger)
    return whole if sign > 0 else -whole
