"""Column types shared by the models."""
from __future__ import annotations

from datetime import timezone

from sqlalchemy import DateTime, Index, text
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator):
    """Stored as naive UTC (same on SQLite and PostgreSQL); always read back as aware UTC."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("Naive datetimes are ambiguous; pass an aware UTC datetime.")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return value.replace(tzinfo=timezone.utc)


def unique_where(name: str, *columns: str, where: str) -> Index:
    """A unique index over the rows `where` holds (a partial index, on SQLite and PostgreSQL alike):
    e.g. at most one live decision per request, one open sign-off per team and month."""
    return Index(name, *columns, unique=True, sqlite_where=text(where), postgresql_where=text(where))
