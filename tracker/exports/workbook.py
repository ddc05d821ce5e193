"""The monthly burden workbook (SPEC, "The monthly workbook").

`build_workbook` is a plain function (no Flask): the CLI, the scheduler and
the exports page all call it with a session. Every figure comes from the
burden service; this module only lays the figures out.

openpyxl runs in write-only mode so the Entries sheet streams however many
rows there are; the file is written under a temporary name (in `work_dir`, the
build's own folder, when given: tracker/exports/building.py), fsynced and
renamed into place, so the final path holds either the complete new workbook
or whatever was there before, never a partial file. openpyxl's temporary
sheet files go to `work_dir` too."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Callable
from zoneinfo import ZoneInfo

from openpyxl import Workbook

from tracker.catalogue.services import slugify
from tracker.exports import entries_sheet, sheets, summary_sheet
from tracker.licences.sheets import write_unlicensed
from tracker.shared.snapshot import one_snapshot
from tracker.shared.timeutil import app_timezone, month_start
from tracker.shared.xlsx.files import discard_sheet_files, save_atomically, sheet_files_in
from tracker.shared.xlsx.formats import Formats

# SPEC's seven sheets in its order, then Unlicensed (issue 10) last, so the seven keep their places.
SHEET_NAMES = ("Summary", "By team", "By source", "By request", "Team x Source", "Trend", "Entries", "Unlicensed")

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
    slug = getattr(team, "slug", None) or slugify(str(team))
    return f"{stem}-team-{slug}.xlsx"


def build_workbook(
    session,
    *,
    month: date,
    team_ids: list[int] | None,
    path: Path,
    scope_label: str,
    signoffs: dict | None = None,
    progress: Progress | None = None,
    timezone: ZoneInfo | None = None,
    work_dir: Path | None = None,
) -> WorkbookResult:
    """Write the monthly workbook for `month` and the teams `team_ids` (None: every team) to `path`.

    `signoffs` maps team_id -> {"by": name, "at": datetime}; a team that is
    absent is shown as not signed off. `progress(done, total)` is called as
    Entries rows are written. Times are shown in `timezone` (default: the app's TIMEZONE).
    openpyxl's temporary sheet files and the half-written file go in `work_dir` when given."""
    with sheet_files_in(work_dir):  # None: the system temp folder, as openpyxl does by itself
        return _build(session, month, team_ids, Path(path), scope_label, signoffs, progress, timezone, work_dir)


def _build(session, month, team_ids, path, scope_label, signoffs, progress, timezone, work_dir) -> WorkbookResult:
    month = month_start(month)
    team_ids = None if team_ids is None else list(team_ids)
    wb = Workbook(write_only=True)
    ws = {name: wb.create_sheet(name) for name in SHEET_NAMES}
    fmt = Formats(ws["Summary"])
    try:
        with one_snapshot(session):
            figures = sheets.gather(session, month, team_ids, timezone or app_timezone())
            figures.scope = scope_label
            sheets.write_by_team(ws["By team"], fmt, figures)
            sheets.write_by_source(ws["By source"], fmt, figures)
            sheets.write_by_request(ws["By request"], fmt, figures)
            sheets.write_team_x_source(ws["Team x Source"], fmt, figures)
            sheets.write_trend(ws["Trend"], fmt, figures)
            write_unlicensed(ws["Unlicensed"], fmt, figures.unlicensed, figures.print_footer, sheets.WORKBOOK_HEADING)
            summary_sheet.write_summary(ws["Summary"], fmt, figures, ws["By team"], scope_label, signoffs or {})
            written = entries_sheet.write_entries(ws["Entries"], fmt, session, figures, progress)
        size, digest = save_atomically(wb, path, work_dir)
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
            "unlicensed_minutes": figures.unlicensed.totals.minutes,
            "unlicensed_cost": figures.unlicensed.totals.cost,
        },
    )


