"""POST /api/v1/entries/batch: up to 500 entries in one call, all or none.

The body is a JSON list; each item is what `POST /api/v1/entries` takes, and is
checked exactly as it is there: its JSON types by the OpenAPI document
(`EntryInput`), its values by the entry form (tracker/entries/batch.py). Any
bad item and nothing is written: 400 {"errors": {"<position>": {field:
[message]}}}, positions from 0. Otherwise every entry is written in one
transaction (tracker/entries/services.py `create_entries`: each audited, the
rollups exact) and the answer is 201 {"items": [entry, ...]} in the order sent."""
from __future__ import annotations

from flask import jsonify
from flask_login import current_user

from tracker.api import blueprint
from tracker.api.common import json_type_errors, read_json_body, validation_error
from tracker.api.serialise import entry_to_json
from tracker.burden.rates import RateBook
from tracker.entries.batch import MAX_BATCH, TOO_MANY, check_entries
from tracker.entries.services import EntriesNotAllowed, create_entries
from tracker.extensions import db

NOT_A_LIST = f"Send a JSON list of entries (1 to {MAX_BATCH}), each an object as POST /api/v1/entries takes"
NOT_AN_ENTRY = "Send each entry as a JSON object"


@blueprint.post("/entries/batch")
def create_entries_in_batch():
    data, errors = read_json_body()
    if errors:
        return validation_error(errors)
    if not isinstance(data, list) or not data:
        return validation_error({"body": [NOT_A_LIST]})
    if len(data) > MAX_BATCH:
        return validation_error({"body": [TOO_MANY]})
    type_errors = {
        index: {"body": [NOT_AN_ENTRY]} if not isinstance(item, dict) else json_type_errors(item, "EntryInput")
        for index, item in enumerate(data)
    }
    values, form_errors = check_entries(current_user, [item if isinstance(item, dict) else {} for item in data])
    by_position = {
        str(index): type_errors[index] if not isinstance(data[index], dict) else {**form_errors.get(index, {}), **type_errors[index]}
        for index in range(len(data))
        if type_errors[index] or index in form_errors
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
    return jsonify({"items": [entry_to_json(entry, rates) for entry in entries]}), 201
