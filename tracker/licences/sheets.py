"""Licences in workbooks: the monthly workbook's Unlicensed sheet, and the burden statement as .xlsx.

Same conventions as the monthly workbook (tracker/shared/xlsx): numbers as
numbers with formats, user text as text (never a formula), bold headers,
frozen header rows, A4 print settings (tracker/shared/xlsx/printing.py). Figures are the Statement's and
UnlicensedBurden's, which come from the burden service."""
from __future__ import annotations

import io
from datetime import date

from openpyxl import Workbook

from tracker.catalogue.services import slugify
from tracker.licences.statement import Statement
from tracker.licences.unlicensed import UnlicensedBurden
from tracker.shared.choices import DECISIONS, FREQUENCIES, LICENCE_STATUSES, OBLIGATIONS, REQUEST_STATUSES, SOURCE_KINDS
from tracker.shared.xlsx.formats import COUNT, DATE, HOURS, MONEY, SHARE, Formats, fit, set_widths
from tracker.shared.xlsx.printing import prepare_for_print, set_print_area
from tracker.shared.xlsx.text import text_cell

UNLICENSED_SHEET = "Unlicensed"
STATEMENT_HEADING = "Burden statement"


def _header(ws, fmt, names) -> None:
    ws.append(fmt.header(ws, names))


def _figures(ws, fmt, row, fte, bold=False) -> list:
    return [
        fmt.cell(ws, row.entries, COUNT, bold=bold),
        fmt.cell(ws, row.hours, HOURS, bold=bold),
        fmt.cell(ws, row.cost, MONEY, bold=bold),
        fmt.cell(ws, fte, HOURS, bold=bold),
    ]


# ---- the monthly workbook's sheet ---------------------------------------------


def write_unlicensed(ws, fmt: Formats, unlicensed: UnlicensedBurden, footer: str, heading: str | None = None) -> None:
    """Hours and cost on days a request had no licence in force, by team, then by source."""
    names = [r.label[0] for r in unlicensed.by_team + unlicensed.by_source]
    widths = [fit(names, "Source", high=60), 20, 10, 10, 14, 10]
    set_widths(ws, widths)
    prepare_for_print(ws, footer, heading=heading)  # the title row repeats on every page, as on every sheet of the workbook
    flt, rows = unlicensed.filter, []
    rows.append([fmt.cell(ws, "Work on requests with no licence in force", bold=True, size=14)])
    rows.append([fmt.cell(ws, "From", bold=True), fmt.cell(ws, flt.start, DATE)])
    rows.append([fmt.cell(ws, "To", bold=True), fmt.cell(ws, flt.end, DATE)])
    rows.append(["A day counts when the request had no licence that day: never licensed, or its licence had expired."])
    rows.append([])
    total = [fmt.cell(ws, "Total", bold=True), None, *_figures(ws, fmt, unlicensed.totals, unlicensed.fte(unlicensed.totals), True)]
    rows.append(fmt.header(ws, ("Team", "", "Entries", "Hours", "Cost (£)", "FTE")))
    rows += [[text_cell(ws, row.label[0]), None, *_figures(ws, fmt, row, unlicensed.fte(row))] for row in unlicensed.by_team]
    rows += [total, []]
    rows.append(fmt.header(ws, ("Source", "Kind", "Entries", "Hours", "Cost (£)", "FTE")))
    for row in unlicensed.by_source:
        kind = unlicensed.info["source"].get(row.key[0], {}).get("kind")
        rows.append([text_cell(ws, row.label[0]), SOURCE_KINDS.get(kind, kind or ""), *_figures(ws, fmt, row, unlicensed.fte(row))])
    rows.append(list(total))
    for cells in rows:
        ws.append(cells)
    set_print_area(ws, len(widths), len(rows))


# ---- the burden statement -----------------------------------------------------

STATEMENT_COLUMNS = (
    "Request", "Frequency", "Obligation", "Status", "Teams", "Entries", "Hours", "Cost (£)", "FTE",
    "Data supplied elsewhere (share)", "No sign of use (share)", "Licence", "Licence reference", "Licence expires on",
    "Expected hours a year", "Observed hours a year", "Observed ÷ expected",
)


def statement_filename(statement: Statement) -> str:
    return f"burden-statement-{slugify(statement.source.name)}-{statement.start:%Y-%m-%d}-to-{statement.end:%Y-%m-%d}.xlsx"


def statement_footer(statement: Statement) -> str:
    return f"Burden statement, {statement.source.name}, {statement.start:%-d %b %Y} to {statement.end:%-d %b %Y}"


