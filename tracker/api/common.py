"""What every API route shares: one way to take JSON input, the error shapes, paging, CSRF.

- Bad input: 400 {"errors": {field: [message, ...]}} and nothing written.
- Anything else that is not a success (401; 403 for a session caller without
  the CSRF header; 404; 405; 409; 412 for a stale If-Match; 413): {"message": "..."} (tracker/shared/errors.py; app-wide handlers in
  tracker/__init__.py give /api/ paths this shape too, so an unknown address
  or a wrong method answers the same way).

A route that writes declares its input with `@json_input(build_form)`: the
body must be a JSON object; the form (the very form class the pages use) is
built and validated; the view gets the valid form, calls a service, and
returns its answer; the decorator commits, or rolls back and answers 400 when
the service refuses (tracker.shared.errors.Refused)."""
from __future__ import annotations

import re
from datetime import date
from functools import wraps

from flask import abort, current_app, g, jsonify, make_response, request
from flask_wtf.csrf import CSRFError

from tracker.api import blueprint
from tracker.extensions import csrf, db
from tracker.shared.errors import Refused, message_response
from tracker.shared.pagination import MAX_PAGE, paginate
from tracker.shared.parsing import is_id

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}
NOT_AN_OBJECT = "Send a JSON object with Content-Type: application/json"


@blueprint.before_request
def protect_session_callers():
    """A bearer token cannot be forged by another site; a session cookie can, so it needs the CSRF header."""
    if request.method in UNSAFE_METHODS and not g.get("auth_by_token") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


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


def single_value_errors(data: dict, fields) -> dict:
    """A form field holds one value: a list or object sent for it is refused by name."""
    return {
        name: ["Send a single value, not a list or object"]
        for name in fields
        if isinstance(data.get(name), (list, dict))
    }


def json_input(build_form, refusal_field: str = "body"):
    """Read, validate, call, commit: the one way an API route takes JSON input.

    `build_form(data, **view_args)` returns a form with `API_FIELDS` built from
    the JSON object (`from_json` of the page's form). The view is called as
    `view(form, **view_args)` only with a valid form; a `Refused` from the
    service it calls becomes a 400 by its field (`refusal_field` when it names
    none) and everything is rolled back."""

    def decorator(view):
        @wraps(view)
        def wrapped(**view_args):
            data = request.get_json(silent=True)
            # The form is built first: it finds what the route is about, so a missing one is a 404 before any 400.
            form = build_form(data if isinstance(data, dict) else {}, **view_args)
            if not isinstance(data, dict):
                db.session.rollback()
                return validation_error({"body": [NOT_AN_OBJECT]})
            errors = single_value_errors(data, form.API_FIELDS)
            if errors or not form.validate():
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
    raw = request.args.get("page", "1")
    if not is_id(raw) or int(raw) < 1:
        refuse({"page": ["page must be a whole number from 1"]})
    return min(int(raw), MAX_PAGE)


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
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", raw):
                raise ValueError
            dates[name] = date.fromisoformat(raw)
        except ValueError:
            errors[name] = [f"{name} must be a real date in the form YYYY-MM-DD"]
    start, end = dates[start_name], dates[end_name]
    if start and end and start > end:
        errors[end_name] = [f"{end_name} must be the same as or after {start_name}"]
    if errors:
        refuse(errors)
    return start, end
