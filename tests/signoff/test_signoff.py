"""Month sign-off: a lead locks a team's month, the log form, edit/delete pages and the API
refuse changes with a clear reason, and a lead reopens it with a reason. All audited."""
from __future__ import annotations

import html
import re
from datetime import datetime

import pytest
from openpyxl import load_workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tests.exports_support import LONDON, login, runs, settings_of
from tracker.models.audit import AuditEvent
from tracker.auth.commands import new_api_token
from tracker.models.entries import Entry
from tracker.exports.background import wait_for_background_exports
from tracker.models.signoff import MonthSignoff
from tracker.exports.runs import build_run, claim_run, run_file_path
from tracker.exports.monthly import make_period
from tracker.signoff.services import is_locked, signoffs_for
from tracker.shared.timeutil import add_months, utcnow


def expected_reason(world) -> str:
    today = datetime.now(LONDON).date()
    return (
        f"Community Nursing North's entries for {world.month:%B %Y} were signed off by Lee Lead "
        f"on {today.day} {today:%B %Y}; ask a lead to reopen the month"
    )


def sign_off_by_page(app, world):
    lead = login(app, world.lead)
    response = lead.post("/exports/signoffs", data={"team_id": str(world.team.id), "month": f"{world.month:%Y-%m}", "confirm": "yes"})
    assert response.status_code == 302, response.get_data(as_text=True)
    return lead


def text(response) -> str:
    return html.unescape(response.get_data(as_text=True))


def field_error(page: str, field_id: str) -> str | None:
    found = re.search(rf'id="{field_id}-error"[^>]*>(.*?)</span>\s*(.*?)\s*</span>', page, re.S)
    return html.unescape(found.group(2).strip()) if found else None


def log_form(world, day, **overrides) -> dict:
    data = {
        "request_id": str(world.request.id),
        "team_id": str(world.team.id),
        "occurred_on": day.isoformat(),
        "time_hours": "1",
        "time_minutes": "0",
        "band": "5",
        "duplicated_elsewhere": "no",
        "used": "yes",
        "notes": "",
    }
    data.update(overrides)
    return data


def api(app, db, user):
    token = new_api_token(user)
    db.session.commit()
    client = app.test_client()
    client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def team_entry(db, world) -> Entry:
    return db.session.scalars(
        select(Entry).where(Entry.team_id == world.team.id, Entry.deleted_at.is_(None)).order_by(Entry.id)
    ).first()


# ---- signing off -----------------------------------------------------------------


def test_a_lead_signs_off_a_month_and_it_is_audited(app, db, export_dir, world):
    lead = sign_off_by_page(app, world)
    signoff = db.session.scalars(select(MonthSignoff)).one()
    assert (signoff.team_id, signoff.month, signoff.signed_by_id) == (world.team.id, world.month, world.lead.id)
    assert signoff.reopened_at is None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_off")).one()
    assert (event.user_id, event.entity, event.entity_id) == (world.lead.id, "month_signoff", signoff.id)
    assert event.new["month"] == world.month.isoformat()
    assert is_locked(db.session, world.team.id, world.month.replace(day=28))
    assert not is_locked(db.session, world.other_team.id, world.month)
    assert not is_locked(db.session, world.team.id, add_months(world.month, 1))
    assert signoffs_for(db.session, world.month, None) == {world.team.id: {"by": "Lee Lead", "at": signoff.signed_at}}
    page = text(lead.get("/exports/"))
    assert "Signed-off months" in page and "Lee Lead" in page and "Reopen" in page


def test_only_leads_of_the_team_may_sign_off_and_only_ended_months_once(app, db, export_dir, world):
    manager = login(app, world.manager)
    assert manager.post("/exports/signoffs", data={"team_id": str(world.team.id), "month": f"{world.month:%Y-%m}"}).status_code == 404
    assert "Sign off the month" not in text(manager.get("/exports/"))

    lead = login(app, world.lead)
    other = lead.post("/exports/signoffs", data={"team_id": str(world.other_team.id), "month": f"{world.month:%Y-%m}"})
    assert other.status_code == 404  # a team they may not see: not found, as everywhere
    this_month = add_months(world.month, 1)
    early = lead.post("/exports/signoffs", data={"team_id": str(world.team.id), "month": f"{this_month:%Y-%m}"})
    assert early.status_code == 400 and f"{this_month:%B %Y} has not ended yet" in text(early)
    assert db.session.scalars(select(MonthSignoff)).all() == []

    sign_off_by_page(app, world)
    twice = lead.post("/exports/signoffs", data={"team_id": str(world.team.id), "month": f"{world.month:%Y-%m}"})
    assert twice.status_code == 400 and "already signed off" in text(twice)
    assert len(db.session.scalars(select(MonthSignoff)).all()) == 1


