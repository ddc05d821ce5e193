"""Odd input never causes a server error, and refusals never reveal other teams.

Found in review: ids parsed with str.isdigit() let Unicode digits ('²') and
huge numbers through to int() and the database; a sign-off check ran before
the team check and named another team's lead in its message."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.auth import ApiToken
from tracker.models.entries import Entry

ODD_IDS = ["²", "99999999999999999999", "-1", "abc", "1.5", ""]

GET_ROUTES = [
    "/?team={v}", "/?source={v}", "/?request={v}", "/?page={v}",
    "/burden/?team_id={v}", "/burden/?source_id={v}", "/burden/requests?team_id={v}",
    "/catalogue/requests?page={v}", "/catalogue/requests?source_id={v}", "/catalogue/requests/new?source_id={v}",
    "/admin/users?page={v}", "/admin/audit?user_id={v}", "/admin/audit?page={v}",
    "/exports/progress?run={v}",
    "/api/v1/entries?team_id={v}", "/api/v1/entries?request_id={v}", "/api/v1/entries?source_id={v}",
    "/api/v1/entries?page={v}", "/api/v1/teams?page={v}", "/api/v1/sources?page={v}",
    "/api/v1/requests?source_id={v}", "/api/v1/rates?page={v}", "/api/v1/burden?team_id={v}",
]


@pytest.mark.parametrize("value", ODD_IDS)
def test_odd_ids_in_query_strings_never_cause_a_server_error(admin_client, value):
    for route in GET_ROUTES:
        response = admin_client.get(route.format(v=value))
        assert response.status_code < 500, (route, value, response.status_code)


@pytest.mark.parametrize("value", ["²", "99999999999999999999"])
def test_odd_ids_in_posted_forms_and_json_are_field_errors(admin_client, team, make_request, make_source, value):
    request = make_request()
    before = admin_client.application.extensions["sqlalchemy"].session.scalar(select(func.count()).select_from(Entry))
    page = admin_client.post("/entries/new", data={
        "request_id": value, "team_id": value, "occurred_on": "2026-01-10", "time_hours": "1", "time_minutes": "0",
        "band": "5", "duplicated_elsewhere": "no", "used": "yes", "new_request_source_id": value,
    })
    assert page.status_code == 400
    api = admin_client.post("/api/v1/entries", json={
        "request_id": value, "team_id": value, "occurred_on": "2026-01-10", "minutes": 60, "band": "5",
    })
    assert api.status_code == 400
    assert "request_id" in api.get_json()["errors"]
    assert admin_client.post("/api/v1/requests", json={
        "title": "A return", "source_id": value, "frequency": "monthly", "obligation": "statutory",
    }).status_code == 400
    assert admin_client.post("/catalogue/requests/new", data={
        "title": "A return", "source_id": value, "frequency": "monthly", "obligation": "statutory",
    }).status_code == 400
    assert admin_client.post(f"/catalogue/requests/{request.id}/status", data={
        "status": "merged", "merged_into_id": value,
    }).status_code == 400
    after = admin_client.application.extensions["sqlalchemy"].session.scalar(select(func.count()).select_from(Entry))
    assert after == before


def test_an_end_date_before_any_entry_is_refused_by_the_filter(manager_client):
    response = manager_client.get("/?to=1999-12-31")
    assert response.status_code == 400
    assert "on or after 1 January 2000" in response.get_data(as_text=True)


def test_sign_off_refusal_never_names_another_team(db, app, make_user, team, other_team, make_request, manager_client):
    from tracker.signoff.services import sign_off

    other_lead = make_user("lead", [other_team], name="Olga Otherlead")
    sign_off(db.session, other_lead, other_team, date(2026, 1, 1))
    db.session.commit()
    request = make_request()
    response = manager_client.post("/api/v1/entries", json={
        "request_id": request.id, "team_id": other_team.id, "occurred_on": "2026-01-10", "minutes": 30,
        "band": "5", "duplicated_elsewhere": "no", "used": "yes",
    })
    assert response.status_code == 404  # another team: not found, as everywhere
    body = response.get_data(as_text=True)
    assert "Olga" not in body and other_team.name not in body and "signed off" not in body
    page = manager_client.post("/entries/new", data={
        "request_id": str(request.id), "team_id": str(other_team.id), "occurred_on": "2026-01-10",
        "time_hours": "0", "time_minutes": "30", "band": "5", "duplicated_elsewhere": "no", "used": "yes",
    })
    assert page.status_code == 404
    assert "Olga" not in page.get_data(as_text=True)


@pytest.mark.parametrize("text", ["ctl\x01x", "bell\x07", "esc\x1b[0m"])
def test_control_characters_are_refused_so_text_is_kept_exactly(admin_client, make_source, text):
    source = make_source()
    response = admin_client.post("/api/v1/requests", json={
        "title": text, "source_id": source.id, "frequency": "monthly", "obligation": "statutory",
    })
    assert response.status_code == 400
    assert "control characters" in response.get_json()["errors"]["title"][0]
    assert admin_client.post("/api/v1/sources", json={"name": text, "kind": "regulator"}).status_code == 400


def test_tabs_and_line_breaks_are_fine_in_notes(admin_client, team, make_request):
    request = make_request()
    response = admin_client.post("/api/v1/entries", json={
        "request_id": request.id, "team_id": team.id, "occurred_on": "2026-01-10", "minutes": 30,
        "band": "5", "notes": "line one\r\nline two\tand a tab",
    })
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["notes"] == "line one\r\nline two\tand a tab"


def test_cli_account_changes_are_audited(app, db, team):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["create-user", "cli@example.nhs.uk", "--role", "lead", "--team", team.name, "--password-stdin"],
                           input="a long enough password\n")
    assert result.exit_code == 0, result.output
    result = runner.invoke(args=["create-token", "cli@example.nhs.uk"])
    assert result.exit_code == 0
    actions = db.session.scalars(select(AuditEvent.action).where(AuditEvent.entity == "user")).all()
    assert "cli_create_user" in actions and "cli_create_token" in actions
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "cli_create_user"))
    assert event.new["teams"] == {team.name: "lead"}
    assert "hash" not in str(event.new) and event.new["password"] == "(set)"
    assert db.session.scalar(select(func.count()).select_from(ApiToken)) == 1


def test_a_uniqueness_race_is_a_409_not_a_500(make_app, db, make_user):
    """Two people add the same source at once: the second insert hits the unique constraint."""
    from tests.conftest import AuthActions
    from tracker.models.catalogue import Source

    app = make_app()

    @app.route("/_race")
    def race():  # the moment after another user's commit, before ours
        db.session.add(Source(name="Care Quality Commission", kind="regulator"))
        db.session.add(Source(name="Care Quality Commission", kind="regulator"))
        db.session.flush()
        return "unreachable"

    admin = make_user("admin")
    client = app.test_client()
    AuthActions(client).login(admin.email)
    response = client.get("/_race")
    assert response.status_code == 409
    assert "Someone saved the same thing" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Source).where(Source.name == "Care Quality Commission")) == 0
