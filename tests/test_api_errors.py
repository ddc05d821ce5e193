"""Every answer under /api/v1 is JSON in one of two shapes, whatever went wrong.

400: {"errors": {field: [message]}}; 401, 403, 404, 405, 409, 413: {"message": "..."}.
Each status is produced for real here and checked against the OpenAPI document."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import create_engine, event, func, select, text

from tracker.api.contract import REFUSALS
from tracker.models.catalogue import Source


@pytest.fixture
def manager_api(api_for, make_user, team):
    return api_for(make_user("manager", [team]))


def assert_message(response, status: int) -> str:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    body = response.get_json()
    assert set(body) == {"message"} and isinstance(body["message"], str) and body["message"]
    return body["message"]


def test_a_missing_entry_is_a_404_in_the_apis_shape(manager_api):
    """Regression: GET /api/v1/entries/999999 once answered {"error": "Not Found"} from the app-wide handler."""
    assert_message(manager_api.get("/api/v1/entries/999999"), 404)


def test_an_unknown_address_under_the_api_is_a_json_404(manager_api):
    assert_message(manager_api.get("/api/v1/no-such-thing"), 404)


def test_a_method_a_path_does_not_have_is_405(manager_api):
    assert_message(manager_api.client.put("/api/v1/entries", headers=manager_api._headers()), 405)


def test_no_token_is_401(client):
    assert_message(client.get("/api/v1/teams"), 401)


def test_a_session_writing_without_the_csrf_header_is_403(make_app, make_user, db, team):
    from tests.conftest import PASSWORD

    user = make_user("manager", [team])
    client = make_app(WTF_CSRF_ENABLED=True).test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token})
    message = assert_message(client.post("/api/v1/sources", json={"name": "Care Quality Commission", "kind": "regulator"}), 403)
    assert "X-CSRFToken" in message
    assert db.session.scalar(select(func.count()).select_from(Source)) == 0


def test_a_body_over_the_limit_is_413(make_app, make_user, db, team):
    from tests.conftest import Api
    from tracker.auth.commands import new_api_token

    user = make_user("manager", [team])
    token = new_api_token(user)
    db.session.commit()
    api = Api(make_app(MAX_CONTENT_LENGTH=1024).test_client(), token)
    assert_message(api.post("/api/v1/sources", {"name": "x" * 5000, "kind": "regulator"}), 413)
    assert db.session.scalar(select(func.count()).select_from(Source)) == 0


def test_a_clash_with_someone_elses_write_is_409_and_writes_nothing(app, db, manager_api):
    """The form finds the name free; another connection saves the same name just before our write."""
    engine = create_engine(app.config["SQLALCHEMY_DATABASE_URI"], **_connect_args(app))

    fired = []

    def someone_else_saves_first(_mapper, _connection, _source):
        if fired:
            return
        fired.append(True)
        with engine.begin() as conn:
            conn.execute(
                text("INSERT INTO source (name, name_key, kind, created_at) VALUES (:n, :k, 'regulator', CURRENT_TIMESTAMP)"),
                {"n": "Care Quality Commission", "k": "care quality commission"},
            )

    event.listen(Source, "before_insert", someone_else_saves_first)
    try:
        response = manager_api.post("/api/v1/sources", {"name": "care quality  commission", "kind": "regulator"})
    finally:
        event.remove(Source, "before_insert", someone_else_saves_first)
        engine.dispose()
    assert fired
    assert "try again" in assert_message(response, 409)
    db.session.remove()
    assert db.session.scalars(select(Source.name)).all() == ["Care Quality Commission"]


def _connect_args(app) -> dict:
    options = app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {}
    return {"connect_args": options["connect_args"]} if "connect_args" in options else {}


@pytest.mark.parametrize("status", ["400", "401", "403", "404", "405", "409", "413"])
def test_each_error_status_is_documented_with_its_shape(manager_api, status):
    DOCUMENT = manager_api.get("/api/v1/openapi.json").get_json()
    responses = DOCUMENT["components"]["responses"]
    schema = responses[REFUSALS[int(status)][0]]["content"]["application/json"]["schema"]["$ref"]
    assert schema.endswith("/ValidationErrors" if status == "400" else "/Message")
    writes = [op for path in DOCUMENT["paths"].values() for method, op in path.items() if method in ("post", "patch")]
    if status in ("403", "409", "413"):
        assert all(status in op["responses"] for op in writes)
