"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from tracker.auth.access import home_endpoint
from tracker.auth.forms import LoginForm
from tracker.models.auth import User
from tracker.auth.throttle import attempt_succeeded, begin_attempt
from tracker.extensions import db
from tracker.shared.passwords import password_matches

blueprint = Blueprint("auth", __name__)


def safe_next(target: str | None, user=None) -> str:
    """Only same-site paths: never an absolute URL, '//host' or a backslash trick. Otherwise the user's home."""
    home = url_for(home_endpoint(user or current_user))
    if not target:
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return home
    return target


@blueprint.app_context_processor
def home_for_templates():
    return {"home_url": lambda: url_for(home_endpoint(current_user)) if current_user.is_authenticated else url_for("auth.login")}


@blueprint.route("/login", methods=["GET", "POST"])
def login():
    if current_user.is_authenticated:
        return redirect(safe_next(request.args.get("next")))
    form = LoginForm()
    status = 200
    if form.validate_on_submit():
        email = form.email.data.strip().lower()
        address = request.remote_addr or "unknown"
        attempt = begin_attempt(email, address, current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"])
        if attempt is None:
            form.form_errors.append("Too many sign-in attempts. Wait a minute, then try again.")
            status = 429
        else:
            user = db.session.scalar(select(User).where(func.lower(User.email) == email))
            # Checked even for an unknown or deactivated account (against a dummy hash), so a wrong
            # answer takes as long whether or not the account exists.
            matched = password_matches(user.password_hash if user is not None else None, form.password.data)
            if matched and user.active:
                attempt_succeeded(attempt)
                login_user(user)
                return redirect(safe_next(request.args.get("next"), user))
            form.form_errors.append("The email address or password is not right.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout():
    """Ends the session for good: a copy of the cookie no longer works (tracker/auth/session.py).
    The user's sessions elsewhere end too: one version per user covers them all."""
    if current_user.is_authenticated and not g.get("auth_by_token"):
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
