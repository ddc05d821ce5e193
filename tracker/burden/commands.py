"""`flask --app tracker burden rebuild-rollups`."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from tracker.burden.rollup import differences, rebuild_rollups
from tracker.extensions import db

burden_commands = AppGroup("burden", help="Burden rollups.")


@burden_commands.command("rebuild-rollups")
def rebuild_rollups_command():
    """Recompute the burden rollups from the entries (after loading entries some other way)."""
    rebuild_rollups(db.session)
    db.session.commit()
    left = differences(db.session)
    click.echo("Burden rollups rebuilt and checked against the entries." if not left else f"Differences remain: {left}")


def register(app) -> None:
    app.cli.add_command(burden_commands)
