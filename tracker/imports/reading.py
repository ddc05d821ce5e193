"""Opening an uploaded file as a table: a header row and numbered rows of cell values.

.xlsx through openpyxl's read-only mode for the workbook's structure and
styles, with the sheet's cells streamed by tracker/imports/sheet.py (formula
cells give their saved values); .csv as UTF-8 (with or without a
byte-order mark), else UTF-16 with its mark, else Windows-1252.

Everything that makes a file unreadable is a `FileRefused` with a message a
person can act on, raised before anything is written: not a spreadsheet, a
damaged or password-protected workbook, a zip bomb (more unpacked than
`Limits.max_unpacked`), too big, too many rows, no header row."""
from __future__ import annotations

import codecs
import csv
import io
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from xml.etree.ElementTree import ParseError

from lxml.etree import XMLSyntaxError

from tracker.imports.sheet import open_workbook, sheet_rows

MB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    max_bytes: int = 20 * MB
    max_rows: int = 100_000
    max_unpacked: int = 200 * MB  # what a workbook may expand to: a small file that expands past this is a zip bomb

    @classmethod
    def from_config(cls, config) -> "Limits":
        return cls(config.get("IMPORT_MAX_BYTES", cls.max_bytes), config.get("IMPORT_MAX_ROWS", cls.max_rows),
                   config.get("IMPORT_MAX_UNPACKED", cls.max_unpacked))


class FileRefused(ValueError):
    """The file cannot be read at all; nothing is written. `too_large` marks the size limit (413 on the page)."""

    def __init__(self, message: str, too_large: bool = False):
        super().__init__(message)
        self.message = message
        self.too_large = too_large


@dataclass
class Table:
    kind: str  # "xlsx" or "csv"
    headers: tuple
    header_row: int  # its row number in the file
    _rows: Iterator  # (row number, values) after the header
    epoch: object = None  # the workbook's date system, for Excel serial numbers
    sheet: str = ""

    def rows(self) -> Iterator[tuple[int, tuple]]:
        return self._rows


def file_kind(data: bytes, file_name: str) -> str:
    """'xlsx' or 'csv', or FileRefused saying what the file is instead."""
    head = data[:8]
    name = file_name.lower()
    if not data:
        raise FileRefused("The file is empty.")
    if head.startswith(b"PK\x03\x04"):
        return "xlsx"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise FileRefused("The workbook is protected with a password. Open it in Excel, remove the password "
                              "(File > Info > Protect Workbook), save it and upload it again.")
        raise FileRefused("This is an old Excel 97-2003 workbook (.xls). Open it in Excel and save it as .xlsx or .csv.")
    if name.endswith((".xlsx", ".xlsm")):
        raise FileRefused(f"{file_name} is not a real .xlsx workbook: it may be damaged, or another kind of file renamed.")
    if head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return "csv"
    if b"\x00" in data[:4096] or head.startswith((b"%PDF", b"\x89PNG", b"GIF8", b"\xff\xd8\xff", b"\x1f\x8b")):
        raise FileRefused(f"{file_name} is not a spreadsheet: upload an .xlsx workbook or a .csv file.")
    return "csv"


def open_table(path: Path, file_name: str, limits: Limits, prefer_sheet: str | None = "Entries") -> Table:
    path = Path(path)
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise FileRefused(f"The file is {size / MB:.1f} MB; the most we take is {limits.max_bytes // MB} MB. "
                          "Split it into smaller files.", too_large=True)
    with open(path, "rb") as f:
        head = f.read(4096)
    # An encrypted workbook is told from an old .xls by a stream name inside it: read it all (it is under the limit).
    kind = file_kind(path.read_bytes() if head.startswith(b"\xd0\xcf\x11\xe0") else head, file_name)
    if kind == "xlsx":
        return _open_xlsx(path, file_name, limits, prefer_sheet)
    return _open_csv(path.read_bytes(), file_name, limits)


# ---- .xlsx -----------------------------------------------------------------


_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, KeyError, ValueError, TypeError, IndexError,
            AttributeError, EOFError, OSError, ParseError, XMLSyntaxError, NotImplementedError)


def _damaged(file_name: str, error: Exception) -> FileRefused:
    return FileRefused(f"{file_name} is damaged and cannot be read as a workbook ({type(error).__name__}). "
                       "Open it in Excel, save it again and upload the new copy.")


