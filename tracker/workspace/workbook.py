"""The workspace as an Excel workbook: the ranking with its Pareto column, likely duplicates, and
decisions with expected and realised savings.

The monthly workbook's conventions (tracker/shared/xlsx): user text as text
cells (never a formula), numbers as numbers with number formats, dates as
dates, bold headers frozen on the first row, column widths, and the one print
setup (tracker/shared/xlsx/printing.py: A4, legible, the header on every page,
a heading and a footer on every page). Every figure is the
one the pages and the API show, unrounded: the number format rounds."""
from __future__ import annotations

import textwrap
from datetime import date, datetime, timezone
from decimal import Decimal
from typing import BinaryIO

from openpyxl import Workbook

from tracker.extensions import db
from tracker.workspace.decisions import DECISIONS, expected_fte
from tracker.workspace.duplicates import find_duplicates
from tracker.workspace.figures import ranking
from tracker.workspace.pages import all_decisions, decision_rows
from tracker.shared.choices import DECISION_STATUSES, DUPLICATE_VERDICTS, FREQUENCIES, OBLIGATIONS, REQUEST_STATUSES, SOURCE_KINDS
from tracker.shared.snapshot import one_snapshot
from tracker.shared.timeutil import app_timezone, utcnow
from tracker.shared.xlsx.formats import COUNT, DATE, DATETIME, HOURS, MONEY, SHARE, Formats, fit, set_widths
from tracker.shared.xlsx.printing import prepare_for_print, set_print_area
from tracker.shared.xlsx.text import text_cell

SHEET_NAMES = ("Summary", "Ranking", "Likely duplicates", "Decisions", "Variation")
SIXTY = Decimal(60)
FTE = "0.000"

RANKING = ("Rank", "Request", "Source", "Kind of source", "Frequency", "Obligation", "Status", "Entries", "Teams",
           "Hours", "Cost (£)", "Hours per entry (median)", "Duplicated elsewhere (share)", "Used or feedback (share)",
           "Projected hours a year", "Projected cost a year (£)", "Projected FTE", "Cumulative share of hours",
           "Variation saving (hours)", "Variation saving (£)")
VARIATION = ("Request", "Source", "Frequency", "Team", "Position (cheapest first)", "Responses", "Hours",
             "Hours per response", "Median hours per response", "Times the median", "Flagged (2 × the median or more)",
             "Saving at the median (hours)", "Saving at the median (£)")
DUPLICATES = ("Request", "Source", "Likely duplicate", "Its source", "Score", "Title score", "Description score",
              "Teams answering both in the same weeks, marked supplied elsewhere", "Such team-weeks", "Verdict")
DECISION_COLUMNS = (
    "Request", "Source", "Decision", "Detail", "Status", "Rationale", "Decided by", "Decided on", "Effective from",
    "Review on", "Baseline from", "Baseline to", "Baseline entries", "Baseline hours", "Baseline cost (£)",
    "Baseline teams", "Expected saving (hours a year)", "Expected saving (£ a year)", "Expected saving (FTE)",
    "Realised saving (hours a year)", "Realised saving (£ a year)", "Measured", "Against the same days a year before (hours a year)",
    "Saving uncertain", "Carriers' other work before (hours a day)", "Carriers' other work after (hours a day)",
    "Withdrawn on", "Withdrawal reason",
)


def _header(ws, fmt, names) -> None:
    ws.append(fmt.header(ws, names))


HEADING = "Commissioner's workspace"
PROJECTION_NOTE = ("Projection: median hours per entry × occurrences a year × teams that logged it in the 12 months "
                   "(ad hoc: the entries per team observed), priced at today's rates for the request's own band mix.")


def print_footer(ranked) -> str:
    """Scope and period, as every printed page's footer names them."""
    return f"Every request, figures {ranked.start:%-d %b %Y} to {ranked.end:%-d %b %Y}"


def _sheet(wb, name, widths, footer, key_columns=1):
    ws = wb.create_sheet(name)
    set_widths(ws, widths)
    ws.freeze_panes = "A2"
    prepare_for_print(ws, footer, heading=HEADING, key_columns=key_columns)
    return ws


def build_workspace_workbook(target: BinaryIO, today: date, session=None) -> dict:
    """Write the workspace workbook as of `today` into `target` (a file or BytesIO). Returns the totals written."""
    session = session or db.session
    with one_snapshot(session):
        ranked = ranking(today, session=session)
        pairs = find_duplicates(today, session=session)
        rows = decision_rows(all_decisions(session), today)
    wb = Workbook(write_only=True)
    summary = wb.create_sheet(SHEET_NAMES[0])
    fmt = Formats(summary)
    _write_summary(summary, fmt, ranked, pairs, rows)
    footer = print_footer(ranked)
    _write_ranking(wb, fmt, ranked, footer)
    _write_duplicates(wb, fmt, pairs, footer)
    _write_decisions(wb, fmt, rows, footer)
    _write_variation(wb, fmt, ranked, footer)
    wb.save(target)
    return {"requests": len(ranked.rows), "minutes": ranked.total_minutes, "cost": ranked.total_cost,
            "pairs": len(pairs), "decisions": len(rows)}


