"""How every sheet the app writes prints: the one print setup (issue 22).

A4, a heading and a footer on every page (the sheet, the scope and period,
"Page X of Y"), the header rows repeated, and a scale decided from the
sheet's own column widths, so a column added later is printed without a
special case:

- a sheet that fits a portrait page's width prints portrait, unscaled;
- otherwise landscape, scaled to the page's width while that keeps the scale
  at `MIN_SCALE` (70 %) or more;
- wider still, it spreads over the fewest pages across that keep the scale at
  70 % or more, the column(s) naming each row repeated on each.

The scale is a fixed percentage, so a manual page break holds: charts stand on
a page of their own (`keep_chart_whole`).

At 70 % the workbooks' 11 pt text prints at 7.7 pt and a chart's 10 pt labels
at 7 pt (tests/test_workbook_pdf.py reads the pages back from LibreOffice).

Call `prepare_for_print` after the column widths (a write-only sheet writes
them with its first row, so before that);
`set_print_area` and `keep_chart_whole` any time before the workbook is saved.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

from openpyxl.chart.text import RichText
from openpyxl.drawing.text import CharacterProperties, Paragraph, ParagraphProperties
from openpyxl.utils import column_index_from_string, get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

MIN_SCALE = 0.7  # below this the workbooks' text prints under 7 pt
DEFAULT_COLUMN_WIDTH = 8.43  # characters, as Excel and LibreOffice assume
DEFAULT_ROW_HEIGHT_CM = 0.53  # 15 points
CM_PER_INCH = 2.54
A4_CM = (21.0, 29.7)
MARGINS = {"left": 0.5, "right": 0.5, "top": 0.75, "bottom": 0.75, "header": 0.3, "footer": 0.3}  # inches


def printable_cm(landscape: bool) -> tuple[float, float]:
    """The page's (width, height) inside the margins, less a repeated header row's height."""
    width, height = (A4_CM[1], A4_CM[0]) if landscape else A4_CM
    return (width - (MARGINS["left"] + MARGINS["right"]) * CM_PER_INCH,
            height - (MARGINS["top"] + MARGINS["bottom"]) * CM_PER_INCH - DEFAULT_ROW_HEIGHT_CM)


PORTRAIT_WIDTH_CM = printable_cm(False)[0]
LANDSCAPE_WIDTH_CM = printable_cm(True)[0]
WIDTH_ALLOWANCE = 1.03  # a spreadsheet application's column widths run a little wider than this module's estimate
CHART_TEXT_POINTS = 10  # 7 pt on paper at the smallest scale


def footer_text(text: str) -> str:
    """Text for a header or footer: '&' starts a code there, so a plain '&' is written '&&'."""
    return str(text).replace("&", "&&")


def column_width_cm(characters: float) -> float:
    """Roughly how wide a column of that many characters prints (7 px a character plus 5, at 96 dpi)."""
    return (characters * 7 + 5) / 96 * CM_PER_INCH


def column_widths(ws) -> list[float]:
    """The widths (characters) of the sheet's columns A.. up to the last one given a width."""
    widths = {column_index_from_string(letter): dimension.width
              for letter, dimension in ws.column_dimensions.items() if dimension.width}
    last = max(widths, default=0)
    return [widths.get(i, DEFAULT_COLUMN_WIDTH) for i in range(1, last + 1)]


def scale_across(width_cm: float, pages: int, repeated_cm: float) -> float:
    """The scale that fits a sheet `width_cm` wide on `pages` landscape pages across, `repeated_cm` of its
    columns repeated on each (never above 1: fitting a page never enlarges)."""
    return min(1.0, LANDSCAPE_WIDTH_CM * pages / ((width_cm + (pages - 1) * repeated_cm) * WIDTH_ALLOWANCE))


def pages_across(width_cm: float, repeated_cm: float) -> tuple[bool, int]:
    """(landscape?, pages across) for a sheet `width_cm` wide: portrait when it fits unscaled, else the fewest
    landscape pages across that keep the scale at MIN_SCALE or more (`repeated_cm` of columns repeat on each)."""
    if width_cm * WIDTH_ALLOWANCE <= PORTRAIT_WIDTH_CM:
        return False, 1
    pages = 1
    while scale_across(width_cm, pages, repeated_cm) < MIN_SCALE:
        pages += 1
    return True, pages


