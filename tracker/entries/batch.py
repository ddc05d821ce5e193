"""Checking many entries at once with the one entry form (the week view and the batch API).

Each item is checked exactly as `POST /api/v1/entries` checks one entry
(`EntryForm.from_json`: the entry rules of tracker/entries/rules.py, the
team, the sign-off lock), so a value is refused with the same message
whichever way it arrives. Writing them is tracker/entries/services.py
`create_entries`, all or none."""
from __future__ import annotations

from tracker.auth.access import loggable_teams
from tracker.entries.forms import EntryForm

MAX_BATCH = 500
TOO_MANY = f"Send at most {MAX_BATCH} entries at once"


def check_entries(user, items: list[dict]) -> tuple[list[dict], dict[int, dict[str, list[str]]]]:
    """The valid values of every item (typed for the Entry model) and {index: {field: [message]}}
    of the items that fail; the values are only to be written when that is empty."""
    teams = loggable_teams(user)  # read once, not once an item
    values, errors = [], {}
    for index, item in enumerate(items):
        form = EntryForm.from_json(user, item, teams=teams)
        if form.validate():
            values.append(form.entry_values())
        else:
            errors[index] = form.errors
    return values, errors
