"""Issue 18's guard rails and fixes, below the browser: a licence needs an estimate (or a recorded reason),
retiring a statutory or contractual request is confirmed first, a keep saves nothing, the daily frequency,
licences listed by their work, the demo's licences, and the month so far on charts."""
from __future__ import annotations

import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.demo.test_demo import seed_cli
from tracker.burden import charts
from tracker.licences.licensing import LicenceRefused, decide_licence
from tracker.licences.status import licence_statuses, status_of
from tracker.models.audit import AuditEvent
from tracker.models.licences import Estimate, LicenceDecision
from tracker.models.workspace import Decision
from tracker.shared.timeutil import local_today, month_so_far

ESTIMATE = {"purpose": "Monitoring", "respondents": "2", "responses_per_year": "12", "minutes_gathering": "60",
            "band": "5", "basis": "panel"}


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


# ---- a licence needs an estimate ---------------------------------------------------------------


def test_approving_without_an_estimate_is_refused_unless_chosen_with_a_reason(commissioner_client, make_request, db):
    request = make_request("Monthly return")
    url = f"/licences/requests/{request.id}/licence"
    page = commissioner_client.get(f"/licences/requests/{request.id}").get_data(as_text=True)
    assert "Licence reference (required to approve)" in page
    assert page.index('id="estimates-heading"') < page.index('data-testid="licence-form"')  # estimates first
    assert 'name="without_estimate"' in page

    refused = commissioner_client.post(url, data={"action": "approve", "reference": "R-1"})
    html = refused.get_data(as_text=True)
    assert refused.status_code == 400 and "Record a burden estimate before approving" in html
    assert 'href="#without_estimate"' in html  # the error summary links to the choice
    no_reason = commissioner_client.post(url, data={"action": "approve", "reference": "R-1", "without_estimate": "y"})
    assert no_reason.status_code == 400 and "Give the reason for approving without an estimate" in no_reason.get_data(as_text=True)
    assert count(db, LicenceDecision) == 0

    ok = commissioner_client.post(url, data={"action": "approve", "reference": "R-1", "without_estimate": "y",
                                             "reasons": "Ministerial direction: needed this week"})
    assert ok.status_code == 302
    decision = db.session.scalar(select(LicenceDecision))
    assert decision.estimate_id is None and decision.reasons == "Ministerial direction: needed this week"
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "licence_decision")).new["reasons"]
    history = commissioner_client.get(f"/licences/requests/{request.id}").get_data(as_text=True)
    assert "Approved without an estimate" in history


def test_with_an_estimate_the_licence_needs_no_reason(commissioner_client, make_request, db):
    request = make_request("Monthly return")
    assert commissioner_client.post(f"/licences/requests/{request.id}/estimates/new", data=ESTIMATE).status_code == 302
    page = commissioner_client.get(f"/licences/requests/{request.id}").get_data(as_text=True)
    assert 'name="without_estimate"' not in page
    ok = commissioner_client.post(f"/licences/requests/{request.id}/licence", data={"action": "approve", "reference": "R-2"})
    assert ok.status_code == 302
    assert db.session.scalar(select(LicenceDecision)).estimate_id == db.session.scalar(select(Estimate.id))


def test_the_api_keeps_the_same_guard_rail(api_for, make_user, make_request, db):
    api = api_for(make_user("commissioner", email="api.commissioner@example.nhs.uk"))
    request = make_request("Weekly return", frequency="weekly")
    url = f"/api/v1/requests/{request.id}/licence"
    refused = api.post(url, {"action": "approve", "reference": "A-1"})
    assert refused.status_code == 400 and "without_estimate" in refused.get_json()["errors"]
    refused = api.post(url, {"action": "approve", "reference": "A-1", "without_estimate": False, "reasons": "x"})
    assert refused.status_code == 400 and "without_estimate" in refused.get_json()["errors"]
    ok = api.post(url, {"action": "approve", "reference": "A-1", "without_estimate": True, "reasons": "Urgent"})
    assert ok.status_code == 201 and ok.get_json()["estimate_id"] is None


