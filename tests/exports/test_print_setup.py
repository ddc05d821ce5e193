"""The one print setup (tracker/shared/xlsx/printing.py) decides from a sheet's own widths, so a column added
to any sheet later prints legibly without a special case: checked here on plain sheets of every width."""
from __future__ import annotations

from openpyxl import Workbook

from tracker.shared.xlsx.formats import set_widths
from tracker.shared.xlsx.printing import MIN_SCALE, prepare_for_print, print_scale


def sheet_of(widths, key_columns=1):
    ws = Workbook(write_only=True).create_sheet("Wide")
    set_widths(ws, widths)
    ws.plan = prepare_for_print(ws, "All teams, March 2026", key_columns=key_columns,
                                heading="Reporting burden workbook")
    return ws


def test_a_narrow_sheet_prints_portrait_unscaled():
    ws = sheet_of([40, 20])
    assert ws.page_setup.orientation == "portrait"
    assert ws.plan.pages_across == 1 and print_scale(ws) == 1.0
    assert ws.print_title_cols is None


def test_a_wider_sheet_prints_landscape_one_page_wide_while_the_scale_stays_at_70_percent():
    ws = sheet_of([30] + [12] * 10)  # about 29 cm: just too wide for the landscape page unscaled
    assert ws.page_setup.orientation == "landscape"
    assert ws.plan.pages_across == 1
    assert MIN_SCALE <= print_scale(ws) < 1.0
    assert ws.print_title_cols is None


def test_the_scale_is_a_percentage_so_manual_page_breaks_hold():
    ws = sheet_of([30] + [12] * 10)
    assert ws.sheet_properties.pageSetUpPr is None or not ws.sheet_properties.pageSetUpPr.fitToPage
    assert int(ws.page_setup.scale) == ws.plan.scale


def test_adding_columns_spreads_the_sheet_over_pages_across_never_below_70_percent():
    across = []
    for extra in range(0, 40):
        ws = sheet_of([40] + [12] * (8 + extra))
        assert print_scale(ws) >= MIN_SCALE, extra
        pages = ws.plan.pages_across
        across.append(pages)
        # The first column names each row: it repeats on every page across.
        assert (ws.print_title_cols == "$A:$A") == (pages > 1), extra
        assert (ws.page_setup.pageOrder == "overThenDown") == (pages > 1), extra
        assert ws.oddFooter.center.text == "All teams, March 2026"
        assert ws.oddHeader.center.text == "Reporting burden workbook"
    assert across == sorted(across) and across[0] == 1 and across[-1] >= 3


def test_key_columns_repeat_together_when_a_row_is_named_by_two():
    ws = sheet_of([6, 50] + [13] * 16, key_columns=2)  # the workspace's Ranking: rank and request
    assert ws.plan.pages_across == 2
    assert ws.print_title_cols == "$A:$B"
    assert print_scale(ws) >= MIN_SCALE


def test_an_ampersand_in_a_scope_is_printed_not_read_as_a_code():
    ws = Workbook(write_only=True).create_sheet("Entries")
    set_widths(ws, [20])
    prepare_for_print(ws, "Mental Health & Wellbeing, March 2026")
    assert ws.oddFooter.center.text == "Mental Health && Wellbeing, March 2026"
