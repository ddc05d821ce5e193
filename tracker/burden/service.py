"""The burden service: entries, hours, cost and FTE grouped any way, for any period and teams.

SPEC's burden arithmetic lives here and only here. Pages, API, workbooks and
the CLI all call `burden()`; nothing else adds up burden.

- hours = Σ minutes ÷ 60
- cost  = Σ minutes ÷ 60 × rate(band, occurred_on), Decimal, unrounded
- FTE   = hours ÷ (37.5 × days in period ÷ 7)

The SQL sums whole minutes per (group, band, rate segment); Python then
multiplies each sum by its one rate, so money is exact and the database does
the heavy lifting."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Iterable, Sequence

from sqlalchemy import case, func, literal, select

from tracker.burden.rates import RateBook
from tracker.catalogue.models import Request, Source, Team
from tracker.choices import BANDS, SECTORS, SOURCE_KINDS
from tracker.entries.models import Entry
from tracker.extensions import db

GROUPINGS = ("team", "source", "source_kind", "request", "sector", "month", "band")
HOURS_PER_WEEK = Decimal("37.5")
SIXTY = Decimal(60)


class BadGrouping(ValueError):
    pass


@dataclass(frozen=True)
class BurdenFilter:
    """Which entries count: occurred_on in [start, end] (both inclusive)."""

    start: date
    end: date
    team_ids: Sequence[int] | None = None  # None: every team
    source_ids: Sequence[int] | None = None
    request_ids: Sequence[int] | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def fte(hours: Decimal, days: int) -> Decimal:
    """Whole-time equivalents: hours over what one full-time person works in `days`."""
    if days <= 0:
        return Decimal(0)
    return Decimal(hours) / (HOURS_PER_WEEK * Decimal(days) / 7)


@dataclass
class BurdenRow:
    key: tuple
    label: tuple
    entries: int = 0
    minutes: int = 0
    cost: Decimal = field(default_factory=Decimal)
    duplicated_minutes: int = 0  # duplicated_elsewhere = yes
    used_minutes: int = 0  # used = yes
    teams: int | None = None  # distinct teams, when asked for
    requests: int | None = None  # distinct requests, when asked for

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / SIXTY

    def share_duplicated(self) -> Decimal | None:
        return Decimal(self.duplicated_minutes) / self.minutes if self.minutes else None

    def share_used(self) -> Decimal | None:
        return Decimal(self.used_minutes) / self.minutes if self.minutes else None

    def add(self, other: "BurdenRow") -> None:
        self.entries += other.entries
        self.minutes += other.minutes
        self.cost += other.cost
        self.duplicated_minutes += other.duplicated_minutes
        self.used_minutes += other.used_minutes


@dataclass
class BurdenTable:
    group_by: tuple[str, ...]
    filter: BurdenFilter
    rows: list[BurdenRow]
    totals: BurdenRow
    info: dict = field(default_factory=dict)  # per dimension: key -> dict of descriptive fields

    @property
    def days(self) -> int:
        return self.filter.days

    def fte(self, row: BurdenRow) -> Decimal:
        return fte(row.hours, self.days)


def month_key(column):
    """'YYYY-MM' of a date column, in the dialect at hand."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def _dimension(name: str):
    """(SQL expression for the key, joins it needs)."""
    if name == "team":
        return Entry.team_id, set()
    if name == "request":
        return Entry.request_id, set()
    if name == "band":
        return Entry.band, set()
    if name == "month":
        return month_key(Entry.occurred_on), set()
    if name == "source":
        return Request.source_id, {"request"}
    if name == "source_kind":
        return Source.kind, {"request", "source"}
    if name == "sector":
        return Team.sector, {"team"}
    raise BadGrouping(f"Unknown grouping '{name}'. Choose from: {', '.join(GROUPINGS)}.")


def _apply_joins(query, joins: set):
    if "request" in joins or "source" in joins:
        query = query.join(Request, Request.id == Entry.request_id)
    if "source" in joins:
        query = query.join(Source, Source.id == Request.source_id)
    if "team" in joins:
        query = query.join(Team, Team.id == Entry.team_id)
    return query


def _apply_filter(query, flt: BurdenFilter, joins: set):
    query = query.where(Entry.deleted_at.is_(None), Entry.occurred_on >= flt.start, Entry.occurred_on <= flt.end)
    if flt.team_ids is not None:
        query = query.where(Entry.team_id.in_(list(flt.team_ids) or [-1]))
    if flt.request_ids is not None:
        query = query.where(Entry.request_id.in_(list(flt.request_ids) or [-1]))
    if flt.source_ids is not None:
        if "request" not in joins:
            query = query.join(Request, Request.id == Entry.request_id)
            joins.add("request")
        query = query.where(Request.source_id.in_(list(flt.source_ids) or [-1]))
    return query


def _segment(rates: RateBook, start: date, end: date):
    """SQL: index of the rate segment an entry's date falls in (breakpoints inside the period only)."""
    inside = [d for d in rates.breakpoints() if start < d <= end]
    if not inside:
        return literal(0), [start]
    whens = [(Entry.occurred_on >= d, i + 1) for i, d in reversed(list(enumerate(inside)))]
    return case(*whens, else_=0), [start] + inside


