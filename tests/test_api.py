"""The JSON API (SPEC "JSON API"): every route, every role, every kind of bad input.

Callers authenticate with real tokens made by `new_api_token` (as `create-token`
does) in an `Authorization: Bearer` header; session callers are checked for CSRF."""
from __future__ import annotations

import json
import re
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from tests.conftest import PASSWORD, Api
from tracker.models.audit import AuditEvent
from tracker.auth.commands import new_api_token
from tracker.models.auth import ApiToken
from tracker.burden.default_rates import default_hourly_cost
from tracker.models.burden import Rate
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry
from tracker.shared.timeutil import utcnow

TODAY = date.today()


@pytest.fixture
def manager(make_user, team):
    return make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager")


@pytest.fixture
def colleague(make_user, team):
    return make_user("manager", [team], email="colleague@example.nhs.uk", name="Colin Colleague")


@pytest.fixture
def other_manager(make_user, other_team):
    return make_user("manager", [other_team], email="other@example.nhs.uk", name="Otto Other")


@pytest.fixture
def manager_api(api_for, manager):
    return api_for(manager)


@pytest.fixture
def lead_api(api_for, make_user, team):
    return api_for(make_user("lead", [team], email="lead@example.nhs.uk", name="Lee Lead"))


@pytest.fixture
def commissioner_api(api_for, make_user):
    return api_for(make_user("commissioner", email="commissioner@example.nhs.uk", name="Cora Commissioner"))


@pytest.fixture
def admin_api(api_for, make_user):
    return api_for(make_user("admin", email="admin@example.nhs.uk", name="Ada Admin"))


@pytest.fixture
def other_api(api_for, other_manager):
    return api_for(other_manager)


@pytest.fixture
def sitrep(make_source, make_request):
    return make_request("Weekly sitrep", make_source("NHS England North East", "national_body"), frequency="weekly")


@pytest.fixture
def own_entry(make_entry, manager, team, sitrep):
    return make_entry(manager, team, sitrep, occurred_on=TODAY - timedelta(days=3), minutes=90, band="5", notes="mine")


@pytest.fixture
def other_entry(make_entry, other_manager, other_team, sitrep):
    return make_entry(other_manager, other_team, sitrep, occurred_on=TODAY - timedelta(days=2), minutes=30, band="6")


def row_counts(db) -> dict:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Entry, Source, Request, Rate, AuditEvent)
    }


def audit_events(db, entity, entity_id, action):
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == entity, AuditEvent.entity_id == entity_id, AuditEvent.action == action
            )
        )
    )


def entry_payload(team, request, **overrides):
    payload = {
        "request_id": request.id,
        "team_id": team.id,
        "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
        "minutes": 45,
        "band": "6",
        "duplicated_elsewhere": "yes",
        "used": "no",
        "notes": "Filled in the template again",
    }
    payload.update(overrides)
    return payload


def assert_field_error(response, field):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert field in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    return body["errors"][field]


# ---- tokens and the CLI --------------------------------------------------------


@pytest.mark.parametrize("header", [None, "Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer "])
def test_no_valid_token_is_401_json(client, header):
    headers = {"Authorization": header} if header else {}
    for method, url in [("get", "/api/v1/teams"), ("get", "/api/v1/entries"), ("post", "/api/v1/entries"), ("get", "/api/v1/openapi.json")]:
        response = getattr(client, method)(url, headers=headers, json={})
        assert response.status_code == 401
        assert response.is_json and set(response.get_json()) == {"message"} and "token" in response.get_json()["message"]


def test_revoked_token_is_401(db, manager_api):
    assert manager_api.get("/api/v1/teams").status_code == 200
    token_row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == manager_api.user.id))
    token_row.revoked_at = utcnow()
    db.session.commit()
    assert manager_api.get("/api/v1/teams").status_code == 401


def test_token_of_a_deactivated_user_is_401(db, manager_api):
    manager_api.user.active = False
    db.session.commit()
    assert manager_api.get("/api/v1/teams").status_code == 401


