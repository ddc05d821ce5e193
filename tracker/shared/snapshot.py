"""One consistent read of the database for a long report (a workbook, a statement)."""
from __future__ import annotations

from contextlib import contextmanager

from sqlalchemy.orm import scoped_session

from tracker.database import FOR_READING


@contextmanager
def one_snapshot(session):
    """Every query of one export sees the same data, so the sheets agree with each
    other even while people log work.

    One read transaction, ended afterwards: REPEATABLE READ on PostgreSQL; on
    SQLite an explicit BEGIN (the driver does not begin before a SELECT), whose
    first read fixes the snapshot in WAL mode without blocking writers. Only
    when the caller has no transaction and no unflushed changes of its own: we
    never change or discard a caller's work."""
    if isinstance(session, scoped_session):
        session = session()
    dialect = session.get_bind().dialect.name
    busy = session.in_transaction() or session.new or session.dirty or session.deleted
    if busy or dialect not in ("postgresql", "sqlite"):
        yield
        return
    if dialect == "postgresql":
        # On the replica when the session reads there (a hot standby takes REPEATABLE READ).
        session.connection(bind_arguments=FOR_READING, execution_options={"isolation_level": "REPEATABLE READ"})
    else:
        session.connection().exec_driver_sql("BEGIN")
    try:
        yield
    finally:
        session.rollback()  # read-only: nothing to keep
