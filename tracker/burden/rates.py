"""Which hourly rate applies to a band on a day.

The rate that applies is the latest one effective on the entry's date, so a
new rate never rewrites past months. Band `other` follows band 7 until an
admin sets a rate for it."""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlalchemy import select

from tracker.burden.default_rates import OTHER_FALLS_BACK_TO
from tracker.burden.figures import priced
from tracker.models.burden import Rate


class NoRate(LookupError):
    pass


def price(minutes: int, hourly_rate: Decimal) -> Decimal:
    """What `minutes` of staff time cost at an hourly rate: minutes × rate ÷ 60, exact and unrounded.

    The one place an entry (or a sum of entries' minutes at one rate) is priced:
    the burden service, the API and the workbook's Entries sheet all call it."""
    return priced(Decimal(minutes) * hourly_rate)


@dataclass
class RateBook:
    """All rates in memory (a few dozen rows): band -> sorted (effective_from, cost)."""

    by_band: dict[str, list[tuple[date, Decimal]]]

    @classmethod
    def load(cls, session) -> "RateBook":
        by_band: dict[str, list[tuple[date, Decimal]]] = {}
        query = select(Rate.band, Rate.effective_from, Rate.hourly_cost).order_by(Rate.band, Rate.effective_from)
        for band, effective_from, hourly_cost in session.execute(query):
            by_band.setdefault(band, []).append((effective_from, Decimal(hourly_cost)))
        return cls(by_band)

    def _lookup(self, band: str, day: date) -> Decimal | None:
        history = self.by_band.get(band)
        if not history:
            return None
        i = bisect.bisect_right(history, (day, Decimal("Infinity"))) - 1
        return history[i][1] if i >= 0 else None

    def rate(self, band: str, day: date) -> Decimal:
        cost = self._lookup(band, day)
        if cost is None and band == "other":
            cost = self._lookup(OTHER_FALLS_BACK_TO, day)
        if cost is None:
            raise NoRate(f"No rate for band {band} on {day.isoformat()}.")
        return cost

    def cost(self, band: str, day: date, minutes: int) -> Decimal:
        """The cost of one entry: its minutes at its band's rate on its date."""
        return price(minutes, self.rate(band, day))

    def signature(self) -> tuple:
        """Every rate, as a hashable value: figures priced from this book hold while it is unchanged."""
        return tuple((band, tuple(history)) for band, history in sorted(self.by_band.items()))

    def breakpoints(self) -> list[date]:
        """Every date on which some band's rate changes, ascending.

        Between two breakpoints every band has one rate, so figures can be
        summed per (band, segment) in SQL and costed once per segment."""
        return sorted({d for history in self.by_band.values() for d, _ in history})
