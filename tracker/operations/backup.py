"""`flask --app tracker backup OUT`: a consistent copy of a live SQLite database.

SQLite's online backup API copies the database page by page inside one read
transaction, so the copy is the database as it was at one moment even while
the web workers and the scheduler keep writing (WAL mode lets them). The copy
is written beside OUT under a temporary name, checked with
`PRAGMA integrity_check`, and renamed into place: OUT is the complete backup
or nothing. On PostgreSQL the command says to use pg_dump, which does the same
job properly there."""
from __future__ import annotations

import os
import sqlite3
from datetime import datetime, timezone
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy.engine import make_url

from tracker.extensions import db


def backup_sqlite(database: Path, out: Path) -> int:
    """Copy `database` to `out` consistently; returns the copy's size in bytes."""
    part = out.with_name(f".{out.name}.part")
    source = sqlite3.connect(database, timeout=30)
    try:
        target = sqlite3.connect(part)
        try:
            source.backup(target)  # pages=-1: all in one step, one snapshot
            verdict = target.execute("PRAGMA integrity_check").fetchone()[0]
            if verdict != "ok":
                raise click.ClickException(f"the copy failed its integrity check ({verdict}); nothing was written to {out}.")
            target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        finally:
            target.close()
        os.replace(part, out)
    except BaseException:
        part.unlink(missing_ok=True)
        raise
    finally:
        source.close()
    return out.stat().st_size


def backup_path(out: Path) -> Path:
    """OUT itself, or a dated file inside OUT when it is a folder."""
    out = out.expanduser()
    if out.is_dir():
        return out / f"tracker-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.sqlite"
    if not out.parent.is_dir():
        raise click.ClickException(f"the folder {out.parent} does not exist.")
    return out


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
