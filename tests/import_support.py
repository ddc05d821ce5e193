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


def run_import(app, *args):
    return app.test_cli_runner(mix_stderr=False).invoke(args=["import", *map(str, args)]) if _mix_stderr_supported() \
        else app.test_cli_runner().invoke(args=["import", *map(str, args)])


def _mix_stderr_supported() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters
