"""The monthly review digest through a real SMTP server (aiosmtpd), sent by the scheduler's job,
and the daily job that applies decisions whose effective date has come."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tracker.scheduler.jobs import apply_decisions, catch_up, review_digest
from tracker.models.workspace import ReviewDigest
from tracker.workspace.decisions import DecisionInput, record_decision
from tracker.shared.timeutil import local_today, month_label, month_start, shift_months


@pytest.fixture
def decided(db, make_user, make_team, make_source, make_request, make_entry):
    today = local_today()
    admin = make_user("admin", email="digest.admin@example.nhs.uk")
    cora = make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")
    colm = make_user("commissioner", email="colm@example.nhs.uk", name="Colm Commissioner")
    gone = make_user("commissioner", email="gone@example.nhs.uk")
    gone.active = False
    team = make_team("North")
    make_user("manager", [team], email="digest.manager@example.nhs.uk")
    source = make_source("NHS England")
    kept = make_request("Annual assurance return", source=source, frequency="annual")
    retired = make_request("Weekly bed state", source=source, frequency="weekly")
    kept_from = shift_months(today, -7)
    make_entry(admin, team, kept, occurred_on=kept_from - timedelta(days=30), minutes=60, band="5")
    record_decision(cora, kept, DecisionInput("keep", "Statutory", kept_from, review_on=today - timedelta(days=1)), today)
    record_decision(cora, retired, DecisionInput("retire", "Nobody reads it", today - timedelta(days=10)), today)
    db.session.commit()
    return {"today": today, "cora": cora, "colm": colm, "kept": kept, "retired": retired, "kept_from": kept_from}


def test_each_active_commissioner_gets_one_digest_a_month(app, db, export_dir, decided, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    app.config["SMTP_FROM"] = "burden@example.nhs.uk"
    assert review_digest(app) == 2
    assert sorted(rcpts[0] for _, rcpts in smtp_server.envelopes) == ["colm@example.nhs.uk", "cora@example.nhs.uk"]
    message = next(m for m in smtp_server.messages if m["To"] == "cora@example.nhs.uk")
    period = month_start(decided["today"])
    assert message["Subject"] == f"Reporting burden: decisions to review, {month_label(period)} (1 due)"
    assert message["From"] == "burden@example.nhs.uk"
    body = message.get_content()
    assert "Dear Cora Commissioner" in body
    due = body.split("Decisions due for review (1):")[1].split("Realised against expected")[0]
    assert "Keep: Annual assurance return (NHS England)" in due
    assert f"Review was due {decided['today'] - timedelta(days=1):%-d %B %Y}" in due
    # kept: no saving is claimed either way (issue 18)
    assert "Keep: Annual assurance return" in due and "No saving: the request is kept as it is." in due
    in_effect = body.split("Realised against expected savings of the decisions in effect (2):")[1]
    assert "Retire: Weekly bed state (NHS England)" in in_effect
    measured_from = shift_months(decided["today"] - timedelta(days=10), 3)
    assert f"realised: too early to tell (measured from {measured_from:%-d %B %Y})" in in_effect

    # the same month again (the next retry tick, a second scheduler): nothing more
    assert review_digest(app) == 0 and len(smtp_server.messages) == 2
    rows = db.session.scalars(select(ReviewDigest)).all()
    assert {(r.period, r.status) for r in rows} == {(period, "sent")}


def test_a_failed_digest_is_retried_on_a_later_tick(app, db, export_dir, decided, smtp_server):
    app.config["SMTP_URL"] = smtp_server.url
    smtp_server.stop()
    assert review_digest(app) == 0
    db.session.expire_all()
    assert {r.status for r in db.session.scalars(select(ReviewDigest))} == {"failed"}
    assert all(r.error for r in db.session.scalars(select(ReviewDigest)))
    smtp_server.start()
    assert review_digest(app) == 2
    db.session.expire_all()
    assert {(r.status, r.attempts) for r in db.session.scalars(select(ReviewDigest))} == {("sent", 2)}


def test_no_digest_without_smtp_or_without_a_live_decision(app, db, export_dir, make_user, smtp_server):
    make_user("commissioner", email="lonely@example.nhs.uk")
    app.config["SMTP_URL"] = None
    assert review_digest(app) == 0
    app.config["SMTP_URL"] = smtp_server.url
    assert review_digest(app) == 0 and smtp_server.messages == []


def test_the_daily_job_applies_decisions_whose_date_has_come(app, db, export_dir, make_user, make_request, smtp_server):
    today = local_today()
    commissioner = make_user("commissioner")
    request = make_request("Quarterly tracker", frequency="monthly")
    decision = record_decision(commissioner, request, DecisionInput("reduce_frequency", "Less often", today + timedelta(days=1),
                                                                    new_frequency="quarterly"), today - timedelta(days=1))
    # recorded "yesterday" to take effect today: not applied when recorded (a day ahead then)
    db.session.commit()
    assert request.frequency == "monthly" and decision.applied_at is None
    assert apply_decisions(app) == 0  # tomorrow's decision waits
    decision.effective_on = today
    db.session.commit()
    app.config["SMTP_URL"] = smtp_server.url
    catch_up(app)  # at start the scheduler applies what is due (and retries and sends what is missing)
    db.session.expire_all()
    assert db.session.get(type(request), request.id).frequency == "quarterly"
