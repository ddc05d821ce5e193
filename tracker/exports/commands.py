"""`flask --app tracker export --month YYYY-MM [--team NAME] [--out FILE]`: one workbook now.

Prints the workbook's path on stdout (so scripts can pick it up) and a
progress bar on stderr. A malformed month, a month that has not ended yet, an
unknown team, a missing or read-only EXPORT_DIR or a folder that cannot be
written is refused with a clear message, a non-zero exit and no file. The
build works in a folder of its own under EXPORT_DIR (tracker/exports/building.py)."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select
from tqdm import tqdm

from tracker.models.catalogue import Team
from tracker.exports.building import ExportDirError, build_folder, ensure_export_dir
from tracker.exports.workbook import build_workbook, workbook_filename
from tracker.signoff.services import signoffs_for
from tracker.extensions import db
from tracker.shared.timeutil import local_today, month_start, parse_month


def find_team(session, name: str) -> Team | None:
    """A team by its name (ignoring case and spacing), else by its slug."""
    return Team.named(name) or session.scalar(select(Team).where(Team.slug == name.strip().lower()))


def ended_month(text: str, timezone: str):
    """The month `text` names, if it is over in `timezone`; click errors otherwise."""
    try:
        month = parse_month(text)
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="'--month'") from None
    today = local_today(timezone)
    if month >= month_start(today):
        raise click.BadParameter(
            f"{month:%B %Y} has not ended yet (today is {today.isoformat()} in {timezone}); "
            "a workbook can only be made for a past month.",
            param_hint="'--month'",
        )
    return month


def output_path(out: Path | None, filename: str) -> Path:
    if out is None:
        return ensure_export_dir(current_app.config["EXPORT_DIR"]) / filename
    out = Path(out).expanduser()
    if out.is_dir():
        return out / filename
    if not out.parent.is_dir():
        raise click.BadParameter(f"the folder {out.parent} does not exist.", param_hint="'--out'")
    return out


@click.command("export")
@click.option("--month", "month_text", required=True, metavar="YYYY-MM", help="The month to export; it must have ended.")
@click.option("--team", "team_name", metavar="NAME", help="One team's workbook (name or slug). Default: every team.")
@click.option("--out", type=click.Path(path_type=Path), help="File (or folder) to write. Default: EXPORT_DIR.")
@with_appcontext
def export_command(month_text: str, team_name: str | None, out: Path | None) -> None:
    """Write one monthly burden workbook and print its path."""
    month = ended_month(month_text, current_app.config.get("TIMEZONE") or "Europe/London")
    session = db.session
    team = None
    if team_name is not None:
        team = find_team(session, team_name)
        if team is None:
            raise click.BadParameter(f"there is no team called '{team_name}'.", param_hint="'--team'")
    team_ids = None if team is None else [team.id]
    scope_label = "All teams" if team is None else team.name
    try:
        path = output_path(out, workbook_filename(month, team))
    except ExportDirError as error:
        raise click.ClickException(str(error)) from None
    signoffs = signoffs_for(session, month, team_ids)
    session.rollback()  # end the look-up transaction, so the export reads one snapshot (PostgreSQL)

    with tqdm(total=0, unit=" entries", desc=f"{month:%Y-%m}", file=sys.stderr, dynamic_ncols=True) as bar:

        def progress(done: int, total: int) -> None:
            if bar.total != total:
                bar.total = total
            bar.update(done - bar.n)

        try:
            with build_folder(current_app.config["EXPORT_DIR"]) as work_dir:
                result = build_workbook(session, month=month, team_ids=team_ids, path=path, scope_label=scope_label,
                                        signoffs=signoffs, progress=progress, work_dir=work_dir)
        except ExportDirError as error:
            raise click.ClickException(str(error)) from None
        except OSError as error:
            raise click.ClickException(f"could not write {path}: {error.strerror or error}") from None
    click.echo(str(result.path))


def register(app) -> None:
    app.cli.add_command(export_command)
