"""Database connection settings that must hold on every connection, and what "unavailable" means."""
from __future__ import annotations

import sqlite3

from sqlalchemy import event, select, text, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError, TimeoutError as PoolTimeout


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection, _record) -> None:
    """WAL lets readers work while the scheduler writes; foreign keys are off by default in SQLite."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


# Where a statement may read when a replica is set (tracker/replica.py); any other session ignores them.
# FOR_READING: a connection asked for to read (a snapshot, a streamed sheet) may be the replica's.
# ON_PRIMARY: this read must see the latest commit (who is signed in, whether a token is revoked).
FOR_READING = {"reading": True}
ON_PRIMARY = {"primary": True}


def is_sqlite(session_or_engine) -> bool:
    bind = getattr(session_or_engine, "bind", None) or session_or_engine.get_bind()
    return bind.dialect.name == "sqlite"


def hold_row(session, model, row_id: int):
    """The row as stored now, held until the transaction ends (None if there is no such row).

    Anything that reads a row's state and then writes because of it holds the
    row first, so a second writer waits here and then reads what the first
    committed. PostgreSQL locks the row (SELECT ... FOR UPDATE). SQLite has no
    row locks and its one write lock is taken by writing, so a write that
    changes nothing comes first (readers never wait for it)."""
    table = model.__table__
    held = select(model).where(table.c.id == row_id).with_for_update().execution_options(populate_existing=True)
    if is_sqlite(session):
        # Set a plain column to itself: not a key, so no foreign key is checked by the write.
        column = next(c for c in table.c if not c.primary_key and not c.foreign_keys and not c.unique)
        session.execute(update(table).where(table.c.id == row_id).values({column: column}))
        return session.scalars(held).one_or_none()
    # A row that the writer we waited for moved to another partition (an entry whose month changed:
    # tracker/entries/partitions.py) is not followed: PostgreSQL fails the lock as a serialization
    # failure, which would end the transaction. Inside a savepoint, we look again and find it where it went.
    for attempt in range(MOVED_ROW_ATTEMPTS):
        savepoint = session.begin_nested()
        try:
            row = session.scalars(held).one_or_none()
        except OperationalError as error:
            savepoint.rollback()
            if attempt + 1 == MOVED_ROW_ATTEMPTS or not moved_to_another_partition(error):
                raise
            continue
        savepoint.commit()
        return row


MOVED_ROW_ATTEMPTS = 5


def moved_to_another_partition(error: OperationalError) -> bool:
    """PostgreSQL's 'tuple to be locked was already moved to another partition due to concurrent update'."""
    return getattr(error.orig, "sqlstate", None) == "40001" and "another partition" in str(error.orig)


# ---- when the database is not there ------------------------------------------------

# What a database that is down, unreachable, locked or overloaded raises.
UNAVAILABLE_ERRORS = (OperationalError, InterfaceError, PoolTimeout)


def ping(session_or_connection) -> None:
    """One round trip to the database; raises one of UNAVAILABLE_ERRORS when it is not there."""
    session_or_connection.execute(text("SELECT 1"))


def unavailable_reason(error: BaseException) -> str:
    """The first line of what the driver said (no traceback), for logs and the command line."""
    original = getattr(error, "orig", None) or error
    lines = str(original).strip().splitlines()
    return lines[0].strip() if lines else original.__class__.__name__