def test_the_database_allows_one_open_signoff_per_team_and_month(app, db, world):
    for _ in range(2):
        db.session.add(MonthSignoff(team_id=world.team.id, month=world.month, signed_by_id=world.lead.id, signed_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


# ---- the lock ------------------------------------------------------------------------


def test_signed_off_entries_are_read_only_through_the_api_with_the_reason(app, db, export_dir, world):
    sign_off_by_page(app, world)
    reason = expected_reason(world)
    client = api(app, db, world.manager)
    entry = team_entry(db, world)

    created = client.post("/api/v1/entries", json={
        "request_id": world.request.id, "team_id": world.team.id, "occurred_on": world.month.replace(day=15).isoformat(),
        "minutes": 30, "band": "5",
    })
    assert created.status_code == 400 and created.get_json()["errors"]["occurred_on"] == [reason]

    changed = client.patch(f"/api/v1/entries/{entry.id}", json={"minutes": 999})
    assert changed.status_code == 400 and changed.get_json()["errors"]["occurred_on"] == [reason]

    deleted = client.delete(f"/api/v1/entries/{entry.id}")
    assert deleted.status_code == 400 and deleted.get_json()["errors"]["occurred_on"] == [reason]

    db.session.expire_all()
    assert team_entry(db, world).minutes == entry.minutes and team_entry(db, world).id == entry.id
    assert len(db.session.scalars(select(Entry).where(Entry.team_id == world.team.id)).all()) == 3

    # Moving an open month's entry into the signed-off month is refused too.
    this_month = add_months(world.month, 1)
    fresh = client.post("/api/v1/entries", json={
        "request_id": world.request.id, "team_id": world.team.id, "occurred_on": this_month.isoformat(), "minutes": 30, "band": "5",
    })
    assert fresh.status_code == 201
    moved = client.patch(f"/api/v1/entries/{fresh.get_json()['id']}", json={"occurred_on": world.month.isoformat()})
    assert moved.status_code == 400 and moved.get_json()["errors"]["occurred_on"] == [reason]

    # Other teams' months are not affected.
    other = api(app, db, world.other_manager).post("/api/v1/entries", json={
        "request_id": world.request.id, "team_id": world.other_team.id, "occurred_on": world.month.isoformat(), "minutes": 30, "band": "5",
    })
    assert other.status_code == 201


def test_signed_off_entries_are_read_only_on_the_pages_with_the_reason_by_the_date(app, db, export_dir, world):
    sign_off_by_page(app, world)
    reason = expected_reason(world)
    manager = login(app, world.manager)
    entry = team_entry(db, world)

    logged = manager.post("/entries/new", data=log_form(world, world.month.replace(day=12)))
    assert logged.status_code == 400
    assert field_error(logged.get_data(as_text=True), "occurred_on") == reason

    edited = manager.post(f"/entries/{entry.id}/edit", data=log_form(world, entry.occurred_on, time_hours="9"))
    assert edited.status_code == 400
    assert field_error(edited.get_data(as_text=True), "occurred_on") == reason

    deleted = manager.post(f"/entries/{entry.id}/delete")
    assert deleted.status_code == 400 and reason in text(deleted)

    db.session.expire_all()
    assert team_entry(db, world).minutes == entry.minutes and not team_entry(db, world).is_deleted
    assert len(db.session.scalars(select(Entry).where(Entry.team_id == world.team.id)).all()) == 3


def test_the_service_itself_refuses_a_signed_off_month(app, db, export_dir, world):
    from tracker.entries.services import EntryLocked, EntryNotAllowed, delete_entry

    sign_off_by_page(app, world)
    entry = team_entry(db, world)
    with pytest.raises(EntryNotAllowed) as refused:
        delete_entry(world.manager, entry)
    assert isinstance(refused.value, EntryLocked) and str(refused.value) == expected_reason(world)
    db.session.rollback()


# ---- reopening -----------------------------------------------------------------------


def test_a_lead_reopens_with_a_reason_which_is_audited_and_managers_can_edit_again(app, db, export_dir, world):
    lead = sign_off_by_page(app, world)
    signoff = db.session.scalars(select(MonthSignoff)).one()
    url = f"/exports/signoffs/{signoff.id}/reopen"

    # Managers and other teams' leads cannot reach it.
    assert login(app, world.manager).get(url).status_code == 404
    assert login(app, world.manager).post(url, data={"reason": "x"}).status_code == 404
    assert login(app, world.other_lead).post(url, data={"reason": "x"}).status_code == 404

    assert lead.get(url).status_code == 200
    blank = lead.post(url, data={"reason": "   "})
    assert blank.status_code == 400 and field_error(blank.get_data(as_text=True), "reason") == "Enter why the month is being reopened"
    db.session.expire_all()
    assert db.session.get(MonthSignoff, signoff.id).reopened_at is None

    reason = "Two sitreps were logged against the wrong team"
    assert lead.post(url, data={"reason": reason}).status_code == 302
    db.session.expire_all()
    reopened = db.session.get(MonthSignoff, signoff.id)
    assert reopened.reopened_by_id == world.lead.id and reopened.reopen_reason == reason and reopened.reopened_at is not None
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "reopen")).one()
    assert event.user_id == world.lead.id and event.entity_id == signoff.id
    assert event.new["reopen_reason"] == reason and event.old["reopened_at"] is None

    entry = team_entry(db, world)
    changed = api(app, db, world.manager).patch(f"/api/v1/entries/{entry.id}", json={"minutes": 50})
    assert changed.status_code == 200 and changed.get_json()["minutes"] == 50
    assert not is_locked(db.session, world.team.id, world.month)
    assert signoffs_for(db.session, world.month, [world.team.id]) == {}

    # Signing off again keeps the history: two rows, one open.
    sign_off_by_page(app, world)
    rows = db.session.scalars(select(MonthSignoff).order_by(MonthSignoff.id)).all()
    assert [r.is_open for r in rows] == [False, True]


