"""POST /api/v1/entries/batch (issue 23): many entries in one call, all or none, errors by position."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.burden import rollup
from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.shared.timeutil import add_months, month_start
from tracker.signoff.services import sign_off

URL = "/api/v1/entries/batch"
TODAY = date.today()


@pytest.fixture
def manager(make_user, team):
    return make_user("manager", [team], email="batch@example.nhs.uk", name="Bea Batch")


@pytest.fixture
def requests(make_request):
    return [make_request(f"Return {n}") for n in range(4)]


def items(team, requests, count: int) -> list[dict]:
    """`count` valid entries over the last four weeks, spread across requests, bands and answers."""
    return [{
        "request_id": requests[n % len(requests)].id,
        "team_id": team.id,
        "occurred_on": (TODAY - timedelta(days=n % 28)).isoformat(),
        "minutes": 15 + n % 90,
        "band": ("5", "6", "7")[n % 3],
        "duplicated_elsewhere": ("yes", "no", "unknown")[n % 3],
        "used": ("no", "yes")[n % 2],
        "notes": f"item {n}" if n % 5 == 0 else "",
    } for n in range(count)]


def counts(db) -> tuple[int, int]:
    db.session.rollback()
    entries = db.session.scalar(select(func.count()).select_from(Entry))
    audited = db.session.scalar(select(func.count()).select_from(AuditEvent).where(
        AuditEvent.action == "create", AuditEvent.entity == "entry"))
    return entries, audited


def test_five_hundred_entries_in_one_call_each_audited_with_exact_rollups(db, api_for, manager, team, requests):
    sent = items(team, requests, 500)
    response = api_for(manager).post(URL, sent)
    assert response.status_code == 201, response.get_json()
    answered = response.get_json()["items"]
    assert len(answered) == 500
    assert [(e["request_id"], e["occurred_on"], e["minutes"], e["band"], e["notes"]) for e in answered] == [
        (i["request_id"], i["occurred_on"], i["minutes"], i["band"], i["notes"]) for i in sent]
    assert all(e["team"] == team.name and e["logged_by"] for e in answered)
    assert counts(db) == (500, 500)
    assert rollup.differences(db.session) == {}
    stored = db.session.scalars(select(Entry).order_by(Entry.id)).all()
    assert sum(e.minutes for e in stored) == sum(i["minutes"] for i in sent)
    assert {e.logged_by_id for e in stored} == {manager.id}


def test_one_bad_item_among_five_hundred_writes_none(db, api_for, manager, team, requests):
    sent = items(team, requests, 500)
    sent[321]["minutes"] = 0
    response = api_for(manager).post(URL, sent)
    assert response.status_code == 400
    assert response.get_json() == {"errors": {"321": {"minutes": ["Minutes must be a whole number from 1 to 14400"]}}}
    assert counts(db) == (0, 0)
    assert rollup.differences(db.session) == {}


def test_each_bad_item_is_named_by_position_with_the_entry_rules_messages(db, api_for, manager, team, other_team, requests):
    sent = items(team, requests, 6)
    sent[1]["team_id"] = "north"
    sent[2]["minutes"] = "90"  # a string: the OpenAPI type is a JSON number
    sent[3]["band"] = "9z"
    sent[4]["request_id"] = 999_999
    sent[5] = ["not", "an", "entry"]
    errors = api_for(manager).post(URL, sent).get_json()["errors"]
    assert set(errors) == {"1", "2", "3", "4", "5"}
    assert errors["1"]["team_id"]  # not a team's id at all
    assert errors["2"]["minutes"][0].startswith("Send a whole number")
    assert errors["3"]["band"][0].startswith("Choose a band from:")
    assert errors["4"] == {"request_id": ["Choose a request from the catalogue"]}
    assert errors["5"] == {"body": ["Send each entry as a JSON object"]}
    assert counts(db) == (0, 0)


def test_another_teams_id_in_any_item_is_not_found_and_writes_nothing(db, api_for, manager, other_team, team, requests):
    """As for one entry (tests/auth/test_team_not_visible.py): a team the caller may not see is not found."""
    sent = items(team, requests, 4)
    sent[2]["team_id"] = other_team.id
    assert api_for(manager).post(URL, sent).status_code == 404
    assert counts(db) == (0, 0)


def test_a_day_of_a_signed_off_month_refuses_the_whole_batch(db, api_for, make_user, manager, team, requests):
    month = add_months(month_start(TODAY), -2)
    sign_off(db.session, make_user("lead", [team]), team, month)
    db.session.commit()
    sent = items(team, requests, 3)
    sent[2]["occurred_on"] = month.replace(day=10).isoformat()
    errors = api_for(manager).post(URL, sent).get_json()["errors"]
    assert list(errors) == ["2"] and "signed off" in errors["2"]["occurred_on"][0]
    assert counts(db) == (0, 0)


@pytest.mark.parametrize("body, message", [
    ({"entries": []}, "Send a JSON list of entries"),
    ([], "Send a JSON list of entries"),
    ("90", "Send a JSON list of entries"),
])
def test_a_body_that_is_not_a_list_of_entries_is_refused(db, api_for, manager, body, message):
    response = api_for(manager).post(URL, body)
    assert response.status_code == 400
    assert response.get_json()["errors"]["body"][0].startswith(message)


def test_more_than_five_hundred_is_refused_before_any_is_checked(db, api_for, manager, team, requests):
    response = api_for(manager).post(URL, items(team, requests, 501))
    assert response.status_code == 400
    assert response.get_json() == {"errors": {"body": ["Send at most 500 entries at once"]}}
    assert counts(db) == (0, 0)


def test_callers_without_a_token_or_a_team_write_nothing(db, client, api_for, make_user, team, requests):
    sent = items(team, requests, 2)
    assert client.post(URL, json=sent).status_code == 401
    commissioner = api_for(make_user("commissioner"))
    errors = commissioner.post(URL, sent).get_json()["errors"]
    assert errors == {"0": {"team_id": ["Choose one of your teams"]}, "1": {"team_id": ["Choose one of your teams"]}}
    assert counts(db) == (0, 0)


def test_the_openapi_document_describes_the_batch(client, api_for, manager):
    document = api_for(manager).get("/api/v1/openapi.json").get_json()
    operation = document["paths"][URL]["post"]
    assert operation["summary"] == "Log up to 500 entries at once, all or none"
    assert set(operation["responses"]) >= {"201", "400", "401", "403", "413"}
    body = operation["requestBody"]["content"]["application/json"]["schema"]
    assert body["maxItems"] == 500 and body["items"] == {"$ref": "#/components/schemas/EntryInput"}
    assert "EntryInput" in document["components"]["schemas"]
    refused = operation["responses"]["400"]["content"]["application/json"]["schema"]
    assert refused == {"$ref": "#/components/schemas/BatchErrors"}
