"""PostgreSQL: the entry table partitioned by month of occurred_on (SQLite: nothing changes)

`entry` becomes `PARTITION BY RANGE (occurred_on)`: one partition a month,
entry_YYYY_MM, from the earliest month holding entries (at most FLOOR_MONTHS
before this month) to AHEAD_MONTHS after this month, and entry_default for any
date outside them. The rows move by one INSERT ... SELECT into the new table;
the old one is dropped. The primary key becomes (id, occurred_on), as
PostgreSQL requires of a unique key on a partitioned table; ids still come
from the same sequence, set past the largest id. Indexes are made once, after
the rows are in, as partitioned indexes (each partition gets its own).

The scheduler and `flask entries make-partitions` make the months after these
(tracker/entries/partitions.py). This file repeats that module's partition
name and CREATE TABLE ... PARTITION OF statement because a migration imports
nothing of the app (migrations/README): it must do the same thing on the day
it runs whatever the app later becomes.

The downgrade turns it back into one plain table, the rows and ids kept.

Revision ID: 20261206_entry_partitions
Revises: 20261206_burden_stamps
"""
from datetime import date

from alembic import op

revision = "20261206_entry_partitions"
down_revision = "20261206_burden_stamps"
branch_labels = None
depends_on = None

AHEAD_MONTHS = 12  # an entry may be dated up to a year ahead (the entry rules, as on the day)
BEHIND_MONTHS = 12  # work is often logged for the months just past
FLOOR_MONTHS = 60  # older entries stay in entry_default; make-partitions --from carves them out
OLD = "entry_unpartitioned"

# The entry table's keys and indexes as the models declared them on the day.
FOREIGN_KEYS = (
    ("fk_entry_request_id_request", "request_id", "request"),
    ("fk_entry_team_id_team", "team_id", "team"),
    ("fk_entry_logged_by_id_user", "logged_by_id", '"user"'),
    ("fk_entry_deleted_by_id_user", "deleted_by_id", '"user"'),
    ("fk_entry_import_batch_id_import_batch", "import_batch_id", "import_batch"),
)
INDEXES = (
    "CREATE INDEX ix_entry_team_occurred ON {table} (team_id, occurred_on)",
    "CREATE INDEX ix_entry_occurred ON {table} (occurred_on)",
    "CREATE INDEX ix_entry_request_id ON {table} (request_id)",
    "CREATE INDEX ix_entry_logged_by_id ON {table} (logged_by_id)",
    "CREATE INDEX ix_entry_import_batch_id ON {table} (import_batch_id)",
    "CREATE INDEX ix_entry_supplied_elsewhere ON {table} (request_id, occurred_on, team_id)"
    " WHERE deleted_at IS NULL AND duplicated_elsewhere = 'yes'",
    "CREATE INDEX ix_entry_live_day ON {table} (occurred_on, team_id, request_id, band)"
    " INCLUDE (minutes, duplicated_elsewhere, used) WHERE deleted_at IS NULL",
)
INDEX_NAMES = [statement.split()[2] for statement in INDEXES]


def partition_name(month: date) -> str:
    return f"entry_{month:%Y_%m}"


def add_months(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _rebuild_entry_as(partitioned=True)


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    _rebuild_entry_as(partitioned=False)


def _rebuild_entry_as(partitioned: bool) -> None:
    """Rename the table aside, make the new one, copy the rows, index, drop the old, set the sequence."""
    bind = op.get_bind()
    op.execute("LOCK TABLE entry IN ACCESS EXCLUSIVE MODE")
    for name in INDEX_NAMES:  # their names are the new table's; and copying is faster without them
        op.execute(f"DROP INDEX IF EXISTS {name}")
    op.execute(f"ALTER TABLE entry RENAME TO {OLD}")
    op.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT pk_entry TO pk_{OLD}")
    op.execute("ALTER SEQUENCE entry_id_seq OWNED BY NONE")  # it outlives the old table
    # LIKE copies the columns in order, their defaults (the id's nextval) and the CHECK constraints.
    layout = "PARTITION BY RANGE (occurred_on)" if partitioned else ""
    op.execute(f"CREATE TABLE entry (LIKE {OLD} INCLUDING DEFAULTS INCLUDING CONSTRAINTS) {layout}")
    key = "id, occurred_on" if partitioned else "id"
    op.execute(f"ALTER TABLE entry ADD CONSTRAINT pk_entry PRIMARY KEY ({key})")
    if partitioned:
        _make_months(bind)
    columns = ", ".join(
        f'"{name}"' for name in bind.exec_driver_sql(
            "SELECT attname FROM pg_attribute WHERE attrelid = 'entry'::regclass AND attnum > 0"
            " AND NOT attisdropped ORDER BY attnum"
        ).scalars()
    )
    op.execute(f"INSERT INTO entry ({columns}) SELECT {columns} FROM {OLD}")
    op.execute(f"DROP TABLE {OLD}")
    for statement in INDEXES:
        op.execute(statement.format(table="entry"))
    for name, column, target in FOREIGN_KEYS:
        op.execute(f"ALTER TABLE entry ADD CONSTRAINT {name} FOREIGN KEY ({column}) REFERENCES {target} (id)")
    op.execute("ALTER SEQUENCE entry_id_seq OWNED BY entry.id")
    op.execute("SELECT setval('entry_id_seq', GREATEST((SELECT max(id) FROM entry), 1),"
               " (SELECT max(id) FROM entry) IS NOT NULL)")
    op.execute("ANALYZE entry")


def _make_months(bind) -> None:
    this_month = date.today().replace(day=1)
    earliest = bind.exec_driver_sql(f"SELECT min(occurred_on) FROM {OLD}").scalar()
    first = add_months(this_month, -BEHIND_MONTHS)
    if earliest:
        first = max(min(earliest.replace(day=1), first), add_months(this_month, -FLOOR_MONTHS))
    month = first
    while month <= add_months(this_month, AHEAD_MONTHS):
        op.execute(f"CREATE TABLE {partition_name(month)} PARTITION OF entry"
                   f" FOR VALUES FROM ('{month}') TO ('{add_months(month, 1)}')")
        month = add_months(month, 1)
    op.execute("CREATE TABLE entry_default PARTITION OF entry DEFAULT")
