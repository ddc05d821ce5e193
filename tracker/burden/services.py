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
from typing import NamedTuple, Sequence

from tracker.burden.figures import BurdenFilter, BurdenRow, BurdenTable, fte, priced
from tracker.burden.rates import RateBook
from tracker.burden.dimensions import dimension
from tracker.burden.row_sources import grouped_select, parts, read_parts, segment_of, signed
from tracker.extensions import db

# ---- the service ------------------------------------------------------------


class Sums(NamedTuple):
    """One group's figures: what `burden_sums` answers per key and a BurdenRow carries."""

    entries: int
    minutes: int
    minute_cost: Decimal  # Σ minutes × hourly rate: exact, priced on reading, as BurdenRow's
    duplicated_minutes: int
    used_minutes: int

    @property
    def cost(self) -> Decimal:
        """£, exact and unrounded."""
        return priced(self.minute_cost)


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
    if _nothing_asked(flt, group_by):
        return BurdenTable(group_by, flt, [], BurdenRow((), ("Total",)))
    rates = RateBook.load(session)
    rows_by_key: dict[tuple, BurdenRow] = {}
    totals = BurdenRow(key=(), label=("Total",))
    for key, (entries, minutes, minute_cost, duplicated, used) in _sums(session, flt, group_by, rates, use_rollup).items():
        if entries:
            rows_by_key[key] = BurdenRow(key, key, entries, minutes, minute_cost, duplicated, used)
        totals.entries += entries
        totals.minutes += minutes
        totals.minute_cost += minute_cost
        totals.duplicated_minutes += duplicated
        totals.used_minutes += used
    table = BurdenTable(group_by, flt, list(rows_by_key.values()), totals)
    if with_counts:
        _add_distinct_counts(session, table, flt, group_by, rates, use_rollup)
    _label(session, table)
    table.rows.sort(key=lambda r: (-r.minutes, r.label))
    return table


def burden_sums(flt: BurdenFilter, group_by: Sequence[str] = (), *, session=None) -> dict[tuple, Sums]:
    """The same figures as `burden`, keyed by group, without labels, order or totals: for a caller that
    reads thousands of groups and needs only their sums (the variation's request × team pairs).
    A group may have no entries (days taken off a month can leave none): its Sums then has entries 0."""
    session = session or db.session
    group_by = tuple(group_by)
    if _nothing_asked(flt, group_by):
        return {}
    return _sums(session, flt, group_by, RateBook.load(session), True)


def _nothing_asked(flt: BurdenFilter, group_by: tuple) -> bool:
    """True for an empty period (nothing to add up: callers refuse it as input); unknown group names
    fail here, before any SQL."""
    for name in group_by:
        dimension(name)
    return flt.start > flt.end


def _sums(session, flt: BurdenFilter, group_by: tuple, rates: RateBook, use_rollup: bool) -> dict[tuple, Sums]:
    """The arithmetic: per group, (entries, minutes, Σ minutes × rate, duplicated, used), every part of
    the period (tracker/burden/row_sources.py) summed. The cost is left undivided, and so exact: it is
    priced (÷ 60) once per figure shown, so a total never depends on the order rows were added in."""
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
    # The parts' sums, summed again by key: the largest part (the kept months, as a rule) is taken as it
    # is, and only the keys of the others are added to it. Kept parts are shared: never changed here.
    summaries = sorted(read_parts(session, flt, group_by, plan, query_of, asked, use_rollup, summarise=summed),
                       key=len, reverse=True)
    merged: dict[tuple, tuple] = dict(summaries[0]) if summaries else {}
    for summary in summaries[1:]:
        for key, values in summary.items():
            found = merged.get(key)
            merged[key] = values if found is None else (
                found[0] + values[0], found[1] + values[1], found[2] + values[2], found[3] + values[3], found[4] + values[4])
    return {key: Sums(*values) for key, values in merged.items()}


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
    labels = []
    for i, name in enumerate(table.group_by):
        info = table.info[name] = dimension(name).info(session, (row.key[i] for row in table.rows))
        labels.append({key: found.get("label", str(key)) for key, found in info.items()})
    for row in table.rows:
        row.label = tuple([found[key] if key in found else str(key) for found, key in zip(labels, row.key)])


__all__ = ["BurdenFilter", "BurdenRow", "BurdenTable", "Sums", "burden", "burden_direct", "burden_sums", "fte"]
