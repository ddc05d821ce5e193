"""A file as it arrived: its name, size and SHA-256, and the bad rows written back out to fix."""
from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook

from tracker.imports.commit import SourceFile
from tracker.imports.sheet import NO_SAVED_VALUE, CellError
from tracker.imports.validate import Checked, Problem
from tracker.shared.csvfile import csv_document
from tracker.shared.xlsx.formats import fit, set_widths
from tracker.shared.xlsx.printing import prepare_for_print
from tracker.shared.xlsx.text import text_cell
from tracker.shared.xlsx.files import size_and_sha256

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
    return csv_document([*checked.mapping.headers, PROBLEM_HEADER],
                        ([*map(_plain, values), reasons.get(row, "")] for row, values in sorted(checked.bad_rows.items())))


def bad_rows_xlsx(checked: Checked, target) -> None:
    """The bad rows as a workbook: text stays text (never a formula), dates stay dates."""
    reasons = _problems_by_row(checked.problems)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Entries")
    headers = (*checked.mapping.headers, PROBLEM_HEADER)
    rows = sorted(checked.bad_rows.items())
    columns = list(zip(*[values for _, values in rows])) or [()] * len(checked.mapping.headers)
    set_widths(ws, [fit(values, header, high=40) for header, values in zip(headers, columns)]
               + [fit(reasons.values(), PROBLEM_HEADER, high=60)])
    ws.freeze_panes = "A2"
    prepare_for_print(ws, f"Rows the import refused: {len(rows)}", heading="Reporting burden: rows to fix")
    ws.append([text_cell(ws, h) for h in headers])
    for row, values in rows:
        cells = [text_cell(ws, v) if isinstance(v, str) else _plain(v) for v in values]
        ws.append(cells + [text_cell(ws, reasons.get(row, ""))])
    wb.save(target)
