"""One way to send something exactly once from many processes: claim the row, send, record.

The workbook emails (tracker/exports/mailer.py), the licence reminders
(tracker/licences/reminders.py) and the review digests
(tracker/workspace/digest.py) each keep one row per thing to send. That row
is the claim two schedulers race for:

- the first try inserts the row as "sending" (a unique key makes a second
  insert fail), or, for a row that already exists, moves it from no status
  to "sending" with a conditional UPDATE that only one process wins;
- a failed send is recorded as "failed" with its error and retried, no
  sooner than its back-off (`backoff` doubled after each attempt, at most
  a day), until `max_attempts` attempts were made;
- a "sending" claim whose heartbeat (`claimed_at`) is older than `stale`
  belonged to a process that died mid-send: the next tick takes it over.

A process killed after the server accepted the message but before the row
said "sent" sends it again: at most once more, never lost. Plain SQLAlchemy,
nothing of Flask or SMTP: the caller passes `send()`."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, Callable

from sqlalchemy import and_, or_, select, update
from sqlalchemy.exc import IntegrityError

from tracker.shared.choices import SEND_STATUSES
from tracker.shared.timeutil import utcnow

log = logging.getLogger("tracker.sending")

SENDING, SENT, FAILED = SEND_STATUSES
LONGEST_BACKOFF = timedelta(days=1)
ERROR_LENGTH = 2000


@dataclass(frozen=True)
class SendPolicy:
    """How often and how late to try again (from the settings: tracker/config.py)."""

    max_attempts: int = 10
    stale: timedelta = timedelta(minutes=5)  # a "sending" claim older than this belonged to a dead process
    backoff: timedelta = timedelta(minutes=1)  # the wait after the first failure; doubled after each

    @classmethod
    def from_config(cls, config) -> "SendPolicy":
        return cls(
            max_attempts=int(config.get("EXPORT_MAX_EMAIL_ATTEMPTS", 10)),
            stale=timedelta(minutes=float(config.get("EXPORT_STALE_MINUTES", 5))),
            backoff=timedelta(minutes=float(config.get("EMAIL_BACKOFF_MINUTES", 1))),
        )

    def wait_after(self, attempts: int) -> timedelta:
        return min(self.backoff * (2 ** max(attempts - 1, 0)), LONGEST_BACKOFF)


@dataclass(frozen=True)
class Outbox:
    """Where one kind of row keeps its claim: the mapped class and its six columns."""

    model: Any
    status: Any
    attempts: Any
    claimed_at: Any
    retry_at: Any
    error: Any
    sent_at: Any

    @classmethod
    def plain(cls, model) -> "Outbox":
        """A table whose columns carry the plain names (status, attempts, claimed_at, ...)."""
        return cls(model, model.status, model.attempts, model.claimed_at, model.retry_at, model.error, model.sent_at)

    def retakeable(self, policy: SendPolicy, now):
        """Rows this process may claim: never tried, failed and waited long enough, or abandoned."""
        return and_(
            self.attempts < policy.max_attempts,
            or_(
                self.status.is_(None),
                and_(self.status == FAILED, or_(self.retry_at.is_(None), self.retry_at <= now)),
                and_(self.status == SENDING, self.claimed_at < now - policy.stale),
            ),
        )


def claim(session, outbox: Outbox, where, policy: SendPolicy, *, new_row: Callable[..., Any] | None = None) -> bool:
    """Take the right to send the row `where` picks. Commits. True when this process won it.

    `new_row(**claim_values)` builds the row when it may not exist yet: inserting it is the
    first claim, and a unique key turns a second process's insert into a retake attempt."""
    now = utcnow()
    if new_row is not None:
        session.add(new_row(**{outbox.status.key: SENDING, outbox.attempts.key: 1, outbox.claimed_at.key: now}))
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
    won = session.execute(
        update(outbox.model)
        .where(where, outbox.retakeable(policy, now))
        .values({outbox.status: SENDING, outbox.attempts: outbox.attempts + 1, outbox.claimed_at: now})
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    return won


def record(session, outbox: Outbox, where, **values) -> None:
    session.execute(update(outbox.model).where(where).values(**values).execution_options(synchronize_session=False))
    session.commit()


def refused_note(refused: dict | None) -> str | None:
    return f"Refused by the server: {', '.join(sorted(refused))}" if refused else None


def send_claimed(session, outbox: Outbox, where, policy: SendPolicy, send: Callable[[], dict | None], *,
                 new_row: Callable[..., Any] | None = None, what: str = "message",
                 sent_values: Callable[[dict], dict] | None = None) -> bool:
    """Claim the row, call `send()` (it returns the recipients the server refused, smtplib's dict),
    and record the outcome on the row. True when sent; a failure is recorded, never raised.

    `sent_values(refused)` adds columns of the caller's own to the "sent" record."""
    if not claim(session, outbox, where, policy, new_row=new_row):
        return False
    try:
        refused = send() or {}
    except Exception as error:  # noqa: BLE001 (any failure is recorded and retried after its back-off)
        log.warning("sending %s failed: %s", what, error)
        session.rollback()  # whatever send() read or left half done
        attempts = session.scalar(select(outbox.attempts).where(where)) or 1
        record(session, outbox, where, **{
            outbox.status.key: FAILED,
            outbox.error.key: f"{error.__class__.__name__}: {error}"[:ERROR_LENGTH],
            outbox.retry_at.key: utcnow() + policy.wait_after(attempts),
        })
        return False
    values = {outbox.status.key: SENT, outbox.sent_at.key: utcnow(), outbox.error.key: refused_note(refused),
              outbox.retry_at.key: None}
    record(session, outbox, where, **values, **(sent_values(refused) if sent_values else {}))
    log.info("%s sent", what)
    return True