def test_a_decline_needs_no_estimate(db, make_request, make_user):
    request = make_request("Monthly return")
    boss = make_user("commissioner", email="boss@example.nhs.uk")
    decide_licence(boss, request, "decline", today=date(2026, 6, 1), reasons="Duplicates the capacity tracker")
    with pytest.raises(LicenceRefused) as refused:
        decide_licence(boss, request, "renew", today=date(2026, 6, 1), reference="X", without_estimate=False)
    assert refused.value.field == "action"  # never licensed: renew is refused before the estimate rule


# ---- decisions ------------------------------------------------------------------------------------


def _decision_data(request_id_or_kind="retire", **extra):
    return {"decision": request_id_or_kind, "rationale": "Nobody reads it", "effective_date": local_today().isoformat(), **extra}


@pytest.mark.parametrize("obligation", ["statutory", "contractual"])
def test_retiring_an_obliged_request_asks_first_and_the_banner_states_the_saving(commissioner_client, make_request, make_entry,
                                                                               make_user, team, db, obligation):
    request = make_request("Regulator's return", obligation=obligation, frequency="monthly")
    make_entry(make_user("manager", [team]), team, request, occurred_on=local_today() - timedelta(days=20), minutes=120)
    url = f"/workspace/requests/{request.id}/decisions"
    asked = commissioner_client.post(url, data=_decision_data())
    html = asked.get_data(as_text=True)
    assert asked.status_code == 200 and count(db, Decision) == 0
    assert f"Are you sure you want to retire a {obligation} request?" in html
    assert 'name="confirmed" value="yes"' in html and 'value="Nobody reads it"' in html
    assert re.search(r'data-field="expected-saving">24.0 hours', html)  # 2 hours × 12 months
    done = commissioner_client.post(url, data=_decision_data(confirmed="yes"), follow_redirects=True)
    assert count(db, Decision) == 1
    assert "Expected saving: 24.0 hours, £" in done.get_data(as_text=True)


def test_a_discretionary_request_retires_without_asking(commissioner_client, make_request, db):
    request = make_request("Nice to have", obligation="discretionary")
    response = commissioner_client.post(f"/workspace/requests/{request.id}/decisions", data=_decision_data())
    assert response.status_code == 302 and count(db, Decision) == 1


def test_a_bad_decision_is_refused_by_its_field_before_any_confirmation(commissioner_client, make_request, db):
    request = make_request("Regulator's return", obligation="statutory")
    response = commissioner_client.post(f"/workspace/requests/{request.id}/decisions",
                                        data=_decision_data("merge", merge_into="999999"))
    assert response.status_code == 400 and "There is no request 999999" in response.get_data(as_text=True)


def test_a_keep_shows_no_saving(commissioner_client, make_request, make_entry, make_user, team, db):
    request = make_request("Kept return", obligation="discretionary")
    make_entry(make_user("manager", [team]), team, request, occurred_on=local_today() - timedelta(days=300), minutes=600)
    back = (local_today() - timedelta(days=200)).isoformat()
    commissioner_client.post(f"/workspace/requests/{request.id}/decisions",
                             data={"decision": "keep", "rationale": "Statutory surveillance", "effective_date": back})
    make_entry(make_user("manager", [team], email="second@example.nhs.uk"), team, request,
               occurred_on=local_today() - timedelta(days=10), minutes=6000)
    html = commissioner_client.get("/workspace/decisions").get_data(as_text=True)
    row = re.search(r'<li class="nhsuk-card[^"]*" data-key="\d+".*?</li>', html, re.S).group(0)
    assert row.count("No saving: the request is kept") == 2 and 'data-field="realised-hours"' not in row
    assert "How this was worked out" not in row


