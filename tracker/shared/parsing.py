"""Parsing of ids, page numbers and dates that arrive as text (query strings, form fields, JSON, paths).

`str.isdigit()` is not enough: it accepts Unicode digits such as '²' that
`int()` rejects, and no length limit, so a huge number overflows the
database's integer. Everything that turns text into an id goes through here.

Every id column is an INTEGER: at most 2,147,483,647 on PostgreSQL (SQLite's
is larger, but the app runs on both), so a bigger number is not an id at all,
and is refused before it reaches a query.

The API takes numbers and dates in one spelling only (ASCII digits,
YYYY-MM-DD): `is_ascii_integer` and `parse_iso_date` say what that is."""
from __future__ import annotations

import re
from datetime import date

from werkzeug.routing import IntegerConverter

# The largest value of an INTEGER column on PostgreSQL: no row can have a bigger id.
MAX_ID = 2**31 - 1
# Counts that never reach the database as a value (page numbers are clamped first).
MAX_WHOLE_NUMBER = 10**18 - 1

_DIGITS = re.compile(r"[0-9]{1,18}")


def parse_whole_number(raw, maximum: int = MAX_WHOLE_NUMBER) -> int | None:
    """0..maximum written in ASCII digits (surrounding spaces allowed), else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 <= raw <= maximum else None
    text = str(raw or "").strip()
    if not _DIGITS.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def parse_id(raw) -> int | None:
    """An id: a whole number of ASCII digits from 1 to MAX_ID (no row has id 0), else None."""
    number = parse_whole_number(raw, MAX_ID)
    return number if number else None


def is_id(raw) -> bool:
    return parse_id(raw) is not None


class IdConverter(IntegerConverter):
    """`<int:...>` in every route: ASCII digits (werkzeug's `\\d` also matches '٣', which int()
    reads as 3). A number beyond MAX_ID is the id of no row, so it becomes 0 (ids start at 1):
    the route still matches, for every method, and the view's own look-up answers 404, instead of
    an integer overflow in the database (or a 405 from a route that did not match)."""

    regex = r"[0-9]+"

    def to_python(self, value: str) -> int:
        number = parse_id(value)
        return 0 if number is None else number


_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


def parse_iso_date(raw) -> date | None:
    """A real date written exactly YYYY-MM-DD in ASCII digits (the API's only form), else None."""
    text = str(raw or "").strip()
    if not _ISO_DATE.fullmatch(text):
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


_ASCII_INTEGER = re.compile(r"-?[0-9]{1,18}")


def is_ascii_integer(raw) -> bool:
    """An optional minus and ASCII digits, nothing else: no '٣٠', '1_000', '+30' or ' 30'."""
    return isinstance(raw, str) and _ASCII_INTEGER.fullmatch(raw) is not None
