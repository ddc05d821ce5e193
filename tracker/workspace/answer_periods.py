"""Which of a request's own periods a day falls in, as SQL: the periods a team answers a request in.

A team's responses to a recurring request are the request's periods in which it
logged any work on it (SPEC, burden arithmetic: hours per response). Periods
are numbered so that two days share a number exactly when they fall in the
same period:

- daily: the day;
- weekly: Monday-to-Sunday weeks, counted from WEEK_ZERO (a Monday);
- fortnightly: two-week blocks counted from the same Monday;
- monthly: calendar months; quarterly: January to March, April to June, … (the
  NHS financial quarters fall on the same months);
- twice a year and annual: the NHS financial year, April to March, and its
  halves, April to September and October to March.

One-off and ad hoc requests have no periods: every entry is a response."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Integer, case, cast, func, literal, null

WEEK_ZERO = date(2000, 1, 3)  # a Monday: weeks and fortnights are counted from it
FINANCIAL_YEAR_START_MONTH = 4  # April
PER_ENTRY = ("one_off", "ad_hoc")  # each entry is a response
DAYS_IN = {"daily": 1, "weekly": 7, "fortnightly": 14}
MONTHS_IN = {"monthly": 1, "quarterly": 3}
FINANCIAL_MONTHS_IN = {"biannual": 6, "annual": 12}
WEEK_FREQUENCIES = ("weekly", "fortnightly")  # periods made of whole weeks
MONTH_FREQUENCIES = (*MONTHS_IN, *FINANCIAL_MONTHS_IN)  # periods made of whole months


def day_number(dialect: str, column):
    """SQL: whole days from WEEK_ZERO to the date, the same on SQLite and PostgreSQL."""
    if dialect == "postgresql":  # date - date is whole days
        return cast(column - literal(WEEK_ZERO), Integer)
    return cast(func.julianday(column) - func.julianday(WEEK_ZERO.isoformat()), Integer)


def month_number(dialect: str, column):
    """SQL: year × 12 + month − 1, so consecutive months have consecutive numbers."""
    if dialect == "postgresql":
        year, month = func.extract("year", column), func.extract("month", column)
    else:
        year, month = func.strftime("%Y", column), func.strftime("%m", column)
    return cast(year, Integer) * 12 + cast(month, Integer) - 1


def week_number(dialect: str, column):
    """SQL: the Monday-to-Sunday week of the date (whole weeks from WEEK_ZERO)."""
    return day_number(dialect, column) // 7


def period_number(dialect: str, frequency, column):
    """SQL: the number of the period of `frequency` (a column or a value) that the date falls in;
    NULL for one-off and ad hoc requests, and for a frequency this module does not know."""
    days, months = day_number(dialect, column), month_number(dialect, column)
    # The financial year's months: April is month 0 of its year, so whole sixes and twelves are halves and years.
    financial = months - (FINANCIAL_YEAR_START_MONTH - 1)
    whens = [(frequency == name, days // size) for name, size in DAYS_IN.items()]
    whens += [(frequency == name, months // size) for name, size in MONTHS_IN.items()]
    whens += [(frequency == name, financial // size) for name, size in FINANCIAL_MONTHS_IN.items()]
    return case(*whens, else_=null())


RESPONSE_MEANS = {
    "daily": "a day",
    "weekly": "a week (Monday to Sunday)",
    "fortnightly": "a fortnight",
    "monthly": "a calendar month",
    "quarterly": "a quarter",
    "biannual": "a half of the financial year",
    "annual": "a financial year (April to March)",
}


def response_means(frequency: str) -> str:
    """What one response is, for a page: 'a week (Monday to Sunday) in which the team logged any of it'."""
    period = RESPONSE_MEANS.get(frequency)
    return f"{period} in which the team logged any of it" if period else "one entry"
