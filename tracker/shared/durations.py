"""Staff time as people type it into one box: `90`, `90m`, `1:30`, `1.5h`, `1,5 h`, `1h30`, `1h 30m`.

A plain number is minutes (the API's unit); a number with `h` is hours (a
decimal comma is a decimal point); `h:mm` is hours and minutes. Hours that
do not come to whole minutes are rounded half up (1.33h is 80 minutes). Whether
the result is an allowed time (1 minute to 10 days) is the entry rule's
question (tracker/entries/rules.py `minutes_problem`), not this parser's."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

TYPED_TIME_MESSAGE = "Enter a time like 90 (minutes), 1:30 or 1.5h"

_HOURS = r"(?:h|hr|hrs|hour|hours)"
_MINUTES = r"(?:m|min|mins|minute|minutes)"
_NUMBER = r"([0-9]{1,6}(?:[.,][0-9]{1,4})?)"
_WHOLE = r"([0-9]{1,6})"
_PATTERNS = (
    ("minutes", re.compile(rf"{_WHOLE}\s*{_MINUTES}?", re.I)),
    ("clock", re.compile(r"([0-9]{1,4}):([0-5][0-9])")),
    ("hours", re.compile(rf"{_NUMBER}\s*{_HOURS}", re.I)),
    ("hours_minutes", re.compile(rf"{_WHOLE}\s*{_HOURS}\s*([0-5]?[0-9])\s*{_MINUTES}?", re.I)),
)


def typed_minutes(text: str) -> int:
    """Whole minutes from what was typed; ValueError(TYPED_TIME_MESSAGE) when it is not a time."""
    cleaned = " ".join(str(text or "").split())
    for kind, pattern in _PATTERNS:
        match = pattern.fullmatch(cleaned)
        if match is None:
            continue
        if kind == "minutes":
            return int(match[1])
        if kind == "hours":
            hours = Decimal(match[1].replace(",", "."))
            return int((hours * 60).quantize(Decimal(1), rounding=ROUND_HALF_UP))
        return int(match[1]) * 60 + int(match[2])
    raise ValueError(TYPED_TIME_MESSAGE)


def typed_text(minutes: int) -> str:
    """How a number of minutes is put back into a box: `90` reads back as 90, `1:30` as 1:30."""
    hours, rest = divmod(int(minutes), 60)
    return f"{hours}:{rest:02d}" if hours else str(rest)
