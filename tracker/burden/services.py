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

from tracker.burden.figures import BurdenFilter, BurdenRow, BurdenTable, fte
from tracker.burden.rates import RateBook, priced
from tracker.burden.dimensions import dimension
from tracker.burden.row_sources import grouped_select, parts, read_parts, segment_of, signed
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
    segment_starts = [flt.start, *(d for d in rates.breakpoints() if flt.start < d <= flt.end)]

    def query_of(part):
        rows = part.rows
        segment, _ = segment_of(rates, flt.start, flt.end, rows.day)
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
        return query.group_by(*keys, rows.band, *varying)

    width = len(group_by)

    def summed(rows) -> dict[tuple, tuple]:
        """Per key: (entries, minutes, Σ minutes × rate, duplicated, used). Minutes × a rate of a few
        decimal places is exact; the cost is divided by 60 once per key, at the end."""
        rates_in_force: dict[tuple, Decimal] = {}
        sums: dict[tuple, list] = {}
        for result in rows:  # plain values (read_parts): no conversions in this loop
            entries, minutes = result[width + 2], result[width + 3]
            if not minutes and not entries:
                continue
            rate_key = result[width:width + 2]
            rate = rates_in_force.get(rate_key)
            if rate is None:
                rate = rates_in_force[rate_key] = rates.rate(rate_key[0], segment_starts[rate_key[1]])
            found = sums.get(result[:width])
            if found is None:
                found = sums[result[:width]] = [0, 0, 0, 0, 0]
            found[0] += entries
            found[1] += minutes
            found[2] += minutes * rate
            found[3] += result[width + 4]
            found[4] += result[width + 5]
        return {key: tuple(values) for key, values in sums.items()}

    plan = parts(flt, rates, group_by, False, use_rollup)  # counts, if asked for, read their own level
    asked = ("sums", tuple(segment_starts[1:]), rates.signature())  # what `summed` reads besides the rows
    sums: dict[tuple, list] = {}
    for part in read_parts(session, flt, group_by, plan, query_of, asked, use_rollup, summarise=summed):
        for key, values in part.items():  # the parts' sums, summed again by key
            found = sums.get(key)
            if found is None:
                sums[key] = list(values)
            else:
                for i, value in enumerate(values):
                    found[i] += value
    rows_by_key: dict[tuple, BurdenRow] = {}
    totals = BurdenRow(key=(), label=("Total",))
    for key, (entries, minutes, minute_cost, duplicated, used) in sums.items():
        row = rows_by_key[key] = BurdenRow(key, key, entries, minutes, priced(minute_cost), duplicated, used)
        totals.entries += entries
        totals.minutes += minutes
        totals.cost += row.cost
        totals.duplicated_minutes += duplicated
        totals.used_minutes += used

    table = BurdenTable(group_by, flt, [r for r in rows_by_key.values() if r.entries], totals)
    if with_counts:
        _add_distinct_counts(session, table, flt, group_by, rates, use_rollup)
    _label(session, table)
    table.rows.sort(key=lambda r: (-r.minutes, r.label))
    return table


def burden_direct(flt: BurdenFilter, group_by: Sequence[str] = (), **options) -> BurdenTable:
    """The same figures read straight from the entries table, bypassing the rollups (the reference)."""
    return burden(flt, group_by, use_rollup=False, **options)


def _add_distinct_counts(session, table: BurdenTable, flt: BurdenFilter, group_by: tuple, rates, use_rollup) -> None:
    """Distinct teams and requests per group and overall.

    Each (group, team, request) counts if its entries, net of days taken off a
    rollup month, are more than none; distinct counts do not add up, so the
    totals are counted again over every group."""

    def query_of(part):
        rows = part.rows
        query, keys = grouped_select(
            part, flt, group_by, rows.team_id.label("team_id"), rows.request_id.label("request_id"),
            signed(rows.entries, part.sign).label("n"),
        )
        return query.group_by(*keys, rows.team_id, rows.request_id)

    plan = parts(flt, rates, group_by, True, use_rollup)
    net: dict[tuple, int] = {}
    for part in read_parts(session, flt, group_by, plan, query_of, ("pairs",), use_rollup):
        for result in part:
            net[result[:-1]] = net.get(result[:-1], 0) + result[-1]
    width = len(group_by)
    teams: dict[tuple, set] = {}
    requests: dict[tuple, set] = {}
    all_teams, all_requests = set(), set()
    for key, n in net.items():
        if n > 0:
            group, team_id, request_id = key[:width], key[width], key[width + 1]
            teams.setdefault(group, set()).add(team_id)
            requests.setdefault(group, set()).add(request_id)
            all_teams.add(team_id)
            all_requests.add(request_id)
    for row in table.rows:
        row.teams, row.requests = len(teams.get(row.key, ())), len(requests.get(row.key, ()))
    table.totals.teams, table.totals.requests = len(all_teams), len(all_requests)


def _label(session, table: BurdenTable) -> None:
    for i, name in enumerate(table.group_by):
        table.info[name] = dimension(name).info(session, (row.key[i] for row in table.rows))
    for row in table.rows:
        row.label = tuple(
            table.info[name].get(row.key[i], {}).get("label", str(row.key[i])) for i, name in enumerate(table.group_by)
        )


__all__ = ["BurdenFilter", "BurdenRow", "BurdenTable", "burden", "burden_direct", "fte"]
