"""The monthly workbook prints: print settings read back with openpyxl from a real .xlsx."""
from __future__ import annotations

from datetime import date

import pytest
from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string, range_boundaries

from tracker.exports.sheets import WHOLE_MONTHS_NOTE
from tracker.exports.workbook import SHEET_NAMES, build_workbook

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


def test_every_sheet_prints_landscape_one_page_wide_with_titles_footer_and_area(workbook):
    for name in SHEET_NAMES:
        ws = workbook[name]
        assert ws.page_setup.orientation == "landscape", name
        assert ws.sheet_properties.pageSetUpPr.fitToPage is True, name
        assert (int(ws.page_setup.fitToWidth), int(ws.page_setup.fitToHeight)) == (1, 0), name  # 0: as tall as needed
        assert ws.print_title_rows == "$1:$1", name  # the header row on every page
        footer = ws.oddFooter
        assert footer.left.text == "&A", name  # the sheet's name
        assert footer.center.text == "Reporting burden, March 2026", name
        assert footer.right.text == "Page &P of &N", name
        # The (first) print area starts at A1 and covers every cell holding a value.
        first_area = ws.print_area.split(",")[0].split("!")[1].replace("$", "")
        min_col, min_row, max_col, max_row = range_boundaries(first_area)
        last_col, last_row = used_extent(ws)
        assert (min_col, min_row) == (1, 1), name
        assert (max_col, max_row) == (last_col, last_row), name


def test_wide_sheets_repeat_the_team_column(workbook):
    for name in ("Team x Source", "Trend"):
        assert workbook[name].print_title_cols == "$A:$A"


def test_summary_fits_one_page_wide_with_its_chart_in_the_printed_area(workbook):
    ws = workbook["Summary"]
    area = ws.print_area.split("!")[1].replace("$", "")
    _, _, max_col, max_row = range_boundaries(area)
    assert max_col == 5  # labels (A) and values (B..E) on the same page
    chart = ws._charts[0]
    anchor = chart.anchor._from
    assert anchor.col == 0 and anchor.row + 1 < max_row  # in column A, inside the printed rows
    width_cm = sum((ws.column_dimensions[letter].width * 7 + 5) / 96 * 2.54 for letter in "ABCDE")
    assert chart.width <= width_cm  # and no wider than the printed columns


def test_trend_prints_its_table_and_then_its_chart(workbook):
    ws = workbook["Trend"]
    table, chart_area = ws.print_area.split(",")
    _, _, table_col, _ = range_boundaries(table.split("!")[1].replace("$", ""))
    chart_col, chart_row, _, _ = range_boundaries(chart_area.split("!")[1].replace("$", ""))
    anchor = ws._charts[0].anchor._from
    assert (anchor.col + 1, anchor.row + 1) == (chart_col, chart_row)
    assert chart_col > table_col
    assert table_col == column_index_from_string("N")  # Team, 12 months, Total


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