# ---- the workbook shows it ---------------------------------------------------------


def summary_signoff_rows(path) -> dict:
    sheet = load_workbook(path, read_only=True)["Summary"]
    rows = [row for row in sheet.iter_rows(values_only=True)]
    start = next(i for i, row in enumerate(rows) if row and row[0] == "Sign-off")
    return {row[0]: row[1:3] for row in rows[start + 2:] if row and row[0]}


def test_the_workbook_says_whether_the_month_was_signed_off_and_by_whom(app, db, export_dir, world):
    sign_off_by_page(app, world)
    made = {r.scope: r for r in make_period(db.session, world.month, "schedule", settings_of(app))}
    region = summary_signoff_rows(run_file_path(export_dir, made["region"]))
    assert region[world.team.name] == ("Signed off", "Lee Lead")
    assert region[world.other_team.name][0] == "Not signed off"
    team = summary_signoff_rows(run_file_path(export_dir, made[f"team:{world.team.id}"]))
    assert team == {world.team.name: ("Signed off", "Lee Lead")}


def test_signing_off_refreshes_an_existing_team_workbook(app, db, export_dir, world):
    settings = settings_of(app)
    run = build_run(db.session, claim_run(db.session, world.month, world.team.id, "schedule", settings), settings)
    assert summary_signoff_rows(run_file_path(export_dir, run))[world.team.name][0] == "Not signed off"
    sign_off_by_page(app, world)
    wait_for_background_exports(app)
    [refreshed] = runs(db)
    assert refreshed.trigger == "signoff" and refreshed.status == "succeeded" and refreshed.attempts == 2
    assert summary_signoff_rows(run_file_path(export_dir, refreshed))[world.team.name] == ("Signed off", "Lee Lead")
