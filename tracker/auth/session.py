"""How a request gets its user: the session cookie, or an API bearer token.

Login is required everywhere: a single before-request guard admits only the
endpoints in PUBLIC_ENDPOINTS, so a new view is private unless said otherwise."""
from __future__ import annotations

from flask import Flask, g, redirect, request, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.models.auth import ApiToken, User
from tracker.extensions import db, login_manager
from tracker.shared.errors import message_response
from tracker.shared.timeutil import utcnow

PUBLIC_ENDPOINTS = {"auth.login", "static", "assets"}


def user_from_bearer_token(header: str | None) -> User | None:
    if not header or not header.lower().startswith("bearer "):
        return None
    parts = header.split(None, 1)
    if len(parts) < 2:  # "Bearer" with no token
        return None
    token = parts[1].strip()
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == ApiToken.hash(token), ApiToken.revoked_at.is_(None))
    )
    if row is None or not row.user.active:
        return None
    row.last_used_at = utcnow()
    db.session.commit()
    return row.user


def register(app: Flask) -> None:
    login_manager.login_view = "auth.login"
    login_manager.login_message = "Sign in to continue."
    login_manager.login_message_category = "info"

    @login_manager.user_loader
    def load_user(user_id: str):
        user = db.session.get(User, int(user_id))
        return user if user and user.active else None

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
