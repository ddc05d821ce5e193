"""The entry rules a value must meet, as plain functions that return the reason it fails (or None).

The log form and the API (tracker/entries/forms.py, through WTForms validators)
and the importer (tracker/importer/validate.py, row by row) ask the same
functions, so the same value is refused with the same message everywhere.
Who may log for which team is tracker.auth.access.loggable_teams; whether a
month is signed off is tracker.signoff.services.lock_reason."""
from __future__ import annotations

from datetime import date

from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.rationalise.loggable import closed_reason
from tracker.shared.choices import ANSWERS, BANDS, LONG_TEXT_MAX, MAX_ENTRY_MINUTES
from tracker.shared.forms import latest_allowed_date
from tracker.shared.timeutil import local_today
from tracker.shared.validators import CONTROL_CHARACTERS, PlainText

NOTES_MAX = LONG_TEXT_MAX
NOTES_MESSAGE = f"Notes must be {NOTES_MAX} characters or fewer"
MINUTES_MESSAGE = f"Minutes must be a whole number from 1 to {MAX_ENTRY_MINUTES}"
ANSWER_MESSAGE = "Answer yes, no or unknown"


def date_problem(day: date) -> str | None:
    if day > latest_allowed_date():
        return "The date must be no more than a year from today"
    if day < DEFAULTS_EFFECTIVE_FROM:
        return f"The date must be on or after {DEFAULTS_EFFECTIVE_FROM:%d %B %Y}"
    return None


def minutes_problem(minutes: int) -> str | None:
    return None if 1 <= minutes <= MAX_ENTRY_MINUTES else MINUTES_MESSAGE


def band_problem(band: str) -> str | None:
    return None if band in BANDS else f"Choose a band from: {', '.join(BANDS)}"


def answer_problem(answer: str) -> str | None:
    return None if answer in ANSWERS else ANSWER_MESSAGE


def request_problem(request, day: date | None = None) -> str | None:
    """A request new work done on `day` (default: today) may be logged against: not retired or merged,
    nor closed by a decision from its effective date; the reason names the replacement
    (tracker/rationalise/loggable.py holds the rule)."""
    return closed_reason(request, day or local_today())


def notes_problem(notes: str) -> str | None:
    if len(notes) > NOTES_MAX:
        return NOTES_MESSAGE
    if CONTROL_CHARACTERS.search(notes):
        return PlainText.message
    return None
