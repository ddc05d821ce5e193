"""What the burden service answers with: a filter in, rows and totals out.

hours = Σ minutes ÷ 60; FTE = hours ÷ (37.5 × days in period ÷ 7). Cost is
Σ minutes × rate ÷ 60: a row keeps the exact Σ minutes × rate and divides once
when read, so rows added together (a total, a fold into sectors) are exact in
any order."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Sequence


HOURS_PER_WEEK = Decimal("37.5")
SIXTY = Decimal(60)


@dataclass(frozen=True)
class BurdenFilter:
    """Which entries count: occurred_on in [start, end] (both inclusive)."""

    start: date
    end: date
    team_ids: Sequence[int] | None = None  # None: every team
    source_ids: Sequence[int] | None = None
    request_ids: Sequence[int] | None = None

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def priced(minutes_times_rate: Decimal) -> Decimal:
    """Σ minutes × hourly rate (exact: whole minutes times a rate of a few decimal places) as money,
    divided by 60 once, at the end: a sum of rows priced one by one could differ in its last digit."""
    return minutes_times_rate / SIXTY


def fte(hours: Decimal, days: int) -> Decimal:
    """Whole-time equivalents: hours over what one full-time person works in `days`."""
    if days <= 0:
        return Decimal(0)
    return Decimal(hours) / (HOURS_PER_WEEK * Decimal(days) / 7)


@dataclass
class BurdenRow:
    key: tuple
    label: tuple
    entries: int = 0
    minutes: int = 0
    minute_cost: Decimal = field(default_factory=Decimal)  # Σ minutes × hourly rate: exact, priced on reading
    duplicated_minutes: int = 0  # duplicated_elsewhere = yes
    used_minutes: int = 0  # used = yes
    teams: int | None = None  # distinct teams, when asked for
    requests: int | None = None  # distinct requests, when asked for

    @property
    def cost(self) -> Decimal:
        """£, exact and unrounded."""
        return priced(self.minute_cost)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / SIXTY

    def share_duplicated(self) -> Decimal | None:
        return Decimal(self.duplicated_minutes) / self.minutes if self.minutes else None

    def share_used(self) -> Decimal | None:
        return Decimal(self.used_minutes) / self.minutes if self.minutes else None

    def add(self, other: "BurdenRow") -> None:
        self.entries += other.entries
        self.minutes += other.minutes
        self.minute_cost += other.minute_cost
        self.duplicated_minutes += other.duplicated_minutes
        self.used_minutes += other.used_minutes


@dataclass
class BurdenTable:
    group_by: tuple[str, ...]
    filter: BurdenFilter
    rows: list[BurdenRow]
    totals: BurdenRow
    info: dict = field(default_factory=dict)  # per dimension: key -> dict of descriptive fields

    @property
    def days(self) -> int:
        return self.filter.days

    def fte(self, row: BurdenRow) -> Decimal:
        return fte(row.hours, self.days)
