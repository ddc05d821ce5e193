"""Reading the values people actually have: dates, durations, yes/no answers, bands, text.

Each parser takes a cell as the reader gives it (str, int, float, date,
datetime, time, timedelta or None) and returns the value, or raises
`BadValue` with the reason a person can act on."""
from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from openpyxl.utils.datetime import from_excel

from tracker.shared.choices import BANDS


class BadValue(ValueError):
    """A cell that cannot be read as what its column holds; the message says why."""


# ---- dates -----------------------------------------------------------------

_ISO = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
# 03/04/2024, 3.4.2024, 03-04-2024, with a time after it (24-hour or AM/PM)
SLASHED = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{2,4})(?:[T ,]+\d{1,2}:\d{2}(?::\d{2})?(?:\s*([AaPp])\.?[Mm]\.?)?)?$")
EXCEL_SERIAL_RANGE = (1, 2958465)  # 1900-01-01 .. 9999-12-31
DMY, MDY = "dmy", "mdy"
DATE_ORDERS = {DMY: "Day first (31/03/2026, UK)", MDY: "Month first (03/31/2026, US)"}


def parse_date(value, epoch=None, order: str = DMY) -> date:
    """Real Excel dates, Excel serial numbers, ISO YYYY-MM-DD, and 03/04/2024 in the file's `order`
    (tracker/imports/dates.py decides it per file, from the file)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise BadValue("Enter a date, for example 2026-03-31 or 31/03/2026")
    if isinstance(value, (int, float)):
        if not EXCEL_SERIAL_RANGE[0] <= value <= EXCEL_SERIAL_RANGE[1]:
            raise BadValue(f"{value:g} is not a date")
        return from_excel(value, epoch=epoch).date() if epoch else from_excel(value).date()
    text = str(value or "").strip()
    if not text:
        raise BadValue("Enter the date the work was done")
    iso = _ISO.match(text)
    if iso:
        return _real_date(int(iso[1]), int(iso[2]), int(iso[3]), text)
    slashed = SLASHED.match(text)
    if slashed:
        first, second, year = int(slashed[1]), int(slashed[2]), slashed[3]
        if len(year) != 4:
            raise BadValue(f"'{text}': write the year in full (for example 31/03/2026)")
        day, month = (second, first) if order == MDY else (first, second)
        if month > 12:
            written = "month first (MM/DD/YYYY)" if order == MDY else "day first (DD/MM/YYYY)"
            raise BadValue(f"'{text}' is not a date read {written}, as the rest of the file is")
        return _real_date(int(year), month, day, text)
    raise BadValue(f"'{text}' is not a date: use YYYY-MM-DD or DD/MM/YYYY")


def in_words(day: date) -> str:
    """3 April 2024: a date no one can read the wrong way round."""
    return f"{day.day} {day:%B %Y}"


def _real_date(year: int, month: int, day: int, text: str) -> date:
    try:
        return date(year, month, day)
    except ValueError:
        raise BadValue(f"'{text}' is not a real date") from None


# ---- durations -------------------------------------------------------------

MINUTES, HOURS, SECONDS = "minutes", "hours", "seconds"
DURATION_UNITS = {MINUTES: "Minutes", HOURS: "Hours (1.5, 1,5 or 1:30)", SECONDS: "Seconds"}

_CLOCK = re.compile(r"^(\d{1,5}):([0-5]?\d)(?::([0-5]?\d))?(?:\s*(?:h|hr|hrs|hours?|min|mins|minutes?))?$", re.I)
_NUMBER = re.compile(r"^(\d+(?:[.,]\d+)?|[.,]\d+)(?:\s*(?:h|hr|hrs|hours?|m|min|mins|minutes?|s|sec|secs|seconds?))?$", re.I)


def parse_duration(value, unit: str) -> int:
    """Whole minutes of staff time: the exact duration rounded to the nearest minute (half up)."""
    return _whole_minutes(exact_minutes(value, unit))


def exact_minutes(value, unit: str) -> Decimal:
    """The time a cell in `unit` gives, in minutes, as exactly as the cell holds it (0:58:12 is 58.2).

    Time-of-day and duration cells (Excel h:mm, [h]:mm) and clock text (1:30,
    01:30:00, "18:25 min") are hours and minutes whatever the unit; plain
    numbers are read in the column's unit; decimal hours take . or , ."""
    if isinstance(value, bool) or value is None:
        raise BadValue("Enter the time spent")
    if isinstance(value, timedelta):
        return Decimal(str(value.total_seconds())) / 60
    if isinstance(value, time):
        return Decimal(value.hour * 60 + value.minute) + Decimal(value.second) / 60
    if isinstance(value, datetime):
        raise BadValue("This is a date, not a length of time")
    if isinstance(value, (int, float)):
        amount = Decimal(str(value))
    else:
        text = str(value).strip()
        if not text:
            raise BadValue("Enter the time spent")
        clock = _CLOCK.match(text)
        if clock:
            hours, minutes, seconds = int(clock[1]), int(clock[2]), int(clock[3] or 0)
            return Decimal(hours * 60 + minutes) + Decimal(seconds) / 60
        number = _NUMBER.match(text)
        if not number:
            raise BadValue(f"'{text}' is not a length of time: {_example(unit)}")
        try:
            amount = Decimal(number[1].replace(",", "."))
        except InvalidOperation:
            raise BadValue(f"'{text}' is not a length of time: {_example(unit)}") from None
    if amount < 0:
        raise BadValue("The time spent cannot be negative")
    if unit == HOURS:
        return amount * 60
    if unit == SECONDS:
        return amount / 60
    if amount != amount.to_integral_value():
        raise BadValue(f"{amount} is not a whole number of minutes")
    return amount


def _whole_minutes(minutes: Decimal) -> int:
    return int(minutes.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _example(unit: str) -> str:
    return {MINUTES: "enter whole minutes, for example 90",
            HOURS: "enter hours, for example 1.5, 1,5 or 1:30",
            SECONDS: "enter seconds, for example 5400"}[unit]


# ---- answers, bands, text ---------------------------------------------------

ANSWER_WORDS = {
    "yes": "yes", "y": "yes", "true": "yes", "1": "yes",
    "no": "no", "n": "no", "false": "no", "0": "no",
    "unknown": "unknown", "don't know": "unknown", "dont know": "unknown", "don’t know": "unknown",
    "not known": "unknown", "": "unknown",
}


def parse_answer(value) -> str:
    """yes, no or unknown, from the words people use (blank is unknown)."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    text = " ".join(str(value if value is not None else "").split()).casefold()
    if text in ANSWER_WORDS:
        return ANSWER_WORDS[text]
    raise BadValue(f"'{value}' is not an answer: use yes, no or don't know (or leave it blank)")


def parse_band(value) -> str:
    """'5', 5, 'Band 5', 'band 8A', 'Other' -> the band's code."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value if value is not None else "").split()).casefold()
    if text.startswith("band "):
        text = text[5:]
    if text in BANDS:
        return text
    raise BadValue(f"'{value}' is not a staff band: use one of {', '.join(BANDS)}")


def cell_text(value) -> str:
    """Text as a person typed it: numbers without a trailing .0, surrounding space trimmed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, datetime):
        value = value.date()
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()