def test_the_decision_form_reveals_each_field_under_its_choice(commissioner_client, make_request):
    request = make_request("Any return")
    html = commissioner_client.get(f"/workspace/requests/{request.id}").get_data(as_text=True)
    for value, field in (("merge", "merge_into"), ("reduce_frequency", "new_frequency"), ("simplify", "target_hours_per_entry")):
        conditional = re.search(rf'<div class="nhsuk-radios__conditional[^"]*" id="conditional-decision-\d+">(.*?)</div>\s*</div>',
                                html[html.index(f'value="{value}"'):], re.S).group(1)
        assert f'name="{field}"' in conditional, value


# ---- daily ----------------------------------------------------------------------------------------


def test_a_daily_request_projects_365_responses_and_is_offered_everywhere(commissioner_client, admin_client, api_for, make_user,
                                                                          make_request, db):
    daily = make_request("Daily sitrep", frequency="daily")
    db.session.commit()
    assert daily.frequency == "daily"
    form = admin_client.get("/catalogue/requests/new").get_data(as_text=True)
    assert re.search(r"<option value=\"daily\"[^>]*>\s*Daily\s*</option>", form), form[form.find("frequency"):][:600]
    estimate = commissioner_client.get(f"/licences/requests/{daily.id}/estimates/new").get_data(as_text=True)
    assert 'value="365"' in estimate and "The request is daily: 365 a year" in estimate
    api = api_for(make_user("commissioner", email="daily.api@example.nhs.uk"))
    spec = api.get("/api/v1/openapi.json").get_json()
    assert "daily" in spec["components"]["schemas"]["Request"]["properties"]["frequency"]["enum"]
    assert commissioner_client.post(f"/licences/requests/{daily.id}/estimates/new",
                                    data={**ESTIMATE, "responses_per_year": "365"}).status_code == 302


# ---- licences by their work, and the demo's ---------------------------------------------------------


def test_licences_are_listed_by_hours_a_year_largest_first(commissioner_client, make_request, make_entry, make_user, team):
    manager = make_user("manager", [team])
    small, large, none = make_request("A small one"), make_request("B large one"), make_request("C never logged")
    make_entry(manager, team, small, occurred_on=local_today() - timedelta(days=3), minutes=30)
    make_entry(manager, team, large, occurred_on=local_today() - timedelta(days=3), minutes=300)
    html = commissioner_client.get("/licences/").get_data(as_text=True)
    table = html[html.index('data-testid="licences"'):]
    keys = re.findall(r'<tr class="nhsuk-table__row" data-key="(\d+)"', table)
    assert keys == [str(large.id), str(small.id), str(none.id)]
    assert "Not logged" in table


def test_the_demo_records_estimates_and_every_kind_of_licence(app, db):
    seed_cli(app, "--teams", "2", "--months", "2", "--entries", "200")
    today = local_today()
    statuses = licence_statuses(db.session, None, today)
    kinds = {status_of(statuses, d.request_id, today).status for d in db.session.scalars(select(LicenceDecision))}
    assert {"licensed", "expiring", "expired"} <= kinds
    assert db.session.scalar(select(func.count()).where(LicenceDecision.action == "decline")) == 1
    assert count(db, Estimate) >= 7
    assert all(d.estimate_id is not None for d in db.session.scalars(select(LicenceDecision)))


# ---- charts ------------------------------------------------------------------------------------------


def test_the_month_so_far_is_labelled_and_a_chart_starts_at_its_data():
    assert month_so_far(date(2026, 12, 1), date(2026, 12, 5)) == "1–5 Dec"
    assert month_so_far(date(2026, 11, 1), date(2026, 11, 30)) is None
    points = [("Oct 2026", 0), ("Nov 2026", 12), ("Dec 2026", 2)]
    assert charts.from_first_value(points) == points[1:]
    svg = str(charts.line_chart("c", "Hours", charts.from_first_value(points), so_far="1–5 Dec"))
    assert "1–5 Dec" in svg and 'data-so-far="true"' in svg and "Oct 2026" not in svg
    assert "1–5 Dec (so far): 2 hours" in svg