def test_token_use_is_recorded_and_only_its_hash_stored(db, manager_api):
    manager_api.get("/api/v1/teams")
    row = db.session.scalar(select(ApiToken).where(ApiToken.user_id == manager_api.user.id))
    assert row.last_used_at is not None
    assert row.token_hash == ApiToken.hash(manager_api.token) and manager_api.token not in row.token_hash


def test_create_token_command_prints_a_working_token(app, db, manager, team):
    result = app.test_cli_runner().invoke(args=["create-token", manager.email.upper()])
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert token.startswith("rbt_")
    assert db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == ApiToken.hash(token))) is not None
    response = Api(app.test_client(), token).get("/api/v1/teams")
    assert response.status_code == 200
    assert [t["id"] for t in response.get_json()["items"]] == [team.id]


def test_create_token_command_refuses_an_unknown_email(app):
    result = app.test_cli_runner().invoke(args=["create-token", "nobody@example.nhs.uk"])
    assert result.exit_code != 0
    assert "No user with email" in result.output


# ---- CSRF for session callers ------------------------------------------------


def csrf_token_from(html: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"', html).group(1)


def test_session_callers_must_send_the_csrf_header(make_app, make_user, db, team):
    user = make_user("manager", [team])
    app = make_app(WTF_CSRF_ENABLED=True)
    client = app.test_client()
    token = csrf_token_from(client.get("/login").get_data(as_text=True))
    assert client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302

    assert client.get("/api/v1/sources").status_code == 200  # reading needs no token
    before = row_counts(db)
    response = client.post("/api/v1/sources", json={"name": "Care Quality Commission", "kind": "regulator"})
    assert response.status_code == 403 and "X-CSRFToken" in response.get_json()["message"]
    assert row_counts(db) == before

    response = client.post(
        "/api/v1/sources", json={"name": "Care Quality Commission", "kind": "regulator"}, headers={"X-CSRFToken": token}
    )
    assert response.status_code == 201
    assert response.get_json()["name"] == "Care Quality Commission"


def test_bearer_callers_need_no_csrf_header(make_app, make_user, db):
    user = make_user("manager")
    token = new_api_token(user)
    db.session.commit()
    app = make_app(WTF_CSRF_ENABLED=True)
    response = Api(app.test_client(), token).post("/api/v1/sources", {"name": "Integrated Care Board", "kind": "commissioner"})
    assert response.status_code == 201


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
                     "duplicated_share", "used_share", "likely_duplicates"}


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
    before = row_counts(db)
    assert_field_error(manager_api.post("/api/v1/entries", entry_payload(other_team, sitrep)), "team_id")
    assert row_counts(db) == before


def test_admin_logs_for_any_team(admin_api, other_team, sitrep):
    assert admin_api.post("/api/v1/entries", entry_payload(other_team, sitrep)).status_code == 201


BAD_ENTRY_FIELDS = [
    ({"minutes": 0}, "minutes"),
    ({"minutes": -5}, "minutes"),
    ({"minutes": 14401}, "minutes"),
    ({"minutes": 1.5}, "minutes"),
    ({"minutes": "an hour"}, "minutes"),
    ({"minutes": None}, "minutes"),
    ({"occurred_on": "2025-02-30"}, "occurred_on"),
    ({"occurred_on": "yesterday"}, "occurred_on"),
    ({"occurred_on": (TODAY + timedelta(days=400)).isoformat()}, "occurred_on"),
    ({"occurred_on": "1999-12-31"}, "occurred_on"),
    ({"occurred_on": None}, "occurred_on"),
    ({"band": "10"}, "band"),
    ({"band": None}, "band"),
    ({"request_id": 999999}, "request_id"),
    ({"request_id": "abc"}, "request_id"),
    ({"request_id": None}, "request_id"),
    ({"team_id": 999999}, "team_id"),
    ({"team_id": None}, "team_id"),
    ({"duplicated_elsewhere": "maybe"}, "duplicated_elsewhere"),
    ({"used": "perhaps"}, "used"),
    ({"notes": "n" * 2001}, "notes"),
    ({"notes": ["a", "list"]}, "notes"),
]


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


# ---- entries: changing -------------------------------------------------------


