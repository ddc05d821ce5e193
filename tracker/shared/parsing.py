"""Parsing of ids and page numbers that arrive as text (query strings, form fields, JSON).

`str.isdigit()` is not enough: it accepts Unicode digits such as '²' that
`int()` rejects, and no length limit, so a huge number overflows the
database's integer. Everything that turns text into an id goes through here."""
from __future__ import annotations

import re

_ID = re.compile(r"[0-9]{1,18}")


def parse_id(raw) -> int | None:
    """A whole number of at most 18 ASCII digits, else None."""
    if isinstance(raw, int) and not isinstance(raw, bool):
        return raw if 0 <= raw < 10**18 else None
    text = str(raw or "").strip()
    return int(text) if _ID.fullmatch(text) else None


def is_id(raw) -> bool:
    return parse_id(raw) is not None
