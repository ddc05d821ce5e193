"""Licence figures on logged data: unlicensed burden (page = API = workbook), estimate against observed,
and the burden statement (page, API and .xlsx equal the burden service's figures)."""
from __future__ import annotations

import io
import re
from datetime import timedelta
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tests.licences_support import as_json, estimate_values
from tests.conftest import Api
from tests.burden.test_burden_pages import cell
from tracker.auth.commands import new_api_token
from tracker.burden.rates import RateBook
from tracker.burden.services import BurdenFilter, burden, burden_direct
from tracker.exports.workbook import build_workbook
from tracker.licences.estimates import record_estimate
from tracker.licences.licensing import decide_licence
from tracker.licences.observed import accuracy
from tracker.licences.statement import last_quarter
from tracker.licences.unlicensed import unlicensed_burden
from tracker.workspace.decisions import DecisionInput, record_decision
from tracker.shared.timeutil import add_months, local_today, month_end


@pytest.fixture
def today(app):
    return local_today()


@pytest.fixture
def people(make_user, team, other_team):
    return {
        "manager": make_user("manager", [team], email="mina@example.nhs.uk", name="Mina Manager"),
        "other": make_user("manager", [other_team], email="otto@example.nhs.uk", name="Otto Other"),
        "commissioner": make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner"),
    }


def api(app, db, user) -> Api:
    token = new_api_token(user)
    db.session.commit()
    return Api(app.test_client(), token, user)


@pytest.fixture
def month_work(db, people, team, other_team, make_source, make_request, make_entry, today):
    """Two months ago: A is licensed from the 15th, B never, C all month. Unlicensed: A's 5th (60 min) + B (45 min)."""
    month = add_months(today, -2)
    nhse, cqc = make_source("NHS England", "national_body"), make_source("Care Quality Commission", "regulator")
    a, b, c = make_request("A return", nhse), make_request("B census", cqc), make_request("C sitrep", nhse)
    boss = people["commissioner"]
    decide_licence(boss, a, "approve", without_estimate=True, reasons="No estimate in this test", today=today, reference="A-1", approved_on=month.replace(day=15))
    decide_licence(boss, c, "approve", without_estimate=True, reasons="No estimate in this test", today=today, reference="C-1", approved_on=month - timedelta(days=10))
    db.session.commit()
    make_entry(people["manager"], team, a, occurred_on=month.replace(day=5), minutes=60)
    make_entry(people["manager"], team, a, occurred_on=month.replace(day=20), minutes=30)
    make_entry(people["other"], other_team, b, occurred_on=month.replace(day=10), minutes=45)
    make_entry(people["manager"], team, c, occurred_on=month.replace(day=12), minutes=120)
    return {"month": month, "end": month_end(month), "nhse": nhse, "cqc": cqc, "a": a, "b": b, "c": c}


def login(app, user):
    client = app.test_client()
    client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    return client


