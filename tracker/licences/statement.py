"""The burden statement: what a source's requests cost the teams that answer them, for a period.

The document a commissioner sends back to the body that asks (after the US
Paperwork Reduction Act's burden statement): its requests with hours, cost,
FTE and teams, the share of hours on data already supplied elsewhere and
with no sign of use, the hours spent without a licence in force, each
request's licence status and its estimate against what was observed.
The page, its print version, its .xlsx and the API all read one Statement,
whose figures all come from the burden service. The decisions taken on its
requests (the commissioner's workspace, tracker/workspace) are read from
their table as recorded: kind, rationale, dates and the expected saving
frozen when each was decided."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from tracker.burden.services import BurdenFilter, BurdenRow, BurdenTable, burden
from tracker.licences.observed import Comparison, compare
from tracker.licences.status import LicenceStatus, licence_statuses
from tracker.licences.unlicensed import UnlicensedBurden, unlicensed_burden
from tracker.models.catalogue import Request, Source
from tracker.models.workspace import Decision
from tracker.shared.timeutil import add_months
from tracker.shared.choices import LOGGABLE_STATUSES



def last_quarter(today: date) -> tuple[date, date]:
    """The last whole calendar quarter before today's (1 January to 31 March, ...)."""
    this_quarter = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    start = add_months(this_quarter, -3)
    return start, this_quarter - timedelta(days=1)


@dataclass
class StatementLine:
    request: Request
    row: BurdenRow  # the period's figures (zero when nobody logged it)
    licence: LicenceStatus  # today
    comparison: Comparison  # estimate against observed, today

    @property
    def share_no_sign_of_use(self) -> Decimal | None:
        used = self.row.share_used()
        return None if used is None else 1 - used


@dataclass
class Statement:
    source: Source
    start: date
    end: date
    today: date
    table: BurdenTable  # by request, with team counts
    unlicensed: UnlicensedBurden
    lines: list[StatementLine] = field(default_factory=list)
    decisions: list[Decision] = field(default_factory=list)  # live ones, by effective date

    @property
    def totals(self) -> BurdenRow:
        return self.table.totals

    @property
    def days(self) -> int:
        return self.table.days

    def fte(self, row: BurdenRow) -> Decimal:
        return self.table.fte(row)

    @property
    def duplicated_share(self) -> Decimal | None:
        return self.totals.share_duplicated()

    @property
    def unused_share(self) -> Decimal | None:
        """Share of hours with no sign the information was used ('no' and 'don't know')."""
        used = self.totals.share_used()
        return None if used is None else 1 - used


def burden_statement(session, source: Source, start: date, end: date, today: date) -> Statement:
    """The statement of `source` for [start, end]: every request live, logged in the period or decided on."""
    flt = BurdenFilter(start, end, source_ids=[source.id])
    table = burden(flt, ("request",), with_counts=True, session=session)
    rows = {row.key[0]: row for row in table.rows}
    decisions = decisions_on(session, source)
    shown = set(rows) | {d.request_id for d in decisions}
    requests = list(
        session.scalars(
            select(Request)
            .where(Request.source_id == source.id, or_(Request.status.in_(LOGGABLE_STATUSES), Request.id.in_(list(shown) or [-1])))
            .order_by(Request.title, Request.id)
        )
    )
    ids = [r.id for r in requests]
    statuses = licence_statuses(session, ids, today)
    comparisons = {c.request_id: c for c in compare(session, ids, today, statuses)}
    lines = [
        StatementLine(r, rows.get(r.id) or BurdenRow((r.id,), (r.title,), teams=0, requests=0), statuses[r.id], comparisons[r.id])
        for r in requests
    ]
    lines.sort(key=lambda line: (-line.row.minutes, line.request.title.lower(), line.request.id))
    return Statement(source, start, end, today, table, unlicensed_burden(session, flt), lines, decisions)


def decisions_on(session, source: Source) -> list[Decision]:
    """Decisions taken on the source's requests and not withdrawn, in the order they take effect."""
    query = (
        select(Decision)
        .join(Request, Request.id == Decision.request_id)
        .options(joinedload(Decision.request), joinedload(Decision.merge_into))
        .where(Request.source_id == source.id, Decision.withdrawn_at.is_(None))
        .order_by(Decision.effective_on, Decision.id)
    )
    return list(session.scalars(query))
