"""Number formats and cell styles shared by every workbook the app writes."""
from __future__ import annotations

from decimal import Decimal

from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

HOURS = "0.00"
MONEY = "£#,##0.00"
SHARE = "0.0%"
CHANGE = "+0.00;-0.00;0.00"
COUNT = "#,##0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
MONTH = "mmm yyyy"


class Formats:
    """Cell styles made once per workbook.

    Building a style per cell (Font(), number_format=...) costs a lookup per
    assignment; a StyleArray copied from a template cell costs next to
    nothing, which matters on the Entries sheet."""

    def __init__(self, ws):
        self._ws = ws
        self._arrays: dict[tuple, object] = {}

    def array(self, number_format: str | None = None, bold: bool = False, size: int | None = None):
        key = (number_format, bold, size)
        if key not in self._arrays:
            template = Cell(self._ws, row=1, column=1)
            if bold or size:
                template.font = Font(name="Calibri", bold=bold, size=size or 11)  # the workbook default font
            if number_format:
                template.number_format = number_format
            self._arrays[key] = template._style
        return self._arrays[key]

    def cell(self, ws, value, number_format: str | None = None, bold: bool = False, size: int | None = None):
        """A styled cell for a number, date or our own label (user text goes through tracker/shared/xlsx/text.py)."""
        if isinstance(value, Decimal):
            value = float(value)
        return Cell(ws, row=1, column=1, value=value, style_array=self.array(number_format, bold, size))


def set_widths(ws, widths) -> None:
    """Column widths, in characters. Write-only sheets need them before the first row."""
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width


def fit(texts, header: str, low: int = 8, high: int = 50) -> float:
    """A width that shows the header and most values without making the sheet unreadable."""
    longest = max([len(header)] + [len(str(t)) for t in texts if t is not None], default=len(header))
    return float(min(max(longest + 2, low), high))


def print_setup(ws, title_rows: str | None = "1:1", landscape: bool = True) -> None:
    """Print on A4, one page wide, repeating the header row on every page. Call before the first row
    of a write-only sheet."""
    from openpyxl.worksheet.properties import PageSetupProperties

    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = 9  # A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.print_options.gridLines = True
    if title_rows:
        ws.print_title_rows = title_rows
