"""The workbook's summary sheets: figures gathered from the burden service, then laid out.

Nothing here adds up entries: every number is a row or total of
`tracker.burden.services.burden`, or exact integer minutes from its rows."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

from openpyxl.chart import LineChart, Reference
from openpyxl.comments import Comment
from openpyxl.utils import get_column_letter
from sqlalchemy import select

from tracker.burden.dimensions import dimension
from tracker.burden.services import BurdenFilter, BurdenRow, BurdenTable, burden, fte
from tracker.burden.shares import NOT_RECORDED, Share, ShareTable, management_shares, share_rounded
from tracker.licences.unlicensed import UnlicensedBurden, unlicensed_burden
from tracker.models.catalogue import Team
from tracker.shared.choices import FREQUENCIES, OBLIGATIONS, SECTORS, SOURCE_KINDS
from tracker.shared.xlsx.formats import (
    CHANGE, COUNT, HOURS, MONEY, MONTH, SHARE, fit, set_widths,
)
from tracker.shared.xlsx.printing import chart_size, keep_chart_whole, prepare_for_print, set_print_area
from tracker.shared.xlsx.text import text_cell
from tracker.shared.timeutil import add_months, month_end, month_label, utcnow

TOP = 5  # sources and requests listed on the Summary
CHART_TEAMS = 20  # bars on the Summary chart
TREND_CHART_TEAMS = 10  # lines on the Trend chart
TREND_MONTHS = 12
NO_ENTRIES = "No entries were logged for this period"
WORKBOOK_HEADING = "Reporting burden workbook"  # the Summary's title and every printed page's heading
TREND_CHART_SIZE = (26, 12)  # cm, width and height
WHOLE_MONTHS_NOTE = ("Whole calendar months: this month's hours less the previous month's. The workbook is "
                     "only made for months that have ended, so both months are complete.")


@dataclass
class MonthFigures:
    month: date
    start: date
    end: date
    team_ids: list[int] | None
    totals: BurdenRow
    by_team: dict[int, BurdenRow]
    previous_by_team: dict[int, BurdenRow]
    previous_totals: BurdenRow
    teams: list[int]  # every team in scope, most hours first
    team_info: dict[int, dict]
    by_source: BurdenTable
    by_request: BurdenTable
    team_source: dict[tuple[int, int], BurdenRow]
    trend_months: list[date]
    trend_minutes: dict[tuple[int, str], int]
    trend_teams: list[int]
    unlicensed: UnlicensedBurden  # work on days with no licence in force (the Unlicensed sheet)
    timezone: ZoneInfo  # the app's TIMEZONE: Excel has no time zones, so times are shown as wall-clock time there
    shares: ShareTable | None = None  # share of management time of each team over the month
    generated_at: datetime = field(default_factory=utcnow)
    scope: str = ""  # whose work: "All teams", a team's name (the workbook's scope label)

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def fte(self, row: BurdenRow) -> Decimal:
        return fte(row.hours, self.days)

    def team_name(self, team_id: int) -> str:
        return self.team_info.get(team_id, {}).get("label", str(team_id))

    @property
    def print_footer(self) -> str:
        """The scope and period, as every printed page's footer names them."""
        return f"{self.scope or 'Reporting burden'}, {month_label(self.month)}"


def gather(session, month: date, team_ids: list[int] | None, timezone: ZoneInfo) -> MonthFigures:
    start, end = month, month_end(month)
    flt = BurdenFilter(start, end, team_ids)
    by_team = burden(flt, ("team",), with_counts=True, session=session)
    previous_start = add_months(month, -1)
    previous = burden(BurdenFilter(previous_start, month_end(previous_start), team_ids), ("team",), session=session)
    trend_start = add_months(month, 1 - TREND_MONTHS)
    trend = burden(BurdenFilter(trend_start, end, team_ids), ("team", "month"), session=session)

    this_month = {row.key[0]: row for row in by_team.rows}
    last_month = {row.key[0]: row for row in previous.rows}
    trend_minutes = {(row.key[0], row.key[1]): row.minutes for row in trend.rows}
    in_scope = set(this_month) | set(last_month) | {team for team, _ in trend_minutes} | _listed_teams(session, team_ids)
    team_info = dimension("team").info(session, in_scope)

    def by_hours(minutes_of):
        return sorted(in_scope, key=lambda t: (-minutes_of(t), team_info.get(t, {}).get("label", "")))

    teams = by_hours(lambda t: this_month[t].minutes if t in this_month else 0)
    trend_total = {}
    for (team, _), minutes in trend_minutes.items():
        trend_total[team] = trend_total.get(team, 0) + minutes
    team_source = burden(flt, ("team", "source"), session=session)
    return MonthFigures(
        month=month,
        start=start,
        end=end,
        team_ids=team_ids,
        totals=by_team.totals,
        by_team=this_month,
        previous_by_team=last_month,
        previous_totals=previous.totals,
        teams=teams,
        team_info=team_info,
        by_source=burden(flt, ("source",), with_counts=True, session=session),
        by_request=burden(flt, ("request",), with_counts=True, session=session),
        team_source={row.key: row for row in team_source.rows},
        trend_months=[add_months(trend_start, i) for i in range(TREND_MONTHS)],
        trend_minutes=trend_minutes,
        trend_teams=by_hours(lambda t: trend_total.get(t, 0)),
        unlicensed=unlicensed_burden(session, flt),
        timezone=timezone,
        shares=management_shares(flt, table=by_team, session=session),
    )


