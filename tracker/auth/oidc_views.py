"""Signing in through the organisation's identity provider: /login/organisation (start) and its callback.

Every refusal says what happened on a page of its own (never a traceback),
writes one audit event and one log line, and creates nothing. With no
OIDC_ISSUER these addresses do not exist (404)."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, redirect, render_template, url_for
from flask_login import login_user

from tracker.auth import oidc
from tracker.auth.access import home_endpoint
from tracker.auth.oidc_accounts import SignInRefused, account_for, allowed_domains, waiting_for_a_team
from tracker.extensions import db
from tracker.models.audit import AuditEvent

blueprint = Blueprint("organisation_sign_in", __name__, url_prefix="/login/organisation")


@blueprint.before_request
def only_when_configured():
    if not oidc.enabled():
        abort(404)


@blueprint.get("/")
def start():
    try:
        return oidc.start(oidc.callback_url())
    except oidc.ProviderAway as away:
        return _provider_away(away)


@blueprint.get("/callback")
def callback():
    try:
        claims = oidc.finish()
        user, how = account_for(claims, oidc.issuer(), allowed_domains(current_app.config.get("OIDC_ALLOWED_DOMAINS")))
    except oidc.ProviderAway as away:
        return _provider_away(away)
    except oidc.FlowRefused as refused:
        return _refused(refused.reason, refused.message, 400)
    except SignInRefused as refused:
        return _refused(refused.reason, refused.message, 403, refused.user)
    db.session.commit()
    login_user(user)
    current_app.logger.info("signed in through the organisation's provider: user %s (matched by %s)", user.id, how)
    if waiting_for_a_team(user):
        return redirect(url_for("auth.waiting"))
    return redirect(url_for(home_endpoint(user)))


def _refused(reason: str, message: str, status: int, user=None):
    """Nothing half-made stays: roll back, then keep only the audit event of the refusal."""
    db.session.rollback()
    db.session.add(AuditEvent(user_id=getattr(user, "id", None), action="sign_in_refused", entity="sign_in",
                              entity_id=getattr(user, "id", None), new={"reason": reason, "through": "organisation"}))
    db.session.commit()
    current_app.logger.warning("sign-in through the organisation's provider refused: %s", reason)
    return render_template("auth/sign_in_refused.html", message=message), status


def _provider_away(away: Exception):
    db.session.rollback()
    current_app.logger.error("the organisation's sign-in provider did not answer: %s", away)
    db.session.add(AuditEvent(action="sign_in_refused", entity="sign_in", new={"reason": "provider_away", "through": "organisation"}))
    db.session.commit()
    return render_template("auth/provider_away.html"), 503
