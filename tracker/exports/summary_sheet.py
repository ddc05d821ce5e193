"""The workbook's Summary sheet: totals, the top sources and requests, the chart of hours
by team and each team's sign-off, laid out to print one page wide.

Figures come from `sheets.gather` (the burden service); nothing here adds up entries."""
from __future__ import annotations

from openpyxl.chart import BarChart, Reference

from tracker.exports.sheets import (
    CHART_TEAMS, NO_ENTRIES, TOP, WHOLE_MONTHS_NOTE, WORKBOOK_HEADING, MonthFigures, _local, _share, share_cells,
)
from tracker.shared.choices import SOURCE_KINDS
from tracker.shared.timeutil import add_months, month_label
from tracker.shared.xlsx.formats import CHANGE, COUNT, DATE, DATETIME, HOURS, MONEY, SHARE, fit, set_widths
from tracker.shared.xlsx.printing import chart_size, keep_chart_whole, prepare_for_print, set_print_area
from tracker.shared.xlsx.text import text_cell


def write_summary(ws, fmt, fig: MonthFigures, by_team_ws, scope_label: str, signoffs: dict) -> None:
    """Totals, the top sources and requests, the chart of hours by team (in the flow of the
    page, starting a printed page of its own so no page break cuts it), then each team's sign-off."""
    names = [fig.team_name(t) for t in fig.teams] + [r.label[0] for r in fig.by_source.rows[:TOP]]
    names += [r.label[0] for r in fig.by_request.rows[:TOP]]
    widths = [fit(names + ["Share of hours where the information was seen used"], "", high=60), 36, 14, 14, 18]
    set_widths(ws, widths)
    prepare_for_print(ws, fig.print_footer, title_rows=None, heading=WORKBOOK_HEADING)  # the heading says it
    total = fig.totals
    written = 0

    def add(cells=()):
        nonlocal written
        ws.append(list(cells))
        written += 1

    def line(label, *values):
        add([fmt.cell(ws, label, bold=True), *values])

    def header(names):
        add(fmt.header(ws, names))

    add([fmt.cell(ws, WORKBOOK_HEADING, bold=True, size=14)])
    line("Scope", text_cell(ws, scope_label))
    line("Period", f"{fig.month:%B %Y}")
    line("From", fmt.cell(ws, fig.start, DATE))
    line("To", fmt.cell(ws, fig.end, DATE))
    line(f"Generated at ({fig.timezone.key} time)", fmt.cell(ws, _local(fig.generated_at, fig.timezone), DATETIME))
    add()
    if not total.entries:
        add([fmt.cell(ws, NO_ENTRIES, bold=True)])
        add()
    line("Entries", fmt.cell(ws, total.entries, COUNT))
    line("Hours", fmt.cell(ws, total.hours, HOURS))
    line("Cost (£)", fmt.cell(ws, total.cost, MONEY))
    line("FTE", fmt.cell(ws, fig.fte(total), HOURS))
    line("Days in period", fmt.cell(ws, fig.days, COUNT))
    line("Teams with entries", fmt.cell(ws, total.teams or 0, COUNT))
    line("Requests with entries", fmt.cell(ws, total.requests or 0, COUNT))
    overall = fig.shares.group(fig.teams)
    line("Available hours (teams with a capacity recorded)", *share_cells(ws, fmt, overall)[:1])
    line("Share of management time", *share_cells(ws, fmt, overall)[1:])
    line("Teams with a capacity recorded", fmt.cell(ws, overall.teams_covered, COUNT), f"of {overall.teams}")
    line("Share of hours on data already supplied elsewhere", fmt.cell(ws, total.share_duplicated(), SHARE))
    line("Share of hours where the information was seen used", fmt.cell(ws, total.share_used(), SHARE))
    line("Hours with no licence in force (see Unlicensed)", fmt.cell(ws, fig.unlicensed.totals.hours, HOURS))
    line("Cost with no licence in force (£)", fmt.cell(ws, fig.unlicensed.totals.cost, MONEY))
    line(f"Hours in {month_label(add_months(fig.month, -1))} (the whole month)",
         fmt.cell(ws, fig.previous_totals.hours, HOURS))
    line("Change in hours vs previous month", fmt.cell(ws, total.hours - fig.previous_totals.hours, CHANGE))
    add([text_cell(ws, WHOLE_MONTHS_NOTE)])

    add()
    add([fmt.cell(ws, f"Top {TOP} sources by hours", bold=True)])
    header(("Source", "Kind", "Hours", "Cost (£)", "Share of hours"))
    for row in fig.by_source.rows[:TOP]:
        kind = fig.by_source.info["source"].get(row.key[0], {}).get("kind")
        add([text_cell(ws, row.label[0]), SOURCE_KINDS.get(kind, kind), fmt.cell(ws, row.hours, HOURS),
             fmt.cell(ws, row.cost, MONEY), fmt.cell(ws, _share(row.minutes, total.minutes), SHARE)])
    add()
    add([fmt.cell(ws, f"Top {TOP} requests by hours", bold=True)])
    header(("Request", "Source", "Hours", "Cost (£)", "Share of hours"))
    for row in fig.by_request.rows[:TOP]:
        source = fig.by_request.info["request"].get(row.key[0], {}).get("source", "")
        add([text_cell(ws, row.label[0]), text_cell(ws, source), fmt.cell(ws, row.hours, HOURS),
             fmt.cell(ws, row.cost, MONEY), fmt.cell(ws, _share(row.minutes, total.minutes), SHARE)])

    add()
    chart = _hours_by_team_chart(fig, by_team_ws)
    chart.width, chart.height = chart_size(ws, 18.0, chart.height)
    for _ in range(keep_chart_whole(ws, chart, written + 1)):  # the chart's rows, left empty
        add()

    add([fmt.cell(ws, "Sign-off", bold=True)])
    header(("Team", "Month signed off", "Signed off by", "Signed off at"))
    for team in sorted(fig.teams, key=lambda t: fig.team_name(t).lower()):
        signed = signoffs.get(team)
        if signed:
            add([text_cell(ws, fig.team_name(team)), "Signed off", text_cell(ws, signed.get("by", "")),
                 fmt.cell(ws, _local(signed.get("at"), fig.timezone), DATETIME)])
        else:
            add([text_cell(ws, fig.team_name(team)), "Not signed off"])
    set_print_area(ws, len(widths), written)


def _hours_by_team_chart(fig: MonthFigures, by_team_ws) -> BarChart:
    charted = max(1, min(len(fig.teams), CHART_TEAMS))
    chart = BarChart()
    chart.type = "bar"  # horizontal: team names stay readable
    chart.title = "Hours by team"
    if len(fig.teams) > CHART_TEAMS:
        chart.title = f"Hours by team (the {CHART_TEAMS} with the most hours; By team lists all {len(fig.teams)})"
    chart.y_axis.title = "Hours"
    chart.x_axis.title = "Team"
    chart.x_axis.scaling.orientation = "maxMin"  # most hours at the top, as in the table
    chart.y_axis.crosses = "max"  # ...and the hours axis still at the bottom
    chart.y_axis.number_format = "0"
    chart.x_axis.delete = False
    chart.y_axis.delete = False
    chart.legend = None
    chart.height = max(7.5, 0.6 * charted + 3)
    chart.add_data(Reference(by_team_ws, min_col=5, min_row=1, max_row=charted + 1), titles_from_data=True)
    chart.set_categories(Reference(by_team_ws, min_col=1, min_row=2, max_row=charted + 1))
    return chart
