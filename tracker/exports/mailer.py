"""Email each monthly workbook: a team's to its leads, the region's to commissioners.

Sent through SMTP_URL (tracker/shared/smtp.py); unset: no email. The run's
email columns are its claim (tracker/shared/sending.py): a failed send is
recorded on the run (email_error) and the scheduler retries it after its
back-off; a send whose process died is taken over. The workbook on disk is
never touched by any of this."""
from __future__ import annotations

import logging
from email.message import EmailMessage

from sqlalchemy import select

from tracker.exports.runs import ExportSettings, run_file_path
from tracker.models.auth import Membership, User
from tracker.models.exports import ExportRun
from tracker.shared.sending import Outbox, send_claimed
from tracker.shared.smtp import deliver, new_message, parse_smtp_url
from tracker.shared.timeutil import month_label, utcnow

log = logging.getLogger("tracker.exports.mail")

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
EMAILS = Outbox(ExportRun, ExportRun.email_status, ExportRun.email_attempts, ExportRun.email_claimed_at,
                ExportRun.email_retry_at, ExportRun.email_error, ExportRun.emailed_at)


def recipients_for(session, run: ExportRun) -> list[User]:
    """Leads of the run's team; commissioners for the region workbook. Active users only."""
    if run.team_id is None:
        query = select(User).where(User.role == "commissioner", User.active.is_(True))
    else:
        query = (
            select(User)
            .join(Membership, Membership.user_id == User.id)
            .where(Membership.team_id == run.team_id, Membership.role == "lead", User.active.is_(True))
        )
    return list(session.scalars(query.order_by(User.email)))


def workbook_message(run: ExportRun, recipients: list[User], sender: str, attachment: bytes) -> EmailMessage:
    scope = run.team.name if run.team is not None else "all teams"
    message = new_message(f"Reporting burden workbook: {month_label(run.period)} – {scope}", sender,
                          [user.email for user in recipients])
    message.set_content(
        f"The reporting burden workbook for {scope}, {month_label(run.period)}, is attached "
        f"({run.rows or 0} entries).\n\n"
        "It is also on the Exports page of the Reporting Burden Tracker.\n"
    )
    message.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=run.file_name)
    return message


def send_run_email(session, run: ExportRun, settings: ExportSettings) -> bool:
    """Email a finished run's workbook to its recipients. True when sent."""
    if not settings.smtp_url or run.status != "succeeded" or run.emailed_at is not None:
        return False
    recipients = recipients_for(session, run)
    if not recipients:
        log.info("run %s: nobody to email", run.id)
        return False
    path = run_file_path(settings.export_dir, run)
    if path is None:
        log.warning("run %s: workbook file missing; not emailing", run.id)
        return False
    run_id, emails = run.id, [user.email for user in recipients]

    def send() -> dict:
        found = session.get(ExportRun, run_id)
        message = workbook_message(found, recipients, settings.mail_from, path.read_bytes())
        return deliver(parse_smtp_url(settings.smtp_url), message)

    return send_claimed(
        session, EMAILS, ExportRun.id == run_id, settings.sending, send, what=f"run {run_id}'s workbook",
        sent_values=lambda refused: {"emailed_to": ", ".join(e for e in emails if e not in refused)},
    )


def retry_emails(session, settings: ExportSettings) -> int:
    """Send again every workbook whose email failed, or whose sender died (on each scheduler tick)."""
    if not settings.smtp_url:
        return 0
    runs = session.scalars(
        select(ExportRun).where(
            ExportRun.status == "succeeded",
            ExportRun.emailed_at.is_(None),
            ExportRun.email_status.is_not(None),  # a send was tried: runs made on request are never emailed
            EMAILS.retakeable(settings.sending, utcnow()),
        ).order_by(ExportRun.id)
    ).all()
    return sum(1 for run in runs if send_run_email(session, run, settings))
