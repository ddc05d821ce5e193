"""Logging reporting work through the pages: the log form, the list, edit and delete, and who may do what."""
from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.burden.default_rates import default_hourly_cost
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry
from tracker.template_helpers import money

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


# ---- the list --------------------------------------------------------------


@pytest.fixture
def logged(manager_client, make_entry, make_request, make_source, team, other_team, make_user):
    """Three entries in the manager's team (two sources) and one in another team."""
    nhse = make_source("NHS England", kind="national_body")
    icb = make_source("Northshire ICB", kind="commissioner")
    sitrep = make_request(title="Weekly sitrep", source=nhse)
    deep_dive = make_request(title="Delays deep dive", source=icb)
    user = manager_client.user
    entries = {
        "sitrep_b5": make_entry(user, team, sitrep, occurred_on=date(2026, 3, 2), minutes=90, band="5"),
        "sitrep_b7": make_entry(user, team, sitrep, occurred_on=date(2026, 3, 9), minutes=30, band="7"),
        "dive_b6": make_entry(user, team, deep_dive, occurred_on=date(2026, 4, 15), minutes=60, band="6"),
    }
    stranger = make_user("manager", [other_team])
    entries["other_team"] = make_entry(stranger, other_team, sitrep, occurred_on=date(2026, 3, 3), minutes=600, band="9")
    return {"entries": entries, "sitrep": sitrep, "deep_dive": deep_dive, "nhse": nhse, "icb": icb}


def cost(*parts) -> Decimal:
    return sum((Decimal(minutes) / 60 * default_hourly_cost(band) for minutes, band in parts), Decimal(0))


def test_list_shows_the_team_newest_first_with_totals(manager_client, logged):
    html = text_of(manager_client.get("/"))
    e = logged["entries"]
    assert listed_ids(html) == [e["dive_b6"].id, e["sitrep_b7"].id, e["sitrep_b5"].id]
    assert cell(html, "total-entries") == "3"
    assert cell(html, "total-hours") == "3.00"
    assert cell(html, "total-cost") == money(cost((90, "5"), (30, "7"), (60, "6")))
    assert "Weekly sitrep" in html and "NHS England" in html and "1h 30m" in html and "Band 7" in html
    assert "Log reporting work" in html


def test_list_filtered_by_source(manager_client, logged):
    html = text_of(manager_client.get(f"/?source={logged['nhse'].id}"))
    e = logged["entries"]
    assert listed_ids(html) == [e["sitrep_b7"].id, e["sitrep_b5"].id]
    assert cell(html, "total-entries") == "2"
    assert cell(html, "total-hours") == "2.00"
    # 90 min at band 5 + 30 min at band 7, from the default rates
    expected = Decimal(90) / 60 * default_hourly_cost("5") + Decimal(30) / 60 * default_hourly_cost("7")
    assert cell(html, "total-cost") == money(expected)
    # and by hand: band 5 = (31,049 + 37,796) / 2 / 1,955.4 × 1.28 = £22.532883 an hour,
    # band 7 = (47,810 + 54,710) / 2 / 1,955.4 × 1.28 = £33.554669 an hour;
    # 1.5 h × 22.532883 + 0.5 h × 33.554669 = 33.7993245 + 16.7773345 = £50.576659
    assert cell(html, "total-cost") == "£50.58"


def test_list_filtered_by_request_and_dates(manager_client, logged):
    e = logged["entries"]
    html = text_of(manager_client.get(f"/?request={logged['deep_dive'].id}"))
    assert listed_ids(html) == [e["dive_b6"].id]
    assert cell(html, "total-cost") == money(cost((60, "6")))
    html = text_of(manager_client.get("/?from=2026-03-05&to=2026-04-30"))
    assert listed_ids(html) == [e["dive_b6"].id, e["sitrep_b7"].id]
    assert cell(html, "total-hours") == "1.50"
    html = text_of(manager_client.get("/?from=2026-03-01&to=2026-03-02"))
    assert listed_ids(html) == [e["sitrep_b5"].id]
    assert 'value="2026-03-01"' in html  # the filter keeps its value


def test_list_filtered_by_team(client, auth, make_user, team, other_team, logged):
    user = make_user("lead", [team, other_team])
    auth.login(user.email)
    e = logged["entries"]
    html = text_of(client.get("/"))
    assert set(listed_ids(html)) == {entry.id for entry in e.values()}
    html = text_of(client.get(f"/?team={other_team.id}"))
    assert listed_ids(html) == [e["other_team"].id]
    assert cell(html, "total-cost") == money(cost((600, "9")))


