"""The burden service: entries, hours, cost and FTE grouped any way, for any period and teams.

SPEC's burden arithmetic lives here and only here. Pages, API, workbooks and
the CLI all call `burden()`; nothing else adds up burden.

- hours = Σ minutes ÷ 60
- cost  = Σ minutes ÷ 60 × rate(band, occurred_on), Decimal, unrounded
- FTE   = hours ÷ (37.5 × days in period ÷ 7)

The SQL sums whole minutes per (group, band, rate segment); Python then
multiplies each sum by its one rate, so money is exact and the database does
the heavy lifting. Whole months are read from monthly rollups kept exact by
every entry write (tracker/burden/rollup.py, read through tracker/burden/row_sources.py);
`burden_direct` reads the entries table alone, as the reference."""
from __future__ import annotations

from decimal import Decimal
from typing import Sequence

from sqlalchemy import func, literal_column, null, select, union_all

from tracker.burden.figures import BurdenFilter, BurdenRow, BurdenTable, fte
from tracker.burden.rates import RateBook, price
from tracker.burden.dimensions import dimension
from tracker.burden.row_sources import grouped_select, parts, segment_of, signed
from tracker.extensions import db

# ---- the service ------------------------------------------------------------


def burden(
    flt: BurdenFilter,
    group_by: Sequence[str] = (),
    *,
    with_counts: bool = False,
    session=None,
    use_rollup: bool = True,
) -> BurdenTable:
    """Burden of the entries matching `flt`, one row per combination of `group_by`.

    Rows come sorted by hours, largest first. `with_counts` adds the number of
    distinct teams and requests to each row and to the totals. `use_rollup=False`
    reads every figure straight from the entries table (the reference the
    fast path is tested against; see `burden_direct`)."""
    session = session or db.session
    group_by = tuple(group_by)
    for name in group_by:
        dimension(name)  # unknown names fail before any SQL
    if flt.start > flt.end:  # an empty period: nothing to add up (callers refuse it as input)
        return BurdenTable(group_by, flt, [], BurdenRow((), ("Total",)))
    rates = RateBook.load(session)
    selects = []
    segment_starts = [flt.start]
    for part in parts(flt, rates, group_by, False, use_rollup):  # counts, if asked for, read their own level
        rows = part.rows
        segment, segment_starts = segment_of(rates, flt.start, flt.end, rows.day)
        query, keys = grouped_select(
            part,
            flt,
            group_by,
            rows.band.label("band"),
            segment.label("segment"),
            signed(rows.entries, part.sign).label("entries"),
            signed(rows.minutes, part.sign).label("minutes"),
            signed(rows.duplicated, part.sign).label("dup"),
            signed(rows.used, part.sign).label("used"),
        )
        # A constant segment stays out of GROUP BY: SQLite reads a bare number there as a column position.
        varying = [segment] if len(segment_starts) > 1 else []
        selects.append(query.group_by(*keys, rows.band, *varying))
    query = selects[0]
    if len(selects) > 1:  # the parts' sums, summed again by the same keys
        both = union_all(*selects).subquery()
        names = [f"k_{name}" for name in group_by] + ["band", "segment"]
        query = select(
            *(both.c[n] for n in names), *(func.sum(both.c[m]).label(m) for m in ("entries", "minutes", "dup", "used"))
        ).group_by(*(both.c[n] for n in names))

    width = len(group_by)
    rates_in_force: dict[tuple, Decimal] = {}
    rows_by_key: dict[tuple, BurdenRow] = {}
    totals = BurdenRow(key=(), label=("Total",))
    for result in session.execute(query):
        minutes = int(result.minutes)
        if not minutes and not result.entries:  # days taken off a month can cancel a group out
            continue
        rate_key = (result.band, int(result.segment))
        rate = rates_in_force.get(rate_key)
        if rate is None:
            rate = rates_in_force[rate_key] = rates.rate(result.band, segment_starts[rate_key[1]])
        key = tuple(result[:width])
        row = rows_by_key.get(key)
        if row is None:
            row = rows_by_key[key] = BurdenRow(key, key)
        cost = price(minutes, rate)
        for target in (row, totals):
            target.entries += int(result.entries)
            target.minutes += minutes
            target.cost += cost
            target.duplicated_minutes += int(result.dup)
            target.used_minutes += int(result.used)

    table = BurdenTable(group_by, flt, [r for r in rows_by_key.values() if r.entries], totals)
    if with_counts:
        _add_distinct_counts(session, table, flt, group_by, rates, use_rollup)
    _label(session, table)
    table.rows.sort(key=lambda r: (-r.minutes, r.label))
    return table


