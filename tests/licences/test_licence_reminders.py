"""Licence reminders through a real SMTP server (aiosmtpd): 30 days before expiry, and the expired ones,
one email a day at most; the commissioner's dashboard lists the same licences."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.shared.smtp import deliver, parse_smtp_url
from tracker.scheduler.jobs import licence_reminders
from tracker.licences.licensing import decide_licence
from tracker.licences.reminders import due_licences, send_licence_reminders
from tracker.models.licences import LicenceReminder, LicenceReminderItem
from tracker.shared.timeutil import local_today


@pytest.fixture
def licences(db, make_user, make_request, make_source):
    today = local_today()
    boss = make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")
    away = make_user("commissioner", email="gone@example.nhs.uk", name="Gone Commissioner")
    away.active = False
    make_user("admin", email="ada@example.nhs.uk")
    source = make_source("NHS England", "national_body")

    def licensed(title, days_left, status="active"):
        request = make_request(title, source, status="active")
        decide_licence(boss, request, "approve", without_estimate=True, reasons="No estimate in this test", today=today, reference=f"REF-{title[:3].upper()}",
                       approved_on=today - timedelta(days=200), expires_on=today + timedelta(days=days_left))
        request.status = status
        db.session.commit()
        return request

    return {
        "today": today,
        "boss": boss,
        "expiring": licensed("Winter sitrep", 20),
        "expired": licensed("Bed census", -5),
        "later": licensed("Quarterly finance", 100),
        "retired": licensed("Retired return", -40, status="retired"),
    }


def test_commissioners_get_one_email_a_day_listing_expiring_and_expired_licences(app, db, licences, smtp_server):
    app.config.update(SMTP_URL=smtp_server.url, SMTP_FROM="burden@example.nhs.uk")
    licence_reminders(app)
    [(sender, recipients)] = smtp_server.envelopes
    assert sender == "burden@example.nhs.uk" and recipients == ["cora@example.nhs.uk"]  # active commissioners only
    [message] = smtp_server.messages
    assert message["Subject"] == "Reporting licences: 1 expiring within 30 days, 1 expired"
    text = message.get_content()
    today = licences["today"]
    assert f"* NEW Winter sitrep (NHS England), licence REF-WIN: expires on {today + timedelta(days=20):%-d %B %Y} (20 days)" in text
    assert f"* NEW Bed census (NHS England), licence REF-BED: expired on {today - timedelta(days=5):%-d %B %Y}" in text
    assert "Quarterly finance" not in text and "Retired return" not in text

    licence_reminders(app)  # the same day again: nothing more
    assert len(smtp_server.messages) == 1
    [reminder] = db.session.scalars(select(LicenceReminder)).all()
    assert (reminder.day, reminder.status, reminder.expiring, reminder.expired) == (today, "sent", 1, 1)
    assert {(i.kind) for i in db.session.scalars(select(LicenceReminderItem))} == {"expiring", "expired"}

    # Seventy-five days on, the quarterly licence is within 30 days: a new email, the old ones no longer new.
    smtp = parse_smtp_url(smtp_server.url)
    later = today + timedelta(days=75)
    assert send_licence_reminders(db.session, later, sender="b@example.nhs.uk", send=lambda m: deliver(smtp, m))
    text = smtp_server.messages[-1].get_content()
    assert "* NEW Quarterly finance" in text and "* Bed census" in text and "* NEW Bed census" not in text
    # ...and nothing new the day after.
    assert not send_licence_reminders(db.session, later + timedelta(days=1), sender="b@example.nhs.uk",
                                      send=lambda m: deliver(smtp, m))
    assert len(smtp_server.messages) == 2


def test_a_failed_send_is_recorded_and_sent_on_a_later_tick(app, db, licences, smtp_server):
    app.config.update(SMTP_URL=smtp_server.url)
    smtp_server.stop()
    licence_reminders(app)
    db.session.expire_all()
    [reminder] = db.session.scalars(select(LicenceReminder)).all()
    assert reminder.status == "failed" and "Connection" in reminder.error and reminder.attempts == 1
    assert db.session.scalars(select(LicenceReminderItem)).all() == []

    smtp_server.start()
    licence_reminders(app)
    db.session.expire_all()
    assert len(smtp_server.messages) == 1
    [reminder] = db.session.scalars(select(LicenceReminder)).all()
    assert (reminder.status, reminder.attempts, reminder.error) == ("sent", 2, None)


def test_no_smtp_url_means_no_email_and_no_claim(app, db, licences):
    licence_reminders(app)
    assert db.session.scalars(select(LicenceReminder)).all() == []


def test_the_commissioners_dashboard_lists_the_same_licences(app, db, licences):
    due = due_licences(db.session, licences["today"])
    assert [d.request.id for d in due.expiring] == [licences["expiring"].id]
    assert [d.request.id for d in due.expired] == [licences["expired"].id]
    client = app.test_client()
    client.post("/login", data={"email": "cora@example.nhs.uk", "password": "correct horse battery"})
    html = client.get("/burden/").get_data(as_text=True)
    section = html[html.index('data-testid="licences-due"'):]
    for name in ("expiring", "expired"):
        assert f'data-key="{licences[name].id}"' in section
    for name in ("later", "retired"):
        assert f'data-key="{licences[name].id}"' not in section
