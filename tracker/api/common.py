"""What every API route shares: JSON errors, paging, CSRF for cookie callers."""
from __future__ import annotations

import re
from datetime import date

from flask import abort, current_app, g, jsonify, make_response, request
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from tracker.api import blueprint
from tracker.extensions import csrf
from tracker.shared.parsing import is_id

UNSAFE_METHODS = {"POST", "PUT", "PATCH", "DELETE"}


@blueprint.before_request
def protect_session_callers():
    """A bearer token cannot be forged by another site; a session cookie can, so it needs the CSRF header."""
    if request.method in UNSAFE_METHODS and not g.get("auth_by_token") and current_app.config.get("WTF_CSRF_ENABLED", True):
        csrf.protect()


@blueprint.errorhandler(CSRFError)
def csrf_failed(error):
    return jsonify({"errors": {"csrf_token": [error.description]}}), 400


@blueprint.errorhandler(HTTPException)
def http_error(error):
    return jsonify({"error": error.name, "message": error.description}), error.code


def validation_error(errors: dict):
    """400 with the field's errors, each message once."""
    clean = {field: list(dict.fromkeys(messages)) for field, messages in errors.items()}
    return jsonify({"errors": clean}), 400


def json_body() -> dict:
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        abort(make_response(validation_error({"body": ["Send a JSON object with Content-Type: application/json"]})))
    return data


def page_number() -> int:
    raw = request.args.get("page", "1")
    if not is_id(raw) or int(raw) < 1:
        abort(make_response(validation_error({"page": ["page must be a whole number from 1"]})))
    return int(raw)


def paginate(session, query, serialise, page: int, per_page: int | None = None):
    """SPEC's list shape: {"items", "page", "pages", "total"}."""
    from sqlalchemy import func, select

    per_page = per_page or current_app.config["API_PAGE_SIZE"]
    total = session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    pages = max(1, -(-total // per_page))
    items = session.scalars(query.limit(per_page).offset((page - 1) * per_page))
    return jsonify({"items": [serialise(i) for i in items], "page": page, "pages": pages, "total": total})


# ---- reading query parameters and JSON fields (400 with the field named) ----

def whole_number_arg(name: str, message: str) -> int | None:
    """An optional ?name= that must be a whole number (an id)."""
    raw = request.args.get(name, "").strip()
    if not raw:
        return None
    if not is_id(raw):
        abort(make_response(validation_error({name: [message]})))
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
        abort(make_response(validation_error(errors)))
    return start, end


def single_value_errors(data: dict, fields) -> dict:
    """A form field holds one value: a list or object sent for it is refused by name."""
    return {
        name: ["Send a single value, not a list or object"]
        for name in fields
        if isinstance(data.get(name), (list, dict))
    }
