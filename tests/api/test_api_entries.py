"""The JSON API: logging and reading entries, and another team's entries by any route (404)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tests.api_support import (  # noqa: F401  (fixtures, with the ones they use)
    manager, colleague, other_manager, manager_api, lead_api, commissioner_api,
    admin_api, other_api, sitrep, own_entry, other_entry,
)
from tests.api_support import BAD_ENTRY_FIELDS, TODAY, row_counts, audit_events, entry_payload, assert_field_error
from tracker.burden.default_rates import default_hourly_cost
from tracker.models.entries import Entry


# ---- entries: logging --------------------------------------------------------


def test_manager_logs_an_entry(db, manager_api, manager, team, sitrep):
    payload = entry_payload(team, sitrep)
    response = manager_api.post("/api/v1/entries", payload)
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    entry = db.session.get(Entry, body["id"])
    rate = default_hourly_cost("6")
    assert body == {
        "id": entry.id,
        "request_id": sitrep.id,
        "request": "Weekly sitrep",
        "source_id": sitrep.source_id,
        "team_id": team.id,
        "team": "Community Nursing North",
        "occurred_on": payload["occurred_on"],
        "minutes": 45,
        "hours": 0.75,
        "band": "6",
        "duplicated_elsewhere": "yes",
        "used": "no",
        "notes": "Filled in the template again",
        "cost": float((Decimal(45) / 60 * rate).quantize(Decimal("0.01"))),
        "logged_by": {"id": manager.id, "name": "Mina Manager"},
        "created_at": entry.created_at.isoformat(),
        "updated_at": entry.updated_at.isoformat(),
    }
    assert entry.logged_by_id == manager.id and entry.minutes == 45
    [event] = audit_events(db, "entry", entry.id, "create")
    assert event.user_id == manager.id and event.new["minutes"] == 45


def test_yes_no_answers_may_be_booleans_and_optional_fields_default(db, manager_api, team, sitrep):
    payload = entry_payload(team, sitrep, duplicated_elsewhere=True)
    del payload["used"], payload["notes"]
    body = manager_api.post("/api/v1/entries", payload).get_json()
    assert (body["duplicated_elsewhere"], body["used"], body["notes"]) == ("yes", "unknown", "")


def test_cost_uses_the_rate_effective_on_the_date_rounded_half_up(db, admin_api, manager_api, team, sitrep):
    # 3 minutes at £2.50 an hour is £0.125: half-up gives 0.13 (banker's rounding would give 0.12).
    assert admin_api.post("/api/v1/rates", {"band": "4", "hourly_cost": "2.5", "effective_from": "2025-01-01"}).status_code == 201
    before = manager_api.post("/api/v1/entries", entry_payload(team, sitrep, band="4", minutes=3, occurred_on="2024-12-31"))
    after = manager_api.post("/api/v1/entries", entry_payload(team, sitrep, band="4", minutes=3, occurred_on="2025-01-01"))
    assert after.get_json()["cost"] == 0.13
    old_rate = default_hourly_cost("4")
    assert before.get_json()["cost"] == float((Decimal(3) / 60 * old_rate).quantize(Decimal("0.01")))
    assert before.get_json()["hours"] == 0.05


def test_band_other_costs_as_band_seven(manager_api, team, sitrep):
    body = manager_api.post("/api/v1/entries", entry_payload(team, sitrep, band="other", minutes=60)).get_json()
    assert body["cost"] == float(default_hourly_cost("7").quantize(Decimal("0.01")))


def test_commissioner_cannot_log_entries(db, commissioner_api, team, sitrep):
    # 400 on team_id, as the log form would say: no team is one a commissioner may log for.
    before = row_counts(db)
    messages = assert_field_error(commissioner_api.post("/api/v1/entries", entry_payload(team, sitrep)), "team_id")
    assert messages == ["Choose one of your teams"]
    assert row_counts(db) == before


def test_manager_cannot_log_for_another_team(db, manager_api, other_team, sitrep):
    """Another team's id is not found, as on every route that takes a team (tests/auth/test_team_not_visible.py)."""
    before = row_counts(db)
    assert manager_api.post("/api/v1/entries", entry_payload(other_team, sitrep)).status_code == 404
    assert row_counts(db) == before


def test_admin_logs_for_any_team(admin_api, other_team, sitrep):
    assert admin_api.post("/api/v1/entries", entry_payload(other_team, sitrep)).status_code == 201


@pytest.mark.parametrize("overrides, field", BAD_ENTRY_FIELDS)
def test_bad_entry_is_400_by_field_and_nothing_written(db, manager_api, team, sitrep, overrides, field):
    payload = entry_payload(team, sitrep, **overrides)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = row_counts(db)
    assert_field_error(manager_api.post("/api/v1/entries", payload), field)
    assert row_counts(db) == before


def test_a_retired_request_cannot_be_logged(db, manager_api, team, make_request):
    retired = make_request("Old return", status="retired")
    before = row_counts(db)
    messages = assert_field_error(manager_api.post("/api/v1/entries", entry_payload(team, retired)), "request_id")
    assert "retired" in messages[0]
    assert row_counts(db) == before


def test_every_bad_field_is_reported_at_once(manager_api, team, sitrep):
    response = manager_api.post("/api/v1/entries", {"team_id": team.id, "minutes": 0, "band": "x", "occurred_on": "nope"})
    assert {"request_id", "minutes", "band", "occurred_on"} <= set(response.get_json()["errors"])


# ---- entries: reading --------------------------------------------------------


