"""Logging reporting work through the log form: bad input, adding a request from the form, what it remembers.

The list is tests/entries/test_entries_list.py; edit, delete and who may do what tests/entries/test_entries_changes.py."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry

TODAY = date.today()


def log_form(request, team, **overrides) -> dict:
    data = {
        "request_id": str(request.id) if request is not None else "",
        "team_id": str(team.id),
        "occurred_on": TODAY.isoformat(),
        "time_hours": "1",
        "time_minutes": "30",
        "band": "5",
        "duplicated_elsewhere": "no",
        "used": "yes",
        "notes": "",
    }
    data.update(overrides)
    return data


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def text_of(response) -> str:
    return response.get_data(as_text=True)


def error_by_field(html: str, field_id: str) -> str | None:
    """The message the page shows next to a field (NHS.UK error-message component)."""
    found = re.search(rf'<span class="nhsuk-error-message" id="{re.escape(field_id)}-error"[^>]*>(.*?)</span>\s*(.*?)\s*</span>', html, re.S)
    return found.group(2).strip() if found else None


def cell(html: str, testid: str) -> str:
    found = re.search(rf'data-testid="{testid}"[^>]*>([^<]*)<', html)
    assert found, f"no {testid} on the page"
    return found.group(1).strip()


def listed_ids(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-entry-id="(\d+)"', html)]


@pytest.fixture
def sitrep(make_source, make_request):
    return make_request(title="Weekly winter sitrep", source=make_source("NHS England North East and Yorkshire", kind="national_body"))


# ---- the log form ----------------------------------------------------------


def test_log_form_starts_with_today_and_the_only_team(manager_client, team, sitrep):
    html = text_of(manager_client.get("/entries/new"))
    assert f'value="{TODAY.isoformat()}"' in html
    assert re.search(rf'<option value="{team.id}"\s+selected', html)
    assert "Weekly winter sitrep (NHS England North East and Yorkshire)" in html
    assert "vendor/accessible-autocomplete.min.js" in html
    assert "The request is not in the list" in html


def test_logging_an_entry(manager_client, db, team, sitrep):
    response = manager_client.post("/entries/new", data=log_form(sitrep, team, notes="Pulled from the bed system"))
    assert response.status_code == 302
    assert response.location.endswith("/")
    entry = db.session.scalars(select(Entry)).one()
    assert (entry.request_id, entry.team_id, entry.minutes, entry.band) == (sitrep.id, team.id, 90, "5")
    assert (entry.duplicated_elsewhere, entry.used, entry.notes) == ("no", "yes", "Pulled from the bed system")
    assert entry.logged_by_id == manager_client.user.id
    created = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "entry")).one()
    assert (created.action, created.user_id, created.new["minutes"]) == ("create", manager_client.user.id, 90)
    page = text_of(manager_client.get("/"))
    assert "Entry logged" in page
    assert listed_ids(page) == [entry.id]


def test_log_another_returns_to_a_fresh_form(manager_client, db, team, sitrep):
    response = manager_client.post("/entries/new", data=log_form(sitrep, team, log_another="y"))
    assert response.status_code == 302
    assert response.location.endswith("/entries/new")
    assert count(db, Entry) == 1


BAD_INPUT = [
    pytest.param({"time_hours": "0", "time_minutes": "0"}, "time", "Enter the time spent: at least 1 minute", id="no-time"),
    pytest.param({"time_hours": "", "time_minutes": ""}, "time", "Enter the time spent: at least 1 minute", id="time-blank"),
    pytest.param({"time_hours": "240", "time_minutes": "1"}, "time", "The time must be 240 hours or less", id="over-limit"),
    pytest.param({"time_hours": "241", "time_minutes": "0"}, "time", "Hours must be a whole number from 0 to 240", id="hours-over"),
    pytest.param({"time_minutes": "abc"}, "time", "Minutes must be a whole number from 0 to 59", id="minutes-not-number"),
    pytest.param({"time_minutes": "1.5"}, "time", "Minutes must be a whole number from 0 to 59", id="minutes-fraction"),
    pytest.param({"time_minutes": "60"}, "time", "Minutes must be a whole number from 0 to 59", id="minutes-60"),
    pytest.param({"occurred_on": "2026-02-30"}, "occurred_on", "Enter a real date in the form YYYY-MM-DD", id="impossible-date"),
    pytest.param({"occurred_on": "yesterday"}, "occurred_on", "Enter a real date in the form YYYY-MM-DD", id="not-a-date"),
    pytest.param({"occurred_on": ""}, "occurred_on", "Enter", id="no-date"),
    pytest.param(
        {"occurred_on": (TODAY + timedelta(days=366)).isoformat()},
        "occurred_on",
        "The date must be no more than a year from today",
        id="over-a-year-ahead",
    ),
    pytest.param({"band": "10"}, "band", "Choose a band from: 2, 3, 4, 5, 6, 7, 8a, 8b, 8c, 8d, 9, other", id="unknown-band"),
    pytest.param({"band": ""}, "band", "Choose the staff band of whoever did the work", id="no-band"),
    pytest.param({"request_id": "999999"}, "request_id", "Choose a request from the catalogue", id="unknown-request"),
    pytest.param({"request_id": "sitrep"}, "request_id", "Choose a request from the catalogue", id="request-not-an-id"),
    pytest.param({"request_id": ""}, "request_id", "Choose the request this work was for, or add it below", id="no-request"),
    pytest.param({"team_id": ""}, "team_id", "Choose a team", id="no-team"),
    pytest.param({"duplicated_elsewhere": "maybe"}, "duplicated_elsewhere", "Answer yes, no or unknown", id="bad-answer"),
    pytest.param({"notes": "x" * 2001}, "notes", "Notes must be 2000 characters or fewer", id="notes-too-long"),
]


@pytest.mark.parametrize("overrides, field_id, message", BAD_INPUT)
def test_bad_input_is_shown_by_the_field_and_nothing_is_written(manager_client, db, team, sitrep, overrides, field_id, message):
    events_before = count(db, AuditEvent)
    response = manager_client.post("/entries/new", data=log_form(sitrep, team, **overrides))
    assert response.status_code == 400
    html = text_of(response)
    assert "There is a problem" in html  # the error summary, at the top
    assert html.index("nhsuk-error-summary") < html.index('data-testid="log-form"')
    shown = error_by_field(html, field_id)
    assert shown is not None and shown.startswith(message.replace("'", "&#39;")), shown
    assert count(db, Entry) == 0
    assert count(db, AuditEvent) == events_before


def test_blank_hours_count_as_none(manager_client, db, team, sitrep):
    response = manager_client.post("/entries/new", data=log_form(sitrep, team, time_hours="", time_minutes="45"))
    assert response.status_code == 302
    assert db.session.scalars(select(Entry)).one().minutes == 45


def test_error_summary_follows_the_order_of_the_page(manager_client, team, sitrep):
    html = text_of(manager_client.post("/entries/new", data=log_form(sitrep, team, band="", time_minutes="0", time_hours="0", request_id="")))
    summary = html[html.index("nhsuk-error-summary") : html.index('data-testid="log-form"')]
    links = re.findall(r'href="#([a-z_]+)"', summary)
    assert links == ["request_id", "time_minutes", "band"]


def test_a_team_the_user_is_not_on_is_not_found(manager_client, db, sitrep, other_team):
    response = manager_client.post("/entries/new", data=log_form(sitrep, other_team))
    assert response.status_code == 404  # as on every route that takes a team (tests/test_team_not_visible.py)
    assert count(db, Entry) == 0


def test_a_retired_request_cannot_be_logged(manager_client, db, team, make_request):
    retired = make_request(title="Old return", status="retired")
    response = manager_client.post("/entries/new", data=log_form(retired, team))
    assert response.status_code == 400
    assert "That request is retired" in error_by_field(text_of(response), "request_id")
    assert count(db, Entry) == 0


def test_bad_input_keeps_what_was_typed(manager_client, team, sitrep):
    html = text_of(manager_client.post("/entries/new", data=log_form(sitrep, team, time_minutes="abc", notes="keep me")))
    assert 'value="abc"' in html
    assert "keep me" in html


def test_form_needs_csrf_when_enabled(make_app, make_user, team, sitrep, db):
    user = make_user("manager", [team])
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    login_page = text_of(client.get("/login"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"email": user.email, "password": "correct horse battery", "csrf_token": token})
    response = client.post("/entries/new", data=log_form(sitrep, team))
    assert response.status_code == 400
    assert count(db, Entry) == 0
    form_page = text_of(client.get("/entries/new"))
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', form_page).group(1)
    assert client.post("/entries/new", data=log_form(sitrep, team, csrf_token=token)).status_code == 302
    assert count(db, Entry) == 1


# ---- adding a request from the form ----------------------------------------


def test_new_request_and_new_source_are_added_with_the_entry(manager_client, db, team):
    data = log_form(
        None,
        team,
        new_request_title="Discharge delays deep dive",
        new_request_source_id="new",
        new_source_name="Northshire ICB",
        new_source_kind="commissioner",
        new_request_frequency="ad_hoc",
        new_request_obligation="discretionary",
    )
    response = manager_client.post("/entries/new", data=data)
    assert response.status_code == 302
    source = db.session.scalars(select(Source)).one()
    request = db.session.scalars(select(Request)).one()
    entry = db.session.scalars(select(Entry)).one()
    assert (source.name, source.kind) == ("Northshire ICB", "commissioner")
    assert (request.title, request.source_id, request.frequency, request.obligation, request.status) == (
        "Discharge delays deep dive",
        source.id,
        "ad_hoc",
        "discretionary",
        "active",
    )
    assert request.created_by_id == manager_client.user.id
    assert entry.request_id == request.id
    audited = {(e.entity, e.action) for e in db.session.scalars(select(AuditEvent))}
    assert {("source", "create"), ("request", "create"), ("entry", "create")} <= audited


def test_new_request_for_an_existing_source(manager_client, db, team, make_source):
    cqc = make_source("Care Quality Commission", kind="regulator")
    data = log_form(
        None,
        team,
        new_request_title="Provider information return",
        new_request_source_id=str(cqc.id),
        new_request_frequency="annual",
        new_request_obligation="statutory",
    )
    assert manager_client.post("/entries/new", data=data).status_code == 302
    request = db.session.scalars(select(Request)).one()
    assert request.source_id == cqc.id
    assert count(db, Source) == 1
    assert db.session.scalars(select(Entry)).one().request_id == request.id


def test_nothing_is_added_when_the_entry_part_is_invalid(manager_client, db, team):
    data = log_form(
        None,
        team,
        time_hours="0",
        time_minutes="0",
        new_request_title="Discharge delays deep dive",
        new_request_source_id="new",
        new_source_name="Northshire ICB",
        new_source_kind="commissioner",
        new_request_frequency="ad_hoc",
        new_request_obligation="discretionary",
    )
    response = manager_client.post("/entries/new", data=data)
    assert response.status_code == 400
    assert error_by_field(text_of(response), "time") == "Enter the time spent: at least 1 minute"
    assert (count(db, Source), count(db, Request), count(db, Entry), count(db, AuditEvent)) == (0, 0, 0, 0)


def test_new_request_fields_are_checked_by_each_field(manager_client, db, team):
    # A blank kind, frequency or obligation takes a default (issue 8); a value from nowhere is refused.
    data = log_form(
        None, team, new_request_title="Discharge delays deep dive", new_request_source_id="new",
        new_source_kind="nonsense", new_request_frequency="sometimes",
    )
    response = manager_client.post("/entries/new", data=data)
    assert response.status_code == 400
    html = text_of(response)
    assert error_by_field(html, "new_source_name") == "Enter the name of the body that asked"
    assert error_by_field(html, "new_source_kind") == "Choose the kind of source, or leave it for us to work out"
    assert error_by_field(html, "new_request_frequency") == "Choose how often the request is made"
    assert re.search(r'<details class="nhsuk-details" id="new-request"\s+open', html)  # the expander opens on its errors
    assert (count(db, Source), count(db, Request), count(db, Entry)) == (0, 0, 0)


def test_a_look_alike_request_added_inline_is_the_existing_one(manager_client, db, team, sitrep):
    """The name rule: a title differing only in case and spacing is the request already there."""
    data = log_form(
        None,
        team,
        new_request_title="  " + sitrep.title.upper().replace(" ", "   ") + " ",
        new_request_source_id=str(sitrep.source_id),
        new_request_frequency="weekly",
        new_request_obligation="contractual",
    )
    response = manager_client.post("/entries/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "already in the catalogue, so the entry was logged against it" in text_of(response)
    assert count(db, Request) == 1
    [entry] = db.session.scalars(select(Entry)).all()
    assert entry.request_id == sitrep.id


def test_a_look_alike_source_added_inline_is_the_existing_one(manager_client, db, team, make_source):
    """Regression: the log form once compared names exactly and made 'northshire icb' beside 'Northshire ICB'."""
    icb = make_source("Northshire ICB", kind="commissioner")
    data = log_form(
        None,
        team,
        new_request_title="Discharge delays return",
        new_request_source_id="new",
        new_source_name="northshire   icb",
        new_source_kind="other",
        new_request_frequency="weekly",
        new_request_obligation="contractual",
    )
    response = manager_client.post("/entries/new", data=data, follow_redirects=True)
    assert response.status_code == 200
    assert "&#39;Northshire ICB&#39; is already a source, so it was used" in text_of(response)
    assert count(db, Source) == 1
    [request] = db.session.scalars(select(Request)).all()
    assert request.source_id == icb.id and request.title == "Discharge delays return"


# ---- what the form remembers -----------------------------------------------


def test_band_is_remembered_from_the_last_entry(manager_client, make_entry, team, sitrep):
    make_entry(manager_client.user, team, sitrep, band="3")
    make_entry(manager_client.user, team, sitrep, band="8a")
    html = text_of(manager_client.get("/entries/new"))
    assert re.search(r'<option value="8a"\s+selected', html)
    assert not re.search(r'<option value="3"\s+selected', html)


def test_a_deleted_entry_is_not_remembered(manager_client, db, make_entry, team, sitrep):
    make_entry(manager_client.user, team, sitrep, band="6")
    last = make_entry(manager_client.user, team, sitrep, band="8a")
    manager_client.post(f"/entries/{last.id}/delete")
    assert re.search(r'<option value="6"\s+selected', text_of(manager_client.get("/entries/new")))


def test_last_used_team_is_preselected(client, auth, make_user, make_entry, team, other_team, sitrep):
    user = make_user("manager", [team, other_team])
    auth.login(user.email)
    html = text_of(client.get("/entries/new"))
    assert not re.search(r"<option value=\"\d+\"\s+selected", html.split('id="team_id"')[1].split("</select>")[0])
    make_entry(user, other_team, sitrep)
    html = text_of(client.get("/entries/new"))
    assert re.search(rf'<option value="{other_team.id}"\s+selected', html)
