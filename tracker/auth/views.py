"""Sign in and sign out."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user, logout_user
from sqlalchemy import func, select

from tracker.auth.access import home_endpoint
from tracker.auth.forms import LoginForm
from tracker.models.auth import User
from tracker.auth.throttle import note_attempt, too_many_attempts
from tracker.extensions import db

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
        if too_many_attempts(email, address, current_app.config["LOGIN_ATTEMPTS_PER_MINUTE"]):
            form.form_errors.append("Too many sign-in attempts. Wait a minute, then try again.")
            status = 429
        else:
            user = db.session.scalar(select(User).where(func.lower(User.email) == email))
            ok = user is not None and user.active and user.check_password(form.password.data)
            note_attempt(email, address, ok)
            if ok:
                login_user(user)
                return redirect(safe_next(request.args.get("next"), user))
            form.form_errors.append("The email address or password is not right.")
            status = 401
    elif request.method == "POST":
        status = 400
    return render_template("auth/login.html", form=form), status


@blueprint.route("/logout", methods=["POST"])
def logout():
    logout_user()
    flash("You have signed out.", "info")
    return redirect(url_for("auth.login"))