@dataclass(frozen=True)
class PrintPlan:
    landscape: bool
    pages_across: int
    scale: int  # per cent, MIN_SCALE or more


def prepare_for_print(ws, period: str, title_rows: str | None = "1:1", key_columns: int = 1,
                      heading: str | None = None) -> PrintPlan:
    """Print `ws` on A4: orientation, scale and pages across from its column widths (set them first),
    `title_rows` repeated on every page, and the first `key_columns` (what names a row) on every page across
    when the sheet spreads over more than one; `heading` at the top and a footer naming the sheet, `period`
    (scope and period) and the page.

    The scale is written as a percentage, not as "fit to N pages": a spreadsheet application ignores manual
    page breaks (the ones that keep charts whole) on a sheet fitted to pages, and could shrink a sheet it
    measures wider than this module does below 70 %; at a fixed scale such a sheet takes a page more instead."""
    widths = column_widths(ws)
    width = sum(column_width_cm(w) for w in widths)
    repeated = sum(column_width_cm(w) for w in widths[:key_columns])
    landscape, across = pages_across(width, repeated)
    scale = scale_across(width, across, repeated) if landscape else 1.0
    plan = PrintPlan(landscape, across, max(round(MIN_SCALE * 100), math.floor(scale * 100)))
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.paperSize = Worksheet.PAPERSIZE_A4
    ws.page_setup.scale = plan.scale
    ws.page_margins = PageMargins(**MARGINS)
    if title_rows:
        ws.print_title_rows = title_rows
    if across > 1:
        ws.print_title_cols = f"A:{get_column_letter(key_columns)}"
        ws.page_setup.pageOrder = "overThenDown"  # a row's pages across print one after another
    if heading:
        ws.oddHeader.center.text = footer_text(heading)
    footer = ws.oddFooter
    footer.left.text = "&A"  # the sheet's name
    footer.center.text = footer_text(period)
    footer.right.text = "Page &P of &N"
    return plan


def print_scale(ws) -> float:
    """The scale a sheet set up by `prepare_for_print` prints at (1.0: unscaled)."""
    return int(ws.page_setup.scale or 100) / 100


def set_print_area(ws, columns: int, rows: int) -> None:
    """Print columns A.. and rows 1..`rows`."""
    ws.print_area = f"A1:{get_column_letter(max(1, columns))}{max(1, rows)}"


def rows_for_height(height_cm: float) -> int:
    """How many rows of the default height an object `height_cm` tall covers."""
    return math.ceil(height_cm / DEFAULT_ROW_HEIGHT_CM) + 1


def chart_size(ws, width_cm: float, height_cm: float) -> tuple[float, float]:
    """A chart's (width, height) shrunk to fit one printed page of `ws` (set up by `prepare_for_print`):
    no wider than the printed columns, no taller than a page."""
    scale = print_scale(ws)
    printed = sum(column_width_cm(w) for w in column_widths(ws))
    page_width, page_height = (size / scale for size in printable_cm(ws.page_setup.orientation == "landscape"))
    return min(width_cm, printed - 0.5, page_width - 0.5), min(height_cm, page_height - 1.0)


def keep_chart_whole(ws, chart, row: int) -> int:
    """Anchor `chart` in column A at `row`, with a page break above the empty row the caller leaves just
    above it, so the chart starts a page and no page break cuts it; name its text's size so it stays legible
    when scaled. Returns the rows it covers (append that many empty rows).

    The break is one row higher than the chart because LibreOffice also draws a chart on the page above when
    its top edge touches that page's last row."""
    if row > 2:
        ws.row_breaks.append(Break(id=row - 2))  # id: the last row of the page before the break
    readable_chart(chart)
    ws.add_chart(chart, f"A{row}")
    return rows_for_height(chart.height)


def readable_chart(chart) -> None:
    """Axis labels and legend at CHART_TEXT_POINTS (a spreadsheet's own default may be smaller)."""
    text = RichText(p=[Paragraph(pPr=ParagraphProperties(defRPr=CharacterProperties(sz=CHART_TEXT_POINTS * 100)),
                                 endParaRPr=CharacterProperties(sz=CHART_TEXT_POINTS * 100))])
    for axis in (chart.x_axis, chart.y_axis):
        axis.txPr = text
    if chart.legend is not None:
        chart.legend.txPr = text
