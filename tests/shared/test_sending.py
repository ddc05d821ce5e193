"""The one sender (tracker/shared/sending.py): a failed send backs off, doubling, and stops at the setting's attempts."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, select

from tracker.models.workspace import ReviewDigest
from tracker.shared.sending import Outbox, SendPolicy, send_claimed
from tracker.shared.timeutil import utcnow

PERIOD = date(2026, 11, 1)
DIGESTS = Outbox.plain(ReviewDigest)


def refuse():
    raise ConnectionRefusedError("the server is down")


def test_a_failed_send_backs_off_doubling_and_gives_up_after_the_settings_attempts(app, db, make_user):
    user = make_user("commissioner", email="sending@example.nhs.uk")
    where = and_(ReviewDigest.period == PERIOD, ReviewDigest.user_id == user.id)
    new_row = lambda **claim: ReviewDigest(period=PERIOD, user_id=user.id, **claim)  # noqa: E731
    policy = SendPolicy(max_attempts=3, stale=timedelta(minutes=5), backoff=timedelta(minutes=10))

    def row() -> ReviewDigest:
        db.session.expire_all()
        return db.session.scalar(select(ReviewDigest).where(where))

    def try_now(send) -> bool:
        return send_claimed(db.session, DIGESTS, where, policy, send, new_row=new_row)

    before = utcnow()
    assert not try_now(refuse)
    first = row()
    assert (first.status, first.attempts) == ("failed", 1) and "ConnectionRefusedError" in first.error
    assert timedelta(minutes=10) <= first.retry_at - before < timedelta(minutes=11)
    assert not try_now(lambda: {}) and row().attempts == 1  # still backing off: not even tried

    row().retry_at = utcnow() - timedelta(seconds=1)  # ten minutes on
    db.session.commit()
    before = utcnow()
    assert not try_now(refuse)
    second = row()
    assert second.attempts == 2 and timedelta(minutes=20) <= second.retry_at - before < timedelta(minutes=21)

    row().retry_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not try_now(refuse) and row().attempts == 3
    row().retry_at = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert not try_now(lambda: {})  # three attempts made: given up
    assert (row().status, row().attempts) == ("failed", 3)


def test_a_fresh_claim_is_left_alone_and_a_partly_refused_send_says_who(app, db, make_user):
    user = make_user("commissioner", email="sending2@example.nhs.uk")
    where = and_(ReviewDigest.period == PERIOD, ReviewDigest.user_id == user.id)
    new_row = lambda **claim: ReviewDigest(period=PERIOD, user_id=user.id, **claim)  # noqa: E731
    policy = SendPolicy(max_attempts=3, stale=timedelta(minutes=5))
    db.session.add(new_row(status="sending", attempts=1, claimed_at=utcnow()))
    db.session.commit()
    assert not send_claimed(db.session, DIGESTS, where, policy, lambda: {}, new_row=new_row)
    stale = db.session.scalar(select(ReviewDigest).where(where))
    stale.claimed_at = utcnow() - timedelta(minutes=6)
    db.session.commit()
    assert send_claimed(db.session, DIGESTS, where, policy, lambda: {"x@example.nhs.uk": (550, b"no")}, new_row=new_row)
    db.session.expire_all()
    sent = db.session.scalar(select(ReviewDigest).where(where))
    assert (sent.status, sent.attempts, sent.error) == ("sent", 2, "Refused by the server: x@example.nhs.uk")
