"""Licence pages and API: who may use them, writing through them, bad input refused with nothing written,
and where the status shows (catalogue, request page, log form hint)."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest

from tests.licences_support import as_json, estimate_values, licence_rows, set_rate
from tests.conftest import Api
from tracker.auth.commands import new_api_token
from tracker.licences.licensing import decide_licence
from tracker.models.audit import AuditEvent
from tracker.models.licences import Estimate, LicenceDecision
from tracker.shared.timeutil import local_today


@pytest.fixture
def today(app):
    return local_today()


@pytest.fixture
def apis(app, db, make_user, team):
    def build(user):
        token = new_api_token(user)
        db.session.commit()
        return Api(app.test_client(), token, user)

    return {
        "commissioner": build(make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")),
        "admin": build(make_user("admin", email="ada@example.nhs.uk", name="Ada Admin")),
        "manager": build(make_user("manager", [team], email="mina@example.nhs.uk", name="Mina Manager")),
        "lead": build(make_user("lead", [team], email="lee@example.nhs.uk", name="Lee Lead")),
    }


@pytest.fixture
def monthly(make_request, make_source):
    return make_request("Community waiting times", make_source("NHS England", "national_body"), frequency="monthly")


def test_estimate_and_licence_through_the_api_worked_by_hand(db, apis, monthly, today):
    set_rate(db, "6", "36.00", today - timedelta(days=1))
    payload = as_json(estimate_values(respondents=20, responses_per_year=12, minutes_gathering=45,
                                      minutes_quality_assurance=15, one_off_minutes=120, band="6", basis="panel"))
    created = apis["commissioner"].post(f"/api/v1/requests/{monthly.id}/estimates", payload)
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    # 20 teams × 12 × 60 minutes = 14,400 minutes = 240 hours × £36 = £8,640; set-up 20 × 2 hours = 40 hours.
    assert (body["expected_annual_hours"], body["expected_annual_cost"], body["one_off_hours"], body["one_off_cost"]) == (
        240.0, 8640.0, 40.0, 1440.0)
    assert body["expected_fte"] == round(240 / (37.5 * 365 / 7), 3) and body["minutes_per_response"] == 60
    assert body["estimated_on"] == today.isoformat() and body["basis"] == "panel"

    decided = apis["admin"].post(f"/api/v1/requests/{monthly.id}/licence", {"action": "approve", "reference": "ROCR/1"})
    assert decided.status_code == 201, decided.get_json()
    licence = decided.get_json()
    assert licence["approved_on"] == today.isoformat() and licence["estimate_id"] == body["id"]
    assert licence["licence_status"] == "licensed" and licence["expires_on"] == licence["licence_expires_on"]
    listed = apis["manager"].get("/api/v1/requests").get_json()["items"]
    assert [(r["licence_status"], r["licence_expires_on"]) for r in listed] == [("licensed", licence["expires_on"])]
    audited = db.session.query(AuditEvent).filter(AuditEvent.entity.in_(("estimate", "licence_decision"))).count()
    assert audited == 2


@pytest.mark.parametrize("role", ["manager", "lead"])
def test_managers_and_leads_find_no_licence_api(apis, monthly, role):
    caller = apis[role]
    assert caller.get(f"/api/v1/requests/{monthly.id}/estimates").status_code == 404
    assert caller.post(f"/api/v1/requests/{monthly.id}/estimates", as_json(estimate_values())).status_code == 404
    assert caller.post(f"/api/v1/requests/{monthly.id}/licence", {"action": "approve", "reference": "X"}).status_code == 404
    assert caller.get(f"/api/v1/sources/{monthly.source_id}/statement").status_code == 404


@pytest.mark.parametrize("role", ["manager", "lead"])
def test_managers_and_leads_find_no_licence_pages(app, apis, monthly, role):
    client = app.test_client()
    client.post("/login", data={"email": apis[role].user.email, "password": "correct horse battery"})
    for url in ("/licences/", "/licences/accuracy", f"/licences/requests/{monthly.id}", "/licences/statements",
                f"/licences/sources/{monthly.source_id}/statement", f"/licences/sources/{monthly.source_id}/statement.xlsx"):
        assert client.get(url).status_code == 404, url
    assert client.post(f"/licences/requests/{monthly.id}/licence", data={"action": "approve"}).status_code == 404
    assert 'href="/licences/"' not in client.get("/catalogue/requests").get_data(as_text=True)


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"minutes_gathering": -5}, "minutes_gathering"),
        ({"minutes_gathering": 100_001}, "minutes_gathering"),
        ({"minutes_gathering": 3_000}, "notes"),  # more than a working week, no note
        ({"responses_per_year": 52}, "responses_per_year"),  # weekly? the request is monthly
        ({"respondents": 0}, "respondents"),
        ({"respondents": "twelve"}, "respondents"),
        ({"band": "12"}, "band"),
        ({"basis": "guess"}, "basis"),
        ({"purpose": ""}, "purpose"),
        ({"minutes_extraction": 7.5}, "minutes_extraction"),
        ({"respondents": [1, 2]}, "respondents"),
    ],
)
def test_bad_estimates_are_refused_by_field_with_nothing_written(db, apis, monthly, payload, field):
    before = licence_rows(db)
    response = apis["commissioner"].post(f"/api/v1/requests/{monthly.id}/estimates", {**as_json(estimate_values()), **payload})
    assert response.status_code == 400
    assert field in response.get_json()["errors"], response.get_json()
    assert licence_rows(db) == before


def test_an_estimate_or_licence_for_a_request_that_does_not_exist_is_404(db, apis):
    before = licence_rows(db)
    missing = apis["commissioner"].post("/api/v1/requests/999999/estimates", as_json(estimate_values()))
    assert missing.status_code == 404 and "999999" in missing.get_json()["message"]
    assert apis["commissioner"].post("/api/v1/requests/999999/licence", {"action": "approve"}).status_code == 404
    assert apis["commissioner"].get("/api/v1/sources/999999/statement").status_code == 404
    assert licence_rows(db) == before


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"action": "approve", "reference": "R", "approved_on": "2026-05-01", "expires_on": "2026-04-30"}, "expires_on"),
        ({"action": "approve", "reference": "R", "approved_on": "2026-02-30"}, "approved_on"),
        ({"action": "approve", "reference": "R", "approved_on": "1999-12-31"}, "approved_on"),
        ({"action": "approve"}, "reference"),
        ({"action": "renew"}, "action"),
        ({"action": "decline"}, "reasons"),
        ({"action": "revoke"}, "action"),
        ({}, "action"),
    ],
)
def test_bad_licence_decisions_are_refused_by_field_with_nothing_written(db, apis, monthly, payload, field):
    before = licence_rows(db)
    response = apis["commissioner"].post(f"/api/v1/requests/{monthly.id}/licence", payload)
    assert response.status_code == 400
    assert field in response.get_json()["errors"], response.get_json()
    assert licence_rows(db) == before


def test_a_merged_request_cannot_be_licensed_through_the_api_or_the_page(app, db, apis, make_request):
    merged = make_request("Old return", status="merged")
    before = licence_rows(db)
    response = apis["commissioner"].post(f"/api/v1/requests/{merged.id}/licence", {"action": "approve", "reference": "R"})
    assert response.status_code == 400 and "merged" in response.get_json()["errors"]["action"][0]
    client = app.test_client()
    client.post("/login", data={"email": apis["commissioner"].user.email, "password": "correct horse battery"})
    page = client.post(f"/licences/requests/{merged.id}/licence", data={"action": "approve", "reference": "R"})
    assert page.status_code == 400 and "merged: it cannot be licensed" in page.get_data(as_text=True)
    assert licence_rows(db) == before


def _commissioner_client(app, apis):
    client = app.test_client()
    client.post("/login", data={"email": apis["commissioner"].user.email, "password": "correct horse battery"})
    return client


def test_the_pages_record_an_estimate_and_a_licence(app, db, apis, monthly, today):
    client = _commissioner_client(app, apis)
    form = client.get(f"/licences/requests/{monthly.id}/estimates/new")
    assert form.status_code == 200 and 'value="12"' in form.get_data(as_text=True)  # monthly: 12 a year, filled in
    fields = {k: str(v) for k, v in as_json(estimate_values(sector="nhs_trust")).items()}

    refused = client.post(f"/licences/requests/{monthly.id}/estimates/new", data={**fields, "responses_per_year": "4"})
    assert refused.status_code == 400 and "answered 12 times a year" in refused.get_data(as_text=True)
    assert db.session.query(Estimate).count() == 0

    saved = client.post(f"/licences/requests/{monthly.id}/estimates/new", data=fields)
    assert saved.status_code == 302 and db.session.query(Estimate).count() == 1

    bad = client.post(f"/licences/requests/{monthly.id}/licence",
                      data={"action": "approve", "reference": "R-9", "approved_on": "2026-05-01", "expires_on": "2026-01-01"})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "must be after the approval date" in html and 'href="#expires_on"' in html
    assert db.session.query(LicenceDecision).count() == 0

    ok = client.post(f"/licences/requests/{monthly.id}/licence", data={"action": "approve", "reference": "R-9"})
    assert ok.status_code == 302
    page = client.get(f"/licences/requests/{monthly.id}").get_data(as_text=True)
    assert "R-9" in page and 'data-licence="licensed"' in page and "144.00" in page  # 12 × 12 × 60 min = 144 h
    index = client.get("/licences/?status=licensed").get_data(as_text=True)
    assert f'data-key="{monthly.id}"' in index
    assert f'data-key="{monthly.id}"' not in client.get("/licences/?status=none").get_data(as_text=True)


def test_the_status_shows_in_the_catalogue_and_on_the_request_page_for_everyone(app, db, apis, monthly, make_request, today):
    expiring = make_request("Expiring return", monthly.source)
    decide_licence(apis["commissioner"].user, expiring, "approve", today=today, reference="E-1",
                   approved_on=today - timedelta(days=300), expires_on=today + timedelta(days=10))
    db.session.commit()
    manager = app.test_client()
    manager.post("/login", data={"email": apis["manager"].user.email, "password": "correct horse battery"})
    listing = manager.get("/catalogue/requests").get_data(as_text=True)
    assert re.search(rf'{expiring.title}.*?data-licence="expiring"', listing, re.S)
    assert re.search(rf'{monthly.title}.*?data-licence="none"', listing, re.S)
    # The tags say their words (imported macros read `choices` as a template global).
    assert re.search(r'data-licence="expiring"[^>]*>\s*Licence expiring\s*<', listing)
    assert re.search(r'nhsuk-tag--green[^>]*>\s*Active\s*<', listing)
    detail = manager.get(f"/catalogue/requests/{expiring.id}").get_data(as_text=True)
    assert "Licence E-1 expires on" in detail and "(10 days left)" in detail and 'data-testid="licence-link"' not in detail
    commissioner = _commissioner_client(app, apis)
    assert 'data-testid="licence-link"' in commissioner.get(f"/catalogue/requests/{expiring.id}").get_data(as_text=True)


def test_the_log_form_hints_quietly_at_a_request_with_no_current_licence(app, db, apis, monthly, make_request, today):
    licensed = make_request("Licensed return", monthly.source)
    decide_licence(apis["commissioner"].user, licensed, "approve", today=today, reference="L-1")
    db.session.commit()
    manager = app.test_client()
    manager.post("/login", data={"email": apis["manager"].user.email, "password": "correct horse battery"})
    blank = manager.get("/entries/new").get_data(as_text=True)
    hint = re.search(r'<p[^>]*data-testid="licence-hint"[^>]*>', blank).group(0)
    assert f'data-licensed="{licensed.id}"' in hint and "hidden" in hint
    assert "licence-hint.js" in blank
    # A refused submit with the unlicensed request chosen shows the hint without script; the work can still be logged.
    refused = manager.post("/entries/new", data={"request_id": str(monthly.id), "occurred_on": "not a date"})
    hint = re.search(r'<p[^>]*data-testid="licence-hint"[^>]*>', refused.get_data(as_text=True)).group(0)
    assert refused.status_code == 400 and "hidden" not in hint
    team = apis["manager"].user.memberships[0].team_id
    logged = manager.post("/entries/new", data={"request_id": str(monthly.id), "team_id": str(team), "occurred_on": today.isoformat(),
                                                "time_hours": "1", "time_minutes": "0", "band": "5",
                                                "duplicated_elsewhere": "no", "used": "yes"})
    assert logged.status_code == 302


def test_the_statement_page_refuses_a_backwards_period(app, db, apis, monthly):
    client = _commissioner_client(app, apis)
    response = client.get(f"/licences/sources/{monthly.source_id}/statement?from=2026-03-01&to=2026-01-01")
    assert response.status_code == 400 and "same as or after the start date" in response.get_data(as_text=True)
    assert client.get(f"/licences/sources/{monthly.source_id}/statement?from=2026-13-01").status_code == 400
    api = apis["commissioner"].get(f"/api/v1/sources/{monthly.source_id}/statement?from=2026-03-01&to=2026-01-01")
    assert api.status_code == 400 and "to" in api.get_json()["errors"]
    assert apis["commissioner"].get(f"/api/v1/sources/{monthly.source_id}/statement?from=2026-03-01").status_code == 400
    assert client.get(f"/licences/sources/{monthly.source_id}/statement?from={date(2026, 1, 1)}&to={date(2026, 3, 31)}").status_code == 200


def test_the_ranked_workspace_shows_each_requests_licence(app, db, apis, monthly, make_request, today):
    expired = make_request("Expired return", monthly.source)
    decide_licence(apis["commissioner"].user, expired, "approve", today=today, reference="X-1",
                   approved_on=today - timedelta(days=400), expires_on=today - timedelta(days=35))
    db.session.commit()
    html = _commissioner_client(app, apis).get("/rationalise/").get_data(as_text=True)
    ranking = html[html.index('data-testid="ranking"'):]
    for request, status in ((expired, "expired"), (monthly, "none")):
        row = re.search(rf'<tr[^>]*data-key="{request.id}".*?</tr>', ranking, re.S).group(0)
        assert re.search(rf'data-field="licence".*?data-licence="{status}"', row, re.S), status
        assert f'href="/licences/requests/{request.id}"' in row
