"""One rule for a team named by id that the caller may not see: 404, on every page and API route that takes a team.

Another team's id and an id of no team at all get the same answer (nothing
leaks); a value that is not an id at all is bad input (400 by the field)."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from tracker.shared.timeutil import month_start

MISSING = 999999
LAST_MONTH = month_start(month_start(date.today()) - timedelta(days=1))

GET_ROUTES = [
    "/?team={team}",
    "/burden/?team_id={team}",
    "/api/v1/burden?team_id={team}",
    "/api/v1/burden?group_by=source&team_id={team}",
    "/api/v1/unlicensed?team_id={team}",
    "/api/v1/entries?team_id={team}",
]


@pytest.fixture
def others(other_team):
    return {"other": other_team.id, "missing": MISSING}


@pytest.mark.parametrize("route", GET_ROUTES)
@pytest.mark.parametrize("whose", ["other", "missing"])
def test_another_teams_id_in_a_filter_is_not_found(manager_client, others, other_team, route, whose):
    response = manager_client.get(route.format(team=others[whose]))
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert other_team.name not in response.get_data(as_text=True)


@pytest.mark.parametrize("route", GET_ROUTES)
def test_a_team_value_that_is_not_an_id_is_bad_input(manager_client, route):
    assert manager_client.get(route.format(team="north")).status_code == 400


@pytest.mark.parametrize("route", GET_ROUTES)
def test_ones_own_team_is_answered(manager_client, team, route):
    assert manager_client.get(route.format(team=team.id)).status_code == 200


@pytest.mark.parametrize("route", ["/burden/?team_id={team}", "/burden/requests?team_id={team}", "/api/v1/burden?team_id={team}"])
def test_a_team_that_does_not_exist_is_not_found_for_those_who_see_every_team(commissioner_client, team, route):
    assert commissioner_client.get(route.format(team=MISSING)).status_code == 404
    assert commissioner_client.get(route.format(team=team.id)).status_code == 200


@pytest.mark.parametrize("whose", ["other", "missing"])
def test_logging_for_another_team_by_api_is_not_found_and_writes_nothing(db, manager_client, others, make_request, whose):
    from sqlalchemy import func, select

    from tracker.models.entries import Entry

    request = make_request()
    payload = {"request_id": request.id, "team_id": others[whose], "occurred_on": date.today().isoformat(),
               "minutes": 30, "band": "5", "duplicated_elsewhere": False, "used": "yes"}
    assert manager_client.post("/api/v1/entries", json=payload).status_code == 404
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 0


@pytest.mark.parametrize("whose", ["other", "missing"])
def test_logging_for_another_team_on_the_page_is_not_found(manager_client, others, make_request, whose):
    request = make_request()
    form = {"request_id": str(request.id), "team_id": str(others[whose]), "occurred_on": date.today().isoformat(),
            "minutes": "30", "band": "5", "used": "yes"}
    assert manager_client.post("/entries/new", data=form).status_code == 404


def test_a_commissioner_sees_every_team_but_logs_for_none_so_it_stays_a_400(commissioner_client, team, make_request):
    request = make_request()
    payload = {"request_id": request.id, "team_id": team.id, "occurred_on": date.today().isoformat(),
               "minutes": 30, "band": "5", "duplicated_elsewhere": False, "used": "yes"}
    response = commissioner_client.post("/api/v1/entries", json=payload)
    assert response.status_code == 400 and "team_id" in response.get_json()["errors"]


@pytest.mark.parametrize("whose", ["other", "missing"])
def test_signing_off_another_teams_month_is_not_found(lead_client, others, whose):
    month = LAST_MONTH.strftime("%Y-%m")
    assert lead_client.get(f"/exports/signoffs/confirm?team_id={others[whose]}&month={month}").status_code == 404
    assert lead_client.post("/exports/signoffs", data={"team_id": str(others[whose]), "month": month}).status_code == 404
