"""A consistent copy of a live SQLite database (`flask --app tracker backup OUT`: commands.py).

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
