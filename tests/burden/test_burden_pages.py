"""The burden dashboards and the rates page: figures, charts with tables, filters, who sees what."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from tracker.models.burden import Rate
from tracker.extensions import db

RATE_5 = Decimal("22.532883")


def cell(html: str, testid: str, key, field: str) -> str:
    """Text of one figure in a table: <table data-testid=..> row data-key=.. cell data-field=.."""
    table = re.search(rf'data-testid="{testid}".*?</table>', html, re.S)
    assert table, f"no table {testid}"
    row = re.search(rf'data-key="{key}".*?</tr>', table.group(0), re.S)
    assert row, f"no row {key} in {testid}"
    found = re.search(rf'data-field="{field}"[^>]*>(?:<span[^>]*>[^<]*</span>)?([^<]*)<', row.group(0))
    assert found, f"no {field} in row {key} of {testid}"
    return found.group(1).strip()


@pytest.fixture
def admin(make_user):
    return make_user("admin", email="logger@example.nhs.uk")


@pytest.fixture
def work(admin, team, other_team, make_source, make_request, make_entry):
    """February and March 2026 for `team`; one entry for `other_team`."""
    regulator = make_source("Care Quality Commission", kind="regulator")
    council = make_source("County council", kind="local_authority")
    inspection = make_request("Inspection data request", source=regulator)
    census = make_request("Care home census", source=council)
    make_entry(admin, team, inspection, occurred_on=date(2026, 2, 10), minutes=120, band="5", duplicated_elsewhere="yes", used="no")
    make_entry(admin, team, census, occurred_on=date(2026, 3, 5), minutes=60, band="5", used="yes")
    make_entry(admin, team, inspection, occurred_on=date(2026, 3, 12), minutes=240, band="5", used="unknown")
    make_entry(admin, other_team, census, occurred_on=date(2026, 3, 6), minutes=600, band="8a")
    return {"regulator": regulator, "council": council, "inspection": inspection, "census": census}


MARCH_VIEW = "/burden/?from=2025-04-01&to=2026-03-31"


def test_manager_dashboard_figures(manager_client, work, team, other_team):
    response = manager_client.get(MARCH_VIEW)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # This month (March: 300 minutes) against last month (February: 120 minutes)
    assert cell(html, "months", "hours", "this") == "5.00"
    assert cell(html, "months", "hours", "last") == "2.00"
    assert cell(html, "months", "cost", "this") == "£112.66"  # 5 h × £22.532883 = £112.664415
    assert cell(html, "months", "cost", "last") == "£45.07"  # 2 h × £22.532883 = £45.065766
    assert cell(html, "months", "fte", "this") == "0.030"  # 5 / (37.5 × 31 / 7) = 0.0301
    assert "+150.0%" in html
    # The 12-month trend: April 2025 to March 2026, every month listed
    assert html.count('data-key="2025-') + html.count('data-key="2026-') >= 12
    assert cell(html, "trend", "2026-02", "hours") == "2.00"
    assert cell(html, "trend", "2025-04", "hours") == "0.00"
    # Where the time goes: 120 of 420 minutes supplied elsewhere; 360 of 420 with no sign of use
    assert cell(html, "shares", "duplicated", "share") == "28.6%"
    assert cell(html, "shares", "unused", "share") == "85.7%"
    assert cell(html, "top-sources", work["regulator"].id, "hours") == "6.00"
    assert cell(html, "top-requests", work["census"].id, "hours") == "1.00"  # the other team's 10 h are not here
    assert other_team.name not in html


def test_fte_last_month_is_over_its_own_days(manager_client, work):
    html = manager_client.get(MARCH_VIEW).get_data(as_text=True)
    assert cell(html, "months", "fte", "last") == "0.013"  # 2 h / (37.5 × 28 / 7) = 0.01333


def test_charts_are_svg_with_a_title_and_a_table(manager_client, commissioner_client, work):
    for client, tables in ((manager_client, ["months", "trend", "shares", "top-sources", "top-requests"]),
                           (commissioner_client, ["by-sector", "by-source-kind", "by-source", "per-request-link"])):
        html = client.get(MARCH_VIEW).get_data(as_text=True)
        assert "<script" not in html.split("<main", 1)[1].split("</main>", 1)[0]  # no chart script
        svgs = re.findall(r"<svg[^>]*class=\"app-chart\".*?</svg>", html, re.S)
        assert len(svgs) >= len(tables) - 1
        for svg in svgs:
            assert re.search(r"<title id=\"[^\"]+-title\">[^<]+</title>", svg)
        for testid in tables:
            assert f'data-testid="{testid}"' in html


def test_commissioner_dashboard_figures(commissioner_client, work, team, other_team):
    html = commissioner_client.get("/burden/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    # March: team 300 minutes at band 5; other team 600 minutes at band 8a
    assert cell(html, "by-sector", "nhs_trust", "hours") == "5.00"
    assert cell(html, "by-sector", "local_authority", "hours") == "10.00"
    assert cell(html, "by-source-kind", "regulator", "hours") == "4.00"
    assert cell(html, "by-source-kind", "local_authority", "hours") == "11.00"
    assert cell(html, "by-source", work["council"].id, "entries") == "2"
    assert cell(html, "totals", "total", "hours") == "15.00"
    assert 'data-testid="per-request-link"' in html
    html = commissioner_client.get("/burden/per-request?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    # Per request: other team 10 h on 1 request; team 5 h on 2 requests = 2.5 h each
    assert cell(html, "per-request", other_team.id, "hours-per-request") == "10.00"
    assert cell(html, "per-request", team.id, "hours-per-request") == "2.50"
    assert cell(html, "per-request", team.id, "requests") == "2"
    assert html.index(f'data-key="{other_team.id}"', html.index('data-testid="per-request"')) < html.index(
        f'data-key="{team.id}"', html.index('data-testid="per-request"')
    )


def test_commissioner_sees_which_team_each_request_weighs_on(commissioner_client, work, team, other_team):
    dashboard = commissioner_client.get("/burden/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert 'data-testid="request-teams-link"' in dashboard
    response = commissioner_client.get("/burden/requests?from=2026-03-01&to=2026-03-31")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    census, inspection = work["census"].id, work["inspection"].id
    # Census: 60 min (team) + 600 min (other team at band 8a) = 11 h; the other team carries 10 h of it
    assert cell(html, "team-of-request", census, "request-hours") == "11.00"
    assert cell(html, "team-of-request", census, "team") == other_team.name
    assert cell(html, "team-of-request", census, "team-hours") == "10.00"
    assert cell(html, "team-of-request", census, "share") == "90.9%"
    # 10 h × £38.743009 (band 8a default) = £387.43009
    assert cell(html, "team-of-request", census, "team-cost") == "£387.43"
    assert cell(html, "team-of-request", inspection, "team") == team.name
    assert cell(html, "team-of-request", inspection, "share") == "100.0%"
    # Census (11 h) is listed before inspection (4 h)
    assert html.index(f'data-key="{census}"') < html.index(f'data-key="{inspection}"')


def test_request_teams_page_is_for_commissioners_and_admins(manager_client, lead_client, commissioner_client):
    assert manager_client.get("/burden/requests").status_code == 404
    assert lead_client.get("/burden/requests").status_code == 404
    assert commissioner_client.get("/burden/requests?from=2026-03-31&to=2026-03-01").status_code == 400


def test_page_api_and_service_agree(commissioner_client, work):
    from tracker.burden.services import BurdenFilter, burden
    from tracker.template_helpers import money

    html = commissioner_client.get("/burden/?from=2026-02-01&to=2026-03-31").get_data(as_text=True)
    api = commissioner_client.get("/api/v1/burden?from=2026-02-01&to=2026-03-31").get_json()
    table = burden(BurdenFilter(date(2026, 2, 1), date(2026, 3, 31)), ("sector",))
    assert cell(html, "totals", "total", "cost") == money(table.totals.cost) == f"£{api['totals']['cost']:,.2f}"
    assert cell(html, "totals", "total", "fte") == f"{api['totals']['fte']:.3f}"


def test_filters_live_in_the_url(commissioner_client, work, team):
    html = commissioner_client.get(f"/burden/?from=2026-03-01&to=2026-03-31&team_id={team.id}&source_id={work['regulator'].id}").get_data(as_text=True)
    assert cell(html, "totals", "total", "hours") == "4.00"  # team's inspection work in March only
    assert f'<option value="{team.id}" selected>' in html
    assert 'value="2026-03-01"' in html and 'value="2026-03-31"' in html


def test_source_filter_for_a_manager(manager_client, work):
    html = manager_client.get(f"{MARCH_VIEW}&source_id={work['council'].id}").get_data(as_text=True)
    assert cell(html, "months", "hours", "this") == "1.00"


@pytest.mark.parametrize(
    "query, message",
    [
        ("from=2026-02-31", "Enter a real date in the form YYYY-MM-DD"),
        ("from=2026-03-01&to=2026-02-01", "The end date must be the same as or after the start date"),
    ],
)
def test_bad_filters_show_a_message_by_the_filter(commissioner_client, query, message):
    response = commissioner_client.get(f"/burden/?{query}")
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html
    assert "nhsuk-error-summary" in html and "nhsuk-form-group--error" in html
    assert 'data-testid="by-sector"' not in html  # nothing else


def test_a_manager_cannot_reach_another_team_through_the_filter(manager_client, work, other_team):
    response = manager_client.get(f"/burden/?team_id={other_team.id}")
    assert response.status_code == 404  # as for every route that takes a team (tests/test_team_not_visible.py)
    html = response.get_data(as_text=True)
    assert other_team.name not in html  # not even in the team list
    assert "10.00" not in html


def test_a_lead_sees_their_team(lead_client, work, team):
    html = lead_client.get(f"{MARCH_VIEW}&team_id={team.id}").get_data(as_text=True)
    assert cell(html, "months", "hours", "this") == "5.00"


def test_user_typed_names_are_escaped_in_charts_and_tables(commissioner_client, admin, make_team, make_request, make_entry):
    odd = make_team('<script>alert("x")</script> & Co')
    make_entry(admin, odd, make_request(), occurred_on=date(2026, 3, 3), minutes=30)
    html = commissioner_client.get("/burden/?from=2026-03-01&to=2026-03-31").get_data(as_text=True)
    assert '<script>alert("x")' not in html
    assert "&lt;script&gt;alert(" in html


# ---- rates ---------------------------------------------------------------


def test_rates_page_explains_the_defaults_and_lists_history(admin_client):
    response = admin_client.get("/burden/rates")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Mid-point of the Agenda for Change 2025/26 band" in html
    assert "1,955.4" in html
    assert "£22.532883" in html  # band 5's default, worked out in the table
    assert 'data-testid="history-5"' in html and "1 January 2000" in html


@pytest.mark.parametrize("who", ["manager_client", "lead_client", "commissioner_client"])
def test_rates_page_is_for_admins_only(request, who):
    client = request.getfixturevalue(who)
    assert client.get("/burden/rates").status_code == 404
    assert client.post("/burden/rates", data={"band": "5", "hourly_cost": "1", "effective_from": "2026-01-01"}).status_code == 404
    assert db.session.scalar(select(Rate).where(Rate.hourly_cost == 1)) is None


def test_a_new_rate_changes_figures_from_its_date_only(admin_client, work):
    before = admin_client.get("/api/v1/burden?from=2026-02-01&to=2026-02-28").get_json()["totals"]
    response = admin_client.post(
        "/burden/rates", data={"band": "5", "hourly_cost": "30.00", "effective_from": "2026-03-10", "note": "Pay award"}
    )
    assert response.status_code == 302
    page = admin_client.get("/burden/rates").get_data(as_text=True)
    assert "Figures before that date are unchanged" in page and "£30.000000" in page and "Pay award" in page
    after = admin_client.get("/api/v1/burden?from=2026-02-01&to=2026-02-28").get_json()["totals"]
    assert after == before  # February: 2 h at the old rate, still £45.07
    # March for the team: 60 min on the 5th at the old rate, 240 min on the 12th at £30
    team_march = admin_client.get("/api/v1/burden?group_by=team&from=2026-03-01&to=2026-03-31").get_json()
    costs = {row["hours"]: row["cost"] for row in team_march["rows"]}
    assert costs[5.0] == float((RATE_5 + Decimal(4) * 30).quantize(Decimal("0.01")))  # £22.532883 + £120 = £142.53


def test_bad_rate_input_is_shown_by_the_field(admin_client):
    response = admin_client.post("/burden/rates", data={"band": "", "hourly_cost": "abc", "effective_from": "2026-02-30"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose the staff band" in html
    assert "Enter the hourly cost in pounds" in html
    assert "Enter a real date in the form YYYY-MM-DD" in html
    assert db.session.scalar(select(Rate).where(Rate.effective_from == date(2026, 2, 28))) is None


def test_the_same_band_and_date_twice_is_refused(admin_client):
    data = {"band": "6", "hourly_cost": "31", "effective_from": "2026-04-01"}
    assert admin_client.post("/burden/rates", data=data).status_code == 302
    again = admin_client.post("/burden/rates", data=data)
    assert again.status_code == 400
    assert "already has a rate from" in again.get_data(as_text=True)
    assert len(db.session.scalars(select(Rate).where(Rate.band == "6", Rate.effective_from == date(2026, 4, 1))).all()) == 1


def test_the_rates_form_needs_its_csrf_token(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("admin", email="csrf-admin@example.nhs.uk")
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', login_page)
        token = token.group(1) or token.group(2)
        client.post("/login", data={"email": user.email, "password": "correct horse battery", "csrf_token": token})
        assert client.get("/burden/rates").status_code == 200  # signed in as the admin
        response = client.post("/burden/rates", data={"band": "5", "hourly_cost": "40", "effective_from": "2026-05-01"})
        assert response.status_code == 400
        assert b"CSRF token is missing" in response.data or b"Your form expired" in response.data
        assert db.session.scalar(select(Rate).where(Rate.effective_from == date(2026, 5, 1))) is None


def test_a_source_id_naming_no_source_is_not_found(commissioner_client):
    assert commissioner_client.get("/burden/?source_id=424242").status_code == 404
