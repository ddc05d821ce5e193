"""Every way burden can be grouped, declared once.

A dimension says, in one place: its key as SQL over any place burden rows are
read from (the entries table or a rollup, tracker/burden/row_sources.py), the
tables it joins, which rollup key columns it needs (so the service picks the
smallest rollup that can answer), how its keys are described (label first),
and where it is offered (the API's `group_by`, the pages, the workbook). The
service, the API, its OpenAPI document, the dashboards and the workbook all
read this registry; a new grouping is one more entry here."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable, Iterable

from sqlalchemy import func, select

from tracker.extensions import db
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import BANDS, SECTORS, SOURCE_KINDS

API, PAGES, WORKBOOK = "api", "pages", "workbook"


class BadGrouping(ValueError):
    pass


def month_key(column):
    """'YYYY-MM' of a date column, in the dialect at hand."""
    if db.engine.dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


# ---- how each dimension's keys are described (label first) ----------------------

MANY_KEYS = 200  # more keys than this: read the whole (small) table rather than a long IN list


def _of_keys(query, column, keys):
    """The query for these keys: WHERE column IN keys, or everything when the list would be long
    (a thousand teams' ids cost more to send and plan than the table costs to read)."""
    return query.where(column.in_(keys)) if len(keys) <= MANY_KEYS else query


def _teams(session, keys) -> dict:
    query = _of_keys(select(Team.id, Team.name, Team.organisation, Team.sector, Team.slug), Team.id, keys)
    return {
        id_: {"label": name, "organisation": organisation, "sector": sector, "slug": slug}
        for id_, name, organisation, sector, slug in session.execute(query)
    }


def _sources(session, keys) -> dict:
    query = _of_keys(select(Source.id, Source.name, Source.kind), Source.id, keys)
    return {id_: {"label": name, "kind": kind} for id_, name, kind in session.execute(query)}


def _requests(session, keys) -> dict:
    query = (
        select(Request.id, Request.title, Source.name, Request.source_id, Request.frequency, Request.obligation,
               Request.status)
        .join(Source, Source.id == Request.source_id)
    )
    query = _of_keys(query, Request.id, keys)
    return {
        id_: {"label": title, "source": source, "source_id": source_id, "frequency": frequency,
              "obligation": obligation, "status": status}
        for id_, title, source, source_id, frequency, obligation, status in session.execute(query)
    }


def _labels(names: dict) -> Callable:
    return lambda session, keys: {k: {"label": names.get(k, k)} for k in keys}


def _months(session, keys) -> dict:
    return {k: {"label": date.fromisoformat(k + "-01").strftime("%b %Y")} for k in keys}


# ---- the registry -----------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    name: str
    title: str  # what a column of these keys is headed
    key: Callable  # rows -> SQL expression of the key (rows: a row source, tracker/burden/row_sources.py)
    joins: frozenset = frozenset()  # "request", "source", "team": tables the key needs joined
    needs: frozenset = frozenset()  # rollup key columns it needs: "team_id", "request_id"
    describe: Callable = _labels({})  # (session, keys) -> {key: {"label": ..., ...}}
    offered: frozenset = frozenset()  # API, PAGES, WORKBOOK

    def info(self, session, keys: Iterable) -> dict:
        present = {k for k in keys if k is not None}
        if not present:
            return {}
        described = self.describe(session, list(present))
        return described if len(present) <= MANY_KEYS else {k: v for k, v in described.items() if k in present}


DIMENSIONS: dict[str, Dimension] = {
    d.name: d
    for d in (
        Dimension("team", "Team", lambda rows: rows.team_id, needs=frozenset({"team_id"}), describe=_teams,
                  offered=frozenset({API, PAGES, WORKBOOK})),
        Dimension("source", "Source", lambda rows: Request.source_id, joins=frozenset({"request"}),
                  needs=frozenset({"request_id"}), describe=_sources, offered=frozenset({API, PAGES, WORKBOOK})),
        Dimension("source_kind", "Kind of source", lambda rows: Source.kind, joins=frozenset({"request", "source"}),
                  needs=frozenset({"request_id"}), describe=_labels(SOURCE_KINDS), offered=frozenset({PAGES})),
        Dimension("request", "Request", lambda rows: rows.request_id, needs=frozenset({"request_id"}),
                  describe=_requests, offered=frozenset({API, PAGES, WORKBOOK})),
        Dimension("sector", "Sector", lambda rows: Team.sector, joins=frozenset({"team"}),
                  needs=frozenset({"team_id"}), describe=_labels(SECTORS), offered=frozenset({PAGES})),
        Dimension("month", "Month", lambda rows: month_key(rows.day), describe=_months,
                  offered=frozenset({API, PAGES, WORKBOOK})),
        Dimension("band", "Staff band", lambda rows: rows.band, describe=_labels(BANDS), offered=frozenset({PAGES})),
    )
}

GROUPINGS = tuple(DIMENSIONS)


def dimension(name: str) -> Dimension:
    try:
        return DIMENSIONS[name]
    except KeyError:
        raise BadGrouping(f"Unknown grouping '{name}'. Choose from: {', '.join(GROUPINGS)}.") from None


def offered_in(where: str) -> tuple[str, ...]:
    """The groupings offered in the API, on the pages or in the workbook, in registry order."""
    return tuple(name for name, d in DIMENSIONS.items() if where in d.offered)