def test_unlicensed_burden_is_the_same_on_the_page_in_the_api_and_in_the_workbook(app, db, people, team, other_team,
                                                                                 month_work, tmp_path):
    month, end = month_work["month"], month_work["end"]
    rate = RateBook.load(db.session).rate("5", month)
    found = unlicensed_burden(db.session, BurdenFilter(month, end))
    # By hand: A on the 5th (before its licence) and B (never licensed); not A on the 20th, not C.
    assert found.totals.minutes == 60 + 45 and found.totals.entries == 2
    assert found.totals.cost == Decimal(105) * rate / 60
    by_hand = burden_direct(BurdenFilter(month, month.replace(day=14), request_ids=[month_work["a"].id])).totals
    by_hand.add(burden_direct(BurdenFilter(month, end, request_ids=[month_work["b"].id])).totals)
    assert (found.totals.minutes, found.totals.cost) == (by_hand.minutes, by_hand.cost)
    assert {r.key[0]: r.minutes for r in found.by_team} == {team.id: 60, other_team.id: 45}
    assert {r.key[0]: r.minutes for r in found.by_source} == {month_work["nhse"].id: 60, month_work["cqc"].id: 45}

    period = f"from={month.isoformat()}&to={end.isoformat()}"
    html = login(app, people["commissioner"]).get(f"/burden/?{period}").get_data(as_text=True)
    assert re.search(r'data-testid="unlicensed-hours">1\.75<', html)
    money = f"£{(Decimal(105) * rate / 60).quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):,.2f}"
    assert f'data-testid="unlicensed-cost">{money}<' in html
    assert cell(html, "unlicensed-by-source", month_work["cqc"].id, "cost") == (
        f"£{(Decimal(45) * rate / 60).quantize(Decimal('0.01'), rounding='ROUND_HALF_UP'):,.2f}")
    assert 'data-testid="unlicensed-by-team"' not in html  # every team is a page of its own, linked
    assert 'data-testid="unlicensed-teams-link"' in html
    teams_page = login(app, people["commissioner"]).get(f"/licences/unlicensed?{period}").get_data(as_text=True)
    assert cell(teams_page, "unlicensed-by-team", team.id, "hours") == "1.00"
    assert cell(teams_page, "unlicensed-by-team", other_team.id, "hours") == "0.75"
    assert f'data-testid="unlicensed-cost">{money}<' in teams_page

    commissioner_api = api(app, db, people["commissioner"])
    by_team = commissioner_api.get(f"/api/v1/unlicensed?group_by=team&{period}").get_json()
    assert {r["key"]: r["hours"] for r in by_team["rows"]} == {team.id: 1.0, other_team.id: 0.75}
    assert by_team["totals"]["hours"] == 1.75 and f"£{by_team['totals']['cost']:,.2f}" == money
    by_source = commissioner_api.get(f"/api/v1/unlicensed?group_by=source&{period}").get_json()
    assert {r["label"]: r["entries"] for r in by_source["rows"]} == {"NHS England": 1, "Care Quality Commission": 1}

    result = build_workbook(db.session, month=month, team_ids=None, path=tmp_path / "m.xlsx", scope_label="All teams")
    assert (result.figures["unlicensed_minutes"], result.figures["unlicensed_cost"]) == (105, found.totals.cost)
    sheet = load_workbook(result.path)["Unlicensed"]
    rows = {r[0]: r for r in sheet.iter_rows(values_only=True) if r and r[0]}
    assert rows[team.name][2:4] == (1, 1.0) and rows[other_team.name][2:4] == (1, 0.75)
    assert rows["Care Quality Commission"][1] == "Regulator"
    assert rows["NHS England"][4] == float(Decimal(60) * rate / 60)
    totals = [r for r in sheet.iter_rows(values_only=True) if r and r[0] == "Total"]
    assert [t[3] for t in totals] == [1.75, 1.75]

    # A manager's dashboard and API count only their own teams' unlicensed work.
    mine = login(app, people["manager"]).get(f"/burden/?{period}").get_data(as_text=True)
    assert re.search(r'data-testid="unlicensed-hours">1\.00<', mine) and "licences-due" not in mine
    assert api(app, db, people["manager"]).get(f"/api/v1/unlicensed?{period}").get_json()["totals"]["hours"] == 1.0


def test_estimate_against_observed_on_logged_data(app, db, people, team, make_request, make_entry, today):
    """Licensed 60 days ago: 10 hours logged since (and 5 before, not counted) → 10 × 365 ÷ 61 a year."""
    boss = people["commissioner"]
    request = make_request("Monthly flow return", frequency="monthly")
    record_estimate(boss, request, estimate_values(respondents=1, responses_per_year=12, minutes_gathering=30), today)
    decide_licence(boss, request, "approve", without_estimate=True, reasons="No estimate in this test", today=today, reference="F-1", approved_on=today - timedelta(days=60))
    db.session.commit()
    make_entry(people["manager"], team, request, occurred_on=today - timedelta(days=90), minutes=300)
    for days_ago in (50, 20, 0):
        make_entry(people["manager"], team, request, occurred_on=today - timedelta(days=days_ago), minutes=200)

    observed_hours = Decimal(10) * 365 / 61
    expected_hours = Decimal(12 * 30) / 60  # 6 hours a year
    body = api(app, db, boss).get(f"/api/v1/requests/{request.id}/estimates").get_json()
    [estimate] = body["items"]
    assert estimate["expected_annual_hours"] == 6.0
    assert estimate["observed_from"] == (today - timedelta(days=60)).isoformat()
    assert estimate["observed_annual_hours"] == float(round(observed_hours, 2))
    assert estimate["observed_to_expected"] == float(round(observed_hours / expected_hours, 3))

    found = accuracy(db.session, today)
    [comparison] = found.comparisons
    assert comparison.ratio == observed_hours / expected_hours and found.median_ratio == comparison.ratio
    assert [c.request_id for c in found.worst_under_estimates] == [request.id]
    page = login(app, boss).get(f"/licences/requests/{request.id}").get_data(as_text=True)
    assert cell(page, "estimate-against-observed", "hours", "observed") == f"{observed_hours:.2f}"
    assert f"{observed_hours / expected_hours:.2f}×" in page
    assert "renew" in page  # the renewal form sits below the comparison


