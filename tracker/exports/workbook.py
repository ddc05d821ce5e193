"""The monthly burden workbook (SPEC, "The monthly workbook").

`build_workbook` is a plain function (no Flask): the CLI, the scheduler and
the exports page all call it with a session. Every figure comes from the
burden service; this module only lays the figures out.

openpyxl runs in write-only mode so the Entries sheet streams however many
rows there are; the file is written under a temporary name in the target
folder, fsynced and renamed into place, so the final path holds either the
complete new workbook or whatever was there before, never a partial file."""
from __future__ import annotations

import hashlib
import os
import tempfile
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZipFile
from typing import Callable

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._writer import ALL_TEMP_FILES
from openpyxl.writer.excel import ExcelWriter
from sqlalchemy.orm import scoped_session

from tracker.timeutil import month_start

SHEET_NAMES = ("Summary", "By team", "By source", "By request", "Team x Source", "Trend", "Entries")

HOURS = "0.00"
MONEY = "£#,##0.00"
SHARE = "0.0%"
CHANGE = "+0.00;-0.00;0.00"
COUNT = "#,##0"
DATE = "yyyy-mm-dd"
DATETIME = "yyyy-mm-dd hh:mm"
MONTH = "mmm yyyy"

Progress = Callable[[int, int], None]  # (entries written so far, entries in the period)


@dataclass
class WorkbookResult:
    path: Path
    size: int
    sha256: str
    rows: int  # entries written to the Entries sheet
    figures: dict = field(default_factory=dict)  # the totals the sheets were built from (tests compare)


def workbook_filename(month: date, team=None) -> str:
    """burden-YYYY-MM.xlsx for every team the reader may see, burden-YYYY-MM-team-<slug>.xlsx for one team.

    `team` is a Team (its slug is used) or a slug."""
    stem = f"burden-{month:%Y-%m}"
    if team is None:
        return f"{stem}.xlsx"
    slug = getattr(team, "slug", None) or _slug(str(team))
    return f"{stem}-team-{slug}.xlsx"


def _slug(text: str) -> str:
    from tracker.catalogue.services import slugify

    return slugify(text)


class Formats:
    """Cell styles made once per workbook.

    Building a style per cell (Font(), number_format=...) costs a lookup per
    assignment; a StyleArray copied from a template cell costs next to
    nothing, which matters on the Entries sheet."""

    def __init__(self, ws):
        self._ws = ws
        self._arrays: dict[tuple, object] = {}

    def array(self, number_format: str | None = None, bold: bool = False, size: int | None = None):
        key = (number_format, bold, size)
        if key not in self._arrays:
            template = Cell(self._ws, row=1, column=1)
            if bold or size:
                template.font = Font(name="Calibri", bold=bold, size=size or 11)  # the workbook default font
            if number_format:
                template.number_format = number_format
            self._arrays[key] = template._style
        return self._arrays[key]

    def cell(self, ws, value, number_format: str | None = None, bold: bool = False, size: int | None = None):
        """A styled cell for a number, date or our own label (user text goes through xlsx_text)."""
        if isinstance(value, Decimal):
            value = float(value)
        return Cell(ws, row=1, column=1, value=value, style_array=self.array(number_format, bold, size))


def set_widths(ws, widths) -> None:
    """Column widths, in characters. Write-only sheets need them before the first row."""
    for index, width in enumerate(widths, 1):
        ws.column_dimensions[get_column_letter(index)].width = width


def fit(texts, header: str, low: int = 8, high: int = 50) -> float:
    """A width that shows the header and most values without making the sheet unreadable."""
    longest = max([len(header)] + [len(str(t)) for t in texts if t is not None], default=len(header))
    return float(min(max(longest + 2, low), high))


