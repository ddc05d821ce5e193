"""Editing and deleting entries through the pages, and who may do what."""
from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import func, select

from tests.entries.test_entries import TODAY, cell, count, error_by_field, listed_ids, log_form, sitrep, text_of  # noqa: F401
from tests.entries.test_entries_list import cost
from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.template_helpers import money


# ---- edit and delete -------------------------------------------------------


def test_edit_prefills_and_records_old_and_new_values(manager_client, db, make_entry, team, sitrep):
    entry = make_entry(manager_client.user, team, sitrep, minutes=90, band="5", notes="first go")
    html = text_of(manager_client.get(f"/entries/{entry.id}/edit"))
    assert re.search(r'id="time_hours" name="time_hours" type="text" value="1"', html)
    assert re.search(r'id="time_minutes" name="time_minutes" type="text" value="30"', html)
    assert "first go" in html
    response = manager_client.post(
        f"/entries/{entry.id}/edit", data=log_form(sitrep, team, time_hours="2", time_minutes="0", band="6", notes="first go")
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert (entry.minutes, entry.band) == (120, "6")
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "entry", AuditEvent.action == "update")).one()
    assert event.entity_id == entry.id and event.user_id == manager_client.user.id
    assert event.old == {"minutes": 90, "band": "5"}
    assert event.new == {"minutes": 120, "band": "6"}
    assert "Entry changed" in text_of(manager_client.get("/"))


def test_edit_with_bad_input_changes_nothing(manager_client, db, make_entry, team, sitrep):
    entry = make_entry(manager_client.user, team, sitrep, minutes=90)
    response = manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, time_hours="0", time_minutes="0"))
    assert response.status_code == 400
    assert error_by_field(text_of(response), "time") == "Enter the time spent: at least 1 minute"
    db.session.expire_all()
    assert entry.minutes == 90
    assert db.session.scalar(select(func.count()).where(AuditEvent.action == "update")) == 0


def test_edit_may_keep_a_request_retired_since(manager_client, db, make_entry, team, sitrep):
    entry = make_entry(manager_client.user, team, sitrep, minutes=90)
    sitrep.status = "retired"
    db.session.commit()
    html = text_of(manager_client.get(f"/entries/{entry.id}/edit"))
    assert re.search(rf'<option value="{sitrep.id}"\s+selected', html)
    response = manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, time_hours="0", time_minutes="45"))
    assert response.status_code == 302
    db.session.expire_all()
    assert (entry.request_id, entry.minutes) == (sitrep.id, 45)


def hidden_version(html: str) -> str:
    found = re.search(r'<input id="version" name="version" type="hidden" value="(\d+)">', html)
    assert found, "no version on the edit page"
    return found.group(1)


def test_edit_warns_when_someone_else_saved_first_and_saves_only_when_asked_again(
    manager_client, lead_client, db, make_entry, team, sitrep
):
    entry = make_entry(manager_client.user, team, sitrep, minutes=90, band="5", notes="first go")
    opened = hidden_version(text_of(manager_client.get(f"/entries/{entry.id}/edit")))
    # The lead saves a change while the manager's page is open.
    assert lead_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, notes="lead's correction")).status_code == 302
    mine = log_form(sitrep, team, time_hours="2", time_minutes="0", notes="my version", version=opened)
    response = manager_client.post(f"/entries/{entry.id}/edit", data=mine)
    assert response.status_code == 409
    html = text_of(response)
    assert 'data-testid="entry-clash"' in html and "Lee Lead saved a change at" in html
    assert "lead&#39;s correction" in html  # the entry as it now reads
    assert "my version" in html  # the manager's own input is kept in the form
    db.session.expire_all()
    assert (entry.minutes, entry.notes) == (90, "lead's correction")
    # Saving again, from the page that showed the clash, replaces the lead's change knowingly.
    mine["version"] = hidden_version(html)
    assert mine["version"] != opened
    assert manager_client.post(f"/entries/{entry.id}/edit", data=mine).status_code == 302
    db.session.expire_all()
    assert (entry.minutes, entry.notes) == (120, "my version")


def test_edit_of_an_entry_deleted_meanwhile_is_404(manager_client, lead_client, db, make_entry, team, sitrep):
    entry = make_entry(manager_client.user, team, sitrep, minutes=90)
    opened = hidden_version(text_of(manager_client.get(f"/entries/{entry.id}/edit")))
    assert lead_client.post(f"/entries/{entry.id}/delete").status_code == 302
    response = manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, version=opened))
    assert response.status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/delete").status_code == 404


def test_delete_asks_first_then_records_the_deletion(manager_client, db, make_entry, team, sitrep):
    kept = make_entry(manager_client.user, team, sitrep, minutes=30, band="5")
    entry = make_entry(manager_client.user, team, sitrep, minutes=90, band="7")
    confirm = manager_client.get(f"/entries/{entry.id}/delete")
    assert confirm.status_code == 200
    assert "Delete this entry?" in text_of(confirm)
    assert db.session.get(Entry, entry.id).deleted_at is None  # asking deletes nothing
    response = manager_client.post(f"/entries/{entry.id}/delete")
    assert response.status_code == 302
    db.session.expire_all()
    row = db.session.get(Entry, entry.id)
    assert row is not None and row.deleted_at is not None and row.deleted_by_id == manager_client.user.id
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "delete")).one()
    assert (event.entity, event.entity_id, event.user_id) == ("entry", entry.id, manager_client.user.id)
    assert event.old["minutes"] == 90 and event.old["band"] == "7"
    html = text_of(manager_client.get("/"))
    assert "Entry deleted" in html
    assert listed_ids(html) == [kept.id]
    assert cell(html, "total-entries") == "1"
    assert cell(html, "total-cost") == money(cost((30, "5")))
    assert manager_client.get(f"/entries/{entry.id}/edit").status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/delete").status_code == 404


