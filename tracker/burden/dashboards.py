"""What each dashboard shows, as plain data: the views render it, the tests read it.

Every figure comes from the burden service, so the page agrees with the API
and the workbooks to the penny."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker.burden.comparison import month_comparison
from tracker.burden.filters import BurdenQuery
from tracker.burden.regroup import regroup
from tracker.burden.services import BurdenRow, BurdenTable, burden, fte
from tracker.shared.timeutil import add_months, month_so_far


@dataclass(frozen=True)
class PeriodFigures:
    """One period's totals, with its own FTE (hours over the days of that period)."""

    label: str
    start: date
    end: date
    row: BurdenRow

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def fte(self) -> Decimal:
        return fte(self.row.hours, self.days)


@dataclass(frozen=True)
class Change:
    """This month (so far) against the same days of last month; all of last month beside them."""

    this: PeriodFigures
    last: PeriodFigures  # the same days of last month: the like-for-like comparison
    whole_last: PeriodFigures  # all of last month (the same as `last` once this month has ended)
    heading: str
    partial: bool

    @staticmethod
    def _percent(new, old) -> Decimal | None:
        return (Decimal(new) - Decimal(old)) * 100 / Decimal(old) if old else None

    @property
    def hours_change(self) -> Decimal | None:
        return self._percent(self.this.row.minutes, self.last.row.minutes)

    @property
    def cost_change(self) -> Decimal | None:
        return self._percent(self.this.row.cost, self.last.row.cost)


@dataclass
class TeamDashboard:
    query: BurdenQuery
    period: BurdenTable  # by team, over the filtered period
    months: Change
    trend: list[tuple[str, BurdenRow]]  # 12 months to the end of the period, oldest first
    trend_days: list[int]
    trend_so_far: str | None  # "1–5 Dec" when the last month is not over yet
    sources: BurdenTable
    requests: BurdenTable
    # the grouped tables the figures above are folded from, for the shares and the licences panel to read
    by_team_request: BurdenTable  # the period
    this_by_team: BurdenTable  # this month so far
    last_by_team: BurdenTable  # the same days of last month
    trend_by_team: BurdenTable  # by team and month, the 12 months of the trend

    @property
    def totals(self) -> BurdenRow:
        return self.period.totals

    @property
    def share_duplicated(self) -> Decimal | None:
        return self.totals.share_duplicated()

    @property
    def share_no_sign_of_use(self) -> Decimal | None:
        """Time on work nobody was seen to use: 'no' and 'don't know' both count."""
        used = self.totals.share_used()
        return None if used is None else 1 - used


@dataclass
class TeamPerRequest:
    row: BurdenRow
    hours_per_request: Decimal
    cost_per_request: Decimal
    sector: str


@dataclass
class RequestHeaviestTeam:
    """One of the costliest requests, and the team that carries most of it."""

    request: BurdenRow
    source: str
    team: BurdenRow  # key/label are (request, team)

    @property
    def share_of_hours(self) -> Decimal | None:
        return Decimal(self.team.minutes) / self.request.minutes if self.request.minutes else None


@dataclass
class CommissionerDashboard:
    """Every table is whole (a few sectors, kinds and sources) or shown in part by the template (teams)."""

    query: BurdenQuery
    by_sector: BurdenTable
    by_source_kind: BurdenTable
    by_source: BurdenTable
    by_team: BurdenTable
    by_request: BurdenTable  # also read by the licences panel, so it is asked for once

    @property
    def totals(self) -> BurdenRow:
        return self.by_team.totals


