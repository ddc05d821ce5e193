"""The entry table's monthly partitions on PostgreSQL: making them ahead of time, and what they are.

On PostgreSQL the migration 20261206_entry_partitions makes `entry` a table
partitioned by range of occurred_on: one partition a month (entry_YYYY_MM) and
entry_default for any date no month partition covers, so an entry never fails
for want of a partition. The scheduler's make-entry-partitions job (and
`flask entries make-partitions`) calls make_partitions_around, which makes the
months from BEHIND_MONTHS before this one to AHEAD_MONTHS after it that do not
exist yet (work is often logged for the months just past).

A month whose rows already sit in entry_default (an entry dated beyond the
months made, or an old month carved out with --from) is made as a plain
table, the rows moved into it from the default partition, then attached:
PostgreSQL refuses to add a partition whose rows the default partition holds.
Moving a row keeps its id, version and every value, so the rollups stay exact.

Two schedulers may run this at once: a transaction-scoped advisory lock makes
the second wait, and then it finds the months made. SQLite, and a PostgreSQL
table not (yet) partitioned: nothing to do."""
from __future__ import annotations

from datetime import date

from sqlalchemy import text

from tracker.shared.timeutil import add_months, month_start

TABLE = "entry"
DEFAULT_PARTITION = "entry_default"
AHEAD_MONTHS = 12  # an entry may be dated up to a year from today (tracker/entries/rules.py)
BEHIND_MONTHS = 12  # and any day since 2000: older months are made on demand (make-partitions --from)
# pg_advisory_xact_lock's key for making partitions: any number no other lock of the app uses.
LOCK_KEY = 0x656E7472  # "entr"


def partition_name(month: date) -> str:
    """The partition holding `month`'s entries (the migration writes the same name)."""
    return f"{TABLE}_{month:%Y_%m}"


def is_partitioned(connection) -> bool:
    if connection.dialect.name != "postgresql":
        return False
    return bool(connection.execute(text(
        "SELECT EXISTS (SELECT 1 FROM pg_partitioned_table WHERE partrelid = to_regclass(:table))"
    ), {"table": TABLE}).scalar())


def partitions(connection) -> dict[str, str]:
    """Every partition of the entry table (in the schema the connection works in): name → its bounds."""
    if not is_partitioned(connection):
        return {}
    rows = connection.execute(text(
        "SELECT c.relname, pg_get_expr(c.relpartbound, c.oid) FROM pg_inherits i"
        " JOIN pg_class c ON c.oid = i.inhrelid WHERE i.inhparent = to_regclass(:table)"
    ), {"table": TABLE})
    return dict(rows.all())


def make_partitions_around(session, today: date) -> list[str]:
    """The month partitions from BEHIND_MONTHS before `today`'s month to AHEAD_MONTHS after it that
    were missing, made (in the caller's transaction)."""
    return make_partitions(session, *default_range(today))


def default_range(today: date) -> tuple[date, date]:
    this_month = month_start(today)
    return add_months(this_month, -BEHIND_MONTHS), add_months(this_month, AHEAD_MONTHS)


def make_partitions(session, first: date, last: date) -> list[str]:
    """Make each missing month partition from `first`'s month to `last`'s, in the caller's transaction
    (the caller commits). Returns the names made, oldest first."""
    connection = session.connection()
    if not is_partitioned(connection):
        return []
    connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
    existing = partitions(connection)  # read after the lock: a racing scheduler's months are committed
    missing = []
    month = month_start(first)
    while month <= month_start(last):
        if partition_name(month) not in existing:
            missing.append(month)
        month = add_months(month, 1)
    if missing:
        # Writers wait until the commit (readers do not), so no entry reaches entry_default for a
        # month between looking there and adding the month; locking the parent first, as an
        # INSERT does, leaves no room for a deadlock.
        connection.execute(text(f"LOCK TABLE {TABLE} IN SHARE ROW EXCLUSIVE MODE"))
    for month in missing:
        _make_month(connection, month)
    return [partition_name(month) for month in missing]


def _make_month(connection, month: date) -> None:
    name, start, end = partition_name(month), month, add_months(month, 1)
    bounds = f"FOR VALUES FROM ('{start}') TO ('{end}')"
    in_month = "occurred_on >= :start AND occurred_on < :end"
    waiting = DEFAULT_PARTITION in partitions(connection) and connection.execute(
        text(f"SELECT EXISTS (SELECT 1 FROM {DEFAULT_PARTITION} WHERE {in_month})"), {"start": start, "end": end}
    ).scalar()
    if not waiting:
        connection.execute(text(f"CREATE TABLE {name} PARTITION OF {TABLE} {bounds}"))
        return
    # LIKE copies the columns in order, their defaults and the CHECK constraints; attaching adds
    # the keys, indexes and foreign keys of the parent. The range CHECK spares attaching a scan.
    columns = ", ".join(f'"{c}"' for c in connection.execute(text(
        "SELECT attname FROM pg_attribute WHERE attrelid = to_regclass(:table) AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum"
    ), {"table": TABLE}).scalars())
    connection.execute(text(
        f"CREATE TABLE {name} (LIKE {TABLE} INCLUDING DEFAULTS INCLUDING CONSTRAINTS,"
        f" CONSTRAINT {name}_range CHECK (occurred_on >= '{start}' AND occurred_on < '{end}'))"
    ))
    connection.execute(text(
        f"WITH moved AS (DELETE FROM {DEFAULT_PARTITION} WHERE {in_month} RETURNING {columns})"
        f" INSERT INTO {name} ({columns}) SELECT {columns} FROM moved"
    ), {"start": start, "end": end})
    connection.execute(text(f"ALTER TABLE {TABLE} ATTACH PARTITION {name} {bounds}"))
    connection.execute(text(f"ALTER TABLE {name} DROP CONSTRAINT {name}_range"))


def leave_out_partitions(connection):
    """Alembic's `include_name` for comparing the models with a database (migrations/env.py's
    autogenerate, tests/migrations): the month partitions are made by the migration and the
    scheduler, not declared by the models; `entry` itself and its partitioned indexes still count."""
    made_by_month: list[set[str]] = []  # looked up at the first name, inside Alembic's transaction

    def include(name, kind, _parents) -> bool:
        if kind != "table":
            return True
        if not made_by_month:
            made_by_month.append(set(partitions(connection)))
        return name not in made_by_month[0]

    return include
