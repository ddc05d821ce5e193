"""Emailing the monthly workbooks through a real SMTP server (aiosmtpd on loopback)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.exports_support import runs, settings_of
from tracker.exports.mailer import retry_emails, send_run_email
from tracker.shared.smtp import parse_smtp_url
from tracker.exports.runs import period_dir
from tracker.exports.monthly import make_period
from tracker.scheduler.jobs import retry

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def attachments(message):
    return [part for part in message.iter_attachments()]


def test_smtp_urls_are_understood():
    plain = parse_smtp_url("smtp://mail.example.nhs.uk")
    assert (plain.host, plain.port, plain.ssl, plain.starttls, plain.username) == ("mail.example.nhs.uk", 25, False, False, None)
    tls = parse_smtp_url("smtp://robot%40trust:p%40ss%3Aword@mail.example.nhs.uk:587?starttls=1")
    assert (tls.port, tls.starttls, tls.username, tls.password) == (587, True, "robot@trust", "p@ss:word")
    wrapped = parse_smtp_url("smtps://user:secret@mail.example.nhs.uk")
    assert (wrapped.port, wrapped.ssl, wrapped.starttls) == (465, True, False)
    with pytest.raises(ValueError, match="smtp:// or smtps://"):
        parse_smtp_url("http://mail.example.nhs.uk")


def test_each_lead_gets_their_teams_workbook_and_commissioners_the_region_one(app, db, export_dir, world, make_user, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    app.config["SMTP_FROM"] = "burden@example.nhs.uk"
    second_lead = make_user("lead", [world.team], email="second.lead@example.nhs.uk", name="Sam Second", password=None)
    make_period(db.session, world.month, "schedule", settings_of(app), send_email=send_run_email)

    by_recipients = {tuple(sorted(rcpts)): message for (_from, rcpts), message in zip(smtp_server.envelopes, smtp_server.messages)}
    assert set(by_recipients) == {
        (world.lead.email, second_lead.email),
        (world.other_lead.email,),
        (world.commissioner.email,),
    }
    # Managers and admins get nothing.
    everyone = {r for rcpts in by_recipients for r in rcpts}
    assert world.manager.email not in everyone and world.admin.email not in everyone

    month = f"{world.month:%Y-%m}"
    expected_files = {
        (world.lead.email, second_lead.email): f"burden-{month}-team-{world.team.slug}.xlsx",
        (world.other_lead.email,): f"burden-{month}-team-{world.other_team.slug}.xlsx",
        (world.commissioner.email,): f"burden-{month}.xlsx",
    }
    for recipients, message in by_recipients.items():
        assert message["From"] == "burden@example.nhs.uk"
        assert f"{world.month:%B %Y}" in message["Subject"]
        [attachment] = attachments(message)
        assert attachment.get_filename() == expected_files[recipients]
        assert attachment.get_content_type() == XLSX
        data = attachment.get_content()
        # Exactly the workbook on disk, and a workbook openpyxl can open.
        assert data == (period_dir(export_dir, world.month) / expected_files[recipients]).read_bytes()
        assert load_workbook(io.BytesIO(data), read_only=True).sheetnames[0] == "Summary"

    team_message = by_recipients[(world.lead.email, second_lead.email)]
    assert world.team.name in team_message["Subject"]
    entries = load_workbook(io.BytesIO(attachments(team_message)[0].get_content()), read_only=True)["Entries"]
    assert {row[1] for row in entries.iter_rows(min_row=2, values_only=True)} == {world.team.name}

    for run in runs(db):
        assert run.emailed_at is not None and run.email_error is None and run.email_attempts == 1


def test_no_smtp_url_means_no_email_and_nothing_pending(app, db, export_dir, world):
    app.config["SMTP_URL"] = None
    made = make_period(db.session, world.month, "schedule", settings_of(app), send_email=send_run_email)
    assert made and all(r.status == "succeeded" and r.emailed_at is None and r.email_error is None for r in runs(db))


def test_workbooks_made_on_request_are_not_emailed(app, db, export_dir, world, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    make_period(db.session, world.month, "manual", settings_of(app), send_email=send_run_email)
    assert smtp_server.messages == []


def test_a_failed_send_keeps_the_workbook_records_the_error_and_a_later_tick_sends_it(app, db, export_dir, world, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()  # the mail server is down during the monthly run

    make_period(db.session, world.month, "schedule", settings_of(app), send_email=send_run_email)
    made = runs(db)
    assert len(made) == 3
    for run in made:
        assert run.status == "succeeded"
        assert (period_dir(export_dir, world.month) / run.file_name).is_file()
        assert run.emailed_at is None and run.email_attempts == 1
        assert "ConnectionRefusedError" in run.email_error
    # The exports page says the email has not gone yet.
    from tests.exports_support import login

    page = login(app, world.commissioner).get("/exports/").get_data(as_text=True)
    assert "Email not sent yet" in page

    smtp_server.start()  # back up; the scheduler's next tick retries
    retry(app)
    assert len(smtp_server.messages) == 3
    for run in runs(db):
        assert run.emailed_at is not None and run.email_error is None and run.email_attempts == 2
    # Sent once only: another tick has nothing left to send.
    assert retry_emails(db.session, settings_of(app)) == 0
    assert len(smtp_server.messages) == 3


def test_username_and_password_in_the_url_are_used_to_log_in(app, db, export_dir, world):
    from aiosmtpd.controller import Controller
    from aiosmtpd.smtp import AuthResult

    from tests.conftest import SmtpServer

    logins = []

    def authenticator(server, session, envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=auth_data.login == b"robot" and auth_data.password == b"s3cret:pw")

    server = SmtpServer()
    controller = Controller(server, hostname="127.0.0.1", port=server.port, authenticator=authenticator, auth_require_tls=False)
    controller.start()
    try:
        app.config["SMTP_URL"] = f"smtp://robot:s3cret%3Apw@127.0.0.1:{server.port}"
        make_period(db.session, world.month, "schedule", settings_of(app), send_email=send_run_email)
    finally:
        controller.stop()
    assert logins and set(logins) == {("robot", "s3cret:pw")}
    assert len(server.messages) == 3
