"""Who a sign-in through the organisation's identity provider is: matched, created or refused.

Plain rules, no Flask: the provider's checked ID-token claims in, a user out.
A person is matched by the provider's subject (`sub`, stored at their first
sign-in through it), else, once, by a verified email address to an existing
account. Someone the app does not know gets an account only when their email's
domain is allowed (OIDC_ALLOWED_DOMAINS): a manager on no team, who waits for
an admin. Roles and teams stay the app's own; a deactivated account is refused
whatever the provider says."""
from __future__ import annotations

from typing import Iterable, Mapping

from sqlalchemy import func, select

from tracker import audit
from tracker.auth.commands import account_summary, create_user
from tracker.auth.forms import email_refusal
from tracker.extensions import db
from tracker.models.auth import User


class SignInRefused(Exception):
    """The provider vouched for someone this app will not sign in; `reason` is for the audit trail."""

    def __init__(self, reason: str, message: str, user: User | None = None):
        super().__init__(message)
        self.reason = reason
        self.message = message
        self.user = user


def allowed_domains(setting: str | None) -> set[str]:
    return {part.strip().lower().lstrip("@") for part in (setting or "").split(",") if part.strip()}


def email_of(claims: Mapping) -> str:
    """The address the provider gives: `email`, else an address-shaped `preferred_username`
    (Microsoft Entra ID sends `email` only when the app registration asks for it)."""
    for claim in ("email", "preferred_username"):
        value = str(claims.get(claim) or "").strip().lower()
        if value and not email_refusal(value):
            return value
    return ""


def _verified(claims: Mapping) -> bool:
    """`email_verified` honoured where the provider sends it (as true/false or, for some, "true"/"false")."""
    flag = claims.get("email_verified")
    if flag is None:
        return True
    return flag is True or str(flag).lower() == "true"


def account_for(claims: Mapping, issuer: str, domains: Iterable[str]) -> tuple[User, str]:
    """(user, how they were matched: "subject", "email" or "created"); raises SignInRefused, writing nothing."""
    subject = str(claims.get("sub") or "")
    if not subject:
        raise SignInRefused("no_subject", "Your organisation's sign-in did not say who you are. Try again.")
    user = db.session.scalar(select(User).where(User.oidc_issuer == issuer, User.oidc_subject == subject))
    if user is not None:
        _refuse_if_deactivated(user)
        return user, "subject"

    email = email_of(claims)
    if not email:
        raise SignInRefused("no_email", "Your organisation's sign-in did not give your email address, "
                            "so we cannot tell which account is yours. Ask an admin for help.")
    if not _verified(claims):
        raise SignInRefused("unverified_email", f"Your organisation has not verified the address {email}. "
                            "Verify it with your organisation's IT team, then sign in again.")
    user = db.session.scalar(select(User).where(func.lower(User.email) == email))
    if user is not None:
        _refuse_if_deactivated(user)
        if user.oidc_subject is not None:
            # The address belongs to an account already linked to another person at the provider.
            raise SignInRefused("subject_mismatch", f"The account for {email} is linked to another sign-in "
                                "at your organisation. Ask an admin for help.", user)
        user.oidc_issuer, user.oidc_subject = issuer, subject
        db.session.flush()
        audit.record(db.session, user, "link_sign_in", user, new={"oidc_issuer": issuer, "oidc_subject": subject})
        return user, "email"

    domain = email.rsplit("@", 1)[1]
    if domain not in set(domains):
        raise SignInRefused("unknown_person", f"There is no account for {email} here. "
                            "Ask an admin of the Reporting Burden Tracker to add you.")
    name = str(claims.get("name") or "").strip()[:120] or None
    user = create_user(email, "manager", name=name)
    user.oidc_issuer, user.oidc_subject = issuer, subject
    db.session.flush()
    audit.record(db.session, user, "create_by_sign_in", user, new={**account_summary(user), "oidc_issuer": issuer})
    return user, "created"


def _refuse_if_deactivated(user: User) -> None:
    if not user.active:
        raise SignInRefused("deactivated", "Your account has been deactivated. Ask an admin if you need it again.", user)


def waiting_for_a_team(user: User) -> bool:
    """A manager or lead on no team yet (a newcomer from an allowed domain): an admin must add them."""
    return user.role in ("manager", "lead") and not user.memberships


def users_waiting_for_a_team() -> list[User]:
    """For the admins' users page: people who signed in through their organisation (newcomers from an
    allowed domain, or existing accounts) and are active managers or leads on no team, newest first."""
    users = db.session.scalars(
        select(User).where(User.role.in_(("manager", "lead")), User.active.is_(True), User.oidc_subject.is_not(None))
        .order_by(User.created_at.desc())
    )
    return [user for user in users if not user.memberships]
