"""The monthly review digest: each commissioner is emailed the decisions due for review and each
decision's realised saving against the expected one.

Plain functions: the scheduler (tracker/exports/scheduler.py) passes the
function that sends a message through SMTP_URL, so this module knows nothing
of SMTP. A digest row per (month, commissioner) is claimed before sending, so
two scheduler processes never both send it; a failed send is retried on later
ticks, up to MAX_ATTEMPTS."""
from __future__ import annotations

import logging
from datetime import date
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Callable

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tracker.models.auth import User
from tracker.models.rationalise import Decision, ReviewDigest
from tracker.rationalise.decisions import DECISIONS
from tracker.rationalise.pages import DecisionRow, decision_rows
from tracker.rationalise.savings import measurable_from
from tracker.shared.timeutil import month_label, utcnow
from tracker.template_helpers import hours, money

log = logging.getLogger("tracker.rationalise.digest")

MAX_ATTEMPTS = 10
Send = Callable[[EmailMessage], dict]  # returns the recipients the server refused (smtplib's dict)


def _hours(value) -> str:
    return hours(value, 1)


def describe(row: DecisionRow) -> str:
    d, s = row.decision, row.saving
    line = f"{DECISIONS[d.kind]}: {d.request.label}, from {d.effective_on:%-d %B %Y}. "
    if s.saves_nothing:
        return line + "No saving: the request is kept as it is."
    line += f"Expected {_hours(d.expected_saving_hours)} hours ({money(d.expected_saving_cost)}) a year; "
    if not s.measured:
        return line + f"realised: too early to tell (measured from {measurable_from(d):%-d %B %Y})."
    line += f"realised {_hours(s.realised_hours)} hours ({money(s.realised_cost)}) a year"
    if s.seasonality:
        line += f" ({_hours(s.seasonality.realised_hours)} against the same days a year before)"
    if s.uncertain:
        line += (". UNCERTAIN: the teams that carried it logged "
                 f"{_hours(s.other_minutes_a_day_before / 60)} hours a day on other requests before and "
                 f"{_hours(s.other_minutes_a_day_after / 60)} after, more than a third fewer")
    return line + "."


def digest_message(user: User, period: date, rows: list[DecisionRow], sender: str) -> EmailMessage:
    due = [row for row in rows if row.status == "review_due"]
    in_effect = [row for row in rows if row.status in ("in_effect", "review_due")]
    message = EmailMessage()
    message["Subject"] = f"Reporting burden: decisions to review, {month_label(period)} ({len(due)} due)"
    message["From"] = sender
    message["To"] = user.email
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or None)
    lines = [f"Dear {user.name},", "", f"Decisions due for review ({len(due)}):"]
    lines += [f"- {describe(row)} Review was due {row.decision.review_on:%-d %B %Y}." for row in due] or ["- None."]
    lines += ["", f"Realised against expected savings of the decisions in effect ({len(in_effect)}):"]
    lines += [f"- {describe(row)}" for row in in_effect] or ["- None yet."]
    scheduled = [row for row in rows if row.status == "scheduled"]
    if scheduled:
        lines += ["", f"Not in effect yet ({len(scheduled)}):"] + [f"- {describe(row)}" for row in scheduled]
    lines += ["", "The workspace of the Reporting Burden Tracker (Workspace, then Decisions) has the figures behind "
              "these, and the workbook to download.", ""]
    message.set_content("\n".join(lines))
    return message


def _claim(session, period: date, user_id: int) -> bool:
    """Take the right to send this digest: a new row, or a failed one to retry. Commits."""
    session.add(ReviewDigest(period=period, user_id=user_id, status="sending", attempts=1))
    try:
        session.commit()
        return True
    except IntegrityError:
        session.rollback()
    existing = session.scalar(select(ReviewDigest).where(ReviewDigest.period == period, ReviewDigest.user_id == user_id))
    if existing is None or existing.status != "failed" or existing.attempts >= MAX_ATTEMPTS:
        return False
    won = session.execute(
        update(ReviewDigest)
        .where(ReviewDigest.id == existing.id, ReviewDigest.status == "failed", ReviewDigest.attempts == existing.attempts)
        .values(status="sending", attempts=ReviewDigest.attempts + 1)
        .execution_options(synchronize_session=False)
    ).rowcount == 1
    session.commit()
    return won


def _record(session, period: date, user_id: int, **values) -> None:
    session.execute(update(ReviewDigest).where(ReviewDigest.period == period, ReviewDigest.user_id == user_id)
                    .values(**values).execution_options(synchronize_session=False))
    session.commit()


def send_review_digests(session, period: date, today: date, sender: str, send: Send) -> int:
    """Email this month's digest to every active commissioner not yet sent it; returns how many were sent.
    Nothing is sent while there is no live decision (nothing to review)."""
    live = list(session.scalars(select(Decision).where(Decision.withdrawn_at.is_(None)).order_by(Decision.review_on, Decision.id)))
    if not live:
        return 0
    rows = decision_rows(live, today)
    commissioners = session.scalars(select(User).where(User.role == "commissioner", User.active.is_(True)).order_by(User.email))
    sent = 0
    for user in list(commissioners):
        if not _claim(session, period, user.id):
            continue
        try:
            refused = send(digest_message(user, period, rows, sender))
        except Exception as error:  # noqa: BLE001 (recorded and retried on a later tick)
            log.warning("review digest to %s failed: %s", user.email, error)
            _record(session, period, user.id, status="failed", error=f"{error.__class__.__name__}: {error}"[:2000])
            continue
        if refused:
            _record(session, period, user.id, status="failed", error=f"Refused by the server: {', '.join(refused)}")
            continue
        _record(session, period, user.id, status="sent", sent_at=utcnow(), error=None)
        sent += 1
    return sent
