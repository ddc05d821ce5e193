"""Month stamps: which months' rollups have changed since a process last read them.

Every change to a month's rollups (tracker/burden/rollup.py: an entry created,
edited or deleted, a bulk load, a rebuild) replaces that month's stamp with a
new random number in the same transaction. So a reader that sees a month's
stamp unchanged sees the month's figures unchanged too: the stamp and the
figures are committed together, and two writers of one month queue on its
stamp row (rows are stamped in month order, so they never deadlock).

The epoch row (EPOCH) is made afresh when every rollup is rebuilt, and is
missing in a database nothing has been written to since it was emptied; with
no epoch nothing is reused, so figures read from an earlier life of the
database are never taken for current. Random numbers rather than a counter
for the same reason: a counter starts again at 1 when the table is emptied."""
from __future__ import annotations

import secrets
from datetime import date
from typing import Iterable

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from tracker.models.burden import BurdenStamp

EPOCH = date(1, 1, 1)
_table = BurdenStamp.__table__


def _new_version() -> int:
    return secrets.randbits(62)


def _insert(session):
    return (postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert)(_table)


def stamp_months(session, months: Iterable[date]) -> None:
    """Give each month (any day of it) a new stamp, in the caller's transaction; make the epoch if missing."""
    firsts = sorted({day.replace(day=1) for day in months})
    if not firsts:
        return
    session.execute(_insert(session).values(month=EPOCH, version=_new_version()).on_conflict_do_nothing())
    statement = _insert(session).values([{"month": month, "version": _new_version()} for month in firsts])
    session.execute(statement.on_conflict_do_update(index_elements=["month"], set_={"version": statement.excluded.version}))


def new_epoch(session) -> None:
    """Forget every stamp and start a new epoch (after every rollup is rebuilt)."""
    session.execute(delete(_table))
    session.execute(_insert(session).values(month=EPOCH, version=_new_version()))


def stamps_between(session, first: date, last: date) -> dict[date, int] | None:
    """{month: stamp} of the months with a stamp from first's month to last's, or None without an epoch
    (then nothing may be reused)."""
    rows = dict(session.execute(
        select(_table.c.month, _table.c.version).where(
            or_(_table.c.month == EPOCH, _table.c.month.between(first.replace(day=1), last.replace(day=1))))
    ).all())
    epoch = rows.pop(EPOCH, None)
    if epoch is None:
        return None
    rows[EPOCH] = epoch
    return rows
