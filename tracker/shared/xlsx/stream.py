"""Whole rows straight into a write-only openpyxl sheet's XML stream.

Why: `WriteOnlyWorksheet.append` re-infers the type of every value, builds a
cell object per styled value and writes each cell through several context
managers. For the Entries sheet, where a month can hold hundreds of thousands
of rows with known column types, that is most of the workbook's time. Here
each row becomes one small element tree written into the stream openpyxl
opened for the sheet, so everything else (column widths, frozen pane,
autofilter, styles, zip) stays openpyxl's.

What a cell may hold is checked as it is written: int, float, date, datetime
and str only (a Decimal, a bool, NaN or anything else raises `CellTypeError`
naming the column), and a column declared TEXT takes only str. Text is
always an inline string (`t="inlineStr"`), never a formula: no code path here
writes `<f>`. Text must already be clean for XML (`text.clean_text`).

This uses private parts of openpyxl's write-only sheet (`_get_writer`,
`_writer.xf`, `_rows`) as they are in openpyxl 3.1.5, so importing this module
with another openpyxl version fails at once; tests/shared/test_xlsx_stream.py writes
the same rows through openpyxl's public API and compares every cell and style."""
from __future__ import annotations

import math
from datetime import date, datetime

import openpyxl
from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.xml.functions import Element, SubElement

WRITTEN_FOR_OPENPYXL = "3.1.5"
if openpyxl.__version__ != WRITTEN_FOR_OPENPYXL:
    raise RuntimeError(
        f"tracker/shared/xlsx/stream.py relies on openpyxl {WRITTEN_FOR_OPENPYXL} internals but openpyxl "
        f"{openpyxl.__version__} is installed: install the pinned version (requirements.txt) or update this module "
        "and its comparison test."
    )

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NUMBER, TEXT = "n", "s"
NUMBER_TEXT = "%.16g"  # openpyxl's own format for numbers (openpyxl.compat.strings.safe_string)


class CellTypeError(TypeError):
    """A value of a type the sheet cannot store exactly."""


def style_id(ws, style_array) -> str | None:
    """The workbook's index for a StyleArray, as the `s` attribute wants it (None: no style)."""
    if style_array is None or not any(style_array):
        return None
    return str(Cell(ws, row=1, column=1, style_array=style_array).style_id)


class SheetRows:
    """Writes rows of declared columns into `ws`: each column has a name, a kind (NUMBER or TEXT) and a style id.

    Set the sheet's column widths and frozen pane before creating it (they are
    written first), and its print setup too (tracker/shared/xlsx/printing.py
    reads the widths; the page setup, print titles, heading, footer and page
    breaks themselves are written by openpyxl after the rows, so a streamed
    sheet carries all of them); set the autofilter before the workbook is saved. Call
    `close()` when done: the sheet is then finished by openpyxl as usual."""

    def __init__(self, ws, names: tuple[str, ...], kinds: tuple[str, ...], styles: tuple[str | None, ...]):
        if not len(names) == len(kinds) == len(styles):
            raise ValueError("every column needs a name, a kind and a style (None for none)")
        self._ws = ws
        self._epoch = ws.parent.epoch
        self._columns = [
            (get_column_letter(i), name, kind, style) for i, (name, kind, style) in enumerate(zip(names, kinds, styles), 1)
        ]
        ws._get_writer()  # writes the sheet's head: dimensions, views, columns
        self._xf = ws._writer.xf.send(True)
        self._sheet_data = self._xf.element("sheetData")
        self._sheet_data.__enter__()
        self.rows = 0

    def append(self, values, columns=None) -> None:
        self.rows += 1
        n = str(self.rows)
        row = Element("row", r=n)
        for (letter, name, kind, style), value in zip(columns or self._columns, values):
            if value is None or value == "":
                continue
            attrs = {"r": letter + n}
            if style:
                attrs["s"] = style
            if type(value) is str:
                if kind != TEXT:
                    raise CellTypeError(f"Column '{name}' holds numbers, not text: {value!r}")
                attrs["t"] = "inlineStr"
                text = SubElement(SubElement(SubElement(row, "c", attrs), "is"), "t")
                text.text = value
                if value[0].isspace() or value[-1].isspace():
                    text.set(XML_SPACE, "preserve")
            else:
                if kind != NUMBER:
                    raise CellTypeError(f"Column '{name}' holds text, not {type(value).__name__}: {value!r}")
                SubElement(SubElement(row, "c", attrs), "v").text = self._number(name, value)
        self._xf.write(row)

    def _number(self, name: str, value) -> str:
        """The XML text of a number cell, written as openpyxl writes numbers ("%.16g"); dates as Excel serials."""
        kind = type(value)
        if kind is int:
            return NUMBER_TEXT % value
        if kind is float:
            if not math.isfinite(value):
                raise CellTypeError(f"Column '{name}' cannot hold {value!r}")
            return NUMBER_TEXT % value
        if kind in (date, datetime):
            return NUMBER_TEXT % to_excel(value, self._epoch)
        raise CellTypeError(
            f"Column '{name}' takes int, float, date, datetime or str, not {kind.__name__}: {value!r}"
        )

    def header(self, style: str | None) -> None:
        """The column names, as text, in the given style."""
        self.append(
            [name for _, name, _, _ in self._columns],
            [(letter, name, TEXT, style) for letter, name, _, _ in self._columns],
        )

    def close(self) -> None:
        self._sheet_data.__exit__(None, None, None)
        self._ws._writer.xf.send(None)
        # The sheet's own row stream never started; give close() an empty one to
        # close instead of letting it write a second, empty sheetData.
        self._ws._rows = iter_nothing()


def iter_nothing():
    yield from ()
