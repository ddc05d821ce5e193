"""The API's contract: flask-smorest turns each route's schemas into /api/v1/openapi.json.

A route declares its JSON input with `@blueprint.arguments(Schema)`, its answer
with `@blueprint.response(status, Schema)` and its refusals with
`@answers(...)`; the document is generated from those (docs/architecture.md,
"Adding an API endpoint"). What flask-smorest would do its own way is set to
the API's:

- the body is read by `read_json_body` (never a 500 on hostile JSON), fields
  the schema does not name are ignored, and bad input is 400
  {"errors": {field: [message]}} (`JsonBodyParser`);
- required fields are stated in the document but reported by the form the
  pages share, in its words (`JsonInput.load` is partial);
- every other refusal keeps the app's {"message"} handlers (`ContractApi`
  registers none of its own)."""
from __future__ import annotations

from functools import wraps

from flask import abort, make_response
from flask_smorest import Api, Blueprint
from marshmallow import EXCLUDE, Schema, ValidationError
from webargs.flaskparser import FlaskParser

from tracker.api.body import NOT_AN_OBJECT, read_json_body, validation_error
from tracker.shared.choices import ROLES
from tracker.shared.parsing import MAX_ID, IdConverter

# Every refusal the API gives, by status: its name in the document and what it means.
REFUSALS = {
    400: ("BAD_REQUEST", "Bad input, each field named with what is allowed; nothing was written"),
    401: ("UNAUTHORIZED", "No valid bearer token or session"),
    403: ("FORBIDDEN", "A signed-in session wrote without the CSRF token in an X-CSRFToken header (data the "
          "caller may not see is never 403: it is 404)"),
    404: ("NOT_FOUND", "Not there, or not the caller's to see"),
    405: ("METHOD_NOT_ALLOWED", "The path exists but not with this method; `Allow` lists the methods it has"),
    409: ("CONFLICT", "Someone else saved the same thing at the same moment; nothing was written. Check and try again"),
    412: ("PRECONDITION_FAILED", "If-Match named a version the entry no longer has: someone changed it since. "
          "Nothing was written"),
    413: ("CONTENT_TOO_LARGE", "The body is larger than the server accepts (MAX_CONTENT_LENGTH); it was not read"),
    503: ("SERVICE_UNAVAILABLE", "The service cannot reach its database; try again later (see Retry-After)"),
}
# What any write may also answer: no CSRF header (403), a clash with another user's change (409), a body too large (413).
WRITE_REFUSALS = (400, 401, 403, 409, 413)

DESCRIPTION = (
    "Log reporting work and read its burden. Authenticate with `Authorization: Bearer <token>` "
    "(`flask --app tracker create-token EMAIL`), or with the signed-in session cookie plus the CSRF token "
    "in an `X-CSRFToken` header for POST, PATCH and DELETE. Anything the caller may not see answers 404. "
    "Bad input answers 400 `{\"errors\": {field: [message]}}`; every other error (401, 403, 404, 405 for a "
    "method a path does not have, 409, 412, 413, 503) answers `{\"message\": \"...\"}`. "
    "An empty query parameter counts as not sent; a query parameter sent twice, or with spaces around it, is 400. "
    f"Roles: {', '.join(ROLES)}."
)


class ValidationErrors(Schema):
    """Bad input: each field named, with what is allowed. Nothing was written."""

    from marshmallow import fields as _f

    errors = _f.Dict(keys=_f.String(), values=_f.List(_f.String()), required=True,
                     metadata={"example": {"minutes": ["Minutes must be a whole number from 1 to 14400"]}})


class Message(Schema):
    """Every answer that is not a success and not bad input: what happened, in words."""

    from marshmallow import fields as _f

    message = _f.String(required=True)


class JsonInput(Schema):
    """A JSON body's schema. Fields it does not name are ignored; required fields are stated in the
    document and reported missing by the form, so a missing field gets the same words as on the page."""

    class Meta:
        unknown = EXCLUDE

    def load(self, data, *, partial=None, **kwargs):
        return super().load(data, partial=True if partial is None else partial, **kwargs)