def test_manager_changes_their_entry_audited(db, manager_api, own_entry):
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 120, "used": "no"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["minutes"], body["hours"], body["used"], body["notes"]) == (120, 2.0, "no", "mine")
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).minutes == 120
    [event] = audit_events(db, "entry", own_entry.id, "update")
    assert (event.old, event.new) == ({"minutes": 90, "used": "yes"}, {"minutes": 120, "used": "no"})
    assert event.user_id == manager_api.user.id


def test_an_entry_keeps_its_request_after_the_request_is_retired(db, manager_api, own_entry, sitrep):
    sitrep.status = "retired"
    db.session.commit()
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"notes": "late correction"})
    assert response.status_code == 200 and response.get_json()["request_id"] == sitrep.id


@pytest.mark.parametrize("overrides, field", [o for o in BAD_ENTRY_FIELDS if None not in o[0].values()])
def test_bad_change_is_400_and_the_entry_is_unchanged(db, manager_api, own_entry, overrides, field):
    before = row_counts(db)
    assert_field_error(manager_api.patch(f"/api/v1/entries/{own_entry.id}", overrides), field)
    db.session.expire_all()
    assert row_counts(db) == before
    entry = db.session.get(Entry, own_entry.id)
    assert (entry.minutes, entry.band, entry.notes) == (90, "5", "mine")


def test_a_manager_cannot_move_an_entry_to_another_team(db, manager_api, own_entry, other_team):
    assert_field_error(manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"team_id": other_team.id}), "team_id")
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).team_id == own_entry.team_id


def test_a_colleagues_entry_is_readable_but_not_changeable_by_a_manager(db, make_entry, manager_api, colleague, team, sitrep):
    theirs = make_entry(colleague, team, sitrep, minutes=15)
    url = f"/api/v1/entries/{theirs.id}"
    assert manager_api.get(url).status_code == 200
    assert manager_api.patch(url, {"minutes": 16}).status_code == 404
    assert manager_api.delete(url).status_code == 404
    db.session.expire_all()
    entry = db.session.get(Entry, theirs.id)
    assert entry.minutes == 15 and entry.deleted_at is None


def test_a_lead_changes_any_entry_of_their_team(lead_api, own_entry):
    response = lead_api.patch(f"/api/v1/entries/{own_entry.id}", {"notes": "checked by lead"})
    assert response.status_code == 200 and response.get_json()["notes"] == "checked by lead"


def test_commissioner_can_neither_change_nor_delete(db, commissioner_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    assert commissioner_api.patch(url, {"minutes": 5}).status_code == 404
    assert commissioner_api.delete(url).status_code == 404
    db.session.expire_all()
    entry = db.session.get(Entry, own_entry.id)
    assert entry.minutes == 90 and entry.deleted_at is None


def test_admin_changes_any_entry(admin_api, other_entry):
    assert admin_api.patch(f"/api/v1/entries/{other_entry.id}", {"band": "7"}).get_json()["band"] == "7"


def test_patch_with_a_body_that_is_not_json_is_400(manager_api, own_entry):
    assert_field_error(manager_api.patch(f"/api/v1/entries/{own_entry.id}", data="minutes=5"), "body")


# ---- entries: deleting -------------------------------------------------------


def test_delete_is_recorded_not_physical(db, manager_api, manager, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    response = manager_api.delete(url)
    assert response.status_code == 204 and response.data == b""
    db.session.expire_all()
    row = db.session.get(Entry, own_entry.id)
    assert row is not None and row.deleted_at is not None and row.deleted_by_id == manager.id
    [event] = audit_events(db, "entry", own_entry.id, "delete")
    assert event.user_id == manager.id and event.old["minutes"] == 90
    # Gone from every route.
    assert manager_api.get(url).status_code == 404
    assert manager_api.patch(url, {"minutes": 5}).status_code == 404
    assert manager_api.delete(url).status_code == 404
    assert manager_api.get("/api/v1/entries").get_json()["total"] == 0


# ---- entries: optimistic concurrency (ETag / If-Match) -------------------------


def test_every_answer_holding_an_entry_names_its_version(db, manager_api, team, sitrep):
    created = manager_api.post("/api/v1/entries", entry_payload(team, sitrep))
    assert created.status_code == 201 and created.headers["ETag"] == f'"{created.get_json()["id"]}-1"'
    url = f"/api/v1/entries/{created.get_json()['id']}"
    assert manager_api.get(url).headers["ETag"] == created.headers["ETag"]
    changed = manager_api.patch(url, {"minutes": 50})
    assert changed.status_code == 200 and changed.headers["ETag"] != created.headers["ETag"]
    assert manager_api.get(url).headers["ETag"] == changed.headers["ETag"]


def test_a_change_with_the_current_etag_is_made(db, manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 61}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.get_json()["minutes"] == 61


def test_a_change_with_a_stale_etag_is_412_and_nothing_is_written(db, manager_api, lead_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    assert lead_api.patch(url, {"notes": "checked by lead"}).status_code == 200  # someone else saves first
    before = row_counts(db)
    for response in (
        manager_api.patch(url, {"minutes": 5}, headers={"If-Match": etag}),
        manager_api.delete(url, headers={"If-Match": etag}),
    ):
        assert response.status_code == 412
        assert set(response.get_json()) == {"message"} and "ETag" in response.get_json()["message"]
    db.session.expire_all()
    entry = db.session.get(Entry, own_entry.id)
    assert (entry.minutes, entry.notes, entry.deleted_at) == (90, "checked by lead", None)
    assert row_counts(db) == before
    # Read again, then the change goes through.
    fresh = manager_api.get(url).headers["ETag"]
    assert manager_api.delete(url, headers={"If-Match": fresh}).status_code == 204


@pytest.mark.parametrize("if_match", ['W/"{id}-1"', '"{other}-1"', '"nonsense"', '"{id}-99"'])
def test_an_if_match_that_names_no_current_version_is_412(db, manager_api, own_entry, other_entry, if_match):
    header = if_match.format(id=own_entry.id, other=other_entry.id)
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 5}, headers={"If-Match": header})
    assert response.status_code == 412, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).minutes == 90


