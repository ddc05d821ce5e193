"""The fast row writer (tracker/shared/xlsx/stream.py) against openpyxl's own public write-only API.

The writer reaches into openpyxl internals for speed, so these tests hold it to
what the public API writes, cell by cell and style by style, and to its rule
that only int, float, date, datetime and str reach a sheet."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import Cell

from tracker.shared.xlsx.files import discard_sheet_files, save_atomically
from tracker.shared.xlsx.formats import DATE, DATETIME, HOURS, MONEY, Formats
from tracker.shared.xlsx.stream import NUMBER, TEXT, CellTypeError, SheetRows, style_id

NAMES = ("Date", "When", "Team", "Minutes", "Hours", "Cost (£)", "Notes")
KINDS = (NUMBER, NUMBER, TEXT, NUMBER, NUMBER, NUMBER, TEXT)
FORMATS = (DATE, DATETIME, None, None, HOURS, MONEY, None)
ROWS = [
    (date(2026, 3, 1), datetime(2026, 3, 1, 9, 30), "Community Nursing North", 90, 1.5, 43.210987, "=HYPERLINK(1)"),
    (date(2026, 3, 31), datetime(2026, 3, 31, 23, 59, 59), "  spaced  ", 1, 1 / 60, 0.1, None),
    (date(2000, 1, 1), datetime(2000, 1, 1), "#N/A", 14400, 240.0, 12345678.123456, "line one\nline two"),
]


def write_fast(path, rows=ROWS):
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Rows")
    fmt = Formats(ws)
    styles = tuple(style_id(ws, fmt.array(f)) if f else None for f in FORMATS)
    try:
        sheet = SheetRows(ws, NAMES, KINDS, styles)
        sheet.header(style_id(ws, fmt.array(bold=True)))
        for row in rows:
            sheet.append(row)
        sheet.close()
        save_atomically(wb, path)
    except BaseException:
        discard_sheet_files(wb)  # as build_workbook does: no temporary files left behind
        raise


def write_public(path, rows=ROWS):
    """The same rows through openpyxl's documented write-only API (typed cells, text forced to string)."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Rows")
    fmt = Formats(ws)
    ws.append([fmt.cell(ws, name, bold=True) for name in NAMES])
    for row in rows:
        cells = []
        for value, kind, number_format in zip(row, KINDS, FORMATS):
            if value is None:
                cells.append(None)
                continue
            cell = Cell(ws, row=1, column=1, value=value)
            if kind == TEXT:
                cell.data_type = "s"
            if number_format:
                cell.number_format = number_format
            cells.append(cell)
        ws.append(cells)
    wb.save(path)


def cells_of(path):
    ws = load_workbook(path)["Rows"]
    return [
        [(c.value, c.data_type, c.number_format, bool(c.font and c.font.b)) for c in row]
        for row in ws.iter_rows()
    ]


def test_every_cell_and_style_matches_openpyxls_public_api(tmp_path):
    fast, public = tmp_path / "fast.xlsx", tmp_path / "public.xlsx"
    write_fast(fast)
    write_public(public)
    assert cells_of(fast) == cells_of(public)
    header, *rows = cells_of(fast)
    assert [c[0] for c in header] == list(NAMES) and all(c[3] for c in header)
    assert rows[0][0][:3] == (datetime(2026, 3, 1), "d", DATE)  # a number with a date format reads back as a date
    assert rows[0][6][:2] == ("=HYPERLINK(1)", "s")  # text, never a formula


@pytest.mark.parametrize(
    "bad, column",
    [
        (Decimal("1.5"), "Hours"),  # once written as <v>Decimal('1.5')</v>, a file Excel would not open
        (True, "Minutes"),
        (float("nan"), "Cost (£)"),
        (float("inf"), "Hours"),
        ("90", "Minutes"),
        (object(), "Cost (£)"),
    ],
)
def test_anything_but_int_float_date_and_str_raises_naming_the_column(tmp_path, bad, column):
    row = list(ROWS[0])
    row[NAMES.index(column)] = bad
    with pytest.raises(CellTypeError, match=re.escape(f"Column '{column}'")):
        write_fast(tmp_path / "bad.xlsx", [row])
    assert not (tmp_path / "bad.xlsx").exists()


def test_a_number_in_a_text_column_is_refused(tmp_path):
    row = list(ROWS[0])
    row[NAMES.index("Team")] = 7
    with pytest.raises(CellTypeError, match="Column 'Team' holds text"):
        write_fast(tmp_path / "bad.xlsx", [row])
