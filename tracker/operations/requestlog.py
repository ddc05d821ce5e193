"""Structured logs: one JSON line per request, and a request id that ties a user's error page to it.

Every request gets an id: the reverse proxy's `X-Request-ID` when it sends a
sane one, else a new one. It is sent back in the `X-Request-ID` header, shown
on error pages ("quote this reference") and put on every log line written
while the request runs, so the access line, any app log line and the user's
report meet.

Log lines are JSON objects on standard error (journald or the container log
keeps them): `{"time", "level", "logger", "message", "request_id", ...}`; the
access line adds method, path (never the query string: it can hold search
text), status, duration_ms, bytes, user_id and remote_addr."""
from __future__ import annotations

import json
import logging
import re
import sys
import time
import uuid
from datetime import datetime, timezone

from flask import Flask, g, has_request_context, request
from sqlalchemy import inspect as sa_inspect

REQUEST_ID_HEADER = "X-Request-ID"
_SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{8,64}")
ACCESS_FIELDS = ("method", "path", "status", "duration_ms", "bytes", "user_id", "remote_addr")

access_log = logging.getLogger("tracker.access")


def request_id() -> str | None:
    """This request's id (made on first use), or None outside a request."""
    if not has_request_context():
        return None
    rid = g.get("request_id")
    if rid is None:
        incoming = request.headers.get(REQUEST_ID_HEADER, "")
        rid = incoming if _SANE_REQUEST_ID.fullmatch(incoming) else uuid.uuid4().hex
        g.request_id = rid
    return rid


class StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap it), like logging's last resort."""

    def __init__(self):
        super().__init__()

    @property
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, value):
        pass


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            record.request_id = request_id()
        return True


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if getattr(record, "request_id", None):
            entry["request_id"] = record.request_id
        for name in ACCESS_FIELDS:
            if hasattr(record, name):
                entry[name] = getattr(record, name)
        if record.exc_info:
            entry["error"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


class TextFormatter(logging.Formatter):
    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s: %(message)s")

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        rid = getattr(record, "request_id", None)
        return f"{text} [request {rid}]" if rid else text


def configure_logging(app: Flask) -> None:
    """One handler on the "tracker" logger (Flask's app.logger) for the whole process, however
    many apps are made; LOG_FORMAT json (default) or text, LOG_LEVEL (default INFO)."""
    logger = logging.getLogger("tracker")
    handler = next((h for h in logger.handlers if isinstance(h, StderrHandler)), None)
    if handler is None:
        handler = StderrHandler()
        handler.addFilter(RequestIdFilter())
        logger.addHandler(handler)
    handler.setFormatter(TextFormatter() if app.config.get("LOG_FORMAT") == "text" else JsonFormatter())
    from flask.logging import default_handler

    logger.removeHandler(default_handler)  # ours replaces Flask's plain one
    logger.setLevel(app.config.get("LOG_LEVEL") or "INFO")
    logger.propagate = False


def signed_in_user_id() -> int | None:
    """The id of the user Flask-Login loaded for this request, read without a query (the
    database may be the reason this request failed)."""
    state = sa_inspect(g.get("_login_user"), raiseerr=False)
    identity = state.identity if state is not None else None
    return identity[0] if identity else None


def register(app: Flask) -> None:
    configure_logging(app)
    log_requests = bool(app.config.get("LOG_REQUESTS", True))

    def start_clock():
        g.request_started = time.perf_counter()
        request_id()

    # First of all the hooks, so the clock and the id exist even when a later hook fails.
    app.before_request_funcs.setdefault(None, []).insert(0, start_clock)

    @app.after_request
    def log_request(response):
        response.headers.setdefault(REQUEST_ID_HEADER, request_id())
        if log_requests:
            started = g.get("request_started")
            access_log.info(
                "%s %s %s",
                request.method,
                request.path,
                response.status_code,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
                    "bytes": response.content_length,
                    "user_id": signed_in_user_id(),
                    "remote_addr": request.remote_addr,
                },
            )
        return response

    app.jinja_env.globals["request_id"] = request_id
