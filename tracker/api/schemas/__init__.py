"""The API's schemas, one module per resource: each validates a JSON body's types, shapes an answer and
states both in /api/v1/openapi.json (tracker/api/contract.py). Field types: tracker/api/fields.py."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.fields import integer


def page_of(item: type[Schema], name: str) -> type[Schema]:
    """SPEC's list shape: {"items", "page", "pages", "total"}."""
    return Schema.from_dict({
        "items": fields.List(fields.Nested(item), required=True),
        "page": integer(1, required=True),
        "pages": integer(1, required=True),
        "total": integer(0, required=True),
    }, name=name)


class Paged(Schema):
    """A list's query: which page."""

    page = integer(1, default=1, description="Page number (100 items a page); past the last page the items are empty.")


class Person(Schema):
    id = integer(1, required=True)
    name = fields.String(required=True)
