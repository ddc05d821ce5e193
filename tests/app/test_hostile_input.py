"""Hostile input answers 400, 404 or 413 with the usual shape, never a 500 (issue 12, items 4 and 5).

Found by probing: ids beyond the database's integer (2147483648 on
PostgreSQL, 9223372036854775808 on SQLite) in paths, queries and JSON; a
JSON string holding a lone surrogate; JSON nested 100,000 deep; a 60 MB body
read in full; and the API took '٣٠', '1_000' and '2026-1-1'."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.models.auth import User
from tracker.models.catalogue import Source
from tracker.models.entries import Entry

# Past PostgreSQL's INTEGER, past SQLite's 64-bit integer, and absurd.
BIG_IDS = ["2147483648", "9223372036854775808", "9" * 30]


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def paths_with_ids(app, value: str):
    """Every route with an <int:...> part, that part replaced by `value`, with its methods."""
    for rule in app.url_map.iter_rules():
        names = [name for name, converter in rule._converters.items() if converter.regex.startswith("[0-9]")]
        if not names:
            continue
        path = rule.rule
        for name in names:
            path = re.sub(rf"<int:{name}>", value, path)
        path = re.sub(r"<any\([^)]*\):action>", "deactivate", path)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            yield method, path


@pytest.mark.parametrize("value", BIG_IDS + ["٣", "1_0"])
def test_ids_beyond_the_database_in_any_path_are_not_found(admin_client, value):
    routes = list(paths_with_ids(admin_client.application, value))
    assert len(routes) > 15  # every entry, request, user, team, source, run and sign-off route
    for method, path in routes:
        response = admin_client.open(path, method=method, json={} if path.startswith("/api/") else None)
        assert response.status_code == 404, (method, path, response.status_code)
        if path.startswith("/api/"):
            assert "message" in response.get_json()


QUERY_ROUTES = [
    "/api/v1/entries?team_id={v}", "/api/v1/entries?request_id={v}", "/api/v1/entries?source_id={v}",
    "/api/v1/requests?source_id={v}", "/api/v1/burden?team_id={v}", "/api/v1/burden?source_id={v}",
    "/?team={v}", "/?request={v}", "/?source={v}", "/burden/?team_id={v}", "/burden/?source_id={v}",
    "/burden/requests?team_id={v}", "/catalogue/requests?source_id={v}", "/catalogue/requests/new?source_id={v}",
    "/admin/audit?user_id={v}", "/exports/progress?run={v}",
]


@pytest.mark.parametrize("value", BIG_IDS)
def test_ids_beyond_the_database_in_any_query_are_refused_or_not_found(admin_client, value):
    for route in QUERY_ROUTES:
        response = admin_client.get(route.format(v=value))
        assert response.status_code in (200, 400, 404), (route, response.status_code)
        if route.startswith("/api/") and response.status_code == 400:
            assert list(response.get_json()["errors"]) == [route.split("?")[1].split("=")[0]]


@pytest.mark.parametrize("value", [2147483648, 9223372036854775808, "2147483648"])
def test_ids_beyond_the_database_in_json_are_field_errors(admin_client, db, team, make_request, make_entry, value):
    request = make_request()
    entry = make_entry(admin_client.user, team, request)
    before = count(db, Entry)
    base = {"request_id": request.id, "team_id": team.id, "occurred_on": "2026-01-10", "minutes": 30, "band": "5"}
    for field in ("request_id", "team_id"):
        response = admin_client.post("/api/v1/entries", json={**base, field: value})
        assert response.status_code == 400 and field in response.get_json()["errors"], response.get_json()
        response = admin_client.patch(f"/api/v1/entries/{entry.id}", json={field: value})
        assert response.status_code == 400 and field in response.get_json()["errors"]
    response = admin_client.post("/api/v1/requests", json={"title": "A return", "source_id": value, "frequency": "monthly", "obligation": "statutory"})
    assert response.status_code == 400 and "source_id" in response.get_json()["errors"]
    assert count(db, Entry) == before


@pytest.mark.parametrize("page", ["999999999999999999", "9" * 5000, "2147483648"])
def test_huge_page_numbers_never_reach_the_database(admin_client, page):
    for route in ("/api/v1/entries", "/api/v1/teams", "/api/v1/sources", "/api/v1/requests", "/api/v1/rates"):
        response = admin_client.get(f"{route}?page={page}")
        assert response.status_code in (200, 400), (route, response.status_code)
        body = response.get_json()
        assert body["items"] == [] if response.status_code == 200 else "page" in body["errors"]
    for route in ("/", "/catalogue/requests", "/admin/users", "/admin/audit"):
        assert admin_client.get(f"{route}?page={page}").status_code == 200, route


def test_a_lone_surrogate_in_a_json_string_is_a_field_error_and_nothing_is_written(admin_client, db):
    before = count(db, Source)
    for raw in ('{"name": "\\ud800", "kind": "regulator"}', '{"name": "ok\\udfffok", "kind": "regulator"}'):
        response = admin_client.post("/api/v1/sources", data=raw, content_type="application/json")
        assert response.status_code == 400
        assert "surrogate" in response.get_json()["errors"]["name"][0]
    response = admin_client.post("/api/v1/sources", data='{"\\ud800": 1, "name": "x", "kind": "regulator"}', content_type="application/json")
    assert response.status_code == 400 and "body" in response.get_json()["errors"]
    assert count(db, Source) == before


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_deeply_is_refused(admin_client, db, depth):
    before = count(db, Source)
    for body in ("[" * depth + "]" * depth, '{"name": ' + "[" * depth + "]" * depth + ', "kind": "regulator"}'):
        response = admin_client.post("/api/v1/sources", data=body, content_type="application/json")
        assert response.status_code == 400, response.status_code
        assert response.get_json()["errors"]
    assert count(db, Source) == before


def test_a_body_over_the_limit_is_413_before_it_is_read(make_app, db, make_user):
    from tests.conftest import AuthActions

    app = make_app(MAX_CONTENT_LENGTH=64 * 1024)
    admin = make_user("admin")
    client = app.test_client()
    AuthActions(client).login(admin.email)
    big = b'{"name": "' + b"x" * (200 * 1024) + b'", "kind": "regulator"}'
    api = client.post("/api/v1/sources", data=big, content_type="application/json")
    assert api.status_code == 413
    assert set(api.get_json()) == {"message"} and "65,536 bytes" in api.get_json()["message"]
    page = client.post("/catalogue/sources/new", data={"name": "x" * (200 * 1024), "kind": "regulator"})
    assert page.status_code == 413
    text = page.get_data(as_text=True)
    assert "too big" in text and "0.1 MB" in text and "<h1>" in text
    assert count(db, Source) == 0


def test_the_default_body_limit_is_a_few_megabytes(app):
    assert 1024 * 1024 <= app.config["MAX_CONTENT_LENGTH"] <= 16 * 1024 * 1024


# ---- strict values in the API, friendlier pages ------------------------------------------


@pytest.mark.parametrize("minutes", ["٣٠", "1_000", "+30", " 30", "30 ", "3e1", "30.0", 30.5, True])
def test_the_api_takes_minutes_in_ascii_digits_only(manager_client, db, team, make_request, minutes):
    request = make_request()
    response = manager_client.post("/api/v1/entries", json={
        "request_id": request.id, "team_id": team.id, "occurred_on": "2026-01-10", "minutes": minutes, "band": "5",
    })
    assert response.status_code == 400, response.get_json()
    assert "whole number" in response.get_json()["errors"]["minutes"][0]
    assert count(db, Entry) == 0


@pytest.mark.parametrize("day", ["2026-1-1", "2026-01-1", "٢٠٢٦-٠١-٠١", "20260101", "2026/01/01", " 2026-01-01x"])
def test_the_api_takes_dates_as_yyyy_mm_dd_only(manager_client, db, team, make_request, day):
    request = make_request()
    response = manager_client.post("/api/v1/entries", json={
        "request_id": request.id, "team_id": team.id, "occurred_on": day, "minutes": 30, "band": "5",
    })
    assert response.status_code == 400
    assert response.get_json()["errors"]["occurred_on"] == ["Enter a real date in the form YYYY-MM-DD"]
    listing = manager_client.get(f"/api/v1/entries?from={day}")
    assert listing.status_code == 400 and "from" in listing.get_json()["errors"]


def test_the_api_takes_numbers_as_json_numbers_and_text_as_json_strings(manager_client, db, team, make_request):
    request = make_request()
    good = {"request_id": request.id, "team_id": team.id, "occurred_on": "2026-01-10", "minutes": 30, "band": "5"}
    assert manager_client.post("/api/v1/entries", json=good).status_code == 201
    for field, value in [("request_id", str(request.id)), ("minutes", "30"), ("team_id", None), ("band", 5),
                         ("notes", 12), ("occurred_on", 20260110), ("used", ["yes"]), ("minutes", {"value": 30})]:
        response = manager_client.post("/api/v1/entries", json={**good, field: value})
        assert response.status_code == 400, (field, value)
        assert response.get_json()["errors"][field][0].startswith("Send "), response.get_json()
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 1


@pytest.mark.parametrize("query", ["page=%201", "team_id=1%0A", "kind=%0A", "group_by=team%20", "from=%202026-01-01",
                                   "page=1&page=2", "kind=regulator&kind=other"])
def test_api_query_values_are_taken_exactly_as_sent(admin_client, query):
    path = "/api/v1/sources" if query.startswith("kind") else "/api/v1/burden" if query.startswith(("group_by", "from")) else "/api/v1/entries"
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert list(response.get_json()["errors"]) == [query.split("=")[0]]


@pytest.mark.parametrize("cost", ["1_000", "١٢", "£12", "1,000", "1e3", "+12"])
def test_the_api_takes_pounds_as_digits_and_a_point_only(admin_client, cost):
    response = admin_client.post("/api/v1/rates", json={"band": "5", "hourly_cost": cost, "effective_from": "2026-04-01"})
    assert response.status_code == 400 and "hourly_cost" in response.get_json()["errors"]


def test_pages_stay_friendlier_and_say_what_they_take(manager_client, db, team, make_request):
    request = make_request()
    form = {"request_id": str(request.id), "team_id": str(team.id), "occurred_on": "2026-1-5", "time_hours": " 1",
            "time_minutes": "٣٠", "band": "5", "duplicated_elsewhere": "no", "used": "yes"}
    assert manager_client.post("/entries/new", data=form).status_code == 302
    assert db.session.scalar(select(Entry.minutes)) == 90
    refused = manager_client.post("/entries/new", data={**form, "time_minutes": "half"})
    assert refused.status_code == 400
    assert "Minutes must be a whole number from 0 to 59" in refused.get_data(as_text=True)


# ---- create-user and the sign-in form agree on addresses --------------------------------


@pytest.mark.parametrize("address", ["not-an-address", "bob@localhost", "two words@example.nhs.uk", "a@b.test", "x@", "@example.nhs.uk"])
def test_create_user_refuses_an_address_the_sign_in_form_would_refuse(app, db, address):
    result = app.test_cli_runner().invoke(args=["create-user", address, "--role", "manager", "--password-stdin"], input="a long enough password\n")
    assert result.exit_code != 0
    assert "cannot be used to sign in" in result.output
    assert count(db, User) == 0


def test_create_user_takes_an_address_the_sign_in_form_takes(app, db, client):
    result = app.test_cli_runner().invoke(args=["create-user", " New.Person@Example.NHS.uk ", "--role", "admin", "--password-stdin"],
                                          input="a long enough password\n")
    assert result.exit_code == 0, result.output
    response = client.post("/login", data={"email": "new.person@example.nhs.uk", "password": "a long enough password"})
    assert response.status_code == 302


def test_create_user_refuses_before_anything_is_written_for_scripts_too(app, db):
    from tracker.auth.commands import create_user

    with pytest.raises(ValueError, match="cannot be used to sign in"):
        create_user("nobody", "manager")
    assert count(db, User) == 0


# ---- NUL: PostgreSQL can neither store nor compare it ----------------------------------


@pytest.mark.parametrize("route", ["/api/v1/teams?q=a%00", "/api/v1/sources?q=%00", "/api/v1/requests?q=x%00y", "/api/v1/entries?team_id=%00"])
def test_a_nul_in_an_api_query_is_refused_by_name(admin_client, route):
    response = admin_client.get(route)
    assert response.status_code == 400
    assert "NUL" in next(iter(response.get_json()["errors"].values()))[0]


def test_a_nul_anywhere_else_is_refused_not_a_server_error(admin_client, db):
    assert admin_client.get("/catalogue/requests?q=a%00").status_code == 400
    assert admin_client.get("/exports/files/2026-01/a%00b.xlsx").status_code in (400, 404)
    page = admin_client.post("/catalogue/sources/new", data={"name": "Care\x00Quality", "kind": "regulator"})
    assert page.status_code == 400 and "NUL" in page.get_data(as_text=True)
    api = admin_client.post("/api/v1/sources", json={"name": "0" * 160 + "\x00", "kind": ""})
    assert api.status_code == 400 and "NUL" in api.get_json()["errors"]["name"][0]
    assert count(db, Source) == 0


def test_spaces_alone_for_an_hourly_cost_ask_for_the_cost(admin_client):
    """Found by Schemathesis: "\\r" passed InputRequired, became no number, then crashed the range check."""
    for cost in ("\r", " "):
        response = admin_client.post("/api/v1/rates", json={"band": "2", "effective_from": "2026-04-01", "hourly_cost": cost})
        assert response.status_code == 400 and response.get_json()["errors"]["hourly_cost"] == ["Enter the hourly cost in pounds"]
    page = admin_client.post("/burden/rates", data={"band": "2", "effective_from": "2026-04-01", "hourly_cost": " "})
    assert page.status_code == 400 and "Enter the hourly cost in pounds" in page.get_data(as_text=True)