@pytest.mark.parametrize(
    "query, field_id, message",
    [
        ("from=2026-02-30", "from", "Enter a real date in the form YYYY-MM-DD"),
        ("from=2026-04-01&to=2026-03-01", "to", "The end date must be the same as or after the start date"),
        ("source=99999", "source", "Choose who asked from the list"),
        ("request=abc", "request", "Choose a request from the list"),
    ],
)
def test_bad_filters_are_explained(manager_client, logged, query, field_id, message):
    response = manager_client.get("/?" + query)
    assert response.status_code == 400
    html = text_of(response)
    assert error_by_field(html, field_id) == message
    assert listed_ids(html) == []


def test_another_teams_filter_is_refused(manager_client, logged, other_team):
    response = manager_client.get(f"/?team={other_team.id}")
    assert response.status_code == 404  # as for every route that takes a team (tests/test_team_not_visible.py)
    html = text_of(response)
    assert logged["entries"]["other_team"].id not in listed_ids(html)
    assert other_team.name not in html


def test_paging(app, manager_client, make_entry, team, sitrep):
    app.config["ENTRIES_PER_PAGE"] = 2
    entries = [make_entry(manager_client.user, team, sitrep, occurred_on=date(2026, 1, day), minutes=10 * day) for day in range(1, 6)]
    newest_first = [e.id for e in reversed(entries)]
    page1 = text_of(manager_client.get("/"))
    assert listed_ids(page1) == newest_first[:2]
    assert cell(page1, "page-info") == "Page 1 of 3"
    assert cell(page1, "total-entries") == "5"  # totals cover every page
    assert cell(page1, "total-hours") == "2.50"
    assert 'href="/?page=2"' in page1
    assert listed_ids(text_of(manager_client.get("/?page=2"))) == newest_first[2:4]
    assert listed_ids(text_of(manager_client.get("/?page=3"))) == newest_first[4:]
    assert listed_ids(text_of(manager_client.get("/?page=99"))) == newest_first[4:]  # past the end: the last page
    assert listed_ids(text_of(manager_client.get("/?page=nonsense"))) == newest_first[:2]


def test_paging_keeps_the_filters(app, manager_client, make_entry, team, sitrep):
    app.config["ENTRIES_PER_PAGE"] = 1
    for day in (1, 2, 3):
        make_entry(manager_client.user, team, sitrep, occurred_on=date(2026, 1, day))
    html = text_of(manager_client.get(f"/?request={sitrep.id}&from=2026-01-01"))
    assert f"page=2" in html
    link = re.search(r'href="(/\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"request={sitrep.id}" in link and "from=2026-01-01" in link


def test_user_text_is_escaped_in_the_list(manager_client, make_request, make_entry, team):
    request = make_request(title="<script>alert(1)</script>")
    make_entry(manager_client.user, team, request)
    html = text_of(manager_client.get("/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


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


def test_the_page_the_api_and_the_workbook_list_the_same_entries_for_a_filter(
    app, db, tmp_path, api_for, lead_client, team, make_entry, make_request, make_source
):
    """One query decides which entries count (tracker.entries.queries.live_entries); three readers, one answer."""
    from openpyxl import load_workbook

    from tracker.exports.workbook import build_workbook

    lead = lead_client.user
    asked_by = make_source("Northshire ICB")
    wanted = make_request("Weekly sitrep", source=asked_by)
    other = make_request("Annual return")
    day = date(2026, 3, 10)
    kept = [make_entry(lead, team, wanted, occurred_on=day, minutes=m) for m in (5, 15)]
    make_entry(lead, team, other, occurred_on=day, minutes=25)
    deleted = make_entry(lead, team, wanted, occurred_on=day, minutes=35)
    lead_client.post(f"/entries/{deleted.id}/delete")
    make_entry(lead, team, wanted, occurred_on=date(2026, 4, 1), minutes=45)  # outside the period

    query = f"from=2026-03-01&to=2026-03-31&source_id={asked_by.id}"
    api_ids = {e["id"] for e in api_for(lead).get(f"/api/v1/entries?{query}").get_json()["items"]}
    page = lead_client.get(f"/?from=2026-03-01&to=2026-03-31&source={asked_by.id}").get_data(as_text=True)
    page_ids = {int(i) for i in re.findall(r'data-entry-id="(\d+)"', page)}
    path = build_workbook(db.session, month=date(2026, 3, 1), team_ids=[team.id], path=tmp_path / "w.xlsx",
                          scope_label=team.name).path
    rows = list(load_workbook(path)["Entries"].iter_rows(min_row=2, values_only=True))
    sheet_minutes = sorted(r[5] for r in rows if r[2] == "Northshire ICB")
    assert api_ids == page_ids == {e.id for e in kept}
    assert sheet_minutes == [5, 15]
