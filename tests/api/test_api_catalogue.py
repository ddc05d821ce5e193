"""The JSON API: teams, sources and requests, every role, every kind of bad input."""
from __future__ import annotations

import json

import pytest

from tests.api_support import (  # noqa: F401  (fixtures, with the ones they use)
    manager, colleague, other_manager, manager_api, lead_api, commissioner_api,
    admin_api, other_api, sitrep, own_entry, other_entry,
)
from tests.api_support import row_counts, audit_events, assert_field_error
from tracker.models.catalogue import Request, Source


# ---- teams -------------------------------------------------------------------


def test_manager_sees_only_their_teams(manager_api, team, other_team):
    body = manager_api.get("/api/v1/teams").get_json()
    assert set(body) == {"items", "page", "pages", "total"}
    assert body["total"] == 1 and body["page"] == 1 and body["pages"] == 1
    assert body["items"] == [
        {
            "id": team.id,
            "name": "Community Nursing North",
            "slug": "community-nursing-north",
            "organisation": "Northshire NHS Foundation Trust",
            "sector": "nhs_trust",
            "active": True,
        }
    ]


@pytest.mark.parametrize("api_name", ["commissioner_api", "admin_api"])
def test_commissioners_and_admins_see_every_team(request, api_name, team, other_team):
    body = request.getfixturevalue(api_name).get("/api/v1/teams").get_json()
    assert [t["name"] for t in body["items"]] == ["Adult Social Care East", "Community Nursing North"]
    assert body["total"] == 2


def test_teams_filter_by_name(commissioner_api, team, other_team):
    body = commissioner_api.get("/api/v1/teams?q=nursing").get_json()
    assert [t["id"] for t in body["items"]] == [team.id]


def test_lists_page_through_results(app, commissioner_api, make_team):
    for n in range(5):
        make_team(f"Paged team {n}")
    app.config["API_PAGE_SIZE"] = 2
    first = commissioner_api.get("/api/v1/teams").get_json()
    third = commissioner_api.get("/api/v1/teams?page=3").get_json()
    assert (first["total"], first["pages"], len(first["items"])) == (5, 3, 2)
    assert [t["name"] for t in third["items"]] == ["Paged team 4"] and third["page"] == 3
    assert commissioner_api.get("/api/v1/teams?page=9").get_json()["items"] == []


@pytest.mark.parametrize("page", ["0", "-1", "two", "1.5"])
def test_a_bad_page_number_is_400(commissioner_api, page):
    assert_field_error(commissioner_api.get(f"/api/v1/teams?page={page}"), "page")


# ---- sources -----------------------------------------------------------------


def test_sources_list_and_filters(manager_api, make_source):
    cqc = make_source("Care Quality Commission", "regulator")
    make_source("County Council", "local_authority")
    body = manager_api.get("/api/v1/sources").get_json()
    assert [s["name"] for s in body["items"]] == ["Care Quality Commission", "County Council"]
    assert body["items"][0]["id"] == cqc.id and body["items"][0]["kind"] == "regulator"
    assert [s["id"] for s in manager_api.get("/api/v1/sources?kind=regulator").get_json()["items"]] == [cqc.id]
    assert [s["id"] for s in manager_api.get("/api/v1/sources?q=quality").get_json()["items"]] == [cqc.id]
    assert manager_api.get("/api/v1/sources?q=100%25").get_json()["items"] == []  # % is literal
    assert_field_error(manager_api.get("/api/v1/sources?kind=alien"), "kind")


@pytest.mark.parametrize("api_name", ["manager_api", "lead_api", "commissioner_api", "admin_api"])
def test_any_role_adds_a_source_audited(request, db, api_name):
    api = request.getfixturevalue(api_name)
    response = api.post("/api/v1/sources", {"name": "  Programme Office  ", "kind": "programme_office"})
    assert response.status_code == 201
    body = response.get_json()
    assert body["name"] == "Programme Office" and body["kind"] == "programme_office"
    source = db.session.get(Source, body["id"])
    assert source.name == "Programme Office"
    [event] = audit_events(db, "source", source.id, "create")
    assert event.user_id == api.user.id and event.new["name"] == "Programme Office"


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"kind": "regulator"}, "name"),
        ({"name": "   ", "kind": "regulator"}, "name"),
        ({"name": "x" * 161, "kind": "regulator"}, "name"),
        ({"name": "care quality commission", "kind": "regulator"}, "name"),  # exists, any case
        ({"name": "New body"}, "kind"),
        ({"name": "New body", "kind": "alien"}, "kind"),
        ({"name": ["New body"], "kind": "regulator"}, "name"),
    ],
)
def test_bad_source_is_400_and_nothing_written(db, manager_api, make_source, payload, field):
    make_source("Care Quality Commission", "regulator")
    before = row_counts(db)
    assert_field_error(manager_api.post("/api/v1/sources", payload), field)
    assert row_counts(db) == before


