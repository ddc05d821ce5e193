"""Each request's figures over a period (normally the last 12 months) and its annual projection.

Every hour and pound is a row of the burden service (tracker/burden/services.py);
the median comes from counts of entries per minutes value
(tracker/burden/medians.py), so it is exact and no entry is read one by one.

SPEC's annual projection, what commissioners rank by:

    median hours per entry × occurrences a year × teams that logged it

with occurrences a year from the request's frequency (52 weekly … 1 annual,
1 one-off) and, for ad hoc requests, the count observed in the period: its
entries per team that logged it, so that the projection of an ad hoc request
is its median × its entries. The projection is priced at the rates in force on
one day (today for the ranking, the decision date for a decision) for the
request's own mix of staff bands over the period."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Sequence

from sqlalchemy import select

from tracker.burden.figures import fte, priced
from tracker.burden.medians import medians
from tracker.burden.rates import RateBook
from tracker.burden.services import BurdenFilter, BurdenRow, burden
from tracker.extensions import db
from tracker.models.catalogue import Request, Source
from tracker.workspace.variation import Variation, burden_by_team, teams_answering, variations
from tracker.shared.choices import OCCURRENCES_PER_YEAR
from tracker.shared.timeutil import shift_months

DAYS_A_YEAR = 365
SIXTY = Decimal(60)
PARETO_SHARE = Decimal("0.8")


def twelve_months_to(end: date) -> tuple[date, date]:
    """The 12 months that end on `end`, both days counted: from the day after the same date a year before."""
    return shift_months(end, -12) + timedelta(days=1), end


def occurrences_a_year(frequency: str, entries: int, teams: int) -> Decimal | None:
    """How often a team answers the request in a year: fixed by its frequency, observed for ad hoc
    (entries per team over the 12 months; None when nobody logged it)."""
    fixed = OCCURRENCES_PER_YEAR.get(frequency)
    if fixed is not None:
        return Decimal(fixed)
    return Decimal(entries) / teams if teams else None


@dataclass(frozen=True)
class RequestInfo:
    id: int
    title: str
    description: str
    source_id: int
    source: str
    source_kind: str
    frequency: str
    obligation: str
    status: str
    merged_into_id: int | None

    @property
    def label(self) -> str:
        return f"{self.title} ({self.source})"


@dataclass
class RequestFigures:
    """One request over [start, end]: observed burden, exact median, projection."""

    request: RequestInfo
    start: date
    end: date
    row: BurdenRow  # entries, minutes, cost (exact), duplicated and used minutes, teams
    median_minutes: Decimal | None  # exact: whole minutes, or a half for an even count
    hourly_cost: Decimal | None  # its band mix at the rates in force on the pricing day; None with no hours
    cumulative_share: Decimal | None = None  # Pareto: share of all hours up to this one, most hours first
    variation: Variation | None = None  # between teams (tracker/workspace/variation.py), where asked for

    @property
    def variation_saving_hours(self) -> Decimal | None:
        return None if self.variation is None else self.variation.saving_hours

    @property
    def variation_saving_cost(self) -> Decimal | None:
        return None if self.variation is None else self.variation.saving_cost

    @property
    def id(self) -> int:
        return self.request.id

    @property
    def entries(self) -> int:
        return self.row.entries

    @property
    def minutes(self) -> int:
        return self.row.minutes

    @property
    def hours(self) -> Decimal:
        return self.row.hours

    @property
    def cost(self) -> Decimal:
        return self.row.cost

    @property
    def teams(self) -> int:
        return self.row.teams or 0

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def fte(self) -> Decimal:
        return fte(self.hours, self.days)

    @property
    def median_hours(self) -> Decimal | None:
        return None if self.median_minutes is None else self.median_minutes / SIXTY

    @property
    def duplicated_share(self) -> Decimal | None:
        return self.row.share_duplicated()

    @property
    def used_share(self) -> Decimal | None:
        return self.row.share_used()

    @property
    def no_use_share(self) -> Decimal | None:
        """Share of hours with no sign of use: 'no' and 'don't know' both count."""
        used = self.used_share
        return None if used is None else 1 - used

    @property
    def occurrences(self) -> Decimal | None:
        return occurrences_a_year(self.request.frequency, self.entries, self.teams)

    @property
    def projected_hours(self) -> Decimal:
        if self.median_hours is None or self.occurrences is None:
            return Decimal(0)
        return self.median_hours * self.occurrences * self.teams

    @property
    def projected_cost(self) -> Decimal:
        return self.cost_of(self.projected_hours)

    @property
    def projected_fte(self) -> Decimal:
        return fte(self.projected_hours, DAYS_A_YEAR)

    def cost_of(self, hours: Decimal) -> Decimal:
        """Hours of this request's work at the pricing day's rates, for its own band mix."""
        return Decimal(0) if self.hourly_cost is None else hours * self.hourly_cost


