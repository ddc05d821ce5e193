"""A request's licence on a day: the one rule every page, the API, the workbooks and the log form use.

The rule (after the Review of Central Returns: a licence number and an
expiry date, "usually one year from approval"):

- Only approvals and renewals grant a licence; a decline grants none and
  does not cut short a licence already in force (it refuses the request or
  its renewal).
- On a day, the governing licence is the one approved most recently on or
  before that day (ties: the one recorded last, so a correction wins). It is
  in force from its approval date until the day before its expiry date.
- Status on a day: `licensed` while in force, `expiring` in its last 30 days,
  `expired` after it (until a later approval), `none` before any approval.

`in_force_periods` is that rule as date ranges; `status_from` reads the
status of one day from them, and the unlicensed burden
(tracker/licences/unlicensed.py) adds up the days outside them."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Iterable, Sequence

from sqlalchemy import select

from tracker.models.licences import LicenceDecision

EXPIRING_WITHIN_DAYS = 30
CURRENT = ("licensed", "expiring")


@dataclass(frozen=True)
class InForce:
    """A licence in force from `start` until the day before `end` (both dates, end exclusive)."""

    start: date
    end: date
    licence: LicenceDecision


@dataclass(frozen=True)
class LicenceStatus:
    status: str  # licensed | expiring | expired | none
    on: date
    licence: LicenceDecision | None = None  # the licence in force, or the one that expired

    @property
    def current(self) -> bool:
        return self.status in CURRENT

    @property
    def expires_on(self) -> date | None:
        return self.licence.expires_on if self.licence is not None else None

    @property
    def reference(self) -> str | None:
        return self.licence.reference if self.licence is not None else None

    @property
    def days_left(self) -> int | None:
        """Days until the licence expires (0 or less once it has)."""
        return (self.licence.expires_on - self.on).days if self.licence is not None else None


def in_force_periods(decisions: Iterable[LicenceDecision]) -> list[InForce]:
    """When a request had a licence in force, oldest first: each granted licence governs from its
    approval until the next approval, and is in force within that until it expires."""
    granted = sorted((d for d in decisions if d.grants), key=lambda d: (d.approved_on, d.id))
    # Of several approvals on one day, the one recorded last governs.
    governing = [d for i, d in enumerate(granted) if i + 1 == len(granted) or granted[i + 1].approved_on != d.approved_on]
    periods = []
    for i, licence in enumerate(governing):
        next_start = governing[i + 1].approved_on if i + 1 < len(governing) else None
        end = licence.expires_on if next_start is None else min(licence.expires_on, next_start)
        periods.append(InForce(licence.approved_on, end, licence))
    return periods


def status_from(decisions: Sequence[LicenceDecision], on: date) -> LicenceStatus:
    """THE licence status of a request on a day, from its licence decisions."""
    latest = None
    for period in in_force_periods(decisions):
        if period.start > on:
            break
        latest = period
    if latest is None:
        return LicenceStatus("none", on)
    licence = latest.licence
    if on < latest.end:
        days_left = (licence.expires_on - on).days
        return LicenceStatus("expiring" if days_left <= EXPIRING_WITHIN_DAYS else "licensed", on, licence)
    return LicenceStatus("expired", on, licence)


def decisions_by_request(session, request_ids: Iterable[int] | None = None) -> dict[int, list[LicenceDecision]]:
    """Every licence decision (a small table), by request; `request_ids` narrows it."""
    query = select(LicenceDecision).order_by(LicenceDecision.id)
    if request_ids is not None:
        query = query.where(LicenceDecision.request_id.in_(list(request_ids) or [-1]))
    found: dict[int, list[LicenceDecision]] = {}
    for decision in session.scalars(query):
        found.setdefault(decision.request_id, []).append(decision)
    return found


def licence_statuses(session, request_ids: Iterable[int] | None, on: date) -> dict[int, LicenceStatus]:
    """Status on `on` of each request asked for (None: every request with a decision; others are `none`)."""
    request_ids = None if request_ids is None else list(request_ids)
    decided = decisions_by_request(session, request_ids)
    ids = decided.keys() if request_ids is None else request_ids
    return {request_id: status_from(decided.get(request_id, []), on) for request_id in ids}


def licence_status(session, request_id: int, on: date) -> LicenceStatus:
    return licence_statuses(session, [request_id], on)[request_id]


def status_of(statuses: dict[int, LicenceStatus], request_id: int, on: date) -> LicenceStatus:
    """A request's status from a `licence_statuses(..., None, on)` lookup: absent means no decision, so `none`."""
    return statuses.get(request_id) or LicenceStatus("none", on)


def licensed_request_ids(session, on: date) -> set[int]:
    """Requests with a licence in force on `on` (licensed or expiring): the log form's hint shows for the others."""
    return {request_id for request_id, status in licence_statuses(session, None, on).items() if status.current}