class JsonBodyParser(FlaskParser):
    """webargs, reading the body the API's one way and answering bad input in the API's one shape."""

    DEFAULT_VALIDATION_STATUS = 400
    DEFAULT_UNKNOWN_BY_LOCATION = {**FlaskParser.DEFAULT_UNKNOWN_BY_LOCATION, "json": EXCLUDE}

    def load_json(self, req, schema):
        data, errors = read_json_body()
        if errors:
            raise ValidationError(errors)
        if not isinstance(data, dict):
            raise ValidationError({"body": [NOT_AN_OBJECT]})
        return data

    def handle_error(self, error, req, schema, *, error_status_code, error_headers):
        abort(make_response(validation_error(field_messages(error.messages))))


def field_messages(messages) -> dict:
    """marshmallow's errors as {field: [message, ...]}; errors about the whole body are the body's."""
    if isinstance(messages, dict) and set(messages) == {"json"}:  # webargs files them under the body's location
        messages = messages["json"]
    if not isinstance(messages, dict):
        return {"body": [NOT_AN_OBJECT]}
    found = {}
    for field, said in messages.items():
        name = "body" if field == "_schema" else str(field)
        if name == "body" and field == "_schema":
            said = [NOT_AN_OBJECT]
        found[name] = [m if isinstance(m, str) else str(m) for m in (said if isinstance(said, list) else [said])]
    return found


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = JsonBodyParser()


class ContractApi(Api):
    """flask-smorest without its own error handlers and pages: the app answers errors (tracker/__init__.py)."""

    def _register_error_handlers(self):
        pass

    def _register_responses(self):
        for status, (name, description) in REFUSALS.items():
            schema = ValidationErrors if status == 400 else Message
            self.spec.components.response(
                name, {"description": description, "content": {"application/json": {"schema": schema}}}
            )
        self.spec.components.response(
            "DEFAULT_ERROR", {"description": "Any other error", "content": {"application/json": {"schema": Message}}}
        )


def answers(*statuses: int):
    """Document the refusals an operation may give (every operation may also answer 503)."""
    from tracker.api import blueprint

    def decorator(view):
        for status in (*statuses, 503):
            view = blueprint.alt_response(status, response=REFUSALS[status][0])(view)
        return view

    return decorator


def found_first(lookup):
    """Find what the route is about before its body is read, so a missing one is 404 before any 400."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **view_args):
            lookup(**view_args)
            return view(*args, **view_args)

        return wrapped

    return decorator


def empty_query_value_is_not_sent(_converter, field, ret, **_kwargs) -> dict:
    """`?from=` counts as not sent, as from a form: every optional query parameter may be empty."""
    return {"allowEmptyValue": True} if ret.get("in") == "query" and not field.required else {}


def init_contract(app) -> ContractApi:
    """Generate the document from the blueprint's routes and schemas; registers the blueprint."""
    from tracker.api import blueprint

    api = ContractApi(spec_kwargs={
        "title": "Reporting Burden Tracker API",
        "version": "1.0.0",
        "openapi_version": "3.1.0",
        "info": {"description": DESCRIPTION},
        "servers": [{"url": "/"}],
        "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    })
    api.init_app(app)
    api.register_converter(IdConverter, lambda _converter: {"type": "integer", "minimum": 1, "maximum": MAX_ID})
    api.spec.components.security_scheme(
        "bearerAuth", {"type": "http", "scheme": "bearer", "description": "A token from `create-token`."}
    )
    api.spec.components.security_scheme("sessionCookie", {"type": "apiKey", "in": "cookie", "name": "session"})
    api.ma_plugin.converter.add_parameter_attribute_function(empty_query_value_is_not_sent)
    api.register_blueprint(blueprint)
    app.extensions["api_contract"] = api
    return api