def burden(flt: BurdenFilter, group_by: Sequence[str] = (), *, with_counts: bool = False, session=None) -> BurdenTable:
    """Burden of the entries matching `flt`, one row per combination of `group_by`.

    Rows come sorted by hours, largest first. `with_counts` adds the number of
    distinct teams and requests to each row and to the totals."""
    session = session or db.session
    group_by = tuple(group_by)
    rates = RateBook.load(session)
    keys, joins = [], set()
    for name in group_by:
        expr, needs = _dimension(name)
        keys.append(expr.label(f"k_{name}"))
        joins |= needs
    segment, segment_starts = _segment(rates, flt.start, flt.end)
    measures = [
        func.count().label("entries"),
        func.sum(Entry.minutes).label("minutes"),
        func.sum(case((Entry.duplicated_elsewhere == "yes", Entry.minutes), else_=0)).label("dup"),
        func.sum(case((Entry.used == "yes", Entry.minutes), else_=0)).label("used"),
    ]
    query = select(*keys, Entry.band, segment.label("segment"), *measures).select_from(Entry)
    query = _apply_joins(query, joins)
    query = _apply_filter(query, flt, joins)
    query = query.group_by(*[k for k in keys], Entry.band, segment)

    rows: dict[tuple, BurdenRow] = {}
    totals = BurdenRow(key=(), label=("Total",))
    for result in session.execute(query):
        key = tuple(result[: len(group_by)])
        band, seg = result.band, result.segment
        cost = Decimal(result.minutes) * rates.rate(band, segment_starts[seg]) / SIXTY
        part = BurdenRow(key, key, result.entries, int(result.minutes), cost, int(result.dup), int(result.used))
        rows.setdefault(key, BurdenRow(key, key)).add(part)
        totals.add(part)

    table = BurdenTable(group_by, flt, list(rows.values()), totals)
    if with_counts:
        _add_distinct_counts(session, table, flt, group_by)
    _label(session, table)
    table.rows.sort(key=lambda r: (-r.minutes, r.label))
    return table


def _add_distinct_counts(session, table: BurdenTable, flt: BurdenFilter, group_by: tuple) -> None:
    keys, joins = [], set()
    for name in group_by:
        expr, needs = _dimension(name)
        keys.append(expr)
        joins |= needs
    query = select(*keys, func.count(Entry.team_id.distinct()), func.count(Entry.request_id.distinct())).select_from(Entry)
    query = _apply_filter(_apply_joins(query, joins), flt, set(joins))
    if keys:
        query = query.group_by(*keys)
    by_key = {tuple(r[: len(keys)]): r for r in session.execute(query)}
    for row in table.rows:
        found = by_key.get(row.key)
        row.teams, row.requests = (found[-2], found[-1]) if found else (0, 0)
    if group_by:
        total_query = _apply_filter(
            select(func.count(Entry.team_id.distinct()), func.count(Entry.request_id.distinct())).select_from(Entry),
            flt,
            set(),
        )
        table.totals.teams, table.totals.requests = session.execute(total_query).one()
    else:
        found = by_key.get(())
        table.totals.teams, table.totals.requests = (found[-2], found[-1]) if found else (0, 0)


def describe(session, dimension: str, keys: Iterable) -> dict:
    """Descriptive fields for each key of a dimension (label first)."""
    keys = [k for k in set(keys) if k is not None]
    if dimension == "team":
        return {
            t.id: {"label": t.name, "organisation": t.organisation, "sector": t.sector, "slug": t.slug}
            for t in session.scalars(select(Team).where(Team.id.in_(keys)))
        }
    if dimension == "source":
        return {s.id: {"label": s.name, "kind": s.kind} for s in session.scalars(select(Source).where(Source.id.in_(keys)))}
    if dimension == "request":
        out = {}
        query = select(Request, Source.name).join(Source).where(Request.id.in_(keys))
        for request, source_name in session.execute(query):
            out[request.id] = {
                "label": request.title,
                "source": source_name,
                "source_id": request.source_id,
                "frequency": request.frequency,
                "obligation": request.obligation,
                "status": request.status,
            }
        return out
    if dimension == "source_kind":
        return {k: {"label": SOURCE_KINDS.get(k, k)} for k in keys}
    if dimension == "sector":
        return {k: {"label": SECTORS.get(k, k)} for k in keys}
    if dimension == "band":
        return {k: {"label": BANDS.get(k, k)} for k in keys}
    if dimension == "month":
        return {k: {"label": date.fromisoformat(k + "-01").strftime("%b %Y")} for k in keys}
    raise BadGrouping(dimension)


def _label(session, table: BurdenTable) -> None:
    for i, name in enumerate(table.group_by):
        table.info[name] = describe(session, name, (row.key[i] for row in table.rows))
    for row in table.rows:
        row.label = tuple(
            table.info[name].get(row.key[i], {}).get("label", str(row.key[i])) for i, name in enumerate(table.group_by)
        )


__all__ = ["BurdenFilter", "BurdenRow", "BurdenTable", "burden", "fte", "GROUPINGS", "BadGrouping", "describe"]