def _check_zip(path: Path, file_name: str, limits: Limits) -> None:
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except _DAMAGED as error:
        raise _damaged(file_name, error) from None
    names = {m.filename for m in members}
    if "xl/workbook.xml" not in names:
        if "content.xml" in names:
            raise FileRefused("This is an OpenDocument spreadsheet (.ods). Save it as .xlsx or .csv and upload that.")
        raise FileRefused(f"{file_name} is not a spreadsheet: upload an .xlsx workbook or a .csv file.")
    unpacked = sum(m.file_size for m in members)
    if unpacked > limits.max_unpacked:
        raise FileRefused(
            f"{file_name} would unpack to {unpacked / MB:,.0f} MB, more than the {limits.max_unpacked // MB} MB "
            "a workbook may hold here, so it was not opened. Split it into smaller files.", too_large=True)


def _open_xlsx(path: Path, file_name: str, limits: Limits, prefer_sheet: str | None) -> Table:
    _check_zip(path, file_name, limits)
    try:
        book = open_workbook(path)
        names = book.wb.sheetnames
        if not names:
            raise FileRefused(f"{file_name} has no sheets.")
        name = prefer_sheet if prefer_sheet in names else names[0]
        rows = _guarded(sheet_rows(book, name), file_name)
        header_row, headers = _header(rows, file_name)
    except FileRefused:
        raise
    except _DAMAGED as error:
        raise _damaged(file_name, error) from None
    return Table("xlsx", headers, header_row, _data_rows(rows, len(headers), file_name, limits),
                 epoch=book.wb.epoch, sheet=name)


def _guarded(rows, file_name: str):
    """Rows, with anything that breaks while reading them refused as a damaged file."""
    try:
        yield from rows
    except FileRefused:
        raise
    except _DAMAGED as error:
        raise _damaged(file_name, error) from None


# ---- .csv ------------------------------------------------------------------


def decode_text(data: bytes, file_name: str) -> str:
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8):].decode("utf-8", errors="strict") if _utf8(data[3:]) else _refuse_text(file_name)
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            return _refuse_text(file_name)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        return _refuse_text(file_name)


def _utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
        return True
    except UnicodeDecodeError:
        return False


def _refuse_text(file_name: str):
    raise FileRefused(f"{file_name} is not text we can read (UTF-8 or Windows-1252): save it as 'CSV UTF-8' and upload it again.")


def _open_csv(data: bytes, file_name: str, limits: Limits) -> Table:
    text = decode_text(data, file_name)
    first_line = text.split("\n", 1)[0]
    delimiter = max((",", ";", "\t"), key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def numbered():
        try:
            for values in reader:
                yield reader.line_num, tuple(values)
        except csv.Error as error:
            raise FileRefused(f"{file_name} is not a well-formed CSV file near line {reader.line_num}: {error}.") from None

    rows = numbered()
    header_row, headers = _header(rows, file_name)
    return Table("csv", headers, header_row, _data_rows(rows, len(headers), file_name, limits))


# ---- both ------------------------------------------------------------------


def _blank(values) -> bool:
    for value in values:  # most rows stop at their first cell
        if value is not None and (not isinstance(value, str) or value.strip()):
            return False
    return True


def _header(rows, file_name: str) -> tuple[int, tuple]:
    for seen, (number, values) in enumerate(rows):
        if not _blank(values):
            headers = list(values)
            while headers and (headers[-1] is None or not str(headers[-1]).strip()):
                headers.pop()
            return number, tuple("" if h is None else str(h).strip() for h in headers)
        if seen >= 50:
            break
    raise FileRefused(f"{file_name} has no header row: the first row should name the columns.")


def _data_rows(rows, width: int, file_name: str, limits: Limits):
    """Rows after the header, cut or padded to the header's width; blank rows are passed over.

    Counting stops just past the limit, so a file of millions of rows is refused without reading it all."""
    data_rows = 0
    blank_rows = 0
    for number, values in rows:
        if _blank(values):
            blank_rows += 1
            if blank_rows > limits.max_rows:
                raise FileRefused(f"{file_name} has more than {limits.max_rows:,} empty rows; it is damaged or padded.")
            continue
        data_rows += 1
        if data_rows > limits.max_rows:
            raise FileRefused(f"{file_name} has more than {limits.max_rows:,} rows; the most we take in one file is "
                              f"{limits.max_rows:,}. Split it into smaller files.", too_large=True)
        values = tuple(values[:width]) + (None,) * (width - len(values))
        yield number, values
