"""How a refusal travels from a rule to the person who asked.

A service that refuses a change raises `Refused` (or a subclass) before it
writes anything: the page shows the message by the field it names, the API
answers 400 {"errors": {field: [message]}}. Errors that are not about a field
(not signed in, not found, a clash with another user's change) are answered
as JSON {"message": ...} by `message_response` under /api/.

Two refusals come from another user's change made a moment earlier, found
when the service locks the row: `Gone` (it was deleted: 404) and `Stale` (it
was changed after the caller read it, and the caller asked to change only
the version it read: 412 from the API; the edit page shows what changed).
tracker/__init__.py answers both app-wide and rolls the transaction back."""
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


class Gone(Exception):
    """What the caller wants to change was deleted meanwhile (by someone else): answered as not found."""


class NotVisible(Exception):
    """What the caller asked about is not theirs to see (another team's id, a guessed id): for them
    it does not exist. Answered 404 app-wide, the same whether it exists or not, so nothing leaks."""


class Stale(Exception):
    """The record changed after the caller read it, and the caller made their change conditional on that copy."""

    def __init__(self, message: str, current_version: int):
        super().__init__(message)
        self.message = message
        self.current_version = current_version


def message_response(status: int, message: str):
    """The API's answer for anything but bad input: {"message": "..."} with the status."""
    response = jsonify({"message": message})
    response.status_code = status
    return response
