"""How a refusal travels from a rule to the person who asked.

A service that refuses a change raises `Refused` (or a subclass) before it
writes anything: the page shows the message by the field it names, the API
answers 400 {"errors": {field: [message]}}. Errors that are not about a field
(not signed in, not found, a clash with another user's change) are answered
as JSON {"message": ...} by `message_response` under /api/."""
from __future__ import annotations

from flask import jsonify


class Refused(Exception):
    """A rule refused a change; nothing was written. `field` names the input it is about, if any."""

    field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        if field is not None:
            self.field = field


def message_response(status: int, message: str):
    """The API's answer for anything but bad input: {"message": "..."} with the status."""
    response = jsonify({"message": message})
    response.status_code = status
    return response