def request_infos(request_ids: Sequence[int] | None = None, session=None) -> dict[int, RequestInfo]:
    session = session or db.session
    query = select(
        Request.id, Request.title, Request.description, Request.source_id, Source.name, Source.kind, Request.frequency,
        Request.obligation, Request.status, Request.merged_into_id,
    ).join(Source, Source.id == Request.source_id)
    if request_ids is not None:
        query = query.where(Request.id.in_(list(request_ids) or [-1]))
    return {row[0]: RequestInfo(*row) for row in session.execute(query)}


def request_figures(
    start: date, end: date, priced_on: date, request_ids: Sequence[int] | None = None, session=None,
    with_variation: bool = False,
) -> dict[int, RequestFigures]:
    """Figures of every request (or those asked for) over [start, end], projections priced on `priced_on`;
    `with_variation` adds the variation between teams of each request answered by enough teams."""
    session = session or db.session
    infos = request_infos(request_ids, session)
    flt = BurdenFilter(start, end, request_ids=None if request_ids is None else list(request_ids))
    if with_variation:
        # The variation reads every (request, team) anyway: the teams of each request are counted off
        # those sums rather than by the service's distinct count over the same rollups a second time.
        by_team = burden_by_team(start, end, flt.request_ids, session)
        observed = {row.key[0]: row for row in burden(flt, ("request",), session=session).rows}
        teams = teams_answering(by_team)
        for request_id, row in observed.items():
            row.teams, row.requests = teams.get(request_id, 0), 1
        between = variations(start, end, flt.request_ids, session, by_team=by_team)
    else:
        observed = {row.key[0]: row for row in burden(flt, ("request",), with_counts=True, session=session).rows}
        between = {}
    hourly = hourly_costs(flt, priced_on, session)
    middle = medians(start, end, flt.request_ids, session)
    out = {}
    for request_id, info in infos.items():
        row = observed.get(request_id) or BurdenRow((request_id,), (info.title,), teams=0, requests=0)
        out[request_id] = RequestFigures(info, start, end, row, middle.get(request_id), hourly.get(request_id),
                                         variation=between.get(request_id))
    return out


def hourly_costs(flt: BurdenFilter, priced_on: date, session=None) -> dict[int, Decimal]:
    """Each request's cost of an hour at the rates in force on `priced_on`, weighted by the minutes
    its entries in the filter's period took at each band."""
    session = session or db.session
    rates = RateBook.load(session)
    minutes: dict[int, int] = {}
    minute_cost: dict[int, Decimal] = {}  # Σ minutes × rate: exact, divided once (by the minutes)
    for row in burden(flt, ("request", "band"), session=session).rows:
        request_id, band = row.key
        minutes[request_id] = minutes.get(request_id, 0) + row.minutes
        minute_cost[request_id] = minute_cost.get(request_id, Decimal(0)) + row.minutes * rates.rate(band, priced_on)
    return {request_id: minute_cost[request_id] / total for request_id, total in minutes.items() if total}


# ---- the ranked catalogue ---------------------------------------------------------


def _projected(figures: RequestFigures, value: Decimal):
    """A projection to sort by; None (sorted last) for a request nobody logged, which has none."""
    return None if figures.median_minutes is None else value


