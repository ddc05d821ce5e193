"""A burden table folded into a coarser grouping: teams into sectors, requests into sources, sources into kinds.

The commissioner's dashboard asks the burden service twice (by team, by request)
and folds those rows into the other groupings it shows, instead of one more
grouped query per table. Entries, minutes and the duplicated and used minutes
are whole numbers, so a fold is exactly the service's own figure; a fold's cost
is the sum of its groups' exact costs, the way the service adds its totals (to
the penny and beyond the same; tests/burden/test_regroup.py holds it to that)."""
from __future__ import annotations

from typing import Callable

from tracker.burden.dimensions import dimension
from tracker.burden.figures import BurdenRow, BurdenTable
from tracker.extensions import db


def regroup(table: BurdenTable, name: str, key_of: Callable[[tuple], object], session=None) -> BurdenTable:
    """`table` (grouped one way) grouped by the dimension `name` instead; `key_of(row.key)` gives a row's new key.

    Rows come sorted by hours, largest first, and labelled, as the service gives them."""
    session = session or db.session
    rows: dict[tuple, BurdenRow] = {}
    for row in table.rows:
        key = (key_of(row.key),)
        rows.setdefault(key, BurdenRow(key, key)).add(row)
    totals = BurdenRow((), ("Total",))
    totals.add(table.totals)
    folded = BurdenTable((name,), table.filter, list(rows.values()), totals)
    folded.info[name] = dimension(name).info(session, (row.key[0] for row in folded.rows))
    for row in folded.rows:
        row.label = (folded.info[name].get(row.key[0], {}).get("label", str(row.key[0])),)
    folded.rows.sort(key=lambda r: (-r.minutes, r.label))
    return folded
