"""A file as it arrived: its name, size and SHA-256, and the bad rows written back out to fix."""
from __future__ import annotations

import csv
import io
from pathlib import Path

from openpyxl import Workbook

from tracker.imports.commit import SourceFile
from tracker.imports.sheet import NO_SAVED_VALUE, CellError
from tracker.imports.validate import Checked, Problem
from tracker.shared.xlsx.files import size_and_sha256
from tracker.shared.xlsx.text import csv_safe, text_cell

PROBLEM_HEADER = "Problem"  # an extra column the import ignores, so the fixed file imports as it is


def describe(path: Path, name: str | None = None) -> SourceFile:
    size, sha256 = size_and_sha256(path)
    return SourceFile(name or Path(path).name, sha256, size)


def _problems_by_row(problems: list[Problem]) -> dict[int, str]:
    out: dict[int, list[str]] = {}
    for p in problems:
        out.setdefault(p.row, []).append(f"{p.column}: {p.reason}")
    return {row: "; ".join(reasons) for row, reasons in out.items()}


def _plain(value):
    if value is NO_SAVED_VALUE:
        return None
    if isinstance(value, CellError):
        return value.code
    return value


def bad_rows_csv(checked: Checked) -> bytes:
    """The bad rows under the file's own header, with a Problem column; UTF-8 with a mark, so Excel reads it."""
    reasons = _problems_by_row(checked.problems)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([*checked.mapping.headers, PROBLEM_HEADER])
    for row, values in sorted(checked.bad_rows.items()):
        cells = ["" if _plain(v) is None else _plain(v) for v in values]
        writer.writerow([csv_safe(v) if isinstance(v, str) else v for v in cells] + [reasons.get(row, "")])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def bad_rows_xlsx(checked: Checked, target) -> None:
    """The bad rows as a workbook: text stays text (never a formula), dates stay dates."""
    reasons = _problems_by_row(checked.problems)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Entries")
    ws.append([text_cell(ws, h) for h in (*checked.mapping.headers, PROBLEM_HEADER)])
    for row, values in sorted(checked.bad_rows.items()):
        cells = [text_cell(ws, v) if isinstance(v, str) else _plain(v) for v in values]
        ws.append(cells + [text_cell(ws, reasons.get(row, ""))])
    wb.save(target)
