"""Reading a JSON body without ever failing, and the API's answer to bad input.

Used by the schemas' parser (tracker/api/contract.py) and by routes that refuse a query value
(tracker/api/common.py)."""
from __future__ import annotations

import json
import re

from flask import jsonify, request

NOT_AN_OBJECT = "Send a JSON object with Content-Type: application/json"


def validation_error(errors: dict):
    """400 with the field's errors, each message once."""
    clean = {field: list(dict.fromkeys(messages)) for field, messages in errors.items()}
    return jsonify({"errors": clean}), 400


NOT_STORABLE = "Remove the NUL character (\\u0000): it cannot be stored"
NOT_TEXT = "Send text only: this holds a lone UTF-16 surrogate ('\\ud800' to '\\udfff'), which is not a character"


def read_json_body() -> tuple[object, dict]:
    """The request's JSON value and {} or (None, {field: [message]}): never an exception.

    Flask's `get_json(silent=True)` turns bad JSON into None but lets JSON
    nested a hundred thousand deep raise RecursionError (a 500), and
    accepts strings holding a lone surrogate ("\\ud800"), which no database can
    store. A body over MAX_CONTENT_LENGTH never gets here: reading it is a 413."""
    if not request.is_json:
        return None, {"body": [NOT_AN_OBJECT]}
    raw = request.get_data(cache=True)
    try:
        data = json.loads(raw)
    except RecursionError:
        return None, {"body": ["Send a JSON object of plain values: this one is nested too deeply"]}
    except ValueError:  # includes UnicodeDecodeError
        return None, {"body": ["Send a valid JSON object (UTF-8) with Content-Type: application/json"]}
    field = first_field_with_surrogate(data)
    if field is not None:
        return None, {field: [NOT_TEXT]}
    field = first_field_with_nul(data)
    if field is not None:
        return None, {field: [NOT_STORABLE]}
    return data, {}


def first_field_with_surrogate(data) -> str | None:
    """The top-level field whose value (or name) holds a lone surrogate, "body" for anything else."""
    return _first_field_holding(data, _SURROGATE)


def first_field_with_nul(data) -> str | None:
    """The same for a NUL character, which PostgreSQL cannot store or compare."""
    return _first_field_holding(data, _NUL)


def _first_field_holding(data, pattern) -> str | None:
    if not isinstance(data, dict):
        return "body" if _holds(data, pattern) else None
    for key, value in data.items():
        if _holds(key, pattern):
            return "body"
        if _holds(value, pattern):
            return key
    return None


def _holds(value, pattern) -> bool:
    pending = [value]
    while pending:  # a loop, not recursion: the value may be nested deeply
        item = pending.pop()
        if isinstance(item, str):
            if pattern.search(item):
                return True
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)
    return False


_SURROGATE = re.compile("[\ud800-\udfff]")
_NUL = re.compile("\x00")
