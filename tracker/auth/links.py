"""One-time sign-in links: break-glass for admins when password sign-in is off (PASSWORD_LOGIN=0).

The command line prints a link; only its SHA-256 is stored. It signs its user
in once, before it expires, and every use (and every printing) is audited."""
from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from tracker import audit
from tracker.database import hold_row
from tracker.extensions import db
from tracker.models.auth import SignInLink, User
from tracker.shared.timeutil import utcnow


def new_sign_in_link(user: User, minutes: int) -> str:
    """A fresh token for a link that works once within `minutes` (audited, not committed)."""
    token = secrets.token_urlsafe(32)
    link = SignInLink(user_id=user.id, token_hash=SignInLink.hash_of(token), expires_at=utcnow() + timedelta(minutes=minutes))
    db.session.add(link)
    db.session.flush()
    audit.record(db.session, None, "cli_sign_in_link", link, new={"for": user.email, "expires_at": link.expires_at.isoformat()})
    return token


def use_sign_in_link(token: str) -> User | None:
    """The link's active user, marking the link used; None for an unknown, used or expired link.

    The row is held (SELECT ... FOR UPDATE; SQLite: a no-op write first) so two uses at once sign in once."""
    found = db.session.scalar(select(SignInLink.id).where(SignInLink.token_hash == SignInLink.hash_of(token or "")))
    link = hold_row(db.session, SignInLink, found) if found is not None else None
    if link is None or link.used_at is not None or link.expires_at <= utcnow() or not link.user.active:
        return None
    link.used_at = utcnow()
    db.session.flush()
    audit.record(db.session, link.user, "sign_in_by_link", link, new={"used_at": link.used_at.isoformat()})
    return link.user
