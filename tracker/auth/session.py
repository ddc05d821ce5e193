"""How a request gets its user: the session cookie, or an API bearer token.

Login is required everywhere: a single before-request guard admits only the
endpoints in PUBLIC_ENDPOINTS, so a new view is private unless said otherwise.

A session cookie names the user and the user's session version when it was
signed in (`User.get_id`). Every request checks that version against the
database, so raising it (`User.end_sessions`: on sign-out, a password change,
deactivation, or an admin's "sign out everywhere") ends every session of that
user at once, including copies of the cookie."""
from __future__ import annotations

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select, update
from sqlalchemy.orm import joinedload
from sqlalchemy.orm.attributes import set_committed_value

from tracker.models.auth import ApiToken, User
from tracker.database import ON_PRIMARY
from tracker.extensions import db, login_manager
from tracker.shared.errors import message_response
from tracker.shared.parsing import parse_id
from tracker.shared.timeutil import utcnow

PUBLIC_ENDPOINTS = {
    "auth.login", "auth.sign_in_by_link", "organisation_sign_in.start", "organisation_sign_in.callback",
    "static", "assets", "operations.healthz",
}


def user_from_bearer_token(header: str | None) -> User | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    parts = header.split(None, 1)
    if len(parts) < 2:  # "Bearer" with no token
        return None
    token = parts[1].strip()
    row = db.session.scalar(
        select(ApiToken)
        .where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
        .options(joinedload(ApiToken.user).joinedload(User.memberships)),
        bind_arguments=ON_PRIMARY,  # a revoked token, a deactivated user or a team taken away counts at once
    )
    if row is None or not row.user.active:
        return None
    # Noted on a connection of its own, not through the session: a GET stays a read, free to read the replica.
    now = utcnow()
    with db.engine.begin() as connection:
        connection.execute(update(ApiToken).where(ApiToken.id == row.id).values(last_used_at=now))
    set_committed_value(row, "last_used_at", now)
    return row.user


def user_of_session(session_id: str) -> User | None:
    """The active user a session cookie's "id:version" names, if that version is still current."""
    user_part, _, version_part = str(session_id).partition(":")
    user_id, version = parse_id(user_part), parse_id(version_part)
    if user_id is None or version is None:
        return None  # also a cookie from before session versions: sign in again
    # From the primary even when the page reads a replica: a session ended, a user deactivated or a
    # team taken away counts at once, not after the replica catches up (tracker/replica.py).
    user = db.session.get(User, user_id, options=[joinedload(User.memberships)], bind_arguments=ON_PRIMARY)
    if user is None or not user.active or user.session_version != version:
        return None
    return user


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(session_id: str):
        return user_of_session(session_id)

    @login_manager.request_loader
    def load_user_from_request(req):
        user = user_from_bearer_token(req.headers.get("Authorization"))
        if user is not None:
            g.auth_by_token = True
        return user

    @app.before_request
    def require_login():
        if request.endpoint in PUBLIC_ENDPOINTS:
            return None
        if current_user.is_authenticated:
            return None
        if request.path.startswith("/api/"):
            return message_response(401, "A valid bearer token or session is required.")
        return redirect(url_for("auth.login", next=request.full_path.rstrip("?")))
