"""Whole rows straight into a write-only openpyxl sheet's XML stream.

Why: `WriteOnlyWorksheet.append` re-infers the type of every value, builds a
cell object per styled value (after a failed assignment) and writes each cell
through several context managers. For the Entries sheet, where a month can
hold hundreds of thousands of rows of twelve columns with known types, that
is most of the workbook's time. Here each row becomes one small element tree
(openpyxl's own Element, lxml when installed) written into the stream openpyxl
opened for the sheet, so everything else (column widths, frozen pane,
autofilter, styles, zip) stays openpyxl's.

Text is always an inline string (`t="inlineStr"`), never a formula: there is
no code path here that writes `<f>`. Values must already be clean for XML
(`xlsx_text.clean_text`).

This uses three private parts of openpyxl's write-only sheet (`_get_writer`,
`_writer.xf`, `_rows`), as they are in the pinned openpyxl 3.1.5; the tests
read every sheet back with openpyxl, so a change there fails loudly."""
from __future__ import annotations

from openpyxl.cell.cell import Cell
from openpyxl.utils import get_column_letter
from openpyxl.xml.functions import Element, SubElement

XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"
NUMBER, TEXT = "n", "s"


def style_id(ws, style_array) -> str | None:
    """The workbook's index for a StyleArray, as the `s` attribute wants it (None: no style)."""
    if style_array is None or not any(style_array):
        return None
    return str(Cell(ws, row=1, column=1, style_array=style_array).style_id)


class SheetRows:
    """Writes rows of known column kinds (NUMBER or TEXT) and styles into `ws`.

    Set the sheet's column widths and frozen pane before creating it (they are
    written first); set the autofilter before the workbook is saved. Call
    `close()` when done: the sheet is then finished by openpyxl as usual."""

    def __init__(self, ws, kinds: tuple[str, ...], styles: tuple[str | None, ...]):
        self._ws = ws
        self._columns = [(get_column_letter(i), kind, style) for i, (kind, style) in enumerate(zip(kinds, styles), 1)]
        ws._get_writer()  # writes the sheet's head: dimensions, views, columns
        self._xf = ws._writer.xf.send(True)
        self._sheet_data = self._xf.element("sheetData")
        self._sheet_data.__enter__()
        self.rows = 0

    def append(self, values, columns=None) -> None:
        self.rows += 1
        n = str(self.rows)
        row = Element("row", r=n)
        for (letter, kind, style), value in zip(columns or self._columns, values):
            if value is None or value == "":
                continue
            attrs = {"r": letter + n}
            if style:
                attrs["s"] = style
            if kind == TEXT:
                attrs["t"] = "inlineStr"
                text = SubElement(SubElement(SubElement(row, "c", attrs), "is"), "t")
                text.text = value
                if value[0].isspace() or value[-1].isspace():
                    text.set(XML_SPACE, "preserve")
            else:
                SubElement(SubElement(row, "c", attrs), "v").text = repr(value)
        self._xf.write(row)

    def header(self, names, style: str | None) -> None:
        letters = [letter for letter, _, _ in self._columns]
        self.append(names, [(letter, TEXT, style) for letter in letters])

    def close(self) -> None:
        self._sheet_data.__exit__(None, None, None)
        self._ws._writer.xf.send(None)
        # The sheet's own row stream never started; give close() an empty one to
        # close instead of letting it write a second, empty sheetData.
        self._ws._rows = iter_nothing()


def iter_nothing():
    yield from ()
