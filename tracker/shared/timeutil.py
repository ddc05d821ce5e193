"""Time helpers: stored timestamps are UTC; people read Europe/London dates."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

DEFAULT_TIMEZONE = "Europe/London"


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def app_timezone(name: str | None = None) -> ZoneInfo:
    """The users' time zone: `name`, else the app's TIMEZONE, else Europe/London outside an app.

    TIMEZONE is checked when the app starts (tracker/config.py), so this never guesses."""
    if name is None:
        try:
            from flask import current_app

            name = current_app.config.get("TIMEZONE")
        except RuntimeError:  # outside an app context
            name = None
    return ZoneInfo(name or DEFAULT_TIMEZONE)


def local_today(name: str | None = None) -> date:
    """Today where the users are, which is what "this month" and "ended" mean to them."""
    return datetime.now(app_timezone(name)).date()


def month_label(month: date) -> str:
    """'March 2026'."""
    return f"{month:%B %Y}"


def month_start(day: date) -> date:
    return day.replace(day=1)


def add_months(day: date, months: int) -> date:
    """First day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_end(day: date) -> date:
    """Last day of the month of `day`."""
    from datetime import timedelta

    return add_months(day, 1) - timedelta(days=1)


def parse_month(text: str) -> date:
    """'YYYY-MM' to the month's first day; ValueError with a readable reason."""
    try:
        year, month = text.split("-")
        if len(year) != 4 or len(month) != 2:
            raise ValueError
        return date(int(year), int(month), 1)
    except (ValueError, AttributeError):
        raise ValueError(f"'{text}' is not a month in the form YYYY-MM.") from None


def shift_months(day: date, months: int) -> date:
    """The same day of the month `months` later (or earlier), or that month's last day when it is
    shorter: 31 August + 6 months is the last day of February."""
    first = add_months(day, months)
    return first.replace(day=min(day.day, month_end(first).day))


def month_so_far(month: date, end: date) -> str | None:
    """'1–5 Dec' when `end` falls inside `month` before its last day (a month so far); None for a whole month."""
    if month_start(end) != month_start(month) or end == month_end(month):
        return None
    return f"1–{end.day} {end:%b}" if end.day > 1 else f"1 {end:%b}"
