"""The JSON API: tokens, the CLI that makes them, CSRF for session callers, and the OpenAPI document."""
from __future__ import annotations

import json
import re

import pytest
from sqlalchemy import select

from tests.api_support import (  # noqa: F401  (fixtures, with the ones they use)
    manager, colleague, other_manager, manager_api, lead_api, commissioner_api,
    admin_api, other_api, sitrep, own_entry, other_entry,
)
from tests.api_support import row_counts
from tests.conftest import PASSWORD, Api
from tracker.auth.commands import new_api_token
from tracker.models.auth import ApiToken
from tracker.shared.timeutil import utcnow


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
