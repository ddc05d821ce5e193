"""Number formats and cell styles shared by every workbook the app writes."""
from __future__ import annotations

from decimal import Decimal

from openpyxl.cell.cell import Cell
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter

from tracker.shared.xlsx.text import text_cell

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

    def array(self, number_format: str | None = None, bold: bool = False, size: int | None = None, wrap: bool = False):
        key = (number_format, bold, size, wrap)
        if key not in self._arrays:
            template = Cell(self._ws, row=1, column=1)
            if bold or size:
                template.font = Font(name="Calibri", bold=bold, size=size or 11)  # the workbook default font
            if number_format:
                template.number_format = number_format
            if wrap:  # long text in lines within its column, so it prints whole (the row grows to fit)
                template.alignment = Alignment(wrap_text=True, vertical="top")
            self._arrays[key] = template._style
        return self._arrays[key]

    def header(self, ws, names) -> list:
        """A table's header row: bold, wrapped in its column (a long name takes two lines, not the next
        column's space), so the printed header shows every name whole."""
        style = self.array(bold=True, wrap=True)
        return [text_cell(ws, name, style) for name in names]

    def cell(self, ws, value, number_format: str | None = None, bold: bool = False, size: int | None = None,
             wrap: bool = False):
        """A styled cell for a number, date or our own label (user text goes through tracker/shared/xlsx/text.py)."""
        if isinstance(value, Decimal):
            value = float(value)
        return Cell(ws, row=1, column=1, value=value, style_array=self.array(number_format, bold, size, wrap))


def set_widths(ws, widths) -> None:
    """Column widths, in characters. Write-only sheets need them before the first row."""
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width


def fit(texts, header: str, low: int = 8, high: int = 50) -> float:
    """A width that shows the header and most values without making the sheet unreadable."""
    longest = max([len(header)] + [len(str(t)) for t in texts if t is not None], default=len(header))
    return float(min(max(longest + 2, low), high))