# ---- who may do what -------------------------------------------------------


def test_manager_cannot_reach_another_teams_entry_by_guessed_id(manager_client, db, make_user, make_entry, other_team, sitrep):
    stranger = make_user("manager", [other_team])
    entry = make_entry(stranger, other_team, sitrep, minutes=60)
    assert entry.id not in listed_ids(text_of(manager_client.get("/")))
    assert manager_client.get(f"/entries/{entry.id}/edit").status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, other_team, time_hours="9")).status_code == 404
    assert manager_client.get(f"/entries/{entry.id}/delete").status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/delete").status_code == 404
    assert manager_client.get("/entries/999999/edit").status_code == 404
    db.session.expire_all()
    assert (entry.minutes, entry.deleted_at) == (60, None)


def test_manager_cannot_change_another_managers_entry_in_the_same_team(manager_client, db, make_user, make_entry, team, sitrep):
    colleague = make_user("manager", [team])
    entry = make_entry(colleague, team, sitrep, minutes=60)
    html = text_of(manager_client.get("/"))
    assert listed_ids(html) == [entry.id]  # visible ...
    assert f"/entries/{entry.id}/edit" not in html  # ... but not theirs to change
    assert manager_client.get(f"/entries/{entry.id}/edit").status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, time_hours="9")).status_code == 404
    assert manager_client.post(f"/entries/{entry.id}/delete").status_code == 404
    db.session.expire_all()
    assert (entry.minutes, entry.deleted_at) == (60, None)


def test_lead_can_change_any_entry_of_their_team(lead_client, db, make_user, make_entry, team, sitrep):
    manager = make_user("manager", [team])
    entry = make_entry(manager, team, sitrep, minutes=60)
    assert f"/entries/{entry.id}/edit" in text_of(lead_client.get("/"))
    assert lead_client.get(f"/entries/{entry.id}/edit").status_code == 200
    response = lead_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, time_hours="0", time_minutes="20"))
    assert response.status_code == 302
    db.session.expire_all()
    assert entry.minutes == 20
    event = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).one()
    assert event.user_id == lead_client.user.id
    assert lead_client.post(f"/entries/{entry.id}/delete").status_code == 302


def test_commissioner_reads_every_team_but_never_logs(commissioner_client, db, make_user, make_entry, team, other_team, sitrep):
    a = make_entry(make_user("manager", [team]), team, sitrep)
    b = make_entry(make_user("manager", [other_team]), other_team, sitrep)
    html = text_of(commissioner_client.get("/"))
    assert set(listed_ids(html)) == {a.id, b.id}
    assert "Log reporting work" not in html
    assert "/edit" not in html and "/delete" not in html
    assert commissioner_client.get("/entries/new").status_code == 404
    assert commissioner_client.post("/entries/new", data=log_form(sitrep, team)).status_code == 404
    assert commissioner_client.get(f"/entries/{a.id}/edit").status_code == 404
    assert commissioner_client.post(f"/entries/{a.id}/delete").status_code == 404
    assert count(db, Entry) == 2


def test_admin_can_log_for_any_team(admin_client, db, other_team, sitrep):
    response = admin_client.post("/entries/new", data=log_form(sitrep, other_team))
    assert response.status_code == 302
    assert db.session.scalars(select(Entry)).one().team_id == other_team.id


def test_list_needs_login(client):
    response = client.get("/entries/new")
    assert response.status_code == 302
    assert "/login" in response.location


def test_a_signed_off_month_is_read_only_and_the_pages_say_why(manager_client, db, make_user, make_entry, team, sitrep):
    from tracker.signoff.services import sign_off
    from tracker.shared.timeutil import add_months

    month = add_months(TODAY, -3)
    entry = make_entry(manager_client.user, team, sitrep, occurred_on=month + timedelta(days=4), minutes=60)
    lead = make_user("lead", [team], name="Lee Lead")
    sign_off(db.session, lead, team, month)
    db.session.commit()
    events_before = count(db, AuditEvent)

    response = manager_client.post("/entries/new", data=log_form(sitrep, team, occurred_on=(month + timedelta(days=9)).isoformat()))
    assert response.status_code == 400
    assert "signed off by Lee Lead" in error_by_field(text_of(response), "occurred_on").replace("&#39;", "'")

    response = manager_client.post(f"/entries/{entry.id}/edit", data=log_form(sitrep, team, occurred_on=entry.occurred_on.isoformat()))
    assert response.status_code == 400
    assert "signed off by Lee Lead" in error_by_field(text_of(response), "occurred_on")

    response = manager_client.post(f"/entries/{entry.id}/delete")
    assert response.status_code == 400
    assert "signed off by Lee Lead" in text_of(response)

    db.session.expire_all()
    assert (count(db, Entry), entry.minutes, entry.deleted_at) == (1, 60, None)
    assert count(db, AuditEvent) == events_before
