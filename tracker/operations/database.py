"""When the database cannot be reached: say so (503), never a 500, a traceback or a form that cannot work.

Most requests find out by themselves: their first query raises one of
tracker.database.UNAVAILABLE_ERRORS, which tracker/__init__.py answers with a
clear 503 page (or JSON under /api/). A request that would not touch the
database (the sign-in page) is stopped by `check_database`: each process asks
the database `SELECT 1` before a request when it has not heard from it for
DATABASE_CHECK_SECONDS (default 5), so a healthy app pays one tiny query per
process every few seconds, and a dead database is noticed within seconds."""
from __future__ import annotations

import time

from flask import Flask, request

from tracker.database import ping
from tracker.extensions import db

UNCHECKED_ENDPOINTS = {"static", "operations.healthz"}


def register(app: Flask) -> None:
    every = float(app.config.get("DATABASE_CHECK_SECONDS", 5))
    last_heard = {"at": float("-inf")}

    @app.before_request
    def check_database():
        if request.endpoint in UNCHECKED_ENDPOINTS or time.monotonic() - last_heard["at"] < every:
            return None
        with db.engine.connect() as connection:  # its own connection: the request's session stays untouched
            ping(connection)  # raises: the 503 handler answers
        last_heard["at"] = time.monotonic()
        return None
