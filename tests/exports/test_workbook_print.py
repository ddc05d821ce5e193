"""The monthly workbook prints: print settings read back with openpyxl from a real .xlsx."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, range_boundaries

from tracker.exports.sheets import WHOLE_MONTHS_NOTE, WORKBOOK_HEADING
from tracker.exports.workbook import SHEET_NAMES, build_workbook
from tracker.shared.xlsx.printing import MIN_SCALE, print_scale

MARCH = date(2026, 3, 1)


@pytest.fixture
def workbook(db, tmp_path, make_team, make_user, make_source, make_request, make_entry):
    north = make_team("Community Nursing North")
    east = make_team("Adult Social Care East")
    user = make_user("manager", [north, east])
    sitrep = make_request("Weekly sitrep", make_source("NHS England (Midlands)"), frequency="weekly")
    assurance = make_request("Quarterly assurance", make_source("Care Quality Commission", kind="regulator"))
    for day in (2, 9, 16, 23):
        make_entry(user, north, sitrep, occurred_on=date(2026, 3, day), minutes=90)
    make_entry(user, east, assurance, occurred_on=date(2026, 3, 5), minutes=45)
    make_entry(user, east, sitrep, occurred_on=date(2026, 2, 5), minutes=600)  # the month before
    result = build_workbook(db.session, month=MARCH, team_ids=None, path=tmp_path / "burden.xlsx",
                            scope_label="All teams")
    return load_workbook(result.path)


def used_extent(ws) -> tuple[int, int]:
    """The last column and row holding a value."""
    last_row = last_col = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.value is not None:
                last_row, last_col = max(last_row, cell.row), max(last_col, cell.column)
    return last_col, last_row


def test_every_sheet_prints_on_a4_at_a_legible_scale_with_titles_heading_footer_and_area(workbook):
    for name in SHEET_NAMES:
        ws = workbook[name]
        assert int(ws.page_setup.paperSize) == 9, name  # A4
        assert not ws.sheet_properties.pageSetUpPr.fitToPage, name  # a scale: manual page breaks hold
        assert print_scale(ws) >= MIN_SCALE, name
        # The header row on every page (the Summary is no table: the page's heading names the workbook).
        assert ws.print_title_rows == (None if name == "Summary" else "$1:$1"), name
        assert ws.oddHeader.center.text == WORKBOOK_HEADING, name
        footer = ws.oddFooter
        assert footer.left.text == "&A", name  # the sheet's name
        assert footer.center.text == "All teams, March 2026", name  # scope and period
        assert footer.right.text == "Page &P of &N", name
        # The print area starts at A1 and covers every cell holding a value (and the rows a chart stands on).
        first_area = ws.print_area.split(",")[0].split("!")[1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(first_area)
        last_col, last_row = used_extent(ws)
        assert (min_col, min_row) == (1, 1), name
        assert max_col == last_col and (max_row == last_row or ws._charts and max_row > last_row), name


def test_header_rows_wrap_so_long_names_print_whole(workbook):
    for name in ("By team", "By source", "By request", "Team x Source", "Entries"):
        assert workbook[name]["B1"].alignment.wrap_text, name


def test_summary_prints_its_chart_on_a_page_of_its_own_within_the_printed_columns(workbook):
    ws = workbook["Summary"]
    area = ws.print_area.split("!")[1].replace("$", "")
    _, _, max_col, max_row = range_boundaries(area)
    assert max_col == 5  # labels (A) and values (B..E) on the same page
    chart = ws._charts[0]
    anchor = chart.anchor._from
    assert anchor.col == 0 and anchor.row + 1 < max_row  # in column A, inside the printed rows
    assert [brk.id for brk in ws.row_breaks.brk] == [anchor.row - 1]  # a page break above the empty row above it
    width_cm = sum((ws.column_dimensions[letter].width * 7 + 5) / 96 * 2.54 for letter in "ABCDE")
    assert chart.width <= width_cm  # and no wider than the printed columns
    assert chart.y_axis.title is not None and chart.x_axis.title is not None  # both axes named


def test_trend_prints_its_table_and_then_its_chart_on_a_page_of_its_own(workbook):
    ws = workbook["Trend"]
    area = ws.print_area.split("!")[1].replace("$", "")
    _, _, table_col, last_row = range_boundaries(area)
    assert table_col == column_index_from_string("N")  # Team, 12 months, Total
    anchor = ws._charts[0].anchor._from
    assert anchor.col == 0 and anchor.row + 1 > 4  # under the table (two teams and the total)
    assert [brk.id for brk in ws.row_breaks.brk] == [anchor.row - 1]
    assert anchor.row + 1 < last_row  # the chart's rows are printed


def test_change_against_the_previous_month_says_it_compares_whole_months(workbook):
    by_team = workbook["By team"]
    header = by_team["I1"]
    assert header.value == "Change in hours vs previous month"
    assert header.comment is not None and header.comment.text == WHOLE_MONTHS_NOTE
    summary = {row[0]: row[1] for row in workbook["Summary"].iter_rows(values_only=True) if row and row[0]}
    assert summary["Hours in February 2026 (the whole month)"] == pytest.approx(10.0)
    assert summary["Change in hours vs previous month"] == pytest.approx(6.75 - 10.0)
    assert WHOLE_MONTHS_NOTE in summary


def test_entries_repeat_their_header_on_every_printed_page(workbook):
    ws = workbook["Entries"]
    assert ws.print_title_rows == "$1:$1"
    assert ws.print_area == "'Entries'!$A$1:$L$6"  # header and five entries
    assert ws.freeze_panes == "A2"