def statement_workbook(statement: Statement, generated_on: date) -> bytes:
    wb = Workbook(write_only=True)
    summary, requests, decisions = wb.create_sheet("Statement"), wb.create_sheet("Requests"), wb.create_sheet("Decisions")
    fmt = Formats(summary)
    _write_statement_summary(summary, fmt, statement, generated_on)
    _write_statement_requests(requests, fmt, statement)
    _write_statement_decisions(decisions, fmt, statement)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _write_statement_summary(ws, fmt, st: Statement, generated_on: date) -> None:
    set_widths(ws, [46, fit([st.source.name], "", low=16, high=60)])
    prepare_for_print(ws, statement_footer(st), heading=STATEMENT_HEADING, title_rows=None)
    totals = st.totals

    def line(label, cell):
        ws.append([fmt.cell(ws, label, bold=True), cell])

    ws.append([fmt.cell(ws, STATEMENT_HEADING, bold=True, size=14)])
    line("Source", text_cell(ws, st.source.name))
    line("Kind of source", SOURCE_KINDS.get(st.source.kind, st.source.kind))
    line("From", fmt.cell(ws, st.start, DATE))
    line("To", fmt.cell(ws, st.end, DATE))
    line("Made on", fmt.cell(ws, generated_on, DATE))
    ws.append([])
    line("Requests", fmt.cell(ws, len(st.lines), COUNT))
    line("Teams answering", fmt.cell(ws, totals.teams or 0, COUNT))
    line("Entries", fmt.cell(ws, totals.entries, COUNT))
    line("Hours", fmt.cell(ws, totals.hours, HOURS))
    line("Cost (£)", fmt.cell(ws, totals.cost, MONEY))
    line("FTE", fmt.cell(ws, st.fte(totals), HOURS))
    line("Share of hours on data already supplied elsewhere", fmt.cell(ws, st.duplicated_share, SHARE))
    line("Share of hours with no sign the information was used", fmt.cell(ws, st.unused_share, SHARE))
    line("Hours with no licence in force", fmt.cell(ws, st.unlicensed.totals.hours, HOURS))
    line("Cost with no licence in force (£)", fmt.cell(ws, st.unlicensed.totals.cost, MONEY))


def _write_statement_requests(ws, fmt, st: Statement) -> None:
    set_widths(ws, [fit([line.request.title for line in st.lines], "Request", high=60), 12, 14, 12, 8, 10, 10, 14, 8,
                    14, 14, 16, 20, 14, 14, 14, 12])
    prepare_for_print(ws, statement_footer(st), heading=STATEMENT_HEADING)
    ws.freeze_panes = "B2"
    _header(ws, fmt, STATEMENT_COLUMNS)
    for line in st.lines:
        row, licence, comparison = line.row, line.licence, line.comparison
        figures = comparison.figures
        ws.append([
            text_cell(ws, line.request.title),
            FREQUENCIES.get(line.request.frequency, ""),
            OBLIGATIONS.get(line.request.obligation, ""),
            REQUEST_STATUSES.get(line.request.status, ""),
            fmt.cell(ws, row.teams or 0, COUNT),
            *_figures(ws, fmt, row, st.fte(row)),
            fmt.cell(ws, row.share_duplicated(), SHARE),
            fmt.cell(ws, line.share_no_sign_of_use, SHARE),
            LICENCE_STATUSES[licence.status],
            text_cell(ws, licence.reference or ""),
            fmt.cell(ws, licence.expires_on, DATE),
            fmt.cell(ws, figures.expected_annual_hours if figures else None, HOURS),
            fmt.cell(ws, comparison.observed.annual_hours if comparison.observed else None, HOURS),
            fmt.cell(ws, comparison.ratio, HOURS),
        ])
    ws.append([fmt.cell(ws, "Total", bold=True), None, None, None, fmt.cell(ws, st.totals.teams or 0, COUNT, bold=True),
               *_figures(ws, fmt, st.totals, st.fte(st.totals), True),
               fmt.cell(ws, st.duplicated_share, SHARE, bold=True), fmt.cell(ws, st.unused_share, SHARE, bold=True)])


DECISION_COLUMNS = ("Request", "Decision", "Detail", "Decided on", "Effective from", "Review on",
                    "Expected saving (hours a year)", "Expected saving (£ a year)", "Rationale")


def decision_detail(decision) -> str:
    if decision.kind == "merge" and decision.merge_into is not None:
        return f"Into {decision.merge_into.title}"
    if decision.kind == "reduce_frequency":
        return f"To {FREQUENCIES.get(decision.new_frequency, decision.new_frequency).lower()}"
    if decision.kind == "simplify":
        return f"To {decision.target_hours} hours an entry"
    return ""


def _write_statement_decisions(ws, fmt, st: Statement) -> None:
    set_widths(ws, [fit([d.request.title for d in st.decisions], "Request", high=60), 22, 30, 12, 14, 12, 16, 16, 60])
    prepare_for_print(ws, statement_footer(st), heading=STATEMENT_HEADING)
    ws.freeze_panes = "A2"
    _header(ws, fmt, DECISION_COLUMNS)
    for d in st.decisions:
        ws.append([
            text_cell(ws, d.request.title),
            DECISIONS.get(d.kind, d.kind),
            text_cell(ws, decision_detail(d)),
            fmt.cell(ws, d.decided_on, DATE),
            fmt.cell(ws, d.effective_on, DATE),
            fmt.cell(ws, d.review_on, DATE),
            fmt.cell(ws, d.expected_saving_hours, HOURS),
            fmt.cell(ws, d.expected_saving_cost, MONEY),
            text_cell(ws, d.rationale),
        ])
