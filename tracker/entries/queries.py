"""Reading entries: the list with its filters, and what the log form remembers.

Totals come from the burden service, so the list's figures are the same as
the dashboards', the API's and the workbooks'."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Sequence

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.models.audit import AuditEvent
from tracker.models.auth import User
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.burden.services import BurdenFilter, BurdenRow, burden
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.shared.choices import LOGGABLE_STATUSES
from tracker.extensions import db
from tracker.shared.pagination import Page, paginate

# No entry can be dated outside these (the form refuses them), so they stand for "no limit".
EARLIEST = DEFAULTS_EFFECTIVE_FROM
LATEST = date(9999, 12, 31)


@dataclass(frozen=True)
class EntryListFilter:
    team_ids: Sequence[int] | None = None  # None: every team
    start: date | None = None
    end: date | None = None
    source_id: int | None = None
    request_id: int | None = None

    def burden_filter(self) -> BurdenFilter:
        return BurdenFilter(
            start=self.start or EARLIEST,
            end=self.end or LATEST,
            team_ids=self.team_ids,
            source_ids=[self.source_id] if self.source_id is not None else None,
            request_ids=[self.request_id] if self.request_id is not None else None,
        )


@dataclass(frozen=True)
class ListedEntry:
    entry: Entry
    request_title: str
    source_name: str
    team_name: str
    logged_by_name: str


@dataclass(frozen=True)
class EntryPage:
    rows: list[ListedEntry]
    totals: BurdenRow
    listing: Page

    @property
    def page(self) -> int:
        return self.listing.page

    @property
    def pages(self) -> int:
        return self.listing.pages

    @property
    def total(self) -> int:
        return self.totals.entries


def entry_totals(flt: EntryListFilter) -> BurdenRow:
    return burden(flt.burden_filter()).totals


def live_entries(flt: EntryListFilter, *columns):
    """SELECT `columns` (default: the Entry) of the entries that count (not deleted) matching `flt`.

    The one statement of "which entries" for the entries page, the API list and
    the workbook's Entries sheet; callers add their joins, order and paging."""
    query = select(*columns) if columns else select(Entry)
    query = query.select_from(Entry).where(Entry.deleted_at.is_(None))
    if flt.team_ids is not None:
        query = query.where(Entry.team_id.in_(list(flt.team_ids) or [-1]))
    if flt.start is not None:
        query = query.where(Entry.occurred_on >= flt.start)
    if flt.end is not None:
        query = query.where(Entry.occurred_on <= flt.end)
    if flt.source_id is not None:
        query = query.where(Entry.request_id.in_(select(Request.id).where(Request.source_id == flt.source_id)))
    if flt.request_id is not None:
        query = query.where(Entry.request_id == flt.request_id)
    return query


def newest_first_with_names(query):
    """Newest first, with what a listing shows of each entry loaded up front (no query per row)."""
    return query.order_by(Entry.occurred_on.desc(), Entry.id.desc()).options(
        selectinload(Entry.request).selectinload(Request.source),
        selectinload(Entry.team),
        selectinload(Entry.logged_by),
    )


def entries_page(flt: EntryListFilter, page: int, per_page: int) -> EntryPage:
    """One page of the filtered entries, newest first, with the totals of the whole filtered set.

    The totals come from the burden service, which also gives the count (no COUNT over the entries)."""
    totals = entry_totals(flt)
    listing = paginate(newest_first_with_names(live_entries(flt)), page, per_page, total=totals.entries)
    rows = [
        ListedEntry(entry, entry.request.title, entry.request.source.name, entry.team.name, entry.logged_by.name)
        for entry in listing.items
    ]
    return EntryPage(rows, totals, listing)


def latest_entry_by(user: User) -> Entry | None:
    """The user's most recently logged entry still standing: the log form starts from its team and band."""
    return db.session.scalar(
        select(Entry)
        .where(Entry.logged_by_id == user.id, Entry.deleted_at.is_(None))
        .order_by(Entry.created_at.desc(), Entry.id.desc())
        .limit(1)
    )


def usual_team_id(user: User, team_ids: Sequence[int]) -> int | None:
    """The team a log form or a week starts with: that of the user's last entry, else their only team."""
    last = latest_entry_by(user)
    if last is not None and last.team_id in team_ids:
        return last.team_id
    return team_ids[0] if len(team_ids) == 1 else None


@dataclass(frozen=True)
class LastChange:
    by: str
    at: datetime


def last_change(entry: Entry) -> LastChange | None:
    """Who last created or changed the entry, and when (from the audit trail)."""
    event = db.session.scalar(
        select(AuditEvent)
        .where(AuditEvent.entity == Entry.__tablename__, AuditEvent.entity_id == entry.id)
        .order_by(AuditEvent.id.desc())
        .limit(1)
    )
    if event is None:
        return None
    return LastChange(by=event.user.name if event.user else "Someone", at=event.at)


def live_entry(entry_id: int) -> Entry | None:
    """An entry that has not been deleted (a deleted one no longer exists for anyone)."""
    entry = db.session.get(Entry, entry_id)
    return entry if entry is not None and not entry.is_deleted else None


def recent_entries_to_repeat(user: User, team_ids: Sequence[int], limit: int = 5, scan: int = 100) -> list[ListedEntry]:
    """The user's latest entries that "log again" can repeat, newest logged first: the latest of
    each request and team (a weekly sitrep logged every week shows once, with its latest time and
    band), on teams they can still log for and requests still open to logging."""
    query = (
        select(Entry)
        .join(Request, Request.id == Entry.request_id)
        .where(
            Entry.logged_by_id == user.id,
            Entry.deleted_at.is_(None),
            Entry.team_id.in_(list(team_ids) or [-1]),
            Request.status.in_(LOGGABLE_STATUSES),
        )
        .order_by(Entry.created_at.desc(), Entry.id.desc())
        .options(selectinload(Entry.request).selectinload(Request.source), selectinload(Entry.team))
        .limit(scan)
    )
    seen, found = set(), []
    for entry in db.session.scalars(query):
        key = (entry.request_id, entry.team_id)
        if key not in seen:
            seen.add(key)
            found.append(ListedEntry(entry, entry.request.title, entry.request.source.name, entry.team.name, user.name))
        if len(found) == limit:
            break
    return found