def _local_now() -> datetime:
    return utcnow().astimezone(app_timezone()).replace(tzinfo=None)


def _write_summary(ws, fmt, ranked, pairs, rows) -> None:
    set_widths(ws, [52, 20])
    prepare_for_print(ws, print_footer(ranked), title_rows=None, heading=HEADING)

    lines = []

    def line(label, cell):
        lines.append([fmt.cell(ws, label, bold=True), cell])

    lines.append([fmt.cell(ws, HEADING, bold=True, size=14)])
    line("Generated at", fmt.cell(ws, _local_now(), DATETIME))
    line("Figures from", fmt.cell(ws, ranked.start, DATE))
    line("Figures to", fmt.cell(ws, ranked.end, DATE))
    line("Requests", fmt.cell(ws, len(ranked.rows), COUNT))
    line("Requests with entries", fmt.cell(ws, ranked.with_hours, COUNT))
    line("Hours", fmt.cell(ws, ranked.total_hours, HOURS))
    line("Cost (£)", fmt.cell(ws, ranked.total_cost, MONEY))
    line("Requests that make 80% of the hours", fmt.cell(ws, ranked.pareto_count, COUNT))
    line("Likely duplicate pairs", fmt.cell(ws, len(pairs), COUNT))
    line("Live decisions", fmt.cell(ws, sum(1 for r in rows if r.status != "withdrawn"), COUNT))
    line("Decisions due for review", fmt.cell(ws, sum(1 for r in rows if r.status == "review_due"), COUNT))
    lines.append([])
    # The note in lines that fit the printed columns: a write-only sheet cannot give a wrapped row its height.
    lines += [[part] for part in textwrap.wrap(PROJECTION_NOTE, 80)]
    for cells in lines:
        ws.append(cells)
    set_print_area(ws, 2, len(lines))


def _write_ranking(wb, fmt, ranked, footer) -> None:
    rows = ranked.by_hours
    ws = _sheet(wb, SHEET_NAMES[1], [6, fit([f.request.title for f in rows], "Request", high=60),
                                     fit([f.request.source for f in rows], "Source", high=40), 18, 12, 13, 13, 9, 7,
                                     10, 13, 12, 13, 13, 13, 15, 10, 13, 13, 13], footer, key_columns=2)  # rank and request on every page across
    _header(ws, fmt, RANKING)
    for rank, f in enumerate(rows, 1):
        info = f.request
        ws.append([
            fmt.cell(ws, rank, COUNT), text_cell(ws, info.title), text_cell(ws, info.source),
            SOURCE_KINDS.get(info.source_kind, info.source_kind), FREQUENCIES.get(info.frequency, info.frequency),
            OBLIGATIONS.get(info.obligation, info.obligation), REQUEST_STATUSES.get(info.status, info.status),
            fmt.cell(ws, f.entries, COUNT), fmt.cell(ws, f.teams, COUNT), fmt.cell(ws, f.hours, HOURS),
            fmt.cell(ws, f.cost, MONEY), fmt.cell(ws, f.median_hours, HOURS), fmt.cell(ws, f.duplicated_share, SHARE),
            fmt.cell(ws, f.used_share, SHARE), fmt.cell(ws, f.projected_hours, HOURS),
            fmt.cell(ws, f.projected_cost, MONEY), fmt.cell(ws, f.projected_fte, FTE),
            fmt.cell(ws, f.cumulative_share, SHARE), fmt.cell(ws, f.variation_saving_hours, HOURS),
            fmt.cell(ws, f.variation_saving_cost, MONEY),
        ])
    ws.append([
        fmt.cell(ws, "Total", bold=True), None, None, None, None, None, None,
        fmt.cell(ws, sum(f.entries for f in rows), COUNT, bold=True), None,
        fmt.cell(ws, ranked.total_hours, HOURS, bold=True), fmt.cell(ws, ranked.total_cost, MONEY, bold=True),
        None, None, None,
        fmt.cell(ws, sum((f.projected_hours for f in rows), Decimal(0)), HOURS, bold=True),
        fmt.cell(ws, sum((f.projected_cost for f in rows), Decimal(0)), MONEY, bold=True),
        fmt.cell(ws, sum((f.projected_fte for f in rows), Decimal(0)), FTE, bold=True), None,
        fmt.cell(ws, sum((f.variation_saving_hours or Decimal(0) for f in rows), Decimal(0)), HOURS, bold=True),
        fmt.cell(ws, sum((f.variation_saving_cost or Decimal(0) for f in rows), Decimal(0)), MONEY, bold=True),
    ])