@pytest.mark.parametrize(
    "kwargs",
    [
        {"data": "name=x&kind=regulator", "content_type": "application/x-www-form-urlencoded"},
        {"data": "{not json", "content_type": "application/json"},
        {"data": json.dumps(["a", "list"]), "content_type": "application/json"},
        {},
    ],
)
def test_a_body_that_is_not_a_json_object_is_400(db, manager_api, kwargs):
    before = row_counts(db)
    errors = assert_field_error(manager_api.post("/api/v1/sources", **kwargs), "body")
    assert "JSON object" in errors[0]
    assert row_counts(db) == before


# ---- requests ----------------------------------------------------------------


WORKSPACE_FIGURES = {"median_hours_per_entry", "projected_annual_hours", "projected_annual_cost", "projected_annual_fte",
                     "duplicated_share", "used_share", "likely_duplicates", "variation_saving_hours", "variation_saving_cost"}


def test_requests_list_and_filters(commissioner_api, make_source, make_request):
    nhse = make_source("NHS England", "national_body")
    icb = make_source("Integrated Care Board", "commissioner")
    sitrep = make_request("Weekly sitrep", nhse, frequency="weekly")
    old = make_request("Old quarterly return", nhse, frequency="quarterly", status="retired")
    board = make_request("Monthly performance report", icb)

    body = commissioner_api.get("/api/v1/requests").get_json()
    assert [r["id"] for r in body["items"]] == [board.id, old.id, sitrep.id]
    first = body["items"][2]
    catalogue_fields = {k: v for k, v in first.items() if not k.endswith("_12m") and k not in WORKSPACE_FIGURES}
    assert set(first) - set(catalogue_fields) == WORKSPACE_FIGURES | {"observed_hours_12m", "observed_cost_12m",
                                                                      "entries_12m", "teams_12m"}  # commissioners only
    assert catalogue_fields == {
        "id": sitrep.id,
        "title": "Weekly sitrep",
        "source_id": nhse.id,
        "source": "NHS England",
        "description": "",
        "frequency": "weekly",
        "obligation": "contractual",
        "status": "active",
        "merged_into_id": None,
        "created_at": first["created_at"],
        "licence_status": "none",
        "licence_expires_on": None,
    }
    assert {name: first[name] for name in catalogue_fields} == catalogue_fields
    by_source = commissioner_api.get(f"/api/v1/requests?source_id={nhse.id}").get_json()
    assert {r["id"] for r in by_source["items"]} == {sitrep.id, old.id}
    assert [r["id"] for r in commissioner_api.get("/api/v1/requests?status=retired").get_json()["items"]] == [old.id]
    assert [r["id"] for r in commissioner_api.get("/api/v1/requests?q=SITREP").get_json()["items"]] == [sitrep.id]
    assert_field_error(commissioner_api.get("/api/v1/requests?status=deleted"), "status")
    assert_field_error(commissioner_api.get("/api/v1/requests?source_id=abc"), "source_id")


@pytest.mark.parametrize("api_name", ["manager_api", "commissioner_api"])
def test_any_role_adds_a_request_audited(request, db, api_name, make_source):
    api = request.getfixturevalue(api_name)
    source = make_source("Integrated Care Board", "commissioner")
    payload = {
        "title": "Monthly discharge return",
        "source_id": source.id,
        "frequency": "monthly",
        "obligation": "contractual",
        "description": "Delayed discharges by reason",
    }
    response = api.post("/api/v1/requests", payload)
    assert response.status_code == 201
    body = response.get_json()
    assert {k: body[k] for k in payload} == payload
    assert body["status"] == "active" and body["source"] == "Integrated Care Board"
    created = db.session.get(Request, body["id"])
    assert created.created_by_id == api.user.id
    [event] = audit_events(db, "request", created.id, "create")
    assert event.new["title"] == "Monthly discharge return"


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"title": None}, "title"),
        ({"title": ""}, "title"),
        ({"title": "t" * 201}, "title"),
        ({"title": "weekly SITREP"}, "title"),  # already there for this source, any case
        ({"source_id": None}, "source_id"),
        ({"source_id": 999999}, "source_id"),
        ({"source_id": "abc"}, "source_id"),
        ({"frequency": "hourly"}, "frequency"),
        ({"frequency": None}, "frequency"),
        ({"obligation": "optional"}, "obligation"),
        ({"description": "d" * 2001}, "description"),
    ],
)
def test_bad_request_is_400_and_nothing_written(db, manager_api, sitrep, overrides, field):
    payload = {"title": "Quarterly assurance", "source_id": sitrep.source_id, "frequency": "quarterly", "obligation": "statutory"}
    payload.update(overrides)
    payload = {k: v for k, v in payload.items() if v is not None}
    before = row_counts(db)
    assert_field_error(manager_api.post("/api/v1/requests", payload), field)
    assert row_counts(db) == before


def test_the_same_title_from_another_source_is_fine(manager_api, sitrep, make_source):
    other = make_source("Care Quality Commission", "regulator")
    response = manager_api.post(
        "/api/v1/requests", {"title": "Weekly sitrep", "source_id": other.id, "frequency": "weekly", "obligation": "statutory"}
    )
    assert response.status_code == 201
