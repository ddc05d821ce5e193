"""Default hourly costs of each staff band (SPEC, burden arithmetic).

Mid-point of each Agenda for Change 2025/26 band, divided by 1,955.4 paid hours
a year, times (1 + employer on-costs). Band `other` has no row: it follows
band 7 until an admin sets a rate for it."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

PAY_YEAR = "2025/26"
PAID_HOURS_A_YEAR = Decimal("1955.4")
DEFAULT_ONCOST = Decimal("0.28")
# Early enough to cover any past entry: entries may not be dated before it.
DEFAULTS_EFFECTIVE_FROM = date(2000, 1, 1)

# band: (entry pay point, top pay point), pounds a year
PAY_POINTS = {
    "2": (24465, 24465),
    "3": (24937, 26598),
    "4": (27485, 30162),
    "5": (31049, 37796),
    "6": (38682, 46580),
    "7": (47810, 54710),
    "8a": (55690, 62682),
    "8b": (64455, 74896),
    "8c": (76965, 88682),
    "8d": (91342, 105337),
    "9": (109179, 125637),
}

# Band whose rate `other` uses until an admin sets one.
OTHER_FALLS_BACK_TO = "7"

SIX_PLACES = Decimal("0.000001")


def default_hourly_cost(band: str, oncost: Decimal = DEFAULT_ONCOST) -> Decimal:
    entry, top = PAY_POINTS[band]
    midpoint = (Decimal(entry) + Decimal(top)) / 2
    return (midpoint / PAID_HOURS_A_YEAR * (1 + Decimal(oncost))).quantize(SIX_PLACES, rounding=ROUND_HALF_UP)


def default_rates(oncost: Decimal = DEFAULT_ONCOST) -> dict[str, Decimal]:
    return {band: default_hourly_cost(band, oncost) for band in PAY_POINTS}


def explanation(oncost: Decimal = DEFAULT_ONCOST) -> str:
    return (
        f"Mid-point of the Agenda for Change {PAY_YEAR} band ÷ {PAID_HOURS_A_YEAR:,} paid hours a year "
        f"× (1 + {Decimal(oncost)} employer on-costs). Band 'other' uses band {OTHER_FALLS_BACK_TO}'s rate "
        "until an admin sets one."
    )
