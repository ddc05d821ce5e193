"""The words registers and sheets use for a request's frequency, obligation and status, read as the
catalogue's codes. The codes and labels come from tracker/shared/choices.py, so a new one (such as a
daily frequency) is read by its own name without a change here; the rest are common alternatives."""
from __future__ import annotations

from tracker.shared.choices import FREQUENCIES, OBLIGATIONS, REQUEST_STATUSES
from tracker.shared.names import name_key

WORDS = {
    "frequency": {**{name_key(label): code for code, label in FREQUENCIES.items()}, **{name_key(code.replace("_", " ")): code for code in FREQUENCIES},
                  "annually": "annual", "yearly": "annual", "twice yearly": "biannual", "twice a year": "biannual",
                  "six monthly": "biannual", "six-monthly": "biannual", "bi-annual": "biannual", "half yearly": "biannual",
                  "biannually": "biannual", "quarter": "quarterly", "month": "monthly", "week": "weekly",
                  "one off": "one_off", "once": "one_off", "adhoc": "ad_hoc", "ad-hoc": "ad_hoc", "as required": "ad_hoc",
                  "two weekly": "fortnightly", "bi-weekly": "fortnightly"},
    "obligation": {**{name_key(label): code for code, label in OBLIGATIONS.items()},
                   "mandatory": "statutory", "required by law": "statutory", "contract": "contractual",
                   "voluntary": "discretionary", "optional": "discretionary"},
    "status": {**{name_key(label): code for code, label in REQUEST_STATUSES.items()},
               "approved": "active", "live": "active", "current": "active", "in review": "under_review",
               "review": "under_review", "withdrawn": "retired", "discontinued": "retired", "archived": "retired",
               "ceased": "retired", "expired": "retired"},
}
if "daily" in FREQUENCIES:
    WORDS["frequency"].update({"every day": "daily", "each day": "daily", "day": "daily"})


def word(kind: str, text: str) -> str:
    """The code for `text` as a `kind` (frequency, obligation, status); ValueError naming it when unknown."""
    code = WORDS[kind].get(name_key(text))
    if code is None:
        raise ValueError(f"'{text}' is not a {kind} we know")
    return code
