"""Streaming one worksheet's cells out of an .xlsx, for the importer.

openpyxl (read-only mode, as pinned: 3.1.5) reads the workbook's parts: which
sheets there are and where, the date system, and which cell styles are dates
or durations. Its own cell loop and shared-string reader cost more than half
of an import of 100,000 rows, so the shared strings and the sheet's rows are
read here with lxml's iterparse (entities never resolved, no network), one
row at a time, each element freed once read. The values are what openpyxl's
read-only, data-only mode gives, except that a formula saved without its
result is NO_SAVED_VALUE (openpyxl: empty) and an error value is a CellError;
tests compare both readers on the same files."""
from __future__ import annotations

from dataclasses import dataclass

from lxml import etree
from openpyxl.reader.excel import ExcelReader
from openpyxl.styles.stylesheet import apply_stylesheet
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import from_excel, from_ISO8601
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS

_NS = "{%s}" % SHEET_MAIN_NS
ROW, CELL, VALUE, FORMULA, INLINE, TEXT, PHONETIC, SHARED = (
    _NS + name for name in ("row", "c", "v", "f", "is", "t", "rPh", "si"))


class NoSavedValue:
    """A formula cell whose workbook was saved without its result (e.g. written by a program, never opened)."""

    def __repr__(self) -> str:
        return "<formula without a saved value>"


NO_SAVED_VALUE = NoSavedValue()


@dataclass(frozen=True)
class CellError:
    """An Excel error value such as #N/A or #REF!."""

    code: str


@dataclass
class Book:
    reader: ExcelReader
    shared: list

    @property
    def wb(self):
        return self.reader.wb


def _parse(source, tag):
    return etree.iterparse(source, events=("end",), tag=tag, resolve_entities=False, no_network=True,
                           huge_tree=False, remove_comments=True)


def _text_of(element) -> str:
    """A string item's text: its runs, without phonetic guides."""
    return "".join(t.text or "" for t in element.iter(TEXT) if t.getparent().tag != PHONETIC)


def open_workbook(path) -> Book:
    reader = ExcelReader(path, read_only=True, data_only=True, keep_links=False)
    reader.read_manifest()
    reader.read_workbook()
    apply_stylesheet(reader.archive, reader.wb)
    reader.read_worksheets()
    shared = []
    part = reader.package.find(SHARED_STRINGS)
    if part is not None:
        with reader.archive.open(part.PartName[1:]) as source:
            for _, item in _parse(source, SHARED):
                shared.append(_text_of(item))
                item.clear()
    return Book(reader, shared)


def sheet_rows(book: Book, name: str):
    """(row number, values) for each row element of the sheet, values placed by column."""
    wb = book.wb
    ws = wb[name]
    shared = book.shared
    dates, durations, epoch = wb._date_formats, wb._timedelta_formats, wb.epoch
    columns: dict[str, int] = {}
    number = 0
    with book.reader.archive.open(ws._worksheet_path) as source:
        for _, row in _parse(source, ROW):
            given = row.get("r")
            number = int(given) if given else number + 1
            values: list = []
            column = 0
            for cell in row.iterchildren(CELL):
                ref = cell.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    column = columns.get(letters) or columns.setdefault(letters, column_index_from_string(letters))
                else:
                    column += 1
                value = _value(cell, shared, dates, durations, epoch)
                if value is None:
                    continue
                if column > len(values):
                    values.extend([None] * (column - len(values)))
                values[column - 1] = value
            row.clear()
            while row.getprevious() is not None:  # free the rows already read
                del row.getparent()[0]
            yield number, tuple(values)


def _value(cell, shared, dates, durations, epoch):
    kind = cell.get("t", "n")
    text = None
    formula = False
    inline = None
    for child in cell:
        tag = child.tag
        if tag == VALUE:
            text = child.text
        elif tag == FORMULA:
            formula = True
        elif tag == INLINE:
            inline = _text_of(child)
    if kind == "inlineStr":
        return inline
    if text is None or text == "":
        return NO_SAVED_VALUE if formula else None
    if kind == "n":
        number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
        style = cell.get("s")
        if style is not None and int(style) in dates:
            try:
                return from_excel(number, epoch, timedelta=int(style) in durations)
            except (OverflowError, ValueError):
                return CellError("#VALUE!")
        return number
    if kind == "s":
        return shared[int(text)]
    if kind == "str":
        return text
    if kind == "b":
        return text.strip() in ("1", "true")
    if kind == "e":
        return CellError(text)
    if kind == "d":
        return from_ISO8601(text)
    return text
