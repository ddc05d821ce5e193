"""Sign-in throttling: at most N failed sign-ins a minute per account and per address.

Only failures count, so an office behind one address never locks itself out by
signing in. The attempts are rows in the database, so every gunicorn worker
sees the same ones, and counting is atomic: `begin_attempt` checks the limits
and records the attempt (as a failure until the password proves right) in one
short transaction under a lock, before the slow password check, so thirty
guesses sent at once still get at most N answers other than "too many"."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import delete, func, select, text

from tracker.database import is_sqlite
from tracker.extensions import db
from tracker.models.auth import LoginAttempt
from tracker.shared.timeutil import utcnow

WINDOW = timedelta(minutes=1)
KEEP = timedelta(days=1)


def begin_attempt(email: str, address: str, limit: int) -> LoginAttempt | None:
    """Record a sign-in attempt as failed, unless the account or the address already has `limit`
    failures in the last minute: then nothing is recorded and None says "too many". Commits."""
    _lock_attempts()
    since = utcnow() - WINDOW
    for column, value in ((LoginAttempt.email, email), (LoginAttempt.address, address)):
        failures = db.session.scalar(
            select(func.count()).where(column == value, LoginAttempt.at >= since, LoginAttempt.succeeded.is_(False))
        )
        if failures >= limit:
            db.session.rollback()
            return None
    attempt = LoginAttempt(email=email, address=address, succeeded=False)
    db.session.add(attempt)
    db.session.commit()
    return attempt


def attempt_succeeded(attempt: LoginAttempt) -> None:
    """The password was right: the attempt no longer counts against anyone."""
    attempt.succeeded = True
    db.session.commit()


def _lock_attempts() -> None:
    """Hold the attempts until this transaction ends, so count-then-record is one step for every worker.

    PostgreSQL: a table lock only sign-ins take (they are few and this transaction is short);
    inserts wait for it, reads do not. SQLite: any write takes the database's one write lock,
    so trimming old rows comes first and does both jobs."""
    trim = delete(LoginAttempt).where(LoginAttempt.at < utcnow() - KEEP)
    if is_sqlite(db.session):
        db.session.execute(trim)
        return
    db.session.execute(text("LOCK TABLE login_attempt IN SHARE ROW EXCLUSIVE MODE"))
    db.session.execute(trim)
