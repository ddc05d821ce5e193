"""What every API route shares: one way to take JSON input, the error shapes, paging, CSRF.

- Bad input: 400 {"errors": {field: [message, ...]}} and nothing written.
- Anything else that is not a success (401; 403 for a session caller without
  the CSRF header; 404; 405; 409; 412 for a stale If-Match; 413): {"message": "..."} (tracker/shared/errors.py; app-wide handlers in
  tracker/__init__.py give /api/ paths this shape too, so an unknown address
  or a wrong method answers the same way).

A route that writes declares its input with `@json_input(build_form, schema=...)`: the
body must be a JSON object; the form (the very form class the pages use) is
built and validated; the view gets the valid form, calls a service, and
returns its answer; the decorator commits, or rolls back and answers 400 when
the service refuses (tracker.shared.errors.Refused)."""
from __future__ import annotations

import json
import re
from datetime import date
from functools import wraps

from flask import abort, current_app, g, jsonify, make_response, request
from flask_wtf.csrf import CSRFError

from tracker.api import blueprint
from tracker.extensions import csrf, db
from tracker.shared.errors import Refused, message_response
from tracker.shared.pagination import MAX_PAGE, paginate
from tracker.shared.parsing import is_id, parse_iso_date, parse_whole_number

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
NOT_AN_OBJECT = "Send a JSON object with Content-Type: application/json"


@blueprint.before_request
def protect_session_callers():
    """A bearer token cannot be forged by another site; a session cookie can, so it needs the CSRF header."""
    if request.method in UNSAFE_METHODS and not g.get("auth_by_token") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@blueprint.before_request
def refuse_unclear_query_values():
    """Query values are taken exactly as sent: a parameter sent twice, or a value with spaces or
    line breaks around it, is refused by name (pages trim what people type; a program sends what
    it means). The free-text search `q` is trimmed as on the pages."""
    errors = {}
    for name, values in request.args.lists():
        if len(values) > 1:
            errors[name] = [f"Send {name} once"]
        elif name != "q" and values[0] != values[0].strip():
            errors[name] = [f"Send {name} without spaces or line breaks around it"]
    return validation_error(errors) if errors else None


@blueprint.errorhandler(CSRFError)
def csrf_failed(error):
    """A signed-in session without the CSRF header may not write: 403 (the data itself is never 403, always 404)."""
    return message_response(403, f"{error.description} Send the page's CSRF token in an X-CSRFToken header, or use a bearer token.")


def validation_error(errors: dict):
    """400 with the field's errors, each message once."""
    clean = {field: list(dict.fromkeys(messages)) for field, messages in errors.items()}
    return jsonify({"errors": clean}), 400


def refuse(errors: dict):
    """Stop the request here with a 400 of these field errors."""
    abort(make_response(validation_error(errors)))


JSON_TYPE_WORDS = {
    "integer": "a whole number (a JSON number, not in quotes)",
    "number": "a number",
    "string": "text (a JSON string, in quotes)",
    "boolean": "true or false",
    "null": "null",
}


def json_type_errors(data: dict, schema_name: str) -> dict:
    """Fields whose JSON type is not the one the OpenAPI document gives them, refused by name.

    The document (tracker/api/openapi.py) is the contract: an id or `minutes`
    is a JSON number, text is a JSON string, and null, a list or an object is
    none of them. Fields the document does not name are ignored, as before;
    the form then checks the values themselves."""
    from tracker.api.openapi import SCHEMAS

    properties = SCHEMAS[schema_name]["properties"]
    errors = {}
    for name, value in data.items():
        rule = properties.get(name)
        if rule is not None and not _has_json_type(value, rule):
            words = " or ".join(JSON_TYPE_WORDS[t] for t in _json_types(rule))
            errors[name] = [f"Send {words} for {name}"]
    return errors


def _json_types(rule: dict) -> list[str]:
    if "oneOf" in rule:
        return list(dict.fromkeys(t for branch in rule["oneOf"] for t in _json_types(branch)))
    declared = rule.get("type", "string")  # an enum of words is text
    return [declared] if isinstance(declared, str) else list(declared)


def _has_json_type(value, rule: dict) -> bool:
    checks = {
        "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
        "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
        "string": lambda v: isinstance(v, str),
        "boolean": lambda v: isinstance(v, bool),
        "null": lambda v: v is None,
    }
    return any(checks[t](value) for t in _json_types(rule))


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


def json_input(build_form, schema: str, refusal_field: str = "body"):
    """Read, validate, call, commit: the one way an API route takes JSON input.

    `schema` names the body's schema in the OpenAPI document: each field must
    have the JSON type it gives (`json_type_errors`).
    `build_form(data, **view_args)` returns a form with `API_FIELDS` built from
    the JSON object (`from_json` of the page's form). The view is called as
    `view(form, **view_args)` only with a valid form; a `Refused` from the
    service it calls becomes a 400 by its field (`refusal_field` when it names
    none) and everything is rolled back."""

    def decorator(view):
        @wraps(view)
        def wrapped(**view_args):
            data, errors = read_json_body()
            # The form is built first: it finds what the route is about, so a missing one is a 404 before any 400.
            form = build_form(data if isinstance(data, dict) and not errors else {}, **view_args)
            if errors or not isinstance(data, dict):
                db.session.rollback()
                return validation_error(errors or {"body": [NOT_AN_OBJECT]})
            errors = json_type_errors(data, schema)
            if not form.validate() or errors:
                db.session.rollback()
                return validation_error({**form.errors, **errors})
            try:
                answer = view(form, **view_args)
                db.session.commit()
            except Refused as refused:
                db.session.rollback()
                return validation_error({refused.field or refusal_field: [refused.message]})
            return answer

        return wrapped

    return decorator


# ---- reading query parameters (400 with the parameter named) ----


def page_number() -> int:
    number = parse_whole_number(request.args.get("page", "1"))
    if not number:
        refuse({"page": ["page must be a whole number from 1"]})
    return min(number, MAX_PAGE)


def page_of(query, serialise, per_page: int | None = None):
    """SPEC's list shape, {"items", "page", "pages", "total"}, of the page asked for (the last page if past it)."""
    page = paginate(query, page_number(), per_page or current_app.config["API_PAGE_SIZE"], past_end="empty")
    return jsonify({"items": [serialise(i) for i in page.items], "page": page.page, "pages": page.pages, "total": page.total})


def whole_number_arg(name: str, message: str) -> int | None:
    """An optional ?name= that must be a whole number (an id)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not is_id(raw):
        refuse({name: [message]})
    return int(raw)


def date_range_args(start_name: str = "from", end_name: str = "to") -> tuple[date | None, date | None]:
    """Optional ?from=&to= dates, YYYY-MM-DD, both inclusive. 400 if malformed or the wrong way round."""
    errors, dates = {}, {}
    for name in (start_name, end_name):
        raw = request.args.get(name, "").strip()
        dates[name] = None
        if not raw:
            continue
        dates[name] = parse_iso_date(raw)
        if dates[name] is None:
            errors[name] = [f"{name} must be a real date in the form YYYY-MM-DD"]
    start, end = dates[start_name], dates[end_name]
    if start and end and start > end:
        errors[end_name] = [f"{end_name} must be the same as or after {start_name}"]
    if errors:
        refuse(errors)
    return start, end
