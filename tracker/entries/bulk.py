"""Writing many entry rows at once, in the caller's transaction, without the ORM.

For loads too big for one `create_entry` per row (the importer; seed-demo's
loader builds on the same writers): executemany of plain tuples on SQLite,
COPY on PostgreSQL, Core's insert elsewhere. Callers validate every row with
the entry rules first (tracker/entries/rules.py), bring the rollups up to date
(tracker.burden.rollup) and record the audit event for the load."""
from __future__ import annotations

from datetime import date, datetime, timezone

from sqlalchemy import insert

from tracker.models.entries import Entry


def stored_date(day: date) -> str:
    """A date as SQLite stores it (SQLAlchemy's Date: ISO text)."""
    return day.isoformat()


def stored_timestamp(moment: datetime) -> str:
    """An aware timestamp as the UTCDateTime columns store it on SQLite: naive UTC text."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")


def insert_rows(session, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert rows of `columns` into entry. Dates and timestamps may be given as objects or as stored text."""
    if not rows:
        return
    dialect = session.get_bind().dialect.name
    if dialect == "sqlite":
        placeholders = ", ".join("?" * len(columns))
        plain = [tuple(_as_sqlite(v) for v in row) for row in rows] if _has_objects(rows[0]) else rows
        session.connection().exec_driver_sql(f"INSERT INTO entry ({', '.join(columns)}) VALUES ({placeholders})", plain)
    elif dialect == "postgresql":
        driver = session.connection().connection.driver_connection
        with driver.cursor() as cursor:
            with cursor.copy(f"COPY entry ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:  # write_row escapes tabs, newlines and backslashes in notes
                    copy.write_row(row)
    else:
        session.execute(insert(Entry.__table__), [_typed(dict(zip(columns, row))) for row in rows])


def _has_objects(row) -> bool:
    return any(isinstance(v, (date, datetime)) for v in row)


def _as_sqlite(value):
    if isinstance(value, datetime):
        return stored_timestamp(value)
    if isinstance(value, date):
        return stored_date(value)
    return value


def _typed(value: dict) -> dict:
    if isinstance(value.get("occurred_on"), str):
        value["occurred_on"] = date.fromisoformat(value["occurred_on"])
    for name in ("created_at", "updated_at"):
        if isinstance(value.get(name), str):
            value[name] = datetime.fromisoformat(value[name]).replace(tzinfo=timezone.utc)
    return value
