"""`flask --app tracker import FILE --user EMAIL ...` and `flask --app tracker import-catalogue FILE`.

The report (what was recognised, the unknown sources and requests, every bad
row by its row number, column and reason) goes to stdout; a progress bar to
stderr. Any bad row means nothing is written and the exit status is 1, unless
--good-rows-only, when the good rows are written and the bad ones are saved
beside the file (NAME-bad-rows.csv or .xlsx) to fix and import again."""
from __future__ import annotations

import sys
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from tqdm import tqdm

from tracker.extensions import db
from tracker.imports import catalogue as register
from tracker.imports.commit import ImportRefused, write_entries
from tracker.imports.files import bad_rows_csv, bad_rows_xlsx, describe
from tracker.imports.formats import FORMAT_CHOICES, FORMATS, UnknownFormat, detect
from tracker.imports.reading import FileRefused, Limits, open_table
from tracker.imports.validate import Checked, Options, check_entries
from tracker.imports.values import BadValue, parse_band
from tracker.models.auth import User
from tracker.shared.choices import BANDS

MAX_LISTED = 200  # bad rows printed; the bad-rows file has them all


def report(checked: Checked, echo=click.echo) -> None:
    mapping = checked.mapping
    echo(f"Format: {FORMATS[mapping.format].label}")
    for name, index in mapping.columns.items():
        echo(f"  {name:<11} <- {mapping.headers[index]}")
    if mapping.unknown_columns:
        echo("Ignored columns: " + ", ".join(mapping.unknown_columns))
    if checked.new_sources:
        echo("Sources not in the catalogue: " + ", ".join(sorted(checked.new_sources.values())))
    if checked.new_requests:
        echo("Requests not in the catalogue: " + ", ".join(f"{t} ({s})" for s, t in sorted(checked.new_requests.values())))
    for problem in checked.file_problems:
        echo(f"Refused: {problem}")
    for problem in checked.problems[:MAX_LISTED]:
        echo(f"Row {problem.row}, {problem.column}: {problem.reason}")
    if len(checked.problems) > MAX_LISTED:
        echo(f"... and {len(checked.problems) - MAX_LISTED} more problems")
    echo(f"Rows read: {checked.rows_read}; to add: {len(checked.good)}; already imported: {checked.skipped}; "
         f"refused: {checked.refused}")


def _bad_rows_path(path: Path) -> Path:
    suffix = ".xlsx" if path.suffix.lower() in (".xlsx", ".xlsm") else ".csv"
    return path.with_name(f"{path.stem}-bad-rows{suffix}")


def _save_bad_rows(checked: Checked, path: Path) -> Path:
    target = _bad_rows_path(path)
    if target.suffix == ".xlsx":
        bad_rows_xlsx(checked, target)
    else:
        target.write_bytes(bad_rows_csv(checked))
    return target


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, metavar="EMAIL", help="Who the entries are logged by (unless a row's email names a member of its team).")
@click.option("--team", "team_name", metavar="NAME", help="The team for rows whose Team column is empty (or missing).")
@click.option("--format", "wanted", type=click.Choice(FORMAT_CHOICES), default="auto", show_default=True)
@click.option("--band", metavar="BAND", help=f"Staff band for rows without one ({', '.join(BANDS)}). Default: your last entry's band.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--create-missing", is_flag=True, help="Add sources and requests the catalogue does not have yet.")
@click.option("--good-rows-only", is_flag=True, help="Write the good rows and save the bad ones to a file to fix.")
@with_appcontext
def import_command(file: Path, email, team_name, wanted, band, dry_run, create_missing, good_rows_only) -> None:
    """Import entries from an .xlsx or .csv file (the tracker's own, Toggl, Clockify, Harvest or Kimai)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True)))
    if user is None:
        raise click.BadParameter(f"there is no active user with the email {email}.", param_hint="'--user'")
    if band:
        try:
            parse_band(band)
        except BadValue as error:
            raise click.BadParameter(str(error), param_hint="'--band'") from None
    options = Options(user=user, team_name=team_name, band=band, create_missing=create_missing)
    try:
        table = open_table(file, file.name, Limits.from_config(current_app.config))
        mapping = detect(table.headers, wanted)
        with tqdm(desc="Checking", unit=" rows", file=sys.stderr, mininterval=0.5) as bar:
            checked = check_entries(table, mapping, options, progress=bar.update)
    except (FileRefused, UnknownFormat) as error:
        raise click.ClickException(str(error)) from None
    report(checked)
    if checked.file_problems or (checked.refused and not good_rows_only):
        if checked.refused and not checked.file_problems:
            click.echo("Nothing was imported: fix the rows above, or pass --good-rows-only.")
        db.session.rollback()
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was written.")
        return
    try:
        with tqdm(total=len(checked.good), desc="Writing", unit=" rows", file=sys.stderr, mininterval=0.5) as bar:
            batch = write_entries(checked, options, describe(file), good_rows_only=good_rows_only, progress=bar.update)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("Another import of some of the same rows finished first; nothing was written. "
                                   "Run it again: those rows will be skipped.") from None
    click.echo(f"Imported {batch.rows_added} entries (import {batch.id}); {batch.rows_skipped} already imported.")
    if checked.refused:
        click.echo(f"{checked.refused} bad row(s) saved to {_save_bad_rows(checked, file)}: fix them and import that file.")


@click.command("import-catalogue")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--create-missing", is_flag=True, help="Add owning organisations that are not sources yet.")
@click.option("--user", "email", metavar="EMAIL", help="Who the changes are recorded as made by (an admin or commissioner). Default: the command line.")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@with_appcontext
def import_catalogue_command(file: Path, create_missing: bool, email: str | None, dry_run: bool) -> None:
    """Load a register of collections (Reference, Title, Owning organisation, ...) into the catalogue."""
    user = None
    if email:
        user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower()))
        if user is None or not register.may_import(user):
            raise click.BadParameter("give the email of an active admin or commissioner.", param_hint="'--user'")
    try:
        table = open_table(file, file.name, Limits.from_config(current_app.config), prefer_sheet=None)
        plan = register.check_register(table, create_missing=create_missing)
    except (FileRefused, UnknownFormat) as error:
        raise click.ClickException(str(error)) from None
    for line in register.report_lines(plan):
        click.echo(line)
    if not plan.writable:
        db.session.rollback()
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was written.")
        return
    try:
        batch = register.write_register(plan, user, describe(file))
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Catalogue updated (import {batch.id}): {batch.rows_added} added, {batch.rows_updated} changed, "
               f"{batch.rows_skipped} unchanged.")


def register(app) -> None:
    app.cli.add_command(import_command)
    app.cli.add_command(import_catalogue_command)
