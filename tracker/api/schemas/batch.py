"""Many entries at once (tracker/api/batch.py): the body is a list of EntryInput, the answer the entries."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.schemas.entries import Entry
from tracker.entries.batch import MAX_BATCH
from tracker.shared.choices import MAX_ENTRY_MINUTES

MESSAGES = {"type": "array", "items": {"type": "string"}}

# The body as the document states it; the route reads it item by item with EntryInput (JSON types by field).
BATCH_BODY = {
    "required": True,
    "description": f"1 to {MAX_BATCH} entries, each as POST /api/v1/entries takes one.",
    "content": {"application/json": {"schema": {
        "type": "array", "minItems": 1, "maxItems": MAX_BATCH, "items": {"$ref": "#/components/schemas/EntryInput"},
    }}},
}


class EntryBatch(Schema):
    items = fields.List(fields.Nested(Entry), required=True, metadata={"description": "The entries, in the order sent."})


class BatchErrors(Schema):
    """Bad input; nothing was written. `body` for the list as a whole; otherwise each bad entry by its
    position in the list (from 0), with its fields' errors as POST /api/v1/entries gives them."""

    errors = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(metadata={"anyOf": [MESSAGES, {"type": "object", "additionalProperties": MESSAGES}]}),
        required=True,
        metadata={"example": {"3": {"minutes": [f"Minutes must be a whole number from 1 to {MAX_ENTRY_MINUTES}"]}}},
    )
