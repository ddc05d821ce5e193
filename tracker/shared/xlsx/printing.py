"""Print settings for a write-only sheet: landscape, one page wide, header repeated, a footer.

Call `prepare_for_print` before the sheet's first row (the fit-to-page flag is
written in the sheet's head, which a write-only sheet writes with its first
row); `set_print_area` any time before the workbook is saved (print areas and
titles are defined names, written with the workbook)."""
from __future__ import annotations

import math

from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

DEFAULT_COLUMN_WIDTH = 8.43  # characters, as Excel and LibreOffice assume
DEFAULT_ROW_HEIGHT_CM = 0.53  # 15 points


def footer_text(text: str) -> str:
    """Text for a header or footer: '&' starts a code there, so a plain '&' is written '&&'."""
    return str(text).replace("&", "&&")


def prepare_for_print(ws, period: str, title_rows: str | None = "1:1", title_cols: str | None = None,
                      pages_tall: int = 0) -> None:
    """Landscape, scaled to one page wide (as many pages tall as it takes, unless `pages_tall`),
    `title_rows` (and `title_cols`) repeated on every page, and a footer naming the sheet,
    the period and the page."""
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = pages_tall
    if title_rows:
        ws.print_title_rows = title_rows
    if title_cols:
        ws.print_title_cols = title_cols
    footer = ws.HeaderFooter.oddFooter
    footer.left.text = "&A"  # the sheet's name
    footer.center.text = footer_text(period)
    footer.right.text = "Page &P of &N"


def set_print_area(ws, columns: int, rows: int, extra: list[str] | None = None) -> None:
    """Print columns A.. and rows 1..`rows` (and any `extra` ranges, such as a chart's)."""
    ranges = [f"A1:{get_column_letter(max(1, columns))}{max(1, rows)}"] + list(extra or [])
    ws.print_area = ranges if len(ranges) > 1 else ranges[0]


def column_width_cm(characters: float) -> float:
    """Roughly how wide a column of that many characters prints (7 px a character plus 5, at 96 dpi)."""
    return (characters * 7 + 5) / 96 * 2.54


def rows_for_height(height_cm: float) -> int:
    """How many rows of the default height an object `height_cm` tall covers."""
    return math.ceil(height_cm / DEFAULT_ROW_HEIGHT_CM) + 1


def chart_range(anchor_column: int, anchor_row: int, width_cm: float, height_cm: float) -> str:
    """The cells a chart anchored at (column, row) covers on columns of the default width."""
    columns = math.ceil(width_cm / column_width_cm(DEFAULT_COLUMN_WIDTH)) + 1
    last_column = get_column_letter(anchor_column + columns - 1)
    first_column = get_column_letter(anchor_column)
    return f"{first_column}{anchor_row}:{last_column}{anchor_row + rows_for_height(height_cm)}"