def build_workbook(
    session,
    *,
    month: date,
    team_ids: list[int] | None,
    path: Path,
    scope_label: str,
    signoffs: dict | None = None,
    progress: Progress | None = None,
) -> WorkbookResult:
    """Write the monthly workbook for `month` and the teams `team_ids` (None: every team) to `path`.

    `signoffs` maps team_id -> {"by": name, "at": datetime}; a team that is
    absent is shown as not signed off. `progress(done, total)` is called as
    Entries rows are written."""
    from tracker.exports import entries_sheet, sheets

    path = Path(path)
    month = month_start(month)
    team_ids = None if team_ids is None else list(team_ids)
    wb = Workbook(write_only=True)
    ws = {name: wb.create_sheet(name) for name in SHEET_NAMES}
    fmt = Formats(ws["Summary"])
    try:
        with one_snapshot(session):
            figures = sheets.gather(session, month, team_ids)
            sheets.write_by_team(ws["By team"], fmt, figures)
            sheets.write_by_source(ws["By source"], fmt, figures)
            sheets.write_by_request(ws["By request"], fmt, figures)
            sheets.write_team_x_source(ws["Team x Source"], fmt, figures)
            sheets.write_trend(ws["Trend"], fmt, figures)
            sheets.write_summary(ws["Summary"], fmt, figures, ws["By team"], scope_label, signoffs or {})
            written = entries_sheet.write_entries(ws["Entries"], fmt, session, figures, progress)
        size, digest = save_atomically(wb, path)
    except BaseException:
        discard_sheet_files(wb)
        raise
    return WorkbookResult(
        path=path,
        size=size,
        sha256=digest,
        rows=written.rows,
        figures={
            "entries": figures.totals.entries,
            "minutes": figures.totals.minutes,
            "hours": figures.totals.hours,
            "cost": figures.totals.cost,
            "fte": figures.fte(figures.totals),
            "teams": len(figures.teams),
            "entries_minutes": written.minutes,
            "entries_cost": written.cost,
        },
    )


@contextmanager
def one_snapshot(session):
    """Every query of one export sees the same data, so the sheets agree with each
    other even while people log work.

    One read transaction, ended afterwards: REPEATABLE READ on PostgreSQL; on
    SQLite an explicit BEGIN (the driver does not begin before a SELECT), whose
    first read fixes the snapshot in WAL mode without blocking writers. Only
    when the caller has no transaction and no unflushed changes of its own: we
    never change or discard a caller's work."""
    if isinstance(session, scoped_session):
        session = session()
    dialect = session.get_bind().dialect.name
    busy = session.in_transaction() or session.new or session.dirty or session.deleted
    if busy or dialect not in ("postgresql", "sqlite"):
        yield
        return
    if dialect == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        session.rollback()  # read-only: nothing to keep


def save_atomically(wb: Workbook, path: Path) -> tuple[int, str]:
    """Save under a temporary name beside `path`, fsync, rename into place. Returns (size, SHA-256)."""
    part = tempfile.NamedTemporaryFile(dir=path.parent, prefix=f".{path.name}.", suffix=".xlsx.part", delete=False)
    try:
        with part:
            _write_zip(wb, part)
            part.flush()
            os.fsync(part.fileno())
        size, digest = _size_and_digest(part.name)
        os.replace(part.name, path)
    except BaseException:
        try:
            os.unlink(part.name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)
    return size, digest


def _write_zip(wb: Workbook, target) -> None:
    """openpyxl's save, except that a failed write also closes the zip (left open,
    its finaliser would write into the removed file later)."""
    archive = ZipFile(target, "w", ZIP_DEFLATED, allowZip64=True)
    wb.properties.modified = datetime.now(timezone.utc).replace(tzinfo=None)
    try:
        ExcelWriter(wb, archive).save()  # closes the archive when done
    except BaseException:
        try:
            archive.close()
        except Exception:  # noqa: BLE001 - the disk that failed the write may fail this too
            pass
        raise


def _size_and_digest(filename: str) -> tuple[int, str]:
    digest = hashlib.sha256()
    size = 0
    with open(filename, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
            size += len(chunk)
    return size, digest.hexdigest()


def _fsync_directory(directory: Path) -> None:
    """Make the rename itself durable (a crash right after must not lose the new name)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def discard_sheet_files(wb: Workbook) -> None:
    """openpyxl streams each write-only sheet to a temp file and removes it only on a
    successful save; after a failure remove them here so a long-running scheduler
    does not fill the temp folder."""
    for ws in wb.worksheets:
        writer = getattr(ws, "_writer", None)
        if writer is None:
            continue
        for close in (getattr(ws, "_rows", None), writer):  # rows stream first: it writes into the writer
            try:
                if close is not None:
                    close.close()
            except Exception:  # noqa: BLE001 - the original error is what matters
                pass
        ws._rows = None
        out = getattr(writer, "out", None)
        if isinstance(out, str):
            try:
                os.unlink(out)
            except FileNotFoundError:
                pass
            if out in ALL_TEMP_FILES:
                ALL_TEMP_FILES.remove(out)
