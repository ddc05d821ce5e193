"""Which way round a file's dates are, decided per file from the file itself (issue 16).

`03/04/2024` is 3 April in a UK export and 4 March in a US one, and nothing in
the cell says which. The evidence, strongest first:

1. a date whose first number is above 12 (`15/03/2024`: day first) or whose
   second is (`03/15/2024`: month first); both kinds in one file is a file
   that contradicts itself: it is refused, with the rows;
2. the tool's locale columns (`Locale`, `Language`, `Date format`: en-US or
   MM/DD is month first, en-GB or DD/MM day first);
3. times written with AM/PM (in the date cell or a time column): the
   12-hour clock is the US export's habit, so month first.

`--date-order` (a choice on the page) says it outright and wins over 2 and 3.
With no evidence and no choice, day first (the UK order) is used and said so,
with the first dates in words, so it is never a silent guess."""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from tracker.imports.values import DMY, MDY, SLASHED, BadValue, in_words, parse_date
from tracker.shared.names import name_key

LOCALE_HEADERS = ("locale", "language", "date format", "dateformat")
TIME_HEADER = re.compile(r"\btime\b", re.I)
AM_PM = re.compile(r"\d{1,2}:\d{2}(?::\d{2})?\s*[AaPp]\.?[Mm]\.?$")
_US_LOCALE = re.compile(r"(?:\ben[-_]us\b|\bus\b|mm[/.-]dd)", re.I)
_DAY_FIRST_LOCALE = re.compile(r"(?:\ben[-_](?:gb|ie|au|nz|in)\b|\buk\b|dd[/.-]mm)", re.I)
EXAMPLES = 5
ORDER_WORDS = {DMY: "day first (DD/MM/YYYY)", MDY: "month first (MM/DD/YYYY)"}


@dataclass
class DateOrder:
    order: str = DMY
    ambiguous: bool = False  # slashed dates that read both ways, and nothing in the file to say which
    reason: str = ""  # the evidence, in words
    chosen: bool = False  # the person said (--date-order, the page's choice)
    examples: list[tuple[str, str]] = field(default_factory=list)  # (as written, in words) for the first rows
    day_first_rows: list[tuple[int, str]] = field(default_factory=list)  # (row, text): only day first reads it
    month_first_rows: list[tuple[int, str]] = field(default_factory=list)

    @property
    def contradicts_itself(self) -> bool:
        return bool(self.day_first_rows and self.month_first_rows)

    @property
    def note(self) -> str:
        """What the importer says about the order it uses."""
        if not (self.ambiguous or self.reason or self.chosen):
            return ""
        how = ORDER_WORDS[self.order]
        if self.chosen:
            return f"Dates are read {how}, as you chose."
        if self.ambiguous:
            return (f"Dates such as {self.examples[0][0] if self.examples else '03/04/2024'} could be either way round and "
                    f"nothing in the file says which: they are read {how}. If that is wrong, choose the other order "
                    "(--date-order mdy on the command line).")
        return f"Dates are read {how}: {self.reason}."


def _text(value) -> str:
    return value.strip() if isinstance(value, str) else ""


def decide_order(headers, rows, date_index: int, wanted: str | None = None) -> DateOrder:
    """The order for this file's slashed dates; `rows` are (number, values) and are only read."""
    found = DateOrder(order=wanted if wanted in (DMY, MDY) else DMY, chosen=wanted in (DMY, MDY))
    keys = [name_key(h) for h in headers]
    locale_columns = [i for i, k in enumerate(keys) if k in LOCALE_HEADERS]
    time_columns = [i for i, h in enumerate(headers) if TIME_HEADER.search(h or "") and i != date_index]
    slashed_ambiguous = any_slashed = False
    am_pm = locale_says = ""
    seen: set[str] = set()
    for number, values in rows:
        text = _text(values[date_index])
        if text and text not in seen:
            seen.add(text)
            match = SLASHED.match(text)
            if match:
                any_slashed = True
                first, second = int(match[1]), int(match[2])
                if first > 12 and second <= 12:
                    found.day_first_rows.append((number, text))
                elif second > 12 and first <= 12:
                    found.month_first_rows.append((number, text))
                elif first != second:
                    slashed_ambiguous = True
                if match[4] and not am_pm:
                    am_pm = f"times such as '{text}' use AM/PM"
        if not am_pm:
            for i in time_columns:
                if AM_PM.search(_text(values[i])):
                    am_pm = f"times such as '{_text(values[i])}' in '{headers[i]}' use AM/PM"
                    break
        if not locale_says:
            for i in locale_columns:
                cell = _text(values[i])
                if _US_LOCALE.search(cell):
                    locale_says = MDY, f"the file's {headers[i]} is '{cell}'"
                elif _DAY_FIRST_LOCALE.search(cell):
                    locale_says = DMY, f"the file's {headers[i]} is '{cell}'"
    if not any_slashed:  # ISO dates and real date cells: nothing to decide, nothing to say
        return DateOrder(order=found.order, chosen=False)
    if not found.chosen:
        if found.day_first_rows or found.month_first_rows:
            rows_of = found.day_first_rows or found.month_first_rows
            found.order = DMY if found.day_first_rows else MDY
            found.reason = f"'{rows_of[0][1]}' (row {rows_of[0][0]}) can only be read that way"
        elif locale_says:
            found.order, found.reason = locale_says
        elif am_pm:
            found.order, found.reason = MDY, am_pm + ", as US exports do"
        else:
            found.ambiguous = slashed_ambiguous
    if slashed_ambiguous or found.reason or found.chosen:
        found.examples = _examples(rows, date_index, found.order)
    return found


def _examples(rows, date_index: int, order: str) -> list[tuple[str, str]]:
    """The first distinct slashed dates as written and as they will be stored."""
    out: list[tuple[str, str]] = []
    for _number, values in rows:
        text = _text(values[date_index])
        if not SLASHED.match(text) or any(text == seen for seen, _ in out):
            continue
        try:
            day: date = parse_date(text, order=order)
        except BadValue:
            continue
        out.append((text, in_words(day)))
        if len(out) >= EXAMPLES:
            break
    return out
