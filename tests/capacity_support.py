"""Shared set-up for the capacity, share and hotspot tests: a team whose capacity changes mid-month.

Team "Community Nursing North" has 2 FTE from 1 March 2026 and 4 FTE from 16 April 2026;
in April 2026 (30 days) that is 2 × 15 + 4 × 15 = 90 FTE-days = 90 × 37.5 ÷ 7 = 482.142857… h.
It logs 48 h in April: share 48 ÷ (3375/7) = 336/3375 = 0.099555… (9.96 %)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

APRIL = (date(2026, 4, 1), date(2026, 4, 30))
APRIL_AVAILABLE = Fraction(3375, 7)  # 482.14 h
APRIL_MINUTES = 48 * 60
APRIL_SHARE = Fraction(APRIL_MINUTES, 60) / APRIL_AVAILABLE  # 0.0995555…


def record(db, user, team, fte, day):
    from tracker.burden.capacity import record_capacity

    capacity = record_capacity(user, team, Decimal(fte), day)
    db.session.commit()
    return capacity


def mid_month_change(db, make_entry, make_request, user, team):
    """2 FTE from 1 March, 4 FTE from 16 April; 48 hours of entries in April 2026 (some each side of the change)."""
    record(db, user, team, "2", date(2026, 3, 1))
    record(db, user, team, "4", date(2026, 4, 16))
    request = make_request("Monthly community dataset")
    for day, minutes in ((2, 600), (10, 840), (16, 720), (29, 720)):
        make_entry(user, team, request, occurred_on=date(2026, 4, day), minutes=minutes)
    return request
