"""Every workbook the app writes, printed to PDF by LibreOffice Calc and read back page by page (issue 22):
converted without a repair, no text under 7 pt on any page, a heading and a footer (sheet, scope and
period, page X of Y) on every page, header rows on every page, and each chart whole on one page.

The workbooks are built and converted once per run (the `printed_workbooks` fixture, tests/printed_workbooks.py)."""
from __future__ import annotations

import pytest
from openpyxl import load_workbook

from tests.print_support import PAGE_NUMBER, charts_in, words
from tests.printed_workbooks import sheet_names, sheet_of

pytestmark = pytest.mark.printing

KINDS = ("region", "team", "workspace", "statement", "template", "bad-rows", "bench")
MIN_POINTS = 7.0
CHARTS = {"region": 2, "team": 2, "bench": 2}  # the Summary's hours by team, the Trend's months


@pytest.fixture(params=KINDS)
def printed(request, printed_workbooks):
    return printed_workbooks[request.param]


def pages_by_sheet(printed) -> dict[str, list]:
    names = sheet_names(printed.book.xlsx)
    found: dict[str, list] = {}
    for page in printed.converted.pages:
        found.setdefault(sheet_of(page, names), []).append(page)
    return found


def test_libreoffice_converts_it_without_a_repair(printed):
    assert printed.problems == []
    assert printed.converted is not None and printed.converted.pages


def test_no_text_on_any_page_is_smaller_than_7_points(printed):
    # The sizes are measured in Carlito's proportions (tests/print_support.BOX_PER_POINT): every word is Carlito.
    assert printed.converted.fonts <= {"Carlito", "Carlito-Bold"}, printed.converted.fonts
    small = [(page.number, round(page.smallest, 2), page.smallest_word) for page in printed.converted.pages
             if page.smallest < MIN_POINTS]
    assert small == [], f"{printed.book.kind}: pages with text under {MIN_POINTS} pt: {small[:10]}"


def test_every_page_has_the_heading_and_the_footer_naming_sheet_scope_period_and_page(printed):
    names = sheet_names(printed.book.xlsx)
    for page in printed.converted.pages:
        footer = page.footer
        assert sheet_of(page, names) is not None, (page.number, footer)
        assert printed.book.scope_and_period in footer, (page.number, footer)
        number = PAGE_NUMBER.search(footer)
        assert number and 1 <= int(number.group(1)) <= int(number.group(2)), (page.number, footer)
        assert page.header, page.number  # the workbook's heading
    assert set(pages_by_sheet(printed)) == set(names)  # every visible sheet prints


def test_the_header_row_repeats_on_every_page_of_a_table(printed):
    wb = load_workbook(printed.book.xlsx, read_only=False)
    by_sheet = pages_by_sheet(printed)
    for name, pages in by_sheet.items():
        ws = wb[name]
        if ws.print_title_rows != "$1:$1" or len(pages) < 2:
            continue
        first = words(str(ws["A1"].value))
        missing = [page.number for page in pages if first not in words(page.body)]
        assert missing == [], f"{name}: {first!r} missing on pages {missing[:10]}"


def test_each_chart_is_titled_has_named_axes_and_prints_whole_on_one_page(printed):
    charts = charts_in(printed.book.xlsx)
    assert len(charts) == CHARTS.get(printed.book.kind, 0)
    for chart in charts:
        assert chart.title and len(chart.axes) == 2 and all(chart.axes), chart
        on = [page for page in printed.converted.pages if words(chart.title) in words(page.body)]
        assert len(on) == 1, f"{chart.title!r} on pages {[p.number for p in on]}"
        for axis in chart.axes:  # the rest of the chart is on the same page
            assert axis in words(on[0].body), (chart.title, axis)
