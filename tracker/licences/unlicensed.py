"""Unlicensed burden: hours and cost spent on requests on days they had no licence in force.

Per team and per source, for any period and teams: the dashboards, the
monthly workbook, the API and the burden statement all call
`unlicensed_burden`, so the figure is the same everywhere. A day counts as
unlicensed when the request's status that day (tracker/licences/status.py)
is `expired` or `none`, so the figure for a past month does not change when
a licence is granted later.

The days outside each request's licences are grouped into date ranges;
requests sharing a range are read in one burden query (every request never
licensed shares the whole period), and the rows are folded together."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import select

from tracker.burden.services import BurdenFilter, BurdenRow, BurdenTable, burden, fte
from tracker.licences.status import InForce, decisions_by_request, in_force_periods
from tracker.models.catalogue import Request

ONE_DAY = timedelta(days=1)


@dataclass
class UnlicensedBurden:
    filter: BurdenFilter
    by_team: list[BurdenRow] = field(default_factory=list)  # most hours first
    by_source: list[BurdenRow] = field(default_factory=list)
    totals: BurdenRow = field(default_factory=lambda: BurdenRow((), ("Total",)))
    info: dict = field(default_factory=lambda: {"team": {}, "source": {}})
    teams_listed: bool = True  # False: by source only (the commissioner's dashboard links to the teams)

    @property
    def days(self) -> int:
        return self.filter.days

    def fte(self, row: BurdenRow) -> Decimal:
        return fte(row.hours, self.days)

    def rows(self, dimension: str) -> list[BurdenRow]:
        return self.by_team if dimension == "team" else self.by_source


def unlicensed_ranges(periods: list[InForce], start: date, end: date) -> list[tuple[date, date]]:
    """The days of [start, end] (inclusive) outside every period in force, as inclusive ranges."""
    ranges, cursor = [], start
    for period in periods:  # oldest first, never overlapping
        if period.end <= cursor:
            continue
        if period.start > end:
            break
        if period.start > cursor:
            ranges.append((cursor, min(end, period.start - ONE_DAY)))
        cursor = period.end
        if cursor > end:
            return ranges
    ranges.append((cursor, end))
    return ranges


def _never_licensed(session, flt: BurdenFilter, licensed_ever: set[int]) -> list[int]:
    query = select(Request.id)
    if flt.source_ids is not None:
        query = query.where(Request.source_id.in_(list(flt.source_ids) or [-1]))
    if flt.request_ids is not None:
        query = query.where(Request.id.in_(list(flt.request_ids) or [-1]))
    return [request_id for request_id in session.scalars(query) if request_id not in licensed_ever]


def _unlicensed_days(session, flt: BurdenFilter) -> dict[tuple[date, date], list[int]]:
    """{(first, last): request ids}: the days of the filter's period each request had no licence in force."""
    wanted = None if flt.request_ids is None else set(flt.request_ids)
    by_range: dict[tuple[date, date], list[int]] = {}
    licensed_ever: set[int] = set()
    for request_id, decisions in decisions_by_request(session, wanted).items():
        periods = in_force_periods(decisions)
        if not periods:
            continue
        licensed_ever.add(request_id)
        for days in unlicensed_ranges(periods, flt.start, flt.end):
            by_range.setdefault(days, []).append(request_id)
    never = _never_licensed(session, flt, licensed_ever)
    if never:
        by_range.setdefault((flt.start, flt.end), []).extend(never)
    return by_range


def unlicensed_burden(session, flt: BurdenFilter, whole: BurdenTable | None = None) -> UnlicensedBurden:
    """Burden of `flt` on days without a licence in force, by team and by source.

    `whole`: the burden of the same filter by request, or by team and request, when
    the caller already has it (the dashboards): the requests with no licence all
    period are read from it instead of asked for again, and only the days of the
    others are queried. By request alone, the teams are not listed (`teams_listed`)."""
    group = ("team", "source") if whole is None else whole.group_by
    if whole is not None and (whole.filter != flt or group not in (("request",), ("team", "request"))):
        raise ValueError("whole must be the burden of the same filter by request, or by team and request")
    result = UnlicensedBurden(flt, teams_listed="team" in group)
    if flt.start > flt.end:
        return result
    teams: dict[tuple, BurdenRow] = {}
    sources: dict[tuple, BurdenRow] = {}
    for (start, end), request_ids in sorted(_unlicensed_days(session, flt).items()):
        if whole is not None and (start, end) == (flt.start, flt.end):
            wanted = set(request_ids)
            table = BurdenTable(group, flt, [row for row in whole.rows if row.key[-1] in wanted], BurdenRow((), ()), whole.info)
        else:
            part = BurdenFilter(start, end, team_ids=flt.team_ids, source_ids=flt.source_ids, request_ids=sorted(request_ids))
            table = burden(part, group, session=session)
        result.info["team"].update(table.info.get("team", {}))
        result.info["source"].update(table.info.get("source", {}))
        requests = table.info.get("request", {})
        for row in table.rows:
            if "source" in group:
                source, source_label = row.key[1], row.label[1]
            else:
                about = requests.get(row.key[-1], {})
                source, source_label = about.get("source_id"), about.get("source", "")
            if "team" in group:
                teams.setdefault((row.key[0],), BurdenRow((row.key[0],), (row.label[0],))).add(row)
            sources.setdefault((source,), BurdenRow((source,), (source_label,))).add(row)
            result.totals.add(row)
    result.by_team = sorted(teams.values(), key=lambda r: (-r.minutes, r.label))
    result.by_source = sorted(sources.values(), key=lambda r: (-r.minutes, r.label))
    return result
