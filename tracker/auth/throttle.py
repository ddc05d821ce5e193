"""Login throttling: at most N attempts a minute per account and per address.

Counted in the database so every gunicorn worker sees the same attempts."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func, select

from tracker.models.auth import LoginAttempt
from tracker.extensions import db
from tracker.shared.timeutil import utcnow

WINDOW = timedelta(minutes=1)


def too_many_attempts(email: str, address: str, limit: int) -> bool:
    since = utcnow() - WINDOW
    by_account = db.session.scalar(
        select(func.count()).where(LoginAttempt.email == email, LoginAttempt.at >= since)
    )
    by_address = db.session.scalar(
        select(func.count()).where(LoginAttempt.address == address, LoginAttempt.at >= since)
    )
    return by_account >= limit or by_address >= limit


def note_attempt(email: str, address: str, succeeded: bool) -> None:
    db.session.add(LoginAttempt(email=email, address=address, succeeded=succeeded))
    # Old rows only cost space; trim them as we go.
    db.session.execute(
        LoginAttempt.__table__.delete().where(LoginAttempt.at < utcnow() - timedelta(days=1))
    )
    db.session.commit()


