"""`flask --app tracker backup OUT`: a consistent copy of a live SQLite database (backup.py)."""
from __future__ import annotations

import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from tracker.extensions import db
from tracker.operations.backup import backup_path, backup_sqlite


@click.command("backup")
@click.argument("out", type=click.Path(path_type=Path))
@with_appcontext
def backup_command(out: Path) -> None:
    """Write a consistent backup of the (SQLite) database to OUT (a file, or a folder for a dated file)."""
    url = make_url(current_app.config["SQLALCHEMY_DATABASE_URI"])
    if url.get_backend_name() != "sqlite":
        raise click.ClickException(
            "the database is PostgreSQL: back it up with pg_dump, for example "
            f"pg_dump --format=custom --file=tracker.dump '{url.set(drivername='postgresql').render_as_string(hide_password=True)}' "
            "(README.md, Production: backups)."
        )
    database = Path(url.database or "")
    if not url.database or url.database == ":memory:" or not database.is_file():
        raise click.ClickException(f"there is no SQLite database file at {database}.")
    db.session.remove()
    target = backup_path(out)
    try:
        size = backup_sqlite(database, target)
    except (sqlite3.Error, OSError) as error:
        raise click.ClickException(f"could not back up to {target}: {error}") from None
    click.echo(f"{target} ({size:,} bytes)")


def register(app) -> None:
    app.cli.add_command(backup_command)