def team_dashboard(query: BurdenQuery) -> TeamDashboard:
    """A manager's or lead's teams: this month against last, the trend, where the time goes.

    Each period is asked for once, by team (by team and request, by team and month),
    and folded into what is shown (tracker/burden/regroup.py); the shares and the
    licences panel read the same tables."""
    end = query.end
    periods = month_comparison(end)
    by_team = {}

    def figures(period) -> PeriodFigures:
        table = by_team[period] = burden(query.burden_filter(period.start, period.end), ("team",))
        return PeriodFigures(period.label, period.start, period.end, table.totals)

    last = figures(periods.same_days_before)
    whole_last = figures(periods.whole_month_before) if periods.partial else last
    months = Change(figures(periods.this), last, whole_last, periods.heading, periods.partial)

    first_month = add_months(end, -11)
    trend_by_team = burden(query.burden_filter(first_month, end), ("team", "month"))
    found = {row.key[0]: row for row in regroup(trend_by_team, "month", lambda key: key[1]).rows}
    trend, trend_days = [], []
    for i in range(12):
        month = add_months(first_month, i)
        key = month.strftime("%Y-%m")
        trend.append((month.strftime("%b %Y"), found.get(key) or BurdenRow((key,), (month.strftime("%b %Y"),))))
        month_last = min(add_months(month, 1) - timedelta(days=1), end)
        trend_days.append((month_last - month).days + 1)

    by_team_request = burden(query.burden_filter(), ("team", "request"))
    requests = regroup(by_team_request, "request", lambda key: key[1])
    about = requests.info.get("request", {})
    return TeamDashboard(
        query=query,
        period=regroup(by_team_request, "team", lambda key: key[0]),
        months=months,
        trend=trend,
        trend_days=trend_days,
        trend_so_far=month_so_far(add_months(first_month, 11), end),
        sources=regroup(requests, "source", lambda key: about.get(key[0], {}).get("source_id")),
        requests=requests,
        by_team_request=by_team_request,
        this_by_team=by_team[periods.this],
        last_by_team=by_team[periods.same_days_before],
        trend_by_team=trend_by_team,
    )


def commissioner_dashboard(query: BurdenQuery) -> CommissionerDashboard:
    """Every team: by sector, by kind of source, by source, by team.

    Two grouped queries (by team, by request), each read from its small rollup;
    sectors are folded from teams and sources and their kinds from requests
    (tracker/burden/regroup.py). The distinct teams and requests of the period
    are the rows of those two tables: a team or request with entries has a row."""
    flt = query.burden_filter()
    by_team = burden(flt, ("team",))
    by_request = burden(flt, ("request",))
    teams, requests = by_team.info.get("team", {}), by_request.info.get("request", {})
    by_source = regroup(by_request, "source", lambda key: requests.get(key[0], {}).get("source_id"))
    sources = by_source.info.get("source", {})
    by_team.totals.teams, by_team.totals.requests = len(by_team.rows), len(by_request.rows)
    return CommissionerDashboard(
        query=query,
        by_sector=regroup(by_team, "sector", lambda key: teams.get(key[0], {}).get("sector")),
        by_source_kind=regroup(by_source, "source_kind", lambda key: sources.get(key[0], {}).get("kind")),
        by_source=by_source,
        by_team=by_team,
        by_request=by_request,
    )


def teams_by_hours_per_request(flt) -> list[TeamPerRequest]:
    """Every team with entries, the most hours per request answered first (its own page: the
    distinct requests of each team are counted over the team × request rollup, which costs
    what the whole table holds, so the dashboard links here instead of ranking every team)."""
    by_team = burden(flt, ("team",), with_counts=True)
    ranked = [
        TeamPerRequest(
            row=row,
            hours_per_request=row.hours / row.requests,
            cost_per_request=row.cost / row.requests,
            sector=by_team.info["team"].get(row.key[0], {}).get("sector", ""),
        )
        for row in by_team.rows
        if row.requests
    ]
    ranked.sort(key=lambda t: (-t.hours_per_request, t.row.label))
    return ranked


def heaviest_team_of_each_request(flt) -> list[RequestHeaviestTeam]:
    """Every request with entries, costliest first, and the team that spends most time on it.

    One grouped query (request × team): each request's total is the sum of its
    teams' rows, so the two figures can never disagree."""
    table = burden(flt, ("request", "team"))
    totals: dict = {}
    heaviest: dict = {}
    for row in table.rows:  # largest first, so the first row seen for a request is its heaviest team
        request_id = row.key[0]
        totals.setdefault(request_id, BurdenRow((request_id,), (row.label[0],))).add(row)
        heaviest.setdefault(request_id, row)
    sources = table.info.get("request", {})
    ranked = sorted(totals.values(), key=lambda r: (-r.minutes, r.label))
    return [
        RequestHeaviestTeam(request=r, source=sources.get(r.key[0], {}).get("source", ""), team=heaviest[r.key[0]])
        for r in ranked
    ]


def info_column(table: BurdenTable, dimension: str, name: str) -> dict:
    """{key: readable text} of one descriptive field, for an extra table column (kinds and sectors as labels)."""
    from tracker.shared.choices import SECTORS, SOURCE_KINDS

    labels = {"kind": SOURCE_KINDS, "sector": SECTORS}.get(name, {})
    return {
        key: labels.get(fields.get(name), fields.get(name, "")) for key, fields in table.info.get(dimension, {}).items()
    }
