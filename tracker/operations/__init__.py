"""Running the tracker for a region: what an operator and a load balancer need.

- `health`: GET /healthz (database, migrations, scheduler heartbeat, last export).
- `requestlog`: a request id on every request and one JSON log line per request.
- `headers`: security headers on every response (CSP, nosniff, framing, HSTS).
- `database`: a dead database answers 503, never a 500 or a form that cannot work.
- `replica`: GET and HEAD read from DATABASE_REPLICA_URL when set and fit; writes and the pages
  right after them read the primary (routing itself: tracker/replica.py).
- `unstorable`: input holding a NUL character (which PostgreSQL cannot hold) is a 400.
- `backup`: `flask --app tracker backup OUT` for SQLite.

See docs/operations.md."""
from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    from tracker.operations import database, headers, health, replica, requestlog, unstorable

    requestlog.register(app)
    headers.register(app)
    database.register(app)
    replica.register(app)
    unstorable.register(app)
    app.register_blueprint(health.blueprint)
