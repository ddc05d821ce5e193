"""What every API route shares: one way to take JSON input, the error shapes, paging, CSRF.

- Bad input: 400 {"errors": {field: [message, ...]}} and nothing written.
- Anything else that is not a success (401; 403 for a session caller without
  the CSRF header; 404; 405; 409; 412 for a stale If-Match; 413): {"message": "..."} (tracker/shared/errors.py; app-wide handlers in
  tracker/__init__.py give /api/ paths this shape too, so an unknown address
  or a wrong method answers the same way).

A route that writes declares its input's schema with `@blueprint.arguments(...)`
(tracker/api/contract.py: the body must be a JSON object, each field of its JSON
type), then `@json_input(build_form)`: the form (the very form class the pages
use) is built and validated; the view gets the valid form, calls a service, and
returns its answer; the decorator commits, or rolls back and answers 400 when
the service refuses (tracker.shared.errors.Refused)."""
from __future__ import annotations

from datetime import date
from functools import wraps

from flask import abort, current_app, g, make_response, request
from flask_wtf.csrf import CSRFError

from tracker.api import blueprint
from tracker.api.body import validation_error
from tracker.extensions import csrf, db
from tracker.shared.errors import Refused, message_response
from tracker.shared.pagination import MAX_PAGE, paginate
from tracker.shared.parsing import is_id, parse_iso_date, parse_whole_number

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


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


def refuse(errors: dict):
    """Stop the request here with a 400 of these field errors."""
    abort(make_response(validation_error(errors)))


def json_input(build_form, refusal_field: str = "body"):
    """Validate with the page's form, call, commit: the one way an API route takes JSON input.

    Goes under `@blueprint.arguments(Schema)`, which has already read the body
    and checked each field's JSON type (tracker/api/contract.py).
    `build_form(data, **view_args)` returns a form with `API_FIELDS` built from
    the JSON object (`from_json` of the page's form). The view is called as
    `view(form, **view_args)` only with a valid form; a `Refused` from the
    service it calls becomes a 400 by its field (`refusal_field` when it names
    none) and everything is rolled back."""

    def decorator(view):
        @wraps(view)
        def wrapped(data, **view_args):
            form = build_form(data, **view_args)
            if not form.validate():
                db.session.rollback()
                return validation_error(form.errors)
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
    number = parse_whole_number(request.args.get("page") or "1")  # sent empty: not sent
    if not number:
        refuse({"page": ["page must be a whole number from 1"]})
    return min(number, MAX_PAGE)


def page_of(query, serialise, per_page: int | None = None, total: int | None = None):
    """SPEC's list shape, {"items", "page", "pages", "total"}, of the page asked for (the last page if past it);
    the route's `@blueprint.response(..., XPage)` shapes it. `total`: the count when the caller knows it
    without a COUNT over the query (entries: from the rollups)."""
    page = paginate(query, page_number(), per_page or current_app.config["API_PAGE_SIZE"], total=total, past_end="empty")
    return {"items": [serialise(i) for i in page.items], "page": page.page, "pages": page.pages, "total": page.total}


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