def burden_direct(flt: BurdenFilter, group_by: Sequence[str] = (), **options) -> BurdenTable:
    """The same figures read straight from the entries table, bypassing the rollups (the reference)."""
    return burden(flt, group_by, use_rollup=False, **options)


def _counts_query(flt: BurdenFilter, rates: RateBook, group_by: tuple, use_rollup: bool):
    """Distinct teams and requests per group and overall, in one statement.

    Each (group, team, request) counts if its entries, net of days taken off a
    rollup month, are more than none. The totals come back as one more row
    whose `whole` is 1 (distinct counts do not add up, so they are counted
    again over every group)."""
    selects = []
    for part in parts(flt, rates, group_by, True, use_rollup):
        rows = part.rows
        query, keys = grouped_select(
            part,
            flt,
            group_by,
            rows.team_id.label("team_id"),
            rows.request_id.label("request_id"),
            signed(rows.entries, part.sign).label("n"),
        )
        selects.append(query.group_by(*keys, rows.team_id, rows.request_id))
    both = (union_all(*selects) if len(selects) > 1 else selects[0]).subquery()
    names = [f"k_{name}" for name in group_by]
    pairs = (
        select(*(both.c[n] for n in names), both.c.team_id, both.c.request_id)
        .group_by(*(both.c[n] for n in names), both.c.team_id, both.c.request_id)
        .having(func.sum(both.c.n) > 0)
        .cte("pairs")
    )
    if not names:
        return select(literal_column("1").label("whole"), func.count(pairs.c.team_id.distinct()), func.count(pairs.c.request_id.distinct()))
    keys = [pairs.c[n] for n in names]
    per_group = select(literal_column("0").label("whole"), *keys, func.count(pairs.c.team_id.distinct()), func.count(pairs.c.request_id.distinct())).group_by(*keys)
    overall = select(
        literal_column("1").label("whole"),
        *(null().label(n) for n in names),
        func.count(pairs.c.team_id.distinct()),
        func.count(pairs.c.request_id.distinct()),
    )
    return union_all(per_group, overall)


def _add_distinct_counts(session, table: BurdenTable, flt: BurdenFilter, group_by: tuple, rates, use_rollup) -> None:
    by_key, overall = {}, (0, 0)
    for result in session.execute(_counts_query(flt, rates, group_by, use_rollup)):
        if result[0] == 1:
            overall = (result[-2], result[-1])
        else:
            by_key[tuple(result[1 : 1 + len(group_by)])] = (result[-2], result[-1])
    for row in table.rows:
        row.teams, row.requests = by_key.get(row.key, (0, 0))
    table.totals.teams, table.totals.requests = overall


def _label(session, table: BurdenTable) -> None:
    for i, name in enumerate(table.group_by):
        table.info[name] = dimension(name).info(session, (row.key[i] for row in table.rows))
    for row in table.rows:
        row.label = tuple(
            table.info[name].get(row.key[i], {}).get("label", str(row.key[i])) for i, name in enumerate(table.group_by)
        )


__all__ = ["BurdenFilter", "BurdenRow", "BurdenTable", "burden", "burden_direct", "fte"]
