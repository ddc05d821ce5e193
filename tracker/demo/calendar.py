"""When demo work happens: the days of the window and how likely each is for each request.

Reporting work happens on working days, weekly returns cluster on their due
day, monthly returns early in the month, quarterly ones after a quarter ends,
seasonal ones (winter sitreps, annual collections) only in their months."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from itertools import accumulate

from tracker.demo import data
from tracker.shared.timeutil import add_months, month_start

WEEKDAY_WEIGHT = (1.0, 1.0, 1.0, 1.0, 1.0, 0.03, 0.02)
LOGGED_AT = time(16, 0)  # demo entries are logged in the afternoon of the day the work was done
BANK_HOLIDAYS = {(12, 25), (12, 26), (1, 1)}  # the ones every year shares


class RequestCalendar:
    """`months` calendar months ending with today's (entries never later than `today`)."""

    def __init__(self, today: date, months: int, now: datetime | None = None):
        self.first_day = add_months(month_start(today), -(months - 1))
        self.last_day = today
        self.months = [add_months(self.first_day, k) for k in range(months)]
        count = (today - self.first_day).days + 1
        self.window = [self.first_day + timedelta(days=k) for k in range(count)]
        # Each day as stored: its date and when its entries were logged (naive UTC, as the columns hold them).
        now = (now or datetime.now(timezone.utc)).astimezone(timezone.utc).replace(tzinfo=None)
        self.stored = [(d.isoformat(), min(datetime.combine(d, LOGGED_AT), now).strftime("%Y-%m-%d %H:%M:%S.%f"))
                       for d in self.window]
        self._month_slices = []
        for start in self.months:
            end = add_months(start, 1)
            self._month_slices.append(((start - self.first_day).days, min(count, (end - self.first_day).days)))
        # A plain year ending today: what "once a year" means for each request's weights.
        self._year = [today - timedelta(days=k) for k in range(365)]
        self._weights: dict[int, list[float]] = {}
        self._share: dict[int, float] = {}
        self._days: dict[tuple[int, int], tuple[list, list[float]]] = {}

    def _day_weights(self, index: int) -> list[float]:
        if index not in self._weights:
            spec = data.REQUESTS[index]
            per_year = sum(day_weight(spec, d) for d in self._year) or 1.0
            self._weights[index] = [day_weight(spec, d) / per_year for d in self.window]
            self._share[index] = sum(self._weights[index])
        return self._weights[index]

    def share_in_window(self, index: int) -> float:
        """Years' worth of this request's work that falls inside the window (0 if out of season)."""
        self._day_weights(index)
        return self._share[index]

    def month_weights(self, index: int) -> list[float]:
        weights = self._day_weights(index)
        return [sum(weights[a:b]) for a, b in self._month_slices]

    def days(self, month: int, index: int) -> tuple[list[tuple[str, str]], list[float]]:
        """The month's days in the window (as `stored`) and their cumulative weights for this request."""
        key = (month, index)
        if key not in self._days:
            a, b = self._month_slices[month]
            weights = self._day_weights(index)[a:b]
            if not any(weights):  # never drawn from (its month weight is 0), but stay valid
                weights = [1.0] * (b - a)
            self._days[key] = (self.stored[a:b], list(accumulate(weights)))
        return self._days[key]


def day_weight(spec: data.DemoRequest, day: date) -> float:
    if spec.months and day.month not in spec.months:
        return 0.0
    weight = WEEKDAY_WEIGHT[day.weekday()]
    if (day.month, day.day) in BANK_HOLIDAYS:
        weight *= 0.05
    if spec.frequency == "weekly" and spec.title in data.WEEKLY_DUE_DAY:
        due = data.WEEKLY_DUE_DAY[spec.title]
        if day.weekday() == due:
            weight *= 4
        elif day.weekday() == (due - 1) % 7:
            weight *= 1.5
    elif spec.frequency == "monthly" and day.day <= 10:
        weight *= 3
    elif spec.frequency == "quarterly" and day.month in (1, 4, 7, 10):
        weight *= 3
    return weight