def test_manager_lists_only_their_teams_entries(manager_api, own_entry, other_entry):
    body = manager_api.get("/api/v1/entries").get_json()
    assert [e["id"] for e in body["items"]] == [own_entry.id]
    assert body["total"] == 1


def test_commissioner_reads_every_team(commissioner_api, own_entry, other_entry, other_team):
    body = commissioner_api.get("/api/v1/entries").get_json()
    assert [e["id"] for e in body["items"]] == [other_entry.id, own_entry.id]  # newest first
    filtered = commissioner_api.get(f"/api/v1/entries?team_id={other_team.id}").get_json()
    assert [e["id"] for e in filtered["items"]] == [other_entry.id]
    assert commissioner_api.get(f"/api/v1/entries/{other_entry.id}").status_code == 200


def test_entries_filter_by_team_and_dates(make_entry, manager_api, manager, team, sitrep):
    early = make_entry(manager, team, sitrep, occurred_on=date(2025, 3, 1))
    middle = make_entry(manager, team, sitrep, occurred_on=date(2025, 3, 15))
    make_entry(manager, team, sitrep, occurred_on=date(2025, 4, 1))
    body = manager_api.get(f"/api/v1/entries?team_id={team.id}&from=2025-03-01&to=2025-03-31").get_json()
    assert [e["id"] for e in body["items"]] == [middle.id, early.id]
    only = manager_api.get("/api/v1/entries?from=2025-03-15&to=2025-03-15").get_json()
    assert [e["id"] for e in only["items"]] == [middle.id]


def test_the_list_total_is_the_count_of_the_live_entries_it_pages(app, db, make_entry, make_request, commissioner_api,
                                                                    manager, team, other_team, sitrep, monkeypatch):
    """`total` comes from the rollups (as the entries page's does), not a COUNT over the entries: it must be
    the count of the live entries each filter selects, deletions and other pages included."""
    from sqlalchemy import func, select

    from tracker.entries.services import delete_entry
    from tracker.models.catalogue import Request
    from tracker.models.entries import Entry

    other_request = make_request("Another return")
    made = [make_entry(manager, team, sitrep if n % 3 else other_request, occurred_on=date(2025, 1 + n % 5, 1 + n), minutes=5 + n)
            for n in range(11)]
    delete_entry(manager, made[4])
    db.session.commit()
    monkeypatch.setitem(app.config, "API_PAGE_SIZE", 4)
    for query, where in (("", []), (f"team_id={team.id}", [Entry.team_id == team.id]),
                         (f"team_id={other_team.id}", [Entry.team_id == other_team.id]),
                         ("from=2025-02-01&to=2025-04-30", [Entry.occurred_on.between(date(2025, 2, 1), date(2025, 4, 30))]),
                         (f"request_id={sitrep.id}", [Entry.request_id == sitrep.id]),
                         (f"source_id={sitrep.source_id}&from=2025-03-01",
                          [Entry.request_id.in_(select(Request.id).where(Request.source_id == sitrep.source_id)),
                           Entry.occurred_on >= date(2025, 3, 1)])):
        expected = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.deleted_at.is_(None), *where))
        listed, page = [], 1
        while True:
            body = commissioner_api.get(f"/api/v1/entries?{query}&page={page}").get_json()
            assert body["total"] == expected, query
            if not body["items"]:
                break
            listed += body["items"]
            page += 1
        assert len(listed) == expected and made[4].id not in {e["id"] for e in listed}, query
        assert page - 1 == -(-expected // 4), query  # pages of four, then an empty one


def test_entries_of_a_team_the_caller_cannot_see_are_404(manager_api, other_team, other_entry):
    assert manager_api.get(f"/api/v1/entries?team_id={other_team.id}").status_code == 404
    assert manager_api.get("/api/v1/entries?team_id=999999").status_code == 404


@pytest.mark.parametrize(
    "query, field",
    [
        ("from=2025-02-30", "from"),
        ("to=31/03/2025", "to"),
        ("from=20250301", "from"),
        ("from=2025-04-01&to=2025-03-01", "to"),
        ("team_id=abc", "team_id"),
        ("page=0", "page"),
    ],
)
def test_bad_entry_list_filters_are_400(manager_api, query, field):
    assert_field_error(manager_api.get(f"/api/v1/entries?{query}"), field)


def test_get_one_entry(manager_api, own_entry):
    body = manager_api.get(f"/api/v1/entries/{own_entry.id}").get_json()
    assert body["id"] == own_entry.id and body["minutes"] == 90 and body["hours"] == 1.5 and body["notes"] == "mine"


# ---- entries: another team's, by any route -------------------------------------


def test_another_teams_entry_is_404_by_every_route(db, manager_api, other_entry):
    url = f"/api/v1/entries/{other_entry.id}"
    before = row_counts(db)
    assert manager_api.get(url).status_code == 404
    assert manager_api.patch(url, {"minutes": 1}).status_code == 404
    assert manager_api.delete(url).status_code == 404
    db.session.expire_all()
    assert row_counts(db) == before
    still = db.session.get(Entry, other_entry.id)
    assert still.minutes == 30 and still.deleted_at is None


def test_a_guessed_id_is_404(manager_api, own_entry):
    for method in ("get", "patch", "delete"):
        response = getattr(manager_api, method)(f"/api/v1/entries/{own_entry.id + 1000}")
        assert response.status_code == 404 and response.is_json


def test_the_404_for_another_teams_entry_matches_a_missing_one(manager_api, other_entry):
    hidden = manager_api.get(f"/api/v1/entries/{other_entry.id}")
    missing = manager_api.get("/api/v1/entries/987654")
    assert hidden.get_json() == missing.get_json()
