"""`flask --app tracker entries make-partitions [--from YYYY-MM] [--to YYYY-MM]` (PostgreSQL's monthly partitions)."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.entries.partitions import default_range, is_partitioned, make_partitions
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
              help="The first month to make (default: 12 months before this one). "
                   "Its entries, and those of every month made, move out of entry_default.")
@click.option("--to", "last", callback=_month, metavar="YYYY-MM", help="The last month to make (default: 12 months ahead).")
def make_partitions_command(first, last) -> None:
    """Make the entry table's missing month partitions (what the scheduler's make-entry-partitions job
    does daily, over its default range). PostgreSQL only; elsewhere there is nothing to do."""
    if not is_partitioned(db.session.connection()):
        click.echo("The entry table is not partitioned here (SQLite, or before the migration): nothing to do.")
        return
    usual_first, usual_last = default_range(local_today())
    first, last = first or usual_first, last or usual_last
    if first > last:
        raise click.BadParameter(f"--from {first:%Y-%m} is after --to {last:%Y-%m}.")
    made = make_partitions(db.session, first, last)
    db.session.commit()
    click.echo(f"Made {len(made)} partition(s): {', '.join(made)}." if made else "Every partition was there already.")


def register(app) -> None:
    app.cli.add_command(entries_commands)
