"""Email each monthly workbook: a team's to its leads, the region's to commissioners.

SMTP_URL: smtp://[user:pass@]host[:port][?starttls=1] or smtps://... (TLS from
the start). Unset: no email. A failed send is logged and recorded on the run
(email_error); the scheduler retries it on its next tick. The workbook on disk
is never touched by any of this."""
from __future__ import annotations

import logging
import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from sqlalchemy import and_, select, update

from tracker.models.auth import Membership, User
from tracker.models.exports import ExportRun
from tracker.exports.runs import ExportSettings, run_file_path
from tracker.shared.timeutil import month_label
from tracker.shared.timeutil import utcnow

log = logging.getLogger("tracker.exports.mail")

XLSX_TYPE = ("application", "vnd.openxmlformats-officedocument.spreadsheetml.sheet")
SMTP_TIMEOUT = 30
TRUE_WORDS = {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    ssl: bool
    starttls: bool
    username: str | None
    password: str | None


def parse_smtp_url(url: str) -> SmtpSettings:
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise ValueError(f"SMTP_URL must start with smtp:// or smtps://, not '{parts.scheme}://'")
    if not parts.hostname:
        raise ValueError("SMTP_URL has no host name")
    query = parse_qs(parts.query)
    use_ssl = parts.scheme == "smtps"
    return SmtpSettings(
        host=parts.hostname,
        port=parts.port or (465 if use_ssl else 25),
        ssl=use_ssl,
        starttls=(query.get("starttls", ["0"])[0].lower() in TRUE_WORDS) and not use_ssl,
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
    )


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
    message = EmailMessage()
    message["Subject"] = f"Reporting burden workbook: {month_label(run.period)} – {scope}"
    message["From"] = sender
    message["To"] = ", ".join(user.email for user in recipients)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or None)
    message.set_content(
        f"The reporting burden workbook for {scope}, {month_label(run.period)}, is attached "
        f"({run.rows or 0} entries).\n\n"
        "It is also on the Exports page of the Reporting Burden Tracker.\n"
    )
    message.add_attachment(attachment, maintype=XLSX_TYPE[0], subtype=XLSX_TYPE[1], filename=run.file_name)
    return message


def deliver(smtp: SmtpSettings, message: EmailMessage) -> dict:
    """Send through the server; returns the recipients it refused (smtplib's dict)."""
    context = ssl.create_default_context()
    if smtp.ssl:
        connection = smtplib.SMTP_SSL(smtp.host, smtp.port, timeout=SMTP_TIMEOUT, context=context)
    else:
        connection = smtplib.SMTP(smtp.host, smtp.port, timeout=SMTP_TIMEOUT)
    with connection:
        if smtp.starttls:
            connection.starttls(context=context)
        if smtp.username:
            connection.login(smtp.username, smtp.password or "")
        return connection.send_message(message)


def _take_email_turn(session, run: ExportRun) -> bool:
    """Count this send attempt; only one process wins a given attempt number, so two
    schedulers retrying at once do not both send."""
    result = session.execute(
        update(ExportRun)
        .where(
            and_(
                ExportRun.id == run.id,
                ExportRun.email_attempts == run.email_attempts,
                ExportRun.emailed_at.is_(None),
            )
        )
        .values(email_attempts=ExportRun.email_attempts + 1)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return result.rowcount == 1


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
    if not _take_email_turn(session, run):
        return False
    try:
        message = workbook_message(run, recipients, settings.mail_from, path.read_bytes())
        refused = deliver(parse_smtp_url(settings.smtp_url), message)
    except Exception as error:  # noqa: BLE001 (any failure is recorded and retried)
        log.warning("emailing run %s failed: %s", run.id, error)
        _record(session, run.id, email_error=f"{error.__class__.__name__}: {error}"[:2000])
        return False
    sent_to = [u.email for u in recipients if u.email not in refused]
    note = f"Refused by the server: {', '.join(sorted(refused))}" if refused else None
    _record(session, run.id, emailed_at=utcnow(), emailed_to=", ".join(sent_to), email_error=note)
    log.info("run %s emailed to %s", run.id, ", ".join(sent_to))
    return True


def _record(session, run_id: int, **values) -> None:
    session.execute(
        update(ExportRun).where(ExportRun.id == run_id).values(**values).execution_options(synchronize_session=False)
    )
    session.commit()


def retry_emails(session, settings: ExportSettings) -> int:
    """Send again every workbook whose email failed (on each scheduler tick)."""
    if not settings.smtp_url:
        return 0
    runs = session.scalars(
        select(ExportRun).where(
            ExportRun.status == "succeeded",
            ExportRun.emailed_at.is_(None),
            ExportRun.email_error.is_not(None),
            ExportRun.email_attempts < settings.max_email_attempts,
        )
    ).all()
    return sum(1 for run in runs if send_run_email(session, run, settings))