def _listed_teams(session, team_ids: list[int] | None) -> set[int]:
    """Teams shown even with no entries: the ones asked for, or every active team."""
    if team_ids is not None:
        return set(team_ids)
    return set(session.scalars(select(Team.id).where(Team.active.is_(True))))


def _share(part: int, whole: int):
    return Decimal(part) / Decimal(whole) if whole else None


def _header(ws, fmt, names) -> None:
    ws.append(fmt.header(ws, names))


def _local(moment: datetime | None, zone: ZoneInfo):
    """Excel has no time zones: show the wall-clock time where the users are (TIMEZONE)."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    return moment.astimezone(zone).replace(tzinfo=None)


# ---- By team -----------------------------------------------------------------

BY_TEAM = ("Team", "Organisation", "Sector", "Entries", "Hours", "Cost (£)", "FTE", "Requests",
           "Change in hours vs previous month", "Available hours", "Share of management time")
CHANGE_COLUMN = BY_TEAM.index("Change in hours vs previous month")


def share_cells(ws, fmt, share: Share, bold: bool = False) -> list:
    """Available hours and share of management time, or 'capacity not recorded' (never 0 %)."""
    if not share.defined:
        return [text_cell(ws, NOT_RECORDED), text_cell(ws, NOT_RECORDED)]
    return [fmt.cell(ws, share.available_hours, HOURS, bold=bold), fmt.cell(ws, share_rounded(share), SHARE, bold=bold)]


def write_by_team(ws, fmt, fig: MonthFigures) -> None:
    info = fig.team_info
    set_widths(ws, [fit([fig.team_name(t) for t in fig.teams], "Team"),
                    fit([info.get(t, {}).get("organisation") for t in fig.teams], "Organisation"),
                    16, 10, 10, 14, 8, 10, 16, 14, 16])
    ws.freeze_panes = "A2"
    prepare_for_print(ws, fig.print_footer, heading=WORKBOOK_HEADING)
    header = fmt.header(ws, BY_TEAM)
    header[CHANGE_COLUMN].comment = Comment(WHOLE_MONTHS_NOTE, "Reporting Burden Tracker")
    ws.append(header)
    empty = BurdenRow((), ())
    for team in fig.teams:
        row = fig.by_team.get(team, empty)
        before = fig.previous_by_team.get(team, empty)
        ws.append([
            text_cell(ws, fig.team_name(team)),
            text_cell(ws, info.get(team, {}).get("organisation", "")),
            SECTORS.get(info.get(team, {}).get("sector"), ""),
            fmt.cell(ws, row.entries, COUNT),
            fmt.cell(ws, row.hours, HOURS),
            fmt.cell(ws, row.cost, MONEY),
            fmt.cell(ws, fig.fte(row), HOURS),
            fmt.cell(ws, row.requests or 0, COUNT),
            fmt.cell(ws, row.hours - before.hours, CHANGE),
            *share_cells(ws, fmt, fig.shares.of(team)),
        ])
    total = fig.totals
    ws.append([
        fmt.cell(ws, "Total", bold=True), None, None,
        fmt.cell(ws, total.entries, COUNT, bold=True),
        fmt.cell(ws, total.hours, HOURS, bold=True),
        fmt.cell(ws, total.cost, MONEY, bold=True),
        fmt.cell(ws, fig.fte(total), HOURS, bold=True),
        fmt.cell(ws, total.requests or 0, COUNT, bold=True),
        fmt.cell(ws, total.hours - fig.previous_totals.hours, CHANGE, bold=True),
        *share_cells(ws, fmt, fig.shares.group(fig.teams), bold=True),
    ])
    set_print_area(ws, len(BY_TEAM), len(fig.teams) + 2)


# ---- By source ---------------------------------------------------------------

BY_SOURCE = ("Source", "Kind", "Requests", "Teams", "Entries", "Hours", "Cost (£)", "Share of hours")


def write_by_source(ws, fmt, fig: MonthFigures) -> None:
    table = fig.by_source
    set_widths(ws, [fit([r.label[0] for r in table.rows], "Source"), 20, 10, 8, 10, 10, 14, 10])
    ws.freeze_panes = "A2"
    prepare_for_print(ws, fig.print_footer, heading=WORKBOOK_HEADING)
    _header(ws, fmt, BY_SOURCE)
    for row in table.rows:
        info = table.info["source"].get(row.key[0], {})
        ws.append([
            text_cell(ws, row.label[0]),
            SOURCE_KINDS.get(info.get("kind"), info.get("kind")),
            fmt.cell(ws, row.requests, COUNT),
            fmt.cell(ws, row.teams, COUNT),
            fmt.cell(ws, row.entries, COUNT),
            fmt.cell(ws, row.hours, HOURS),
            fmt.cell(ws, row.cost, MONEY),
            fmt.cell(ws, _share(row.minutes, fig.totals.minutes), SHARE),
        ])
    _totals_row(ws, fmt, fig, [None, fig.totals.requests, fig.totals.teams], share=True)
    set_print_area(ws, len(BY_SOURCE), len(table.rows) + 2)


def _totals_row(ws, fmt, fig, counts, share=False) -> None:
    total = fig.totals
    cells = [fmt.cell(ws, "Total", bold=True)]
    cells += [None if c is None else fmt.cell(ws, c, COUNT, bold=True) for c in counts]
    cells += [fmt.cell(ws, total.entries, COUNT, bold=True), fmt.cell(ws, total.hours, HOURS, bold=True),
              fmt.cell(ws, total.cost, MONEY, bold=True)]
    if share:
        cells.append(fmt.cell(ws, 1 if total.minutes else None, SHARE, bold=True))
    ws.append(cells)


# ---- By request --------------------------------------------------------------

BY_REQUEST = ("Request", "Source", "Frequency", "Obligation", "Teams", "Entries", "Hours", "Cost (£)",
              "Hours per entry", "Cumulative share of hours", "Duplicated elsewhere (share)", "Used (share)")


def write_by_request(ws, fmt, fig: MonthFigures) -> None:
    """A Pareto list: most hours first, with the running share of all hours."""
    table = fig.by_request
    info = table.info["request"]
    set_widths(ws, [fit([r.label[0] for r in table.rows], "Request", high=60),
                    fit([info.get(r.key[0], {}).get("source") for r in table.rows], "Source"),
                    12, 14, 8, 10, 10, 14, 10, 14, 14, 10])
    ws.freeze_panes = "A2"
    prepare_for_print(ws, fig.print_footer, heading=WORKBOOK_HEADING)
    _header(ws, fmt, BY_REQUEST)
    running = 0
    for row in table.rows:
        request = info.get(row.key[0], {})
        running += row.minutes
        ws.append([
            text_cell(ws, row.label[0]),
            text_cell(ws, request.get("source", "")),
            FREQUENCIES.get(request.get("frequency"), ""),
            OBLIGATIONS.get(request.get("obligation"), ""),
            fmt.cell(ws, row.teams, COUNT),
            fmt.cell(ws, row.entries, COUNT),
            fmt.cell(ws, row.hours, HOURS),
            fmt.cell(ws, row.cost, MONEY),
            fmt.cell(ws, row.hours / row.entries if row.entries else None, HOURS),
            fmt.cell(ws, _share(running, fig.totals.minutes), SHARE),
            fmt.cell(ws, row.share_duplicated(), SHARE),
            fmt.cell(ws, row.share_used(), SHARE),
        ])
    total = fig.totals
    ws.append([
        fmt.cell(ws, "Total", bold=True), None, None, None,
        fmt.cell(ws, total.teams, COUNT, bold=True),
        fmt.cell(ws, total.entries, COUNT, bold=True),
        fmt.cell(ws, total.hours, HOURS, bold=True),
        fmt.cell(ws, total.cost, MONEY, bold=True),
        fmt.cell(ws, total.hours / total.entries if total.entries else None, HOURS, bold=True),
        None,
        fmt.cell(ws, total.share_duplicated(), SHARE, bold=True),
        fmt.cell(ws, total.share_used(), SHARE, bold=True),
    ])
    set_print_area(ws, len(BY_REQUEST), len(table.rows) + 2)


# ---- Team x Source -----------------------------------------------------------


def write_team_x_source(ws, fmt, fig: MonthFigures) -> None:
    """Hours: teams down, sources across, both most hours first, totals on the edges."""
    sources = fig.by_source.rows
    set_widths(ws, [fit([fig.team_name(t) for t in fig.teams], "Team")]
               + [fit([s.label[0]], "", low=10, high=24) for s in sources] + [10])
    ws.freeze_panes = "B2"
    prepare_for_print(ws, fig.print_footer, heading=WORKBOOK_HEADING)
    ws.append(fmt.header(ws, ["Team"] + [s.label[0] for s in sources] + ["Total"]))
    for team in fig.teams:
        cells = [text_cell(ws, fig.team_name(team))]
        for source in sources:
            part = fig.team_source.get((team, source.key[0]))
            cells.append(fmt.cell(ws, part.hours, HOURS) if part else None)
        team_row = fig.by_team.get(team)
        cells.append(fmt.cell(ws, team_row.hours if team_row else 0, HOURS, bold=True))
        ws.append(cells)
    ws.append([fmt.cell(ws, "Total", bold=True)] + [fmt.cell(ws, s.hours, HOURS, bold=True) for s in sources]
              + [fmt.cell(ws, fig.totals.hours, HOURS, bold=True)])
    set_print_area(ws, len(sources) + 2, len(fig.teams) + 2)


# ---- Trend -------------------------------------------------------------------


def write_trend(ws, fmt, fig: MonthFigures) -> None:
    """Hours per team for the 12 months to the period; the chart shows the busiest teams."""
    months = fig.trend_months
    keys = [f"{m:%Y-%m}" for m in months]
    teams = fig.trend_teams
    set_widths(ws, [fit([fig.team_name(t) for t in teams], "Team")] + [10] * len(months) + [12])
    ws.freeze_panes = "B2"
    prepare_for_print(ws, fig.print_footer, heading=WORKBOOK_HEADING)
    ws.append([text_cell(ws, "Team", fmt.array(bold=True))] + [fmt.cell(ws, m, MONTH, bold=True) for m in months]
              + [text_cell(ws, f"Total ({len(months)} months)", fmt.array(bold=True))])
    month_totals = dict.fromkeys(keys, 0)
    for team in teams:
        minutes = [fig.trend_minutes.get((team, k), 0) for k in keys]
        for k, m in zip(keys, minutes):
            month_totals[k] += m
        ws.append([text_cell(ws, fig.team_name(team))] + [fmt.cell(ws, Decimal(m) / 60, HOURS) for m in minutes]
                  + [fmt.cell(ws, Decimal(sum(minutes)) / 60, HOURS, bold=True)])
    ws.append([fmt.cell(ws, "Total", bold=True)] + [fmt.cell(ws, Decimal(month_totals[k]) / 60, HOURS, bold=True)
                                                    for k in keys]
              + [fmt.cell(ws, Decimal(sum(month_totals.values())) / 60, HOURS, bold=True)])
    written = len(teams) + 2
    if len(teams) > TREND_CHART_TEAMS:
        ws.append([])
        ws.append([f"The chart shows the {TREND_CHART_TEAMS} teams with the most hours over these "
                   f"{len(months)} months; the table above lists all {len(teams)}."])
        written += 2

    charted = max(1, min(len(teams), TREND_CHART_TEAMS))
    chart = LineChart()
    chart.title = "Hours per team by month"
    chart.y_axis.title = "Hours"
    chart.x_axis.title = "Month"
    chart.x_axis.number_format = MONTH
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend.position = "b"
    chart.add_data(Reference(ws, min_col=1, max_col=len(months) + 1, min_row=2, max_row=charted + 1),
                   from_rows=True, titles_from_data=True)
    for series in chart.series:
        series.smooth = False  # straight lines between months: a curve would invent values
    chart.set_categories(Reference(ws, min_col=2, max_col=len(months) + 1, min_row=1, max_row=1))
    chart.width, chart.height = chart_size(ws, *TREND_CHART_SIZE)
    ws.append([])
    # Under the table, on a printed page of its own (a page break above it), whatever the table's length.
    chart_rows = keep_chart_whole(ws, chart, written + 2)
    for _ in range(chart_rows):
        ws.append([])
    set_print_area(ws, len(months) + 2, written + 1 + chart_rows)
