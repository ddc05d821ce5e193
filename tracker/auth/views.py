"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from tracker.auth import oidc
from tracker.auth.access import home_endpoint
from tracker.auth.forms import LoginForm
from tracker.auth.links import use_sign_in_link
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
    password_login = current_app.config.get("PASSWORD_LOGIN", True)
    if request.method == "POST" and not password_login:
        # Turned off (PASSWORD_LOGIN=0): the form is not shown, and a password sent anyway is not checked.
        form.form_errors.append("Sign in with your organisation account: signing in with a password is turned off.")
        status = 403
    elif form.validate_on_submit():
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
    return render_template("auth/login.html", form=form, password_login=password_login,
                           organisation_sign_in=oidc.enabled(), organisation_label=current_app.config.get("OIDC_LABEL")), status


@blueprint.route("/login/link/<token>", methods=["GET", "POST"])
def sign_in_by_link(token: str):
    """A one-time link printed by `flask --app tracker sign-in-link` (break-glass). GET only asks, so a
    mail scanner or link preview that opens it does not use it up; the button (POST) signs in."""
    if request.method == "GET":
        return render_template("auth/link.html")
    user = use_sign_in_link(token)
    if user is None:
        db.session.rollback()
        return render_template("auth/sign_in_refused.html",
                               message="This sign-in link has expired, was already used, or is not one we made. "
                                       "Ask for a new one."), 400
    db.session.commit()
    login_user(user)
    return redirect(url_for(home_endpoint(user)))


@blueprint.route("/waiting")
def waiting():
    """Where a newcomer signed in through their organisation lands until an admin adds them to a team."""
    return render_template("auth/waiting.html")


@blueprint.route("/logout", methods=["POST"])
def logout():
    """Ends the session for good: a copy of the cookie no longer works (tracker/auth/session.py).
    The user's sessions elsewhere end too: one version per user covers them all."""
    if current_user.is_authenticated and not g.get("auth_by_token"):
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You have signed out.", "info")
    # Signed in through the organisation's provider: sign out there too, when it offers that.
    at_provider = oidc.provider_logout_url(url_for("auth.login", _external=True))
    return redirect(at_provider or url_for("auth.login"))
