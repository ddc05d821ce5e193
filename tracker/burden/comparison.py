"""Which periods a dashboard compares: like with like.

On 4 December, "this month" holds 4 days. Setting those against the whole of
November shows a fall that is only the calendar's, so the month to date is
compared with the same days of the month before (1 to 4 November), and the
whole previous month is kept beside it for reference. Once a month has
ended, the two are simply whole months.

Plain dates in, plain dates out (no SQL), so the rules are easy to test."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from tracker.shared.timeutil import add_months, month_end, month_label


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    @property
    def is_whole_month(self) -> bool:
        return self.start.day == 1 and self.end == month_end(self.start)

    @property
    def label(self) -> str:
        """'November 2026' for a whole month, '1 to 4 December 2026' for part of one."""
        if self.is_whole_month:
            return month_label(self.start)
        if self.start == self.end:
            return f"{self.end.day} {month_label(self.end)}"
        return f"{self.start.day} to {self.end.day} {month_label(self.end)}"


@dataclass(frozen=True)
class MonthComparison:
    this: Period  # the month of `end`, from its 1st to `end`
    same_days_before: Period  # the same days of the month before (all of it once `this` is whole)
    whole_month_before: Period

    @property
    def partial(self) -> bool:
        return not self.this.is_whole_month

    @property
    def heading(self) -> str:
        if self.partial:
            return "This month so far against the same days of last month"
        return "This month against last month"


def month_comparison(end: date) -> MonthComparison:
    """The month to `end` against the same days of the month before.

    Day numbers the earlier month lacks are left out (to 30 or 31 March is set
    against all of February), so the earlier period is never longer."""
    this = Period(end.replace(day=1), end)
    before_start = add_months(end, -1)
    before_end = month_end(before_start)
    if this.is_whole_month:
        same_days_end = before_end
    else:
        same_days_end = min(before_start + timedelta(days=end.day - 1), before_end)
    return MonthComparison(
        this=this,
        same_days_before=Period(before_start, same_days_end),
        whole_month_before=Period(before_start, before_end),
    )
