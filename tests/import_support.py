"""Files for the importer's tests, made the way each program writes them."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

TRACKER_HEADERS = ["Date", "Team", "Source", "Request", "Band", "Minutes", "Duplicated elsewhere", "Used", "Notes"]


def write_csv(path: Path, rows, encoding="utf-8", bom=False, delimiter=",", newline="\r\n") -> Path:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    for row in rows:
        writer.writerow(row)
    data = out.getvalue().encode(encoding)
    if bom:
        data = b"\xef\xbb\xbf" + data
    path.write_bytes(data)
    return path


def write_xlsx(path: Path, rows, sheet="Sheet1", formats: dict | None = None) -> Path:
    """A workbook as Excel would save it: real dates, numbers as numbers; `formats` {column index: number format}."""
    wb = Workbook()
    ws = wb.active
    ws.title = sheet
    for r, row in enumerate(rows, 1):
        for c, value in enumerate(row, 1):
            cell = ws.cell(row=r, column=c, value=value)
            if formats and r > 1 and (c - 1) in formats:
                cell.number_format = formats[c - 1]
    wb.save(path)
    return path


def add_saved_value(path: Path, cell: str, value) -> Path:
    """Give a formula cell the result Excel would have saved with it (openpyxl writes formulas without one)."""
    import re
    import zipfile

    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info.filename) for info in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    sheet, count = re.subn(rf'(<c r="{cell}"[^>]*>)<f>([^<]*)</f><v>\s*</v>', rf"\1<f>\2</f><v>{value}</v>", sheet)
    assert count == 1
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def invoke(app, *args):
    """Run a flask command; returns click's Result (output holds stdout, stderr apart)."""
    return app.test_cli_runner().invoke(args=[*map(str, args)])