def test_if_match_star_or_a_list_holding_the_current_etag_is_accepted(manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    assert manager_api.patch(url, {"minutes": 70}, headers={"If-Match": "*"}).status_code == 200
    current = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 71}, headers={"If-Match": f'"{own_entry.id}-1", {current}'})
    assert response.status_code == 200


def test_a_patch_that_changes_nothing_keeps_the_version(manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 90}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] == etag


def test_the_audit_trail_records_the_change_not_the_version(db, manager_api, own_entry):
    manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 91})
    [event] = audit_events(db, "entry", own_entry.id, "update")
    assert (event.old, event.new) == ({"minutes": 90}, {"minutes": 91})


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


# ---- the OpenAPI document ----------------------------------------------------


def test_openapi_document_is_valid_and_lists_every_route(app, manager_api):
    from openapi_spec_validator import validate

    response = manager_api.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.is_json
    document = json.loads(response.data)
    validate(document)

    paths = document["paths"]
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1"):
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        assert path in paths, path
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert method.lower() in paths[path], (method, path)
    for path in ("/api/v1/teams", "/api/v1/sources", "/api/v1/requests", "/api/v1/entries",
                 "/api/v1/entries/{entry_id}", "/api/v1/rates", "/api/v1/burden", "/api/v1/openapi.json"):
        assert path in paths
    assert set(paths["/api/v1/entries/{entry_id}"]) >= {"get", "patch", "delete"}
    assert {"get", "post"} <= set(paths["/api/v1/sources"]) and {"get", "post"} <= set(paths["/api/v1/requests"])

    burden_params = {
        p.get("name") or document["components"]["parameters"][p["$ref"].rsplit("/", 1)[1]]["name"]
        for p in paths["/api/v1/burden"]["get"]["parameters"]
    }
    assert burden_params == {"group_by", "from", "to", "team_id", "source_id"}
    assert document["components"]["securitySchemes"]["bearerAuth"] == {
        "type": "http", "scheme": "bearer", "description": "A token from `create-token`."
    }
    assert {"bearerAuth": []} in document["security"]
    errors = document["components"]["schemas"]["ValidationErrors"]
    assert errors["properties"]["errors"]["additionalProperties"]["type"] == "array"


def test_openapi_document_needs_a_login(client):
    assert client.get("/api/v1/openapi.json").status_code == 401
