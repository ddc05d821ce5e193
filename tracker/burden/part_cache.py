"""Grouped rows of months that have not changed, kept in this process for the next reader.

A burden figure over a period is added up from parts (tracker/burden/row_sources.py):
blocks of whole months from the rollups, and the days at the edges from the
entries. A part's rows depend only on what the part asks (its description: table,
groupings, filters, days, rate segments) and on the months it reads, so when none of
those months' stamps has changed (tracker/burden/stamps.py) the rows read last time
are the rows now. A 12-month dashboard then reads only the month that is still
being logged; past months cost a dictionary look-up until someone changes them.

Bounded by rows held (PART_CACHE_ROWS), least recently used out first. Per process:
each gunicorn worker keeps its own. Knows nothing of Flask."""
from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date, timedelta
from typing import Callable, Iterable

from tracker.burden.stamps import EPOCH, stamps_between
from tracker.shared.timeutil import add_months

PART_CACHE_ROWS = 500_000  # about 60 MB of rows at most, per process


class PartCache:
    def __init__(self, max_rows: int = PART_CACHE_ROWS):
        self.max_rows = max_rows
        self._rows = 0
        self._parts: OrderedDict[tuple, list[tuple]] = OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def rows(self, key: tuple | None, read: Callable[[], list | dict]) -> list | dict:
        """The part's rows (or what they were summed to): kept ones when `key` was read before, else
        `read()`, kept unless key is None. Callers never change what they are given."""
        if key is None:
            return read()
        with self._lock:
            found = self._parts.get(key)
            if found is not None:
                self._parts.move_to_end(key)
                self.hits += 1
                return found
            self.misses += 1
        rows = read()
        if len(rows) <= self.max_rows // 4:  # one part never pushes out most of the others
            with self._lock:
                if key not in self._parts:
                    self._parts[key] = rows
                    self._rows += len(rows)
                    while self._rows > self.max_rows and self._parts:
                        _, dropped = self._parts.popitem(last=False)
                        self._rows -= len(dropped)
        return rows

    def clear(self) -> None:
        with self._lock:
            self._parts.clear()
            self._rows = 0


parts_read = PartCache()


MAX_MONTHS = 240  # a part over more months than this (the entry list's "everything") is not kept


def months_of(ranges: Iterable[tuple[date, date]]) -> list[date] | None:
    """The first day of every month that any of the inclusive day ranges touches (None: more than MAX_MONTHS)."""
    months = set()
    for first, last in ranges:
        span = (last.year - first.year) * 12 + last.month - first.month
        if span >= MAX_MONTHS:
            return None
        months.update(add_months(first, n) for n in range(span + 1))
    return sorted(months) if len(months) <= MAX_MONTHS else None


def part_key(description: tuple, months: list[date] | None, stamps: dict[date, int] | None, database: str) -> tuple | None:
    """What identifies a part's rows now: its description and the stamps of its months (None: not reusable)."""
    if stamps is None or months is None:
        return None
    return (database, stamps[EPOCH], description, tuple((month, stamps.get(month)) for month in months))


class Keeper:
    """Reads over day ranges within [first, last], reused while the stamps of their months stand: the
    stamps read once, for every read asked of it."""

    def __init__(self, session, first: date, last: date):
        self.stamps = stamps_between(session, first, last)
        self.database = session.get_bind().url.render_as_string(hide_password=True)

    def __call__(self, description: tuple, ranges, read: Callable[[], list | dict]) -> list | dict:
        """`read()`'s answer, for a read that depends on nothing but its ranges' months' rollups and
        entries and on what `description` names."""
        return parts_read.rows(part_key(description, months_of(ranges), self.stamps, self.database), read)


def reuse(session, description: tuple, ranges, read: Callable[[], list | dict]) -> list | dict:
    """One read kept as `Keeper` keeps them (tracker/burden/medians.py, the workspace's response counts
    and duplicate evidence)."""
    days = [day for day_range in ranges for day in day_range]
    return Keeper(session, min(days), max(days))(description, ranges, read)


# ---- where kept months end and the month still being logged begins --------------------------


def live_from() -> date:
    """The first day of this month: the months before it are kept, this one (still being logged)
    and any after it are read afresh."""
    return date.today().replace(day=1)


def split_months(ranges) -> list[tuple[tuple[date, date], ...]]:
    """Ranges of months (their first days) in two blocks: before `live_from()`, and from it on."""
    start = live_from()
    return _split_at(ranges, start, add_months(start, -1))


def split_days(ranges) -> list[tuple[tuple[date, date], ...]]:
    """Ranges of days in two blocks: before `live_from()`, and from it on."""
    start = live_from()
    return _split_at(ranges, start, start - timedelta(days=1))


def _split_at(ranges, start: date, before_end: date) -> list[tuple[tuple[date, date], ...]]:
    """Ranges in two blocks, those before `start` (ending by `before_end`, the unit before it) and those
    from `start` on; empty blocks left out."""
    before, after = [], []
    for first, last in ranges:
        if last < start:
            before.append((first, last))
        elif first >= start:
            after.append((first, last))
        else:
            before.append((first, before_end))
            after.append((start, last))
    return [tuple(block) for block in (before, after) if block]