def _write_duplicates(wb, fmt, pairs, footer) -> None:
    ws = _sheet(wb, SHEET_NAMES[2], [fit([p.first.title for p in pairs], "Request", high=50), 28,
                                     fit([p.second.title for p in pairs], "Likely duplicate", high=50), 28, 8, 8, 11, 22, 10, 20], footer)
    _header(ws, fmt, DUPLICATES)
    for p in pairs:
        ws.append([
            text_cell(ws, p.first.title), text_cell(ws, p.first.source), text_cell(ws, p.second.title),
            text_cell(ws, p.second.source), fmt.cell(ws, p.score, COUNT), fmt.cell(ws, p.title_score, COUNT),
            fmt.cell(ws, p.description_score, COUNT), fmt.cell(ws, p.shared_teams, COUNT),
            fmt.cell(ws, p.shared_weeks, COUNT), DUPLICATE_VERDICTS.get(p.verdict, "Not judged yet"),
        ])


def _write_variation(wb, fmt, ranked, footer) -> None:
    """Every team on every request answered by three teams or more: the workspace sees every team by name."""
    compared = [f for f in ranked.by_hours if f.variation is not None]
    teams = [t for f in compared for t in f.variation.teams]
    ws = _sheet(wb, SHEET_NAMES[4], [fit([f.request.title for f in compared], "Request", high=50), 28, 12,
                                     fit([t.name for t in teams], "Team", high=40)] + [12] * 9, footer, key_columns=1)
    _header(ws, fmt, VARIATION)
    for f in compared:
        for t in f.variation.teams:
            ws.append([
                text_cell(ws, f.request.title), text_cell(ws, f.request.source),
                FREQUENCIES.get(f.request.frequency, f.request.frequency), text_cell(ws, t.name),
                fmt.cell(ws, t.position, COUNT), fmt.cell(ws, t.responses, COUNT), fmt.cell(ws, t.hours, HOURS),
                fmt.cell(ws, t.hours_per_response, HOURS), fmt.cell(ws, f.variation.median_hours_per_response, HOURS),
                fmt.cell(ws, t.ratio_to_median, HOURS), "Yes" if t.flagged else "No",
                fmt.cell(ws, t.saving_hours, HOURS), fmt.cell(ws, t.saving_cost, MONEY),
            ])


def _detail(d) -> str:
    if d.kind == "merge":
        return f"Into {d.merge_into.label}" if d.merge_into else ""
    if d.kind == "reduce_frequency":
        return f"{FREQUENCIES[d.frequency_before]} to {FREQUENCIES[d.new_frequency]}"
    if d.kind == "simplify":
        return f"Target {d.target_hours} hours per entry"
    return ""


def _write_decisions(wb, fmt, rows, footer) -> None:
    ws = _sheet(wb, SHEET_NAMES[3], [fit([r.decision.request.title for r in rows], "Request", high=50), 28, 24, 36, 16,
                                     50, 20] + [12] * 21, footer)
    _header(ws, fmt, DECISION_COLUMNS)
    for row in rows:
        d, saving = row.decision, row.saving
        hours = Decimal(d.baseline_minutes) / SIXTY
        season = saving.seasonality
        ws.append([
            text_cell(ws, d.request.title), text_cell(ws, d.request.source.name), DECISIONS[d.kind], text_cell(ws, _detail(d)),
            DECISION_STATUSES[row.status], text_cell(ws, d.rationale), text_cell(ws, d.decided_by.name),
            fmt.cell(ws, d.decided_on, DATE), fmt.cell(ws, d.effective_on, DATE), fmt.cell(ws, d.review_on, DATE),
            fmt.cell(ws, d.baseline_start, DATE), fmt.cell(ws, d.baseline_end, DATE),
            fmt.cell(ws, d.baseline_entries, COUNT), fmt.cell(ws, hours, HOURS), fmt.cell(ws, d.baseline_cost, MONEY),
            fmt.cell(ws, d.baseline_teams, COUNT), fmt.cell(ws, d.expected_saving_hours, HOURS),
            fmt.cell(ws, d.expected_saving_cost, MONEY),
            fmt.cell(ws, expected_fte(d), FTE),
            fmt.cell(ws, saving.realised_hours, HOURS), fmt.cell(ws, saving.realised_cost, MONEY),
            _measured_words(row),
            fmt.cell(ws, season.realised_hours if season else None, HOURS),
            "" if saving.uncertain is None else ("Yes" if saving.uncertain else "No"),
            fmt.cell(ws, _hours_a_day(saving.other_minutes_a_day_before), HOURS),
            fmt.cell(ws, _hours_a_day(saving.other_minutes_a_day_after), HOURS),
            fmt.cell(ws, _local_date(d.withdrawn_at), DATE), text_cell(ws, d.withdrawal_reason or ""),
        ])


def _measured_words(row) -> str:
    if row.saving.measured:
        return "Yes"
    if row.saving.saves_nothing:
        return "No saving: kept"
    return "Withdrawn" if row.status == "withdrawn" else "Too early to tell"


def _hours_a_day(minutes) -> Decimal | None:
    return None if minutes is None else minutes / SIXTY


def _local_date(moment: datetime | None) -> date | None:
    if moment is None:
        return None
    return moment.replace(tzinfo=moment.tzinfo or timezone.utc).astimezone(app_timezone()).date()
