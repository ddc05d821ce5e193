"""`flask --app tracker entries make-partitions [--from YYYY-MM] [--ahead N]` (PostgreSQL's monthly partitions)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.entries.partitions import AHEAD_MONTHS, is_partitioned, make_partitions, make_partitions_ahead
from tracker.extensions import db
from tracker.shared.timeutil import local_today, parse_month

entries_commands = AppGroup("entries", help="The entry table.")


def _month(_context, _parameter, value):
    try:
        return parse_month(value) if value else None
    except ValueError as error:
        raise click.BadParameter(str(error)) from None


@entries_commands.command("make-partitions")
@click.option("--from", "first", callback=_month, metavar="YYYY-MM",
              help="Also make the months from this one (their entries move out of entry_default).")
@click.option("--ahead", type=click.IntRange(0, 120), default=AHEAD_MONTHS, show_default=True,
              help="Months after this one to make.")
def make_partitions_command(first, ahead: int) -> None:
    """Make the entry table's missing month partitions, from this month to --ahead months after it
    (what the scheduler's make-entry-partitions job does daily). PostgreSQL only; elsewhere nothing to do."""
    if not is_partitioned(db.session.connection()):
        click.echo("The entry table is not partitioned here (SQLite, or before the migration): nothing to do.")
        return
    made = make_partitions_ahead(db.session, local_today(), ahead)
    if first is not None:
        made = make_partitions(db.session, first, local_today()) + made
    db.session.commit()
    click.echo(f"Made {len(made)} partition(s): {', '.join(made)}." if made else "Every partition was there already.")


def register(app) -> None:
    app.cli.add_command(entries_commands)
