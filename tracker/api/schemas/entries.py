"""Entries (tracker/api/entries.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import Either, choice, day, identifier, integer, moment, number, text
from tracker.api.schemas import Paged, Person, page_of
from tracker.shared.choices import ANSWERS, BANDS, LONG_TEXT_MAX, MAX_ENTRY_MINUTES


def answer(**kwargs):
    """yes, no or unknown; true and false mean yes and no."""
    return Either("string", "boolean", one_of=[{"type": "string", "enum": list(ANSWERS)}, {"type": "boolean"}],
                  description="yes, no or unknown; true and false mean yes and no.", **kwargs)


def entry_input_fields(required: bool) -> dict:
    """An entry's fields as sent; a patch sends any of them (`required=False`)."""
    return {
        "request_id": identifier(required=required, description="An active or under-review request."),
        "team_id": identifier(required=required, description="A team the caller may log for (commissioners may not log)."),
        "occurred_on": day(required=required, description="A real date, from 2000-01-01 to a year from today."),
        "minutes": integer(1, MAX_ENTRY_MINUTES, required=required),
        "band": choice(BANDS, required=required),
        "duplicated_elsewhere": answer(default="unknown"),
        "used": answer(default="unknown"),
        "notes": text(LONG_TEXT_MAX),
    }


EntryInput = JsonInput.from_dict(entry_input_fields(True), name="EntryInput")
EntryPatch = JsonInput.from_dict(entry_input_fields(False), name="EntryPatch")


class Entry(Schema):
    id = identifier(required=True)
    request_id = identifier(required=True)
    request = text(required=True, description="The request's title.")
    source_id = identifier(required=True)
    team_id = identifier(required=True)
    team = text(required=True, description="The team's name.")
    occurred_on = day(required=True)
    minutes = integer(1, MAX_ENTRY_MINUTES, required=True)
    hours = number(required=True, description="minutes ÷ 60, rounded half-up to 2 places.")
    band = choice(BANDS, required=True)
    duplicated_elsewhere = choice(ANSWERS, required=True)
    used = choice(ANSWERS, required=True)
    notes = text(required=True)
    cost = number(required=True, description=(
        "Pounds: minutes ÷ 60 × the band's rate effective on occurred_on, rounded half-up to the penny."))
    logged_by = fields.Nested(Person, required=True)
    created_at = moment(required=True)
    updated_at = moment(required=True)


EntryPage = page_of(Entry, "EntryPage")


class EntryQuery(Paged):
    team_id = identifier(description="Only this team; a team the caller may not see answers 404.")
    request_id = identifier(description="Only entries for this request.")
    source_id = identifier(description="Only entries for requests from this source.")
    # "from" is a Python keyword: the field is named by data_key.
    start = day(data_key="from", description="First day, inclusive (YYYY-MM-DD). Sent with `to`, not after it (400).")
    end = day(data_key="to", description="Last day, inclusive (YYYY-MM-DD); not before `from` (400).")
