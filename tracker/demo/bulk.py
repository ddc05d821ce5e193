"""Bulk writing of demo entries: a million rows in well under a minute.

The ORM (and even Core's per-row type processing) costs more than generating
the data, so rows go to the driver as the database stores them: executemany
of plain tuples on SQLite, COPY on PostgreSQL. This is the only place entries
are written without tracker.entries.services (no per-entry audit event: the
seed run records one event for all of them).

Transactions: one per batch of BATCH rows, except for a large load (at least
LARGE_LOAD rows and at least as many as the table holds). Maintaining the
secondary indexes row by row in random order costs more than building them
once from sorted data, and on PostgreSQL each row's foreign-key checks cost
more than the COPY itself; so a large load drops the entry table's secondary
indexes (and on PostgreSQL its foreign keys), writes, and re-creates them
exactly as the models declare them (validating every row once), all in ONE
transaction: the schema is never left without them and a failed load leaves
nothing behind."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Callable, Iterable

from sqlalchemy import CheckConstraint, func, inspect, select
from sqlalchemy.schema import AddConstraint, CreateIndex, DropConstraint, DropIndex

from tracker.entries.bulk import insert_rows
from tracker.models.entries import Entry

BATCH = 50_000
LARGE_LOAD = 100_000  # rows from which building the indexes once beats maintaining them row by row
COLUMNS = ("request_id", "team_id", "logged_by_id", "occurred_on", "minutes", "band",
           "duplicated_elsewhere", "used", "notes", "created_at", "updated_at")


def write_entries(session, months: Iterable[list[tuple]], expected: int,
                  progress: Callable[[int], None] | None = None) -> int:
    """Write rows of COLUMNS, as stored (dates and timestamps as ISO text); returns how many."""
    dialect = session.get_bind().dialect.name
    writer = {"sqlite": _insert_sqlite, "postgresql": _copy_postgresql}.get(dialect, _insert_core)
    large = (dialect in ("sqlite", "postgresql") and expected >= LARGE_LOAD
             and expected >= session.scalar(select(func.count()).select_from(Entry)))
    if not large:
        return _write_batches(session, months, writer, progress, commit_each=True)
    with _indexes_rebuilt_after(session, dialect):
        if dialect != "postgresql":
            return _write_batches(session, months, writer, progress, commit_each=False)
        # One COPY for the whole load: the server stores each batch while the next one is generated.
        with _copy(session) as copy:
            return _write_batches(session, months, lambda _s, rows: copy.write(_copy_text(rows)), progress,
                                  commit_each=False)


def _write_batches(session, months, writer, progress, commit_each: bool) -> int:
    written = 0
    for rows in months:
        for start in range(0, len(rows), BATCH):
            batch = rows[start:start + BATCH]
            writer(session, batch)
            if commit_each:
                session.commit()
            written += len(batch)
            if progress:
                progress(len(batch))
    return written


def _insert_sqlite(session, rows) -> None:
    insert_rows(session, COLUMNS, rows)


def _copy_postgresql(session, rows) -> None:
    with _copy(session) as copy:
        copy.write(_copy_text(rows))


@contextmanager
def _copy(session):
    driver = session.connection().connection.driver_connection
    with driver.cursor() as cursor:
        with cursor.copy(f"COPY entry ({', '.join(COLUMNS)}) FROM STDIN") as copy:
            yield copy


def _copy_text(rows) -> str:
    # COPY's text format: tab-separated; demo text never holds a tab, newline or backslash (tests check).
    return "".join([f"{r}\t{t}\t{u}\t{d}\t{m}\t{b}\t{dup}\t{used}\t{note}\t{c}\t{c2}\n"
                    for r, t, u, d, m, b, dup, used, note, c, c2 in rows])


def _insert_core(session, rows) -> None:
    """Any other database: portable, slower."""
    insert_rows(session, COLUMNS, rows)


@contextmanager
def _indexes_rebuilt_after(session, dialect: str):
    """One transaction: drop the entry table's secondary indexes (and, on PostgreSQL, its foreign
    keys), load, re-create them exactly as the models declare them. Nothing half-done survives."""
    session.commit()
    connection = session.connection()
    driver = connection.connection.driver_connection
    if dialect == "sqlite":
        # pysqlite runs DDL outside any transaction unless one is open: open it ourselves.
        connection.exec_driver_sql("BEGIN")
        # SQLite re-evaluates each `IN (...)` CHECK per row at twice the cost of the insert itself;
        # the same checks run once, set-based, over the new rows before commit (_check_new_rows).
        connection.exec_driver_sql("PRAGMA ignore_check_constraints = ON")
    present = inspect(connection)
    index_names = {ix["name"] for ix in present.get_indexes("entry")}
    indexes = [ix for ix in Entry.__table__.indexes if not ix.unique and ix.name in index_names]
    foreign_keys = []
    if dialect == "postgresql":  # SQLite checks a foreign key cheaply and cannot drop one anyway
        fk_names = {fk["name"] for fk in present.get_foreign_keys("entry")}
        foreign_keys = [fk for fk in Entry.__table__.foreign_key_constraints if fk.name in fk_names]
    last_id = session.scalar(select(func.coalesce(func.max(Entry.id), 0)))
    try:
        for fk in foreign_keys:
            connection.execute(DropConstraint(fk))
        for ix in indexes:
            connection.execute(DropIndex(ix))
        yield
        if dialect == "sqlite":
            _check_new_rows(connection, last_id)
        for ix in indexes:
            connection.execute(CreateIndex(ix))
        for fk in foreign_keys:
            connection.execute(AddConstraint(fk))
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        if dialect == "sqlite":  # on the driver's connection: it outlives the session's handle to it
            driver.execute("PRAGMA ignore_check_constraints = OFF")
    if dialect == "postgresql":
        # The planner's statistics now, rather than whenever autovacuum gets to a million new rows.
        session.connection().exec_driver_sql("ANALYZE entry")
        session.commit()


class CheckViolation(ValueError):
    """Bulk rows that break a CHECK constraint of the entry table; the load is rolled back."""


def _check_new_rows(connection, last_id: int) -> None:
    """Every CHECK constraint the table declares, over the rows after `last_id`, in one statement.

    A CHECK passes unless its expression is false (NULL passes), and so does `NOT (...)` here."""
    checks = [str(c.sqltext) for c in Entry.__table__.constraints if isinstance(c, CheckConstraint)]
    if not checks:
        return
    condition = " AND ".join(f"({check})" for check in checks)
    broken = connection.exec_driver_sql(
        f"SELECT count(*) FROM entry WHERE id > ? AND NOT ({condition})", (last_id,)
    ).scalar()
    if broken:
        raise CheckViolation(f"{broken} entries break the entry table's CHECK constraints; nothing was written.")
