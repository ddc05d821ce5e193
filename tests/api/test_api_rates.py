"""The JSON API: staff-band rates (admins only)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from tests.api_support import (  # noqa: F401  (fixtures, with the ones they use)
    manager, colleague, other_manager, manager_api, lead_api, commissioner_api,
    admin_api, other_api, sitrep, own_entry, other_entry,
)
from tests.api_support import TODAY, row_counts, audit_events, assert_field_error
from tracker.burden.default_rates import default_hourly_cost
from tracker.models.burden import Rate


# ---- rates -------------------------------------------------------------------


def test_admin_adds_a_rate_audited_and_sees_the_history(db, admin_api):
    response = admin_api.post(
        "/api/v1/rates", {"band": "5", "hourly_cost": 31.123456, "effective_from": "2026-04-01", "note": "2026/27 award"}
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert (body["band"], body["hourly_cost"], body["effective_from"], body["note"]) == ("5", 31.123456, "2026-04-01", "2026/27 award")
    rate = db.session.get(Rate, body["id"])
    assert rate.hourly_cost == Decimal("31.123456") and rate.created_by_id == admin_api.user.id
    [event] = audit_events(db, "rate", rate.id, "create")
    assert event.new["hourly_cost"] == "31.123456"

    history = admin_api.get("/api/v1/rates?band=5").get_json()
    assert [(r["effective_from"], r["hourly_cost"]) for r in history["items"]] == [
        ("2000-01-01", float(default_hourly_cost("5"))),
        ("2026-04-01", 31.123456),
    ]
    everything = admin_api.get("/api/v1/rates").get_json()
    assert everything["total"] == 12  # 11 default bands + the new one
    assert everything["items"][0]["band"] == "2"


@pytest.mark.parametrize("api_name", ["manager_api", "lead_api", "commissioner_api"])
def test_rates_are_admin_only(request, db, api_name):
    api = request.getfixturevalue(api_name)
    before = row_counts(db)
    assert api.get("/api/v1/rates").status_code == 404
    response = api.post("/api/v1/rates", {"band": "5", "hourly_cost": "30", "effective_from": "2026-04-01"})
    assert response.status_code == 404 and response.is_json
    assert row_counts(db) == before


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"band": "10"}, "band"),
        ({"band": None}, "band"),
        ({"hourly_cost": 0}, "hourly_cost"),
        ({"hourly_cost": -3}, "hourly_cost"),
        ({"hourly_cost": "thirty"}, "hourly_cost"),
        ({"hourly_cost": "NaN"}, "hourly_cost"),
        ({"hourly_cost": "Infinity"}, "hourly_cost"),
        ({"hourly_cost": "1.1234567"}, "hourly_cost"),
        ({"hourly_cost": 20000}, "hourly_cost"),
        ({"hourly_cost": None}, "hourly_cost"),
        ({"effective_from": "2026-02-29"}, "effective_from"),
        ({"effective_from": "April 2026"}, "effective_from"),
        ({"effective_from": "1999-04-01"}, "effective_from"),
        ({"effective_from": (TODAY + timedelta(days=400)).isoformat()}, "effective_from"),
        ({"effective_from": None}, "effective_from"),
        ({"effective_from": "2000-01-01"}, "effective_from"),  # band 5 already has its default from then
        ({"note": "n" * 301}, "note"),
    ],
)
def test_bad_rate_is_400_and_nothing_written(db, admin_api, overrides, field):
    payload = {"band": "5", "hourly_cost": "30.5", "effective_from": "2026-04-01"}
    payload.update(overrides)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = row_counts(db)
    assert_field_error(admin_api.post("/api/v1/rates", payload), field)
    assert row_counts(db) == before


def test_a_duplicate_rate_says_why(db, admin_api):
    payload = {"band": "8a", "hourly_cost": "45", "effective_from": "2026-04-01"}
    assert admin_api.post("/api/v1/rates", payload).status_code == 201
    before = row_counts(db)
    messages = assert_field_error(admin_api.post("/api/v1/rates", {**payload, "hourly_cost": "46"}), "effective_from")
    assert "already has a rate from 1 April 2026" in messages[0]
    assert row_counts(db) == before


def test_a_new_rate_never_changes_earlier_entries(admin_api, manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    cost_before = manager_api.get(url).get_json()["cost"]
    later = (own_entry.occurred_on + timedelta(days=1)).isoformat()
    assert admin_api.post("/api/v1/rates", {"band": "5", "hourly_cost": "99", "effective_from": later}).status_code == 201
    assert manager_api.get(url).get_json()["cost"] == cost_before
    same_day = own_entry.occurred_on.isoformat()
    assert admin_api.post("/api/v1/rates", {"band": "5", "hourly_cost": "10", "effective_from": same_day}).status_code == 201
    assert manager_api.get(url).get_json()["cost"] == 15.0  # 90 minutes at £10
