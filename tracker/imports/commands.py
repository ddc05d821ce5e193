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
from tracker.imports import catalogue as collections
from tracker.imports.commit import ImportRefused, nothing_to_do, write_entries
from tracker.imports.files import bad_rows_csv, bad_rows_xlsx, describe
from tracker.imports.formats import FORMAT_CHOICES, MAPPED, BadMap, UnknownFormat
from tracker.imports.messages import closing_hint, grouped, quoted, row_ranges
from tracker.imports.reading import FileRefused, Limits, open_table
from tracker.imports.remembered import choose_mapping, remember
from tracker.imports.validate import Checked, Options, check_entries
from tracker.imports.values import DATE_ORDERS, BadValue, parse_band
from tracker.models.auth import User
from tracker.shared.choices import BANDS

MAX_LISTED = 200  # bad rows printed; the bad-rows file has them all


def report(checked: Checked, echo=click.echo) -> None:
    mapping = checked.mapping
    echo(f"Format: {mapping.label}")
    for name, index in mapping.columns.items():
        echo(f"  {name:<11} <- {mapping.headers[index]}")
    if mapping.unknown_columns:
        echo("Ignored columns: " + ", ".join(mapping.unknown_columns))
    dates = checked.dates
    if dates.note:
        echo(dates.note)
        for written, words in dates.examples:
            echo(f"  {written} → {words}")
    if checked.new_sources:
        echo("Sources not in the catalogue: " + quoted(sorted(checked.new_sources.values())))
    if checked.new_requests:
        echo("Requests not in the catalogue: " + ", ".join(f"'{t}' ('{s}')" for s, t in sorted(checked.new_requests.values())))
    for problem in checked.file_problems:
        echo(f"Refused: {problem}")
    said = grouped(checked.problems)
    for line in said[:MAX_LISTED]:
        echo(line.line())
    if len(said) > MAX_LISTED:
        echo(f"... and {len(said) - MAX_LISTED} more problems")
    if checked.too_short:
        echo(f"Skipped {len(checked.too_short):,} row(s) under 30 seconds ({row_ranges(checked.too_short)}): "
             "a timer started by mistake is not work to count.")
    echo(f"Rows read: {checked.rows_read}; to add: {len(checked.good)}; already imported: {checked.skipped}; "
         f"under 30 seconds: {len(checked.too_short)}; refused: {checked.refused}")


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


def may_write(failed, dry_run: bool) -> bool:
    """After the checks: stop with exit status 1 when they failed, write nothing on a dry run."""
    if failed:
        db.session.rollback()
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing was written.")
        return False
    return True


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--user", "email", required=True, metavar="EMAIL", help="Who the entries are logged by (unless a row's email names a member of its team).")
@click.option("--team", "team_name", metavar="NAME", help="The team for rows whose Team column is empty (or missing).")
@click.option("--format", "wanted", type=click.Choice(FORMAT_CHOICES), default="auto", show_default=True)
@click.option("--band", metavar="BAND", help=f"Staff band for rows without one ({', '.join(BANDS)}).")
@click.option("--source", "source_name", metavar="NAME", help="The source (who asked) for rows whose source column is blank or missing.")
@click.option("--map", "map_text", metavar="COLUMNS",
              help='Which column gives what, for a layout we do not know: "date=Start,minutes=Duration,source=Client,'
                   'request=Project,notes=Description" (hours=/seconds= for other units); or "project-is-source".')
@click.option("--date-order", type=click.Choice(DATE_ORDERS), help="How to read dates like 03/04/2024: dmy (UK) or mdy (US).")
@click.option("--dry-run", is_flag=True, help="Check and report; write nothing.")
@click.option("--create-missing", is_flag=True, help="Add sources and requests the catalogue does not have yet.")
@click.option("--good-rows-only", is_flag=True, help="Write the good rows and save the bad ones to a file to fix.")
@with_appcontext
def import_command(file: Path, email, team_name, wanted, band, source_name, map_text, date_order, dry_run,
                   create_missing, good_rows_only) -> None:
    """Import entries from an .xlsx or .csv file (the tracker's own, Toggl, Clockify, Harvest, Kimai, or any
    layout by --map)."""
    user = db.session.scalar(select(User).where(func.lower(User.email) == email.strip().lower(), User.active.is_(True)))
    if user is None:
        raise click.BadParameter(f"there is no active user with the email {email}.", param_hint="'--user'")
    if band:
        try:
            parse_band(band)
        except BadValue as error:
            raise click.BadParameter(str(error), param_hint="'--band'") from None
    try:
        table = open_table(file, file.name, Limits.from_config(current_app.config))
        mapping, chosen, recalled_order = choose_mapping(user, table.headers, wanted, map_text)
    except BadMap as error:
        raise click.BadParameter(str(error), param_hint="'--map'") from None
    except (FileRefused, UnknownFormat) as error:
        raise click.ClickException(str(error)) from None
    if recalled_order or (mapping.format == MAPPED and not chosen):
        click.echo("Using the columns you chose before for a file with these headers.")
    options = Options(user=user, team_name=team_name, band=band, create_missing=create_missing,
                      source_name=source_name, date_order=date_order or recalled_order)
    try:
        with tqdm(desc="Checking", unit=" rows", file=sys.stderr, mininterval=0.5) as bar:
            checked = check_entries(table, mapping, options, progress=bar.update)
    except FileRefused as error:
        raise click.ClickException(str(error)) from None
    report(checked)
    if checked.refused and not checked.file_problems and not good_rows_only:
        click.echo(closing_hint(checked))
    if not checked.file_problems and not (checked.refused and not good_rows_only) and not checked.good:
        # Nothing to add: no batch (exit 1 only when refused rows are why).
        db.session.rollback()
        click.echo(nothing_to_do(checked))
        sys.exit(1 if checked.refused else 0)
    if not may_write(checked.file_problems or (checked.refused and not good_rows_only), dry_run):
        return
    try:
        with tqdm(total=len(checked.good), desc="Writing", unit=" rows", file=sys.stderr, mininterval=0.5) as bar:
            batch = write_entries(checked, options, describe(file), good_rows_only=good_rows_only, progress=bar.update)
        if chosen:
            remember(user, mapping, date_order)
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    except IntegrityError:
        db.session.rollback()
        raise click.ClickException("Another import of some of the same rows finished first; nothing was written. "
                                   "Run it again: those rows will be skipped.") from None
    click.echo(f"Imported {batch.rows_added} entries (import {batch.id}); {batch.rows_skipped} already imported"
               + (f"; {len(checked.too_short)} under 30 seconds skipped." if checked.too_short else "."))
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
        if user is None or not collections.may_import(user):
            raise click.BadParameter("give the email of an active admin or commissioner.", param_hint="'--user'")
    try:
        table = open_table(file, file.name, Limits.from_config(current_app.config), prefer_sheet=None)
        plan = collections.check_register(table, create_missing=create_missing)
    except (FileRefused, UnknownFormat) as error:
        raise click.ClickException(str(error)) from None
    for line in collections.report_lines(plan):
        click.echo(line)
    if not may_write(not plan.writable, dry_run):
        return
    try:
        batch = collections.write_register(plan, user, describe(file))
        db.session.commit()
    except ImportRefused as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    click.echo(f"Catalogue updated (import {batch.id}): {batch.rows_added} added, {batch.rows_updated} changed, "
               f"{batch.rows_skipped} unchanged.")


def register(app) -> None:
    app.cli.add_command(import_command)
    app.cli.add_command(import_catalogue_command)
