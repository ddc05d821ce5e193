"""The workspace over the API: figures on GET /api/v1/requests, decisions, and their effect on logging."""
from __future__ import annotations

from datetime import timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from tracker.auth.commands import new_api_token
from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.models.workspace import Decision
from tracker.workspace.decisions import DecisionInput, record_decision
from tracker.shared.timeutil import local_today, shift_months

RATE_5 = Decimal("22.532883")


class Api:
    def __init__(self, client, token):
        self.client, self.headers = client, {"Authorization": f"Bearer {token}"}

    def get(self, url):
        return self.client.get(url, headers=self.headers)

    def post(self, url, payload):
        return self.client.post(url, headers=self.headers, json=payload)


@pytest.fixture
def api_for(app, db):
    def build(user):
        token = new_api_token(user)
        db.session.commit()
        return Api(app.test_client(), token)

    return build


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def two_places(value) -> float:
    return float(Decimal(value).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


@pytest.fixture
def world(db, make_user, make_team, make_source, make_request, make_entry, team):
    today = local_today()
    admin = make_user("admin", email="api.admin@example.nhs.uk")
    commissioner = make_user("commissioner", email="api.commissioner@example.nhs.uk")
    manager = make_user("manager", [team], email="api.manager@example.nhs.uk")
    south = make_team("South")
    nhse, icb = make_source("NHS England"), make_source("Integrated Care Board", kind="commissioner")
    sitrep = make_request("Weekly winter sitrep", source=nhse, frequency="weekly")
    lookalike = make_request("Winter situation report (weekly)", source=icb, frequency="weekly")
    adhoc = make_request("Ad hoc workforce request", source=icb, frequency="ad_hoc", obligation="discretionary")
    for days, who, minutes, dup, used in ((10, team, 30, "yes", "yes"), (40, team, 60, "no", "no"),
                                          (70, team, 90, "no", "no"), (20, south, 60, "yes", "no"),
                                          (50, south, 60, "no", "no")):
        make_entry(admin, who, sitrep, occurred_on=today - timedelta(days=days), minutes=minutes,
                   duplicated_elsewhere=dup, used=used)
    for days, minutes in ((15, 120), (25, 240), (35, 180)):
        make_entry(admin, team, adhoc, occurred_on=today - timedelta(days=days), minutes=minutes)
    return {"today": today, "admin": admin, "commissioner": commissioner, "manager": manager, "team": team,
            "sitrep": sitrep, "lookalike": lookalike, "adhoc": adhoc}


def test_commissioners_get_each_requests_figures(world, api_for):
    body = api_for(world["commissioner"]).get("/api/v1/requests").get_json()
    items = {item["id"]: item for item in body["items"]}
    sitrep = items[world["sitrep"].id]
    assert sitrep["title"] == "Weekly winter sitrep"  # the catalogue's own fields stay
    assert sitrep["observed_hours_12m"] == 5.0
    assert sitrep["observed_cost_12m"] == two_places(5 * RATE_5)
    assert (sitrep["entries_12m"], sitrep["teams_12m"]) == (5, 2)
    assert sitrep["median_hours_per_entry"] == 1.0
    assert sitrep["projected_annual_hours"] == 104.0
    assert sitrep["projected_annual_cost"] == two_places(104 * RATE_5)
    assert sitrep["projected_annual_fte"] == 0.053
    assert sitrep["duplicated_share"] == 0.3  # 90 of 300 minutes
    assert sitrep["used_share"] == 0.1
    [duplicate] = sitrep["likely_duplicates"]
    assert duplicate["id"] == world["lookalike"].id and 70 <= duplicate["score"] <= 100
    adhoc = items[world["adhoc"].id]
    assert adhoc["median_hours_per_entry"] == 3.0
    assert adhoc["projected_annual_hours"] == 9.0  # ad hoc: median 3 hours × 3 observed entries
    empty = items[world["lookalike"].id]
    assert (empty["observed_hours_12m"], empty["median_hours_per_entry"], empty["duplicated_share"]) == (0.0, None, None)
    assert [r["id"] for r in body["items"]] == sorted(items, key=lambda i: items[i]["title"])  # default: by title


def test_sorting_by_a_figure(world, api_for):
    api = api_for(world["commissioner"])
    ids = [r["id"] for r in api.get("/api/v1/requests?sort=-projected_annual_hours").get_json()["items"]]
    assert ids == [world["sitrep"].id, world["adhoc"].id, world["lookalike"].id]
    ids = [r["id"] for r in api.get("/api/v1/requests?sort=median_hours_per_entry").get_json()["items"]]
    assert ids == [world["sitrep"].id, world["adhoc"].id, world["lookalike"].id]  # no median: last
    filtered = api.get("/api/v1/requests?obligation=discretionary&source_kind=commissioner").get_json()["items"]
    assert [r["id"] for r in filtered] == [world["adhoc"].id]
    response = api.get("/api/v1/requests?sort=cheapest")
    assert response.status_code == 400
    assert "projected_annual_cost" in response.get_json()["errors"]["sort"][0]


def test_managers_get_the_catalogue_without_figures_of_other_teams(world, api_for):
    api = api_for(world["manager"])
    item = api.get("/api/v1/requests").get_json()["items"][0]
    assert "observed_hours_12m" not in item and "likely_duplicates" not in item
    assert api.get("/api/v1/requests?sort=-observed_hours_12m").status_code == 400
    assert api.get("/api/v1/requests?sort=title").status_code == 200


def test_a_decision_through_the_api(world, api_for, db):
    api = api_for(world["commissioner"])
    today = world["today"]
    response = api.post(f"/api/v1/requests/{world['sitrep'].id}/decisions", {
        "decision": "reduce_frequency", "new_frequency": "monthly", "rationale": "Monthly is enough",
        "effective_date": shift_months(today, 1).isoformat()})
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["decision"] == "reduce_frequency" and body["new_frequency"] == "monthly"
    assert body["status"] == "scheduled"
    assert body["review_date"] == shift_months(shift_months(today, 1), 6).isoformat()
    assert body["baseline_hours"] == 5.0 and body["baseline_entries"] == 5 and body["baseline_teams"] == 2
    expected = Decimal(104) * (1 - Decimal(12) / 52)  # 80 hours
    assert body["expected_saving_hours"] == 80.0
    assert body["expected_saving_cost"] == two_places(expected * RATE_5)
    assert (body["realised_saving_hours"], body["realised_saving_cost"], body["saving_uncertain"]) == (None, None, None)

    listed = api.get("/api/v1/decisions").get_json()
    assert listed["total"] == 1 and listed["items"][0] == body
    assert api.get("/api/v1/decisions?status=scheduled").get_json()["total"] == 1
    assert api.get("/api/v1/decisions?status=in_effect").get_json()["total"] == 0
    assert api.get(f"/api/v1/decisions?request_id={world['adhoc'].id}").get_json()["total"] == 0
    assert api.get("/api/v1/decisions?status=maybe").status_code == 400


def test_the_realised_saving_through_the_api(world, api_for, make_request, make_entry, db):
    today = world["today"]
    effective = shift_months(today, -4)
    returned = make_request("Old monthly return", frequency="monthly")
    for days in (10, 100, 200):
        make_entry(world["admin"], world["team"], returned, occurred_on=effective - timedelta(days=days), minutes=60)
    make_entry(world["admin"], world["team"], returned, occurred_on=effective + timedelta(days=5), minutes=30)
    record_decision(world["commissioner"], returned, DecisionInput("retire", "Unused", effective), today)
    db.session.commit()
    [item] = api_for(world["commissioner"]).get(f"/api/v1/decisions?request_id={returned.id}").get_json()["items"]
    days = (today - effective).days + 1
    realised = 3 - Decimal(30) * 365 / (60 * days)
    assert item["status"] == "in_effect"
    assert item["realised_saving_hours"] == two_places(realised)
    assert item["realised_saving_cost"] == two_places(realised * RATE_5)
    assert item["saving_uncertain"] is False  # the team's other work went on


REFUSALS = [
    ({"decision": "merge", "merge_into": "self"}, "merge_into", "cannot be merged into itself"),
    ({"decision": "merge", "merge_into": "retired"}, "merge_into", "is retired"),
    ({"decision": "merge", "merge_into": 999999}, "merge_into", "There is no request 999999"),
    ({"decision": "reduce_frequency", "new_frequency": "weekly"}, "new_frequency", "not less often than now"),
    ({"decision": "simplify", "target_hours_per_entry": 0}, "target_hours_per_entry", "more than 0"),
    ({"decision": "simplify", "target_hours_per_entry": 5}, "target_hours_per_entry", "less than the median now"),
    ({"decision": "retire", "effective_date": "back"}, "effective_date", "Enter a real date"),
    ({"decision": "retire", "effective_date": "years back"}, "effective_date", "at most a year back"),
    ({"decision": "retire", "effective_date": "years ahead"}, "effective_date", "at most two years ahead"),
    ({"decision": "retire", "review_date": "day before"}, "review_date", "on or after the effective date"),
    ({"decision": "retire", "rationale": "  "}, "rationale", "Say why"),
    ({"decision": "cancel"}, "decision", "Choose a decision"),
    ({"decision": ["retire"]}, "decision", "Send text (a JSON string, in quotes)"),
]


@pytest.mark.parametrize("payload, field, message", REFUSALS)
def test_bad_decisions_are_400_by_field_with_nothing_written(world, api_for, make_request, db, payload, field, message):
    today = world["today"]
    values = {"rationale": "Because", "effective_date": today.isoformat(), **payload}
    special = {"self": world["sitrep"].id, "retired": make_request("Gone", status="retired").id,
               "back": "2026-13-01", "years back": shift_months(today, -13).isoformat(),
               "years ahead": shift_months(today, 25).isoformat(), "day before": (today - timedelta(days=1)).isoformat()}
    values = {k: special.get(v, v) if isinstance(v, str) else v for k, v in values.items()}
    events = count(db, AuditEvent)
    response = api_for(world["commissioner"]).post(f"/api/v1/requests/{world['sitrep'].id}/decisions", values)
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert list(errors) == [field] and message in errors[field][0], errors
    assert count(db, Decision) == 0 and count(db, AuditEvent) == events


def test_a_second_live_decision_is_refused_and_bodies_must_be_objects(world, api_for, db):
    api = api_for(world["commissioner"])
    url = f"/api/v1/requests/{world['sitrep'].id}/decisions"
    payload = {"decision": "keep", "rationale": "Statutory", "effective_date": world["today"].isoformat()}
    assert api.post(url, payload).status_code == 201
    second = api.post(url, {**payload, "decision": "retire"})
    assert second.status_code == 400 and "withdraw it first" in second.get_json()["errors"]["decision"][0]
    assert api.post(url, ["keep"]).get_json() == {"errors": {"body": ["Send a JSON object with Content-Type: application/json"]}}
    assert count(db, Decision) == 1


def test_managers_and_leads_get_404_from_the_decision_routes(world, api_for, make_user, db):
    lead = make_user("lead", [world["team"]], email="api.lead@example.nhs.uk")
    for user in (world["manager"], lead):
        api = api_for(user)
        response = api.post(f"/api/v1/requests/{world['sitrep'].id}/decisions",
                            {"decision": "retire", "rationale": "x", "effective_date": world["today"].isoformat()})
        assert response.status_code == 404 and "message" in response.get_json()
        assert api.get("/api/v1/decisions").status_code == 404
    assert api_for(world["commissioner"]).post("/api/v1/requests/999999/decisions", {}).status_code == 404
    assert count(db, Decision) == 0


# ---- what managers see where they log -------------------------------------------------


def entry(world, request, day) -> dict:
    return {"request_id": request.id, "team_id": world["team"].id, "occurred_on": day.isoformat(), "minutes": 30,
            "band": "5"}


def test_a_retired_request_cannot_take_new_work_from_its_effective_date(world, api_for, app, db):
    today = world["today"]
    record_decision(world["commissioner"], world["sitrep"], DecisionInput("retire", "Unused", today), today)
    db.session.commit()
    before = count(db, Entry)
    api = api_for(world["manager"])
    response = api.post("/api/v1/entries", entry(world, world["sitrep"], today))
    assert response.status_code == 400
    assert response.get_json()["errors"]["request_id"] == [
        f"That request is retired from {today:%-d %B %Y}: it is no longer asked for, so no new work can be logged against it"]
    # work done the day before the effective date may still be logged late
    assert api.post("/api/v1/entries", entry(world, world["sitrep"], today - timedelta(days=1))).status_code == 201
    assert count(db, Entry) == before + 1


def test_the_log_form_names_the_replacement_of_a_merged_request(world, app, db):
    from tests.conftest import AuthActions, PASSWORD

    today = world["today"]
    record_decision(world["commissioner"], world["sitrep"],
                    DecisionInput("merge", "Same data", today, merge_into_id=world["lookalike"].id), today)
    db.session.commit()
    world["manager"].set_password(PASSWORD)
    db.session.commit()
    client = app.test_client()
    AuthActions(client).login(world["manager"].email)
    before = count(db, Entry)
    response = client.post("/entries/new", data={
        "request_id": str(world["sitrep"].id), "team_id": str(world["team"].id), "occurred_on": today.isoformat(),
        "time_hours": "1", "time_minutes": "0", "band": "5", "duplicated_elsewhere": "unknown", "used": "unknown"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert ("That request is merged into &#39;Winter situation report (weekly) (Integrated Care Board)&#39; from "
            f"{today:%-d %B %Y}: log this work against &#39;Winter situation report (weekly)&#39; instead") in html
    assert count(db, Entry) == before
