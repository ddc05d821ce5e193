"""GET /api/v1/burden: SPEC's shape, hand-computed figures, scoping to the caller's teams, bad input."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.burden.filters import default_period
from tracker.shared.timeutil import local_today
from tracker.burden.services import BurdenFilter, burden
from tracker.entries.services import delete_entry

RATE_5 = Decimal("22.532883")  # (31,049 + 37,796) / 2 / 1,955.4 × 1.28, to six places
RATE_7 = Decimal("33.554669")


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="logger@example.nhs.uk")


@pytest.fixture
def logged(admin, team, other_team, make_source, make_request, make_entry):
    """March 2026: 90 + 30 minutes at band 5 for `team`, 60 at band 7 for `other_team`, one deleted entry."""
    source = make_source("NHS England regional team")
    sitrep = make_request("Weekly sitrep", source=source)
    ad_hoc = make_request("Ad hoc information request", source=make_source("County council", kind="local_authority"))
    make_entry(admin, team, sitrep, occurred_on=date(2026, 3, 2), minutes=90, band="5")
    make_entry(admin, team, ad_hoc, occurred_on=date(2026, 3, 20), minutes=30, band="5")
    make_entry(admin, other_team, sitrep, occurred_on=date(2026, 3, 9), minutes=60, band="7")
    gone = make_entry(admin, team, sitrep, occurred_on=date(2026, 3, 10), minutes=600, band="9")
    from tracker.extensions import db

    delete_entry(admin, gone)
    db.session.commit()
    return {"sitrep": sitrep, "ad_hoc": ad_hoc, "source": source}


MARCH = "from=2026-03-01&to=2026-03-31"


def test_shape_and_hand_computed_figures(commissioner_client, logged, team, other_team):
    response = commissioner_client.get(f"/api/v1/burden?group_by=team&{MARCH}")
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) >= {"rows", "totals"}
    capacity = {"available_hours": None, "capacity_share": None}  # no capacity recorded (tests/test_capacity_api.py)
    assert [set(row) for row in body["rows"]] == [{"key", "label", "entries", "hours", "cost", "fte", *capacity}] * 2
    first, second = body["rows"]
    # Team: 120 minutes at band 5 = 2 h × £22.532883 = £45.065766 -> £45.07; FTE 2 / (37.5 × 31 / 7) = 0.01204
    assert first == {"key": team.id, "label": team.name, "entries": 2, "hours": 2.0, "cost": 45.07, "fte": 0.012, **capacity}
    # Other team: 60 minutes at band 7 = £33.554669 -> £33.55
    assert second == {"key": other_team.id, "label": other_team.name, "entries": 1, "hours": 1.0, "cost": 33.55, "fte": 0.006,
                      **capacity}
    # The deleted 600 minutes count nowhere. Total £78.620435 -> £78.62.
    assert body["totals"] == {"entries": 3, "hours": 3.0, "cost": 78.62, "fte": 0.018, **capacity,
                              "capacity_teams_covered": 0, "capacity_teams_total": 2}
    assert isinstance(body["totals"]["cost"], float) and isinstance(body["totals"]["entries"], int)


@pytest.mark.parametrize(
    "group_by, keys",
    [("source", {"NHS England regional team", "County council"}), ("request", {"Weekly sitrep", "Ad hoc information request"}), ("month", {"Mar 2026"})],
)
def test_every_grouping(commissioner_client, logged, group_by, keys):
    body = commissioner_client.get(f"/api/v1/burden?group_by={group_by}&{MARCH}").get_json()
    assert {row["label"] for row in body["rows"]} == keys
    assert sum(row["entries"] for row in body["rows"]) == body["totals"]["entries"] == 3
    if group_by == "month":
        assert body["rows"][0]["key"] == "2026-03"


def test_rows_come_largest_first_and_cost_rounds_half_up(commissioner_client, admin, team, make_request, make_entry):
    request = make_request()
    # 1 minute at £30/h is £0.50 exactly; 3 minutes at band 5 = £1.12664415 -> £1.13
    make_entry(admin, team, request, occurred_on=date(2026, 3, 2), minutes=3, band="5")
    body = commissioner_client.get(f"/api/v1/burden?group_by=team&{MARCH}").get_json()
    assert body["totals"]["cost"] == 1.13
    assert body["totals"]["hours"] == 0.05


def test_the_api_page_and_service_agree(commissioner_client, logged):
    body = commissioner_client.get(f"/api/v1/burden?group_by=team&{MARCH}").get_json()
    table = burden(BurdenFilter(date(2026, 3, 1), date(2026, 3, 31)), ("team",))
    assert body["totals"]["cost"] == float(table.totals.cost.quantize(Decimal("0.01"), "ROUND_HALF_UP"))
    assert body["totals"]["entries"] == table.totals.entries
    page = commissioner_client.get(f"/burden/?{MARCH}").get_data(as_text=True)
    assert "£78.62" in page and "£45.07" in page and "£33.55" in page


def test_a_manager_sees_only_their_teams(manager_client, logged, team, other_team):
    body = manager_client.get(f"/api/v1/burden?group_by=team&{MARCH}").get_json()
    assert [row["key"] for row in body["rows"]] == [team.id]
    assert body["totals"]["entries"] == 2
    by_request = manager_client.get(f"/api/v1/burden?group_by=request&{MARCH}").get_json()
    assert sum(row["hours"] for row in by_request["rows"]) == 2.0  # other team's hour on the sitrep is not there


@pytest.mark.parametrize("who", ["manager_client", "lead_client"])
def test_another_team_by_id_is_not_found(request, who, logged, other_team):
    """SPEC: anything of a team the caller has no role on answers 404 (it used to be a 400)."""
    client = request.getfixturevalue(who)
    response = client.get(f"/api/v1/burden?group_by=team&team_id={other_team.id}&{MARCH}")
    assert response.status_code == 404
    assert other_team.name not in response.get_data(as_text=True)
    # A team that does not exist gets the same answer: nothing leaks.
    missing = client.get("/api/v1/burden?team_id=999999")
    assert missing.status_code == 404 and missing.get_json() == response.get_json()


def test_own_team_by_id(manager_client, logged, team):
    body = manager_client.get(f"/api/v1/burden?group_by=month&team_id={team.id}&{MARCH}").get_json()
    assert body["team_id"] == team.id and body["totals"]["entries"] == 2


def test_commissioner_and_admin_see_every_team(commissioner_client, admin_client, logged, other_team):
    for client in (commissioner_client, admin_client):
        body = client.get(f"/api/v1/burden?group_by=team&team_id={other_team.id}&{MARCH}").get_json()
        assert body["totals"]["entries"] == 1


@pytest.mark.parametrize(
    "query, field, words",
    [
        ("group_by=band", "group_by", "group_by must be one of: team, source, request, month"),
        ("from=2026-02-30", "from", "real date"),
        ("to=31/03/2026", "to", "real date"),
        ("from=2026-04-01&to=2026-03-01", "to", "same as or after the start date"),
        ("team_id=abc", "team_id", "whole-number id"),
        ("from=0999-01-01", "from", "Enter a date from 1900-01-01"),
    ],
)
def test_bad_input_is_a_400_by_field(commissioner_client, query, field, words):
    response = commissioner_client.get(f"/api/v1/burden?{query}")
    assert response.status_code == 400
    errors = response.get_json()["errors"]
    assert words in errors[field][0]


def test_several_bad_fields_at_once(commissioner_client):
    errors = commissioner_client.get("/api/v1/burden?group_by=x&from=nope&team_id=-1").get_json()["errors"]
    assert set(errors) == {"group_by", "from", "team_id"}


def test_defaults_are_the_last_12_calendar_months_to_today(commissioner_client, app):
    body = commissioner_client.get("/api/v1/burden").get_json()
    today = local_today(app.config["TIMEZONE"])
    start, end = default_period(today)
    assert (body["group_by"], body["from"], body["to"]) == ("team", start.isoformat(), end.isoformat())
    assert start.day == 1 and (end.year * 12 + end.month) - (start.year * 12 + start.month) == 11
    assert body["rows"] == [] and body["totals"] == {"entries": 0, "hours": 0.0, "cost": 0.0, "fte": 0.0,
                                                     "available_hours": None, "capacity_share": None,
                                                     "capacity_teams_covered": 0, "capacity_teams_total": 0}


def test_to_alone_counts_back_12_months(commissioner_client):
    body = commissioner_client.get("/api/v1/burden?to=2026-03-15").get_json()
    assert (body["from"], body["to"]) == ("2025-04-01", "2026-03-15")


def test_needs_a_login(client):
    assert client.get("/api/v1/burden").status_code == 401


def test_bearer_token_works(client, make_user, team, make_request, make_entry):
    from tracker.auth.commands import new_api_token
    from tracker.extensions import db

    user = make_user("manager", [team])
    make_entry(user, team, make_request(), occurred_on=date(2026, 3, 3), minutes=45)
    token = new_api_token(user)
    db.session.commit()
    response = client.get(f"/api/v1/burden?{MARCH}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200 and response.get_json()["totals"]["hours"] == 0.75


def test_fte_over_28_31_and_leap_february_days(commissioner_client, admin, team, make_request, make_entry):
    request = make_request()
    make_entry(admin, team, request, occurred_on=date(2026, 2, 10), minutes=9000)  # 150 h in February 2026
    make_entry(admin, team, request, occurred_on=date(2026, 3, 10), minutes=10000)  # 166.67 h in March
    make_entry(admin, team, request, occurred_on=date(2024, 2, 29), minutes=9000)  # 150 h in leap February
    feb = commissioner_client.get("/api/v1/burden?from=2026-02-01&to=2026-02-28").get_json()
    assert feb["days"] == 28 and feb["totals"]["fte"] == 1.0  # 150 / (37.5 × 28 / 7) = 1
    march = commissioner_client.get("/api/v1/burden?from=2026-03-01&to=2026-03-31").get_json()
    assert march["days"] == 31 and march["totals"]["fte"] == 1.004  # 166.667 × 7 / (37.5 × 31) = 1.003584
    leap = commissioner_client.get("/api/v1/burden?from=2024-02-01&to=2024-02-29").get_json()
    assert leap["days"] == 29 and leap["totals"]["fte"] == 0.966  # 150 × 7 / (37.5 × 29) = 0.965517
