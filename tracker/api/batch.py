"""POST /api/v1/entries/batch: up to 500 entries in one call, all or none.

The body is a JSON list; each item is what `POST /api/v1/entries` takes, and is
checked exactly as it is there: its JSON types by the `EntryInput` schema, its
values by the entry form (tracker/entries/batch.py). Any bad item and nothing
is written: 400 {"errors": {"<position>": {field: [message]}}}, positions from
0. Otherwise every entry is written in one transaction
(tracker/entries/services.py `create_entries`: each audited, the rollups exact)."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user
from marshmallow import ValidationError

from tracker.api import blueprint
from tracker.api.body import read_json_body, validation_error
from tracker.api.contract import answers, field_messages
from tracker.api.schemas.batch import BATCH_BODY, BatchErrors, EntryBatch
from tracker.api.schemas.entries import EntryInput
from tracker.api.serialise import entry_to_json
from tracker.burden.rates import RateBook
from tracker.entries.batch import MAX_BATCH, TOO_MANY, check_entries
from tracker.entries.services import EntriesNotAllowed, create_entries
from tracker.extensions import db

NOT_A_LIST = f"Send a JSON list of entries (1 to {MAX_BATCH}), each an object as POST /api/v1/entries takes"
NOT_AN_ENTRY = "Send each entry as a JSON object"


@blueprint.post("/entries/batch")
@blueprint.doc(requestBody=BATCH_BODY)
@blueprint.response(201, EntryBatch)
@blueprint.alt_response(400, schema=BatchErrors, description="Bad input, by position in the list; nothing was written")
@answers(401, 403, 409, 413)
def create_entries_in_batch():
    """Log up to 500 entries at once, all or none

    Each entry is checked as POST /api/v1/entries checks one; if any is refused, none is written
    and the answer names each refused entry by its position in the list (from 0). Each entry
    written is audited as one logged alone."""
    data, errors = read_json_body()
    if errors:
        return validation_error(errors)
    if not isinstance(data, list) or not data:
        return validation_error({"body": [NOT_A_LIST]})
    if len(data) > MAX_BATCH:
        return validation_error({"body": [TOO_MANY]})
    read = [read_item(item) for item in data]
    type_errors = [errors for _loaded, errors in read]
    values, form_errors = check_entries(current_user, [loaded for loaded, _errors in read])
    by_position = {
        str(index): {**({} if "body" in type_errors[index] else form_errors.get(index, {})), **type_errors[index]}
        for index in range(len(data)) if type_errors[index] or index in form_errors
    }
    if by_position:
        db.session.rollback()
        return jsonify({"errors": by_position}), 400
    try:
        entries = create_entries(current_user, values)
    except EntriesNotAllowed as refused:
        db.session.rollback()
        return jsonify({"errors": {str(refused.index): {refused.field or "team_id": [refused.message]}}}), 400
    db.session.commit()
    rates = RateBook.load(db.session)
    return {"items": [entry_to_json(entry, rates) for entry in entries]}, 201


def read_item(item) -> tuple[dict, dict]:
    """(the item as EntryInput reads it, {}) or (what could be read, its fields whose JSON type is not
    EntryInput's, by name), as POST /api/v1/entries reads one (a JSON 30.0 is the whole number 30)."""
    if not isinstance(item, dict):
        return {}, {"body": [NOT_AN_ENTRY]}
    try:
        return EntryInput().load(item), {}
    except ValidationError as error:
        return item, field_messages(error.messages)