def test_unlicensed_request_observed_over_the_last_365_days_and_null_before_any_entry(app, db, people, team, make_request,
                                                                                    make_entry, today):
    boss = people["commissioner"]
    request = make_request("Ad hoc ask", frequency="ad_hoc")
    commissioner_api = api(app, db, boss)
    created = commissioner_api.post(f"/api/v1/requests/{request.id}/estimates",
                                    as_json(estimate_values(respondents=2, responses_per_year=6, minutes_gathering=60)))
    assert created.status_code == 201
    assert "observed_annual_hours" not in created.get_json()  # nobody has logged it yet
    make_entry(people["manager"], team, request, occurred_on=today - timedelta(days=400), minutes=600)  # outside
    make_entry(people["manager"], team, request, occurred_on=today - timedelta(days=364), minutes=180)  # first day in
    [estimate] = commissioner_api.get(f"/api/v1/requests/{request.id}/estimates").get_json()["items"]
    assert estimate["observed_from"] == (today - timedelta(days=364)).isoformat()
    assert estimate["observed_annual_hours"] == 3.0 and estimate["observed_to_expected"] == 0.25


def test_the_statement_equals_the_burden_service_for_the_same_source_and_period(app, db, people, team, other_team,
                                                                                make_source, make_request, make_entry, today):
    start, end = last_quarter(today)
    assert start.day == 1 and start.month in (1, 4, 7, 10) and (end - start).days in range(89, 92) and end < today
    source = make_source("Integrated Care Board", "commissioner")
    licensed, unlicensed = make_request("Board report", source), make_request("Finance return", source)
    idle = make_request("Idle return", source)
    elsewhere = make_request("Someone else's", make_source("Other body"))
    decide_licence(people["commissioner"], licensed, "approve", without_estimate=True, reasons="No estimate in this test", today=today, reference="ICB-7", approved_on=start)
    db.session.commit()
    for who, where, request, day, minutes, dup, used in [
        ("manager", team, licensed, 3, 90, "yes", "no"), ("manager", team, unlicensed, 20, 45, "no", "yes"),
        ("other", other_team, licensed, 40, 150, "no", "unknown"), ("other", other_team, elsewhere, 10, 500, "no", "no"),
    ]:
        make_entry(people[who], where, request, occurred_on=start + timedelta(days=day), minutes=minutes,
                   duplicated_elsewhere=dup, used=used)
    retired = record_decision(people["commissioner"], idle, DecisionInput("retire", "Nobody reads it", today), today)
    kept = record_decision(people["commissioner"], unlicensed, DecisionInput("keep", "Needed for the = board", start), today)
    record_decision(people["commissioner"], elsewhere, DecisionInput("retire", "Another source's", today), today)
    db.session.commit()
    service = burden(BurdenFilter(start, end, source_ids=[source.id]), ("request",), with_counts=True)
    assert (service.totals.minutes, service.totals.teams) == (285, 2)

    body = api(app, db, people["commissioner"]).get(f"/api/v1/sources/{source.id}/statement").get_json()
    assert (body["from"], body["to"]) == (start.isoformat(), end.isoformat())
    assert body["totals"] == {"entries": 3, "hours": 4.75, "cost": float(round(service.totals.cost, 2)),
                              "fte": float(round(service.fte(service.totals), 3)), "teams": 2}
    assert body["duplicated_share"] == round(90 / 285, 4) and body["unused_share"] == round(240 / 285, 4)
    assert (body["unlicensed_hours"], body["unlicensed_cost"]) == (0.75, float(round(service.rows[-1].cost, 2)))
    assert [(d["id"], d["decision"], d["effective_date"]) for d in body["decisions"]] == [
        (kept.id, "keep", start.isoformat()), (retired.id, "retire", today.isoformat())]
    assert body["decisions"][1]["expected_saving_hours"] == float(round(retired.expected_saving_hours, 2))
    lines = {line["id"]: line for line in body["requests"]}
    assert set(lines) == {licensed.id, unlicensed.id, idle.id}
    assert (lines[licensed.id]["hours"], lines[licensed.id]["teams"], lines[licensed.id]["licence_status"]) == (4.0, 2, "licensed")
    assert (lines[idle.id]["entries"], lines[idle.id]["licence_status"]) == (0, "none")

    page = login(app, people["commissioner"]).get(f"/licences/sources/{source.id}/statement")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "statement-print.css" in html and 'media="print"' in html
    assert cell(html, "statement-burden", licensed.id, "hours") == "4.00"
    assert cell(html, "statement-burden", unlicensed.id, "teams") == "1"
    assert re.search(r'data-field="hours">4\.75<', html) and 'data-testid="unlicensed-hours">0.75<' in html
    decisions_table = html[html.index('data-testid="statement-decisions"'):]
    assert f'data-key="{retired.id}"' in decisions_table and "Nobody reads it" in decisions_table
    assert "Another source&#39;s" not in decisions_table

    download = login(app, people["commissioner"]).get(
        f"/licences/sources/{source.id}/statement.xlsx?from={start.isoformat()}&to={end.isoformat()}")
    assert download.status_code == 200 and download.headers["Content-Disposition"].endswith(".xlsx")
    wb = load_workbook(io.BytesIO(download.data))
    summary = {r[0]: r[1] for r in wb["Statement"].iter_rows(values_only=True) if r and r[0]}
    assert summary["Hours"] == 4.75 and summary["Teams answering"] == 2 and summary["Entries"] == 3
    assert summary["Cost (£)"] == float(service.totals.cost)
    assert summary["Hours with no licence in force"] == 0.75
    assert wb["Statement"].page_setup.paperSize == 9  # A4
    rows = {r[0]: r for r in wb["Requests"].iter_rows(min_row=2, values_only=True)}
    assert rows["Board report"][6] == 4.0 and rows["Board report"][11] == "Licensed"
    assert rows["Total"][6] == 4.75
    decisions = list(wb["Decisions"].iter_rows(min_row=2, values_only=True))
    assert [(d[0], d[1], d[8]) for d in decisions] == [("Finance return", "Keep", "Needed for the = board"),
                                                       ("Idle return", "Retire", "Nobody reads it")]
    assert wb["Decisions"]["I2"].data_type == "s"  # user text stays text


def test_observed_burden_is_for_requests_with_live_entries_only(db, make_user, team, make_request, make_entry):
    """A request counts as logged when it has an entry still standing: one whose only entry was deleted
    has no observed burden, as one nobody logged (each found by a probe of the request's entries)."""
    from datetime import date

    from tracker.entries.services import delete_entry
    from tracker.licences.observed import observed_annual, requests_with_entries

    user = make_user("admin")
    logged, deleted_only, never = make_request("Logged"), make_request("Deleted only"), make_request("Never logged")
    today = date.today()
    make_entry(user, team, logged, occurred_on=today - timedelta(days=3), minutes=90)
    delete_entry(user, make_entry(user, team, deleted_only, occurred_on=today - timedelta(days=3), minutes=60))
    db.session.commit()
    ids = [logged.id, deleted_only.id, never.id]
    assert requests_with_entries(db.session, ids) == {logged.id}
    observed = observed_annual(db.session, ids, today)
    assert observed[deleted_only.id] is None and observed[never.id] is None
    assert observed[logged.id].entries == 1 and observed[logged.id].hours == Decimal("1.5")
