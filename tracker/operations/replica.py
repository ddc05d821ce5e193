"""Which requests read from the replica (DATABASE_REPLICA_URL), and reading your own writes.

A GET or HEAD reads from the replica when it is set and fit (tracker/replica.py
keeps the verdict); every other method works on the primary. A request with
another method, or a GET that wrote (a sign-in link), marks its browser (or any client that keeps cookies) with a
cookie, so the pages it sees next, such as the redirect after saving a form,
read the primary until the replica is sure to have caught up: the longest lag
the replica may have while still used (REPLICA_MAX_LAG_SECONDS), plus how old
its verdict may be (DATABASE_CHECK_SECONDS).

If the replica fails under a GET (it stopped between two checks), the request
is answered with a redirect to itself, marked to read the primary, instead of
a 503: tracker/__init__.py's database_unavailable calls `retry_on_primary`."""
from __future__ import annotations

import time

from flask import Flask, current_app, redirect, request

from tracker.auth.session import PUBLIC_ENDPOINTS
from tracker.extensions import db
from tracker.replica import reads_on_replica_now, replica_state, route_reads, wrote

PRIMARY_COOKIE = "read_primary_until"
READ_ONLY_METHODS = {"GET", "HEAD"}
# Signing in (the pages anyone may open: sign-in, links, the identity provider's callback, which reads
# and writes accounts), static files and /healthz work on the primary.
UNROUTED_ENDPOINTS = PUBLIC_ENDPOINTS


def primary_window_seconds(config) -> float:
    return float(config.get("REPLICA_MAX_LAG_SECONDS", 30)) + float(config.get("DATABASE_CHECK_SECONDS", 5))


def wants_primary() -> bool:
    """This request must see the primary: it may write, or it follows its client's own write."""
    if request.method not in READ_ONLY_METHODS:
        return True
    try:
        until = float(request.cookies.get(PRIMARY_COOKIE, ""))
    except ValueError:
        return False
    return time.time() < until


def register(app: Flask) -> None:
    if not app.config.get("DATABASE_REPLICA_URL"):
        return

    @app.before_request
    def choose_database():
        if request.endpoint not in UNROUTED_ENDPOINTS and not wants_primary():
            route_reads(db.session, True)

    @app.after_request
    def mark_own_write(response):
        if request.method not in READ_ONLY_METHODS or wrote(db.session):
            mark_for_primary(response)
        return response

    @app.teardown_request
    def back_to_primary(_error=None):
        route_reads(db.session, False)


def mark_for_primary(response, seconds: float | None = None) -> None:
    seconds = primary_window_seconds(current_app.config) if seconds is None else seconds
    response.set_cookie(
        PRIMARY_COOKIE, f"{time.time() + seconds:.0f}", max_age=int(seconds) + 1, httponly=True, samesite="Lax",
        secure=bool(current_app.config.get("SESSION_COOKIE_SECURE")),
    )


def retry_on_primary():
    """A redirect to this same GET, marked to read the primary, when the replica failed under it; else None."""
    if request.method not in READ_ONLY_METHODS or not reads_on_replica_now(db.session):
        return None
    state = replica_state(db.session)
    if state is None or state.usable:
        return None  # the replica is fine: the primary itself failed, a plain 503
    route_reads(db.session, False)
    response = redirect(request.full_path if request.query_string else request.path, code=307)
    mark_for_primary(response, float(current_app.config.get("DATABASE_CHECK_SECONDS", 5)) + 1)
    return response


def health() -> dict | None:
    """The replica for /healthz: None when none is set."""
    state = replica_state(db.session)
    if state is None:
        return None
    lag = None if state.lag_seconds is None else round(state.lag_seconds, 1)
    return {"status": state.status, "lag_seconds": lag, "reads": "replica" if state.usable else "primary"}
