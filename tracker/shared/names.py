"""The name rule: when two names are the same name.

Team and source names, and request titles within their source, are unique
ignoring case and spacing (SPEC). `tidy_name` is what is stored (trimmed, runs
of white space made one space); `name_key` is what is compared (the tidy name,
case-folded). The models keep a `*_key` column filled from the name, with a
unique index on it, so the database holds the rule even against a race."""
from __future__ import annotations

import re
import unicodedata

_SPACES = re.compile(r"\s+")


def tidy_name(text: str | None) -> str:
    """'  Northshire   ICB ' -> 'Northshire ICB' (compatibility forms such as non-breaking spaces folded too)."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", text or "")).strip()


def name_key(text: str | None) -> str:
    """What two names are compared by: 'Northshire  icb' and 'NORTHSHIRE ICB' have the same key."""
    return tidy_name(text).casefold()
