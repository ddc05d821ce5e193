"""User text in spreadsheets: always text, never a formula.

openpyxl types any string that starts with "=" (and is longer than one
character) as a formula, and the seven error literals ("#N/A", ...) as errors,
when a value is assigned to a cell. A request titled "=HYPERLINK(...)" would
then run in the reader's Excel. `text_cell` forces the cell's type back to
string ("s"), which openpyxl writes as an inline string (`t="inlineStr"`,
`<is><t>…</t></is>`) with no `<f>` element, so the reader sees the exact text.

Strings starting with "+", "-", "@", a tab or a carriage return are already
stored as strings by openpyxl; Excel only evaluates them when a person types
them, not when it loads a string cell. They go through the same function so
there is one rule for all user text.

XML 1.0 cannot hold most control characters (other than tab, line feed and
carriage return); openpyxl refuses them, so they are dropped rather than
failing a whole export over one stray character in a note.

`csv_safe` is the CSV counterpart (SPEC): a CSV has no cell types, so text
that a spreadsheet would read as a formula gets a leading apostrophe."""
from __future__ import annotations

from openpyxl.cell.cell import ERROR_CODES, ILLEGAL_CHARACTERS_RE, Cell

STRING = "s"
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL_CHARS = 32767  # Excel's limit for one cell


def clean_text(value) -> str:
    """The text as a spreadsheet can store it: str, no XML-illegal control characters, within Excel's limit."""
    text = "" if value is None else str(value)
    if ILLEGAL_CHARACTERS_RE.search(text):
        text = ILLEGAL_CHARACTERS_RE.sub("", text)
    return text[:MAX_CELL_CHARS]


def openpyxl_would_retype(text: str) -> bool:
    """True when openpyxl would store this string as a formula or an error, not as text."""
    return (len(text) > 1 and text.startswith("=")) or text in ERROR_CODES


def text_cell(ws, value, style_array=None) -> Cell:
    """A write-only cell holding `value` as a string, whatever it starts with.

    Pass `style_array` (a StyleArray from a template cell) to style it without
    touching the value."""
    text = clean_text(value)
    cell = Cell(ws, row=1, column=1, style_array=style_array)
    cell.value = text
    cell.data_type = STRING  # after assignment: assignment is what infers "f" or "e"
    return cell


def text_value(ws, value):
    """What to append for user text in a write-only row: the plain string when
    openpyxl will store it as a string anyway (fast path: no cell object), a
    `text_cell` otherwise, None for empty text (no cell at all)."""
    text = clean_text(value)
    if not text:
        return None
    if openpyxl_would_retype(text):
        return text_cell(ws, text)
    return text


def csv_safe(value) -> str:
    """Text for a CSV field: prefixed with ' when a spreadsheet would read it as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(FORMULA_TRIGGERS):
        return "'" + text
    return text
