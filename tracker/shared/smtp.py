"""Email through SMTP_URL: reading the URL, the headers every message carries, and one delivery.

SMTP_URL: smtp://[user:pass@]host[:port][?starttls=1] or smtps://... (TLS from
the start). Unset: no email. Who sends what, once, is tracker/shared/sending.py."""
from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Callable
from urllib.parse import parse_qs, unquote, urlsplit

SMTP_TIMEOUT = 30
TRUE_WORDS = {"1", "true", "yes", "on"}

Send = Callable[[EmailMessage], dict]  # delivers; returns the recipients the server refused (smtplib's dict)


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


def new_message(subject: str, sender: str, to: list[str]) -> EmailMessage:
    """A message with the headers every email of the app carries; the caller adds the body."""
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = sender
    message["To"] = ", ".join(to)
    message["Date"] = formatdate(localtime=False)
    message["Message-ID"] = make_msgid(domain=sender.split("@")[-1] or None)
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


def sender_for(url: str | None) -> Send | None:
    """What delivers a message through SMTP_URL; None when it is not set (nothing is sent)."""
    if not url:
        return None
    smtp = parse_smtp_url(url)
    return lambda message: deliver(smtp, message)
