"""Setting a band's hourly cost from a date: the one place rates are written.

Rates are only ever added, never edited, so figures before a new rate's date
stay as they were. Anything kept in step with rates (such as a burden rollup)
hooks in here, inside the caller's transaction."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker import audit
from tracker.models.burden import Rate
from tracker.shared.choices import BANDS
from tracker.extensions import db
from tracker.shared.errors import Refused


class RateExists(Refused):
    """The band already has a rate from that date."""

    field = "effective_from"


def create_rate(user, band: str, hourly_cost, effective_from: date, note: str = "") -> Rate:
    """Add a rate, audited, in the caller's transaction (the caller commits). Values arrive validated (RateForm)."""
    if band not in BANDS:
        raise ValueError(f"Unknown band {band!r}.")
    cost = Decimal(hourly_cost)
    if not cost.is_finite() or cost <= 0:
        raise ValueError("The hourly cost must be more than 0.")
    clash = db.session.scalar(select(Rate.id).where(Rate.band == band, Rate.effective_from == effective_from))
    if clash is not None:
        raise RateExists(f"{BANDS[band]} already has a rate from {effective_from.isoformat()}.")
    rate = Rate(
        band=band,
        hourly_cost=cost,
        effective_from=effective_from,
        note=(note or "").strip(),
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(rate)
    db.session.flush()
    audit.record(db.session, user, "create", rate, new=audit.snapshot(rate))
    return rate
