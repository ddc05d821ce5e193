"""Licence reminders: which licences need a commissioner, and the email that says so (one a day at most).

`due_licences` is the list the commissioner's dashboard shows and the email
carries: licences of live requests expiring within 30 days, and expired ones.
`send_licence_reminders` runs from the scheduler (tracker/scheduler/jobs.py,
which passes the SMTP transport in): it emails the active commissioners when
a licence has come within 30 days of its expiry, or has expired, since the
last reminder. Each licence is announced once as expiring and once as
expired; every email lists everything still due. The unique reminder day is
the claim (tracker/shared/sending.py): two schedulers never both send, a
failed send is retried later the same day after its back-off, and a send
whose process died is taken over."""
from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date
from email.message import EmailMessage

from sqlalchemy import select

from tracker.licences.status import LicenceStatus, licence_statuses
from tracker.models.auth import User
from tracker.models.catalogue import Request
from tracker.models.licences import LicenceReminder, LicenceReminderItem
from tracker.shared.choices import LOGGABLE_STATUSES
from tracker.shared.sending import Outbox, SendPolicy, send_claimed
from tracker.shared.smtp import Send, new_message

log = logging.getLogger("tracker.licences.reminders")

REMINDERS = Outbox.plain(LicenceReminder)


@dataclass(frozen=True)
class DueLicence:
    request: Request
    status: LicenceStatus

    @property
    def kind(self) -> str:
        return self.status.status  # expiring | expired


@dataclass(frozen=True)
class DueList:
    expiring: list[DueLicence]  # soonest first
    expired: list[DueLicence]  # longest expired first

    def __bool__(self) -> bool:
        return bool(self.expiring or self.expired)


def due_licences(session, today: date) -> DueList:
    """Licences of live requests that expire within 30 days, and those that have expired."""
    due = {rid: s for rid, s in licence_statuses(session, None, today).items() if s.status in ("expiring", "expired")}
    requests = session.scalars(select(Request).where(Request.id.in_(list(due) or [-1]), Request.status.in_(LOGGABLE_STATUSES)))
    items = sorted((DueLicence(r, due[r.id]) for r in requests), key=lambda d: (d.status.expires_on, d.request.title))
    return DueList([d for d in items if d.kind == "expiring"], [d for d in items if d.kind == "expired"])


def _line(item: DueLicence, new: bool) -> str:
    status = item.status
    when = f"expires on {status.expires_on:%-d %B %Y} ({status.days_left} days)" if item.kind == "expiring" else (
        f"expired on {status.expires_on:%-d %B %Y}"
    )
    return f"{'* NEW ' if new else '* '}{item.request.title} ({item.request.source.name}), licence {status.reference}: {when}"


def reminder_message(due: DueList, new: set[tuple[int, str]], recipients: list[User], sender: str, today: date) -> EmailMessage:
    message = new_message(
        f"Reporting licences: {len(due.expiring)} expiring within 30 days, {len(due.expired)} expired",
        sender, [user.email for user in recipients],
    )
    lines = [f"Licences of reporting requests that need a decision, {today:%-d %B %Y}.", ""]
    for title, items in (("Expiring within 30 days", due.expiring), ("Expired", due.expired)):
        lines.append(f"{title} ({len(items)}):")
        lines += [_line(i, (i.status.licence.id, i.kind) in new) for i in items] or ["(none)"]
        lines.append("")
    lines.append(
        "Renew a licence (after checking its estimate against what teams logged), decline it, or retire the "
        "request, on the Licences page of the Reporting Burden Tracker. Teams still log the work either way."
    )
    message.set_content("\n".join(lines) + "\n")
    return message


def send_licence_reminders(
    session,
    today: date,
    *,
    sender: str,
    send: Send | None,
    policy: SendPolicy = SendPolicy(),
) -> bool:
    """Email today's reminder if something new is due and none has gone today. True when sent.

    `send(message)` delivers through SMTP and returns the recipients it refused
    (smtplib's dict); None means no SMTP_URL is set, so nothing is sent."""
    if send is None:
        return False
    due = due_licences(session, today)
    announced = set(session.execute(select(LicenceReminderItem.decision_id, LicenceReminderItem.kind)).tuples())
    new = {(i.status.licence.id, i.kind) for i in due.expiring + due.expired} - announced
    if not new:
        return False
    recipients = list(session.scalars(select(User).where(User.role == "commissioner", User.active.is_(True)).order_by(User.email)))
    if not recipients:
        log.info("licence reminders due, but there is no active commissioner to email")
        return False
    message = reminder_message(due, new, recipients, sender, today)
    emails = [user.email for user in recipients]
    sent = send_claimed(
        session, REMINDERS, LicenceReminder.day == today, policy, lambda: send(message),
        new_row=lambda **claim: LicenceReminder(day=today, **claim), what=f"licence reminder for {today}",
        sent_values=lambda refused: {"sent_to": ", ".join(e for e in emails if e not in refused),
                                     "expiring": len(due.expiring), "expired": len(due.expired)},
    )
    if sent:
        reminder_id = session.scalar(select(LicenceReminder.id).where(LicenceReminder.day == today))
        session.add_all(LicenceReminderItem(reminder_id=reminder_id, decision_id=decision_id, kind=kind)
                        for decision_id, kind in sorted(new))
        session.commit()
    return sent
