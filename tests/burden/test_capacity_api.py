"""The capacity API, the share of management time in /api/v1/burden, and /api/v1/hotspots:
exact figures for a mid-month change, and nothing of another team for a manager or lead."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.capacity_support import mid_month_change, record
from tracker.burden.hotspots import hotspot_window
from tracker.models.audit import AuditEvent
from tracker.models.capacity import TeamCapacity
from tracker.shared.timeutil import local_today


@pytest.fixture
def lead_api(api_for, make_user, team):
    return api_for(make_user("lead", [team]))


def test_a_lead_records_and_reads_their_teams_capacity(db, team, lead_api):
    created = lead_api.post(f"/api/v1/teams/{team.id}/capacity", {"fte": 2.5, "effective_from": "2026-03-01"})
    assert created.status_code == 201, created.get_json()
    body = created.get_json()
    assert (body["fte"], body["effective_from"], body["team_id"]) == (2.5, "2026-03-01", team.id)
    lead_api.post(f"/api/v1/teams/{team.id}/capacity", {"fte": 4, "effective_from": "2026-04-16", "note": "New post"})
    listed = lead_api.get(f"/api/v1/teams/{team.id}/capacity").get_json()
    assert [(c["fte"], c["effective_from"]) for c in listed["items"]] == [(4.0, "2026-04-16"), (2.5, "2026-03-01")]
    assert listed["total"] == 2
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.entity == "team_capacity")) == 2


@pytest.mark.parametrize("payload, field", [
    ({"fte": "2", "effective_from": "2026-03-01"}, "fte"),  # text, not a JSON number
    ({"fte": 0, "effective_from": "2026-03-01"}, "fte"),
    ({"fte": 1000.5, "effective_from": "2026-03-01"}, "fte"),
    ({"fte": 1.2345, "effective_from": "2026-03-01"}, "fte"),
    ({"fte": True, "effective_from": "2026-03-01"}, "fte"),
    ({"fte": None, "effective_from": "2026-03-01"}, "fte"),
    ({"fte": 2, "effective_from": "2026-02-30"}, "effective_from"),
    ({"fte": 2}, "effective_from"),
])
def test_bad_capacity_input_is_a_400_by_the_field_and_writes_nothing(db, team, lead_api, payload, field):
    response = lead_api.post(f"/api/v1/teams/{team.id}/capacity", payload)
    assert response.status_code == 400 and field in response.get_json()["errors"]
    assert db.session.scalar(select(func.count()).select_from(TeamCapacity)) == 0


def test_the_same_day_twice_is_refused(db, team, lead_api):
    assert lead_api.post(f"/api/v1/teams/{team.id}/capacity", {"fte": 1000, "effective_from": "2026-03-01"}).status_code == 201
    again = lead_api.post(f"/api/v1/teams/{team.id}/capacity", {"fte": 3, "effective_from": "2026-03-01"})
    assert again.status_code == 400 and "never changed" in again.get_json()["errors"]["effective_from"][0]


def test_nobody_else_may_record_and_another_teams_capacity_is_not_found(db, team, other_team, make_user, api_for, lead_api):
    manager = api_for(make_user("manager", [team]))
    commissioner = api_for(make_user("commissioner"))
    for caller in (manager, commissioner):
        assert caller.post(f"/api/v1/teams/{team.id}/capacity", {"fte": 1, "effective_from": "2026-03-01"}).status_code == 404
    assert manager.get(f"/api/v1/teams/{team.id}/capacity").status_code == 200
    record(db, make_user("admin"), other_team, "9", date(2026, 1, 1))
    for url in (f"/api/v1/teams/{other_team.id}/capacity", "/api/v1/teams/99999999/capacity"):
        assert lead_api.get(url).status_code == 404
        assert lead_api.post(url, {"fte": 1, "effective_from": "2026-03-01"}).status_code == 404
    admin = api_for(make_user("admin"))
    assert admin.post(f"/api/v1/teams/{other_team.id}/capacity", {"fte": 1.5, "effective_from": "2026-03-01"}).status_code == 201


def test_burden_by_team_and_its_totals_carry_the_exact_share(db, team, other_team, make_user, make_entry, make_request, api_for):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 3), minutes=600)
    body = api_for(make_user("commissioner")).get("/api/v1/burden?group_by=team&from=2026-04-01&to=2026-04-30").get_json()
    rows = {row["key"]: row for row in body["rows"]}
    assert (rows[team.id]["available_hours"], rows[team.id]["capacity_share"]) == (482.14, 0.0996)
    assert (rows[other_team.id]["available_hours"], rows[other_team.id]["capacity_share"]) == (None, None)
    totals = body["totals"]
    assert (totals["available_hours"], totals["capacity_share"]) == (482.14, 0.0996)
    assert (totals["capacity_teams_covered"], totals["capacity_teams_total"]) == (1, 2)
    by_request = api_for(make_user("commissioner")).get("/api/v1/burden?group_by=request&from=2026-04-01&to=2026-04-30").get_json()
    assert "capacity_share" not in by_request["rows"][0] and by_request["totals"]["capacity_share"] == 0.0996
    before = api_for(make_user("commissioner")).get("/api/v1/burden?group_by=team&from=2026-02-01&to=2026-02-28").get_json()
    assert before["totals"]["capacity_share"] is None  # before the first capacity: undefined, never 0


def test_a_managers_burden_shows_only_their_teams_share(db, team, other_team, make_user, make_entry, make_request, api_for):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    record(db, admin, other_team, "1", date(2026, 1, 1))
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 3), minutes=6000)
    manager = api_for(make_user("manager", [team]))
    response = manager.get("/api/v1/burden?group_by=team&from=2026-04-01&to=2026-04-30")
    body = response.get_json()
    assert [row["key"] for row in body["rows"]] == [team.id]
    assert body["totals"]["capacity_share"] == 0.0996 and body["totals"]["capacity_teams_total"] == 1
    assert other_team.name not in response.get_data(as_text=True)
    assert manager.get(f"/api/v1/burden?group_by=team&team_id={other_team.id}").status_code == 404


def test_hotspots_for_a_commissioner_and_only_their_own_for_a_lead(db, team, other_team, make_user, make_entry, make_request, api_for):
    admin = make_user("admin")
    start, end = hotspot_window(local_today())
    for t in (team, other_team):
        record(db, admin, t, "1", start - timedelta(days=40))
    costly = make_request("Costly return")
    make_entry(admin, other_team, costly, occurred_on=start, minutes=150 * 60)  # 150 h of 487.5: 0.3077
    make_entry(admin, team, costly, occurred_on=start, minutes=60)
    everyone = api_for(make_user("commissioner")).get("/api/v1/hotspots").get_json()
    assert [(h["team_id"], h["share"]) for h in everyone["items"]] == [(other_team.id, 0.3077)]
    assert everyone["items"][0]["top_requests"][0]["request_id"] == costly.id
    assert (everyone["from"], everyone["to"]) == (start.isoformat(), end.isoformat())
    lead_api = api_for(make_user("lead", [team]))
    lead = lead_api.get("/api/v1/hotspots")
    assert lead.get_json()["items"] == [] and other_team.name not in lead.get_data(as_text=True)
    assert lead_api.get(f"/api/v1/hotspots?team_id={other_team.id}").status_code == 404
    assert lead_api.get("/api/v1/hotspots?team_id=x").status_code == 400


def test_the_openapi_document_describes_the_new_routes(app, api_for, make_user):
    from openapi_spec_validator import validate

    document = json.loads(api_for(make_user("manager")).get("/api/v1/openapi.json").data)
    validate(document)
    assert {"get", "post"} <= set(document["paths"]["/api/v1/teams/{team_id}/capacity"])
    assert "get" in document["paths"]["/api/v1/hotspots"]
    assert document["components"]["schemas"]["CapacityInput"]["properties"]["fte"]["type"] == "number"