SORTS = {
    # name (the API's field name) -> (what it reads, label)
    "title": (lambda f: f.request.title.lower(), "Request"),
    "observed_hours_12m": (lambda f: f.hours, "Hours"),
    "observed_cost_12m": (lambda f: f.cost, "Cost"),
    "entries_12m": (lambda f: f.entries, "Entries"),
    "teams_12m": (lambda f: f.teams, "Teams"),
    "median_hours_per_entry": (lambda f: f.median_hours, "Hours per entry (median)"),
    "duplicated_share": (lambda f: f.duplicated_share, "Duplicated elsewhere"),
    "used_share": (lambda f: f.used_share, "Used or feedback"),
    "projected_annual_hours": (lambda f: _projected(f, f.projected_hours), "Projected hours a year"),
    "projected_annual_cost": (lambda f: _projected(f, f.projected_cost), "Projected cost a year"),
    "projected_annual_fte": (lambda f: _projected(f, f.projected_fte), "Projected FTE"),
    "variation_saving_hours": (lambda f: f.variation_saving_hours, "Variation saving (hours)"),
    "variation_saving_cost": (lambda f: f.variation_saving_cost, "Variation saving (£)"),
}
DEFAULT_SORT = "-observed_hours_12m"


class BadSort(ValueError):
    pass


def parse_sort(text: str | None, default: str = DEFAULT_SORT) -> tuple[str, bool]:
    """'name' (ascending) or '-name' (descending) -> (name, descending). BadSort names what is allowed."""
    text = (text or default).strip()
    name, descending = (text[1:], True) if text.startswith("-") else (text, False)
    if name not in SORTS:
        raise BadSort(f"sort must be one of {', '.join(SORTS)}, with a leading - for largest first")
    return name, descending


@dataclass(frozen=True)
class RankingFilters:
    source_id: int | None = None
    source_kind: str | None = None
    obligation: str | None = None
    status: str | None = None

    def keeps(self, info: RequestInfo) -> bool:
        return (
            (self.source_id is None or info.source_id == self.source_id)
            and (self.source_kind is None or info.source_kind == self.source_kind)
            and (self.obligation is None or info.obligation == self.obligation)
            and (self.status is None or info.status == self.status)
        )


@dataclass
class Ranking:
    start: date
    end: date
    rows: list[RequestFigures]  # in the order asked for
    by_hours: list[RequestFigures]  # most hours first, with the Pareto column filled in
    sort: str
    descending: bool
    total_minutes: int = 0
    total_cost: Decimal = field(default_factory=Decimal)

    @property
    def total_hours(self) -> Decimal:
        return Decimal(self.total_minutes) / SIXTY

    @property
    def pareto_count(self) -> int:
        """How few requests, most hours first, make 80 % of the hours (0 when nothing was logged)."""
        for position, figures in enumerate(self.by_hours, 1):
            if figures.cumulative_share is not None and figures.cumulative_share >= PARETO_SHARE:
                return position
        return 0

    @property
    def with_hours(self) -> int:
        return sum(1 for f in self.by_hours if f.minutes)


def ranking(today: date, filters: RankingFilters = RankingFilters(), sort: str | None = None, session=None) -> Ranking:
    """Every request matching the filters, with its figures over the 12 months to `today`, sorted."""
    start, end = twelve_months_to(today)
    everything = request_figures(start, end, today, session=session, with_variation=True)
    kept = [f for f in everything.values() if filters.keeps(f.request)]
    by_hours = sorted(kept, key=lambda f: (-f.minutes, f.request.title.lower(), f.id))
    total = sum(f.minutes for f in by_hours)
    running = 0
    for figures in by_hours:
        running += figures.minutes
        figures.cumulative_share = Decimal(running) / total if total else None
    name, descending = parse_sort(sort)
    return Ranking(
        start, end, sort_figures(kept, name, descending), by_hours, name, descending, total,
        priced(sum((f.row.minute_cost for f in kept), Decimal(0))),  # exact, as the burden service's totals
    )


def sort_figures(rows: list[RequestFigures], name: str, descending: bool) -> list[RequestFigures]:
    """Sorted by one column; requests without that figure (no entries) always last, then by title."""
    read = SORTS[name][0]
    present = [f for f in rows if read(f) is not None]
    missing = [f for f in rows if read(f) is None]
    present.sort(key=lambda f: (f.request.title.lower(), f.id))
    present.sort(key=read, reverse=descending)  # stable: equal figures stay in title order
    missing.sort(key=lambda f: (f.request.title.lower(), f.id))
    return present + missing
