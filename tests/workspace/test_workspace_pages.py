"""The workspace pages: who may see them, the figures they show, decisions, verdicts, the dashboard, the workbook."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.models.workspace import Decision, DuplicateVerdict
from tracker.shared.timeutil import local_today, shift_months

RATE_5 = Decimal("22.532883")


def text_of(response) -> str:
    return response.get_data(as_text=True)


def field(html: str, row_key, name: str) -> str:
    """The text of a cell, by its row's data-key and the cell's data-field (headings for phones left out)."""
    row = re.search(rf'<tr class="nhsuk-table__row" data-key="{row_key}".*?</tr>', html, re.S).group(0)
    cell = re.search(rf'data-field="{name}">(.*?)</td>', row, re.S).group(1)
    return re.sub(r"<[^>]+>", "", re.sub(r'<span class="nhsuk-table__heading".*?</span>', "", cell)).strip()


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


@pytest.fixture
def workspace(db, make_user, make_team, make_source, make_request, make_entry, team):
    """A weekly sitrep two teams answer (median 1 hour: projection 104 hours), its look-alike at the ICB,
    and a monthly return; every entry inside the 12 months to today."""
    today = local_today()
    admin = make_user("admin", email="ws.admin@example.nhs.uk")
    south = make_team("South")
    nhse, icb = make_source("NHS England"), make_source("Integrated Care Board", kind="commissioner")
    sitrep = make_request("Weekly winter sitrep", source=nhse, frequency="weekly")
    lookalike = make_request("Winter situation report (weekly)", source=icb, frequency="weekly")
    contract = make_request("Monthly contract return", source=icb, frequency="monthly", obligation="statutory")
    for days, who, minutes, used in ((10, team, 30, "yes"), (40, team, 60, "no"), (70, team, 90, "no"),
                                     (20, south, 60, "no"), (50, south, 60, "no")):
        make_entry(admin, who, sitrep, occurred_on=today - timedelta(days=days), minutes=minutes, used=used)
    make_entry(admin, team, contract, occurred_on=today - timedelta(days=5), minutes=600, used="yes")
    return {"today": today, "admin": admin, "team": team, "south": south, "sitrep": sitrep, "lookalike": lookalike,
            "contract": contract, "nhse": nhse, "icb": icb}


WORKSPACE_GETS = ["/workspace/", "/workspace/value", "/workspace/duplicates", "/workspace/decisions",
                  "/workspace/requests/{id}", "/workspace/workspace.xlsx"]
WORKSPACE_POSTS = ["/workspace/requests/{id}/decisions", "/workspace/duplicates/verdict"]


@pytest.mark.parametrize("who", ["manager_client", "lead_client"])
def test_managers_and_leads_get_404_everywhere(request, workspace, db, who):
    from tracker.workspace.decisions import DecisionInput, record_decision

    decision = record_decision(workspace["admin"], workspace["contract"],
                               DecisionInput("keep", "Statutory", workspace["today"]), workspace["today"])
    db.session.commit()
    client = request.getfixturevalue(who)
    for url in WORKSPACE_GETS:
        assert client.get(url.format(id=workspace["sitrep"].id)).status_code == 404, url
    for url in WORKSPACE_POSTS + [f"/workspace/decisions/{decision.id}/withdraw"]:
        response = client.post(url.format(id=workspace["sitrep"].id), data={
            "decision": "retire", "rationale": "x", "effective_date": "2026-01-01", "reason": "x", "first_id": "1",
            "second_id": "2", "verdict": "dismissed"})
        assert response.status_code == 404, url
    db.session.refresh(decision)
    assert count(db, Decision) == 1 and decision.withdrawn_at is None and count(db, DuplicateVerdict) == 0
    assert "/workspace/" not in text_of(client.get("/burden/"))  # no link in the navigation either


def test_signed_out_visitors_are_sent_to_sign_in(client, workspace):
    assert client.get("/workspace/").status_code == 302


@pytest.mark.parametrize("who", ["commissioner_client", "admin_client"])
def test_the_ranked_page_shows_every_figure(request, workspace, who):
    client = request.getfixturevalue(who)
    response = client.get("/workspace/")
    assert response.status_code == 200
    html = text_of(response)
    sitrep = workspace["sitrep"].id
    assert field(html, sitrep, "hours") == "5.0"
    assert field(html, sitrep, "cost") == "£112.66"  # 300 minutes at band 5: 5 × £22.532883
    assert field(html, sitrep, "entries") == "5" and field(html, sitrep, "teams") == "2"
    assert field(html, sitrep, "median") == "1.00"
    assert field(html, sitrep, "used") == "10.0%"  # 30 of 300 minutes
    assert field(html, sitrep, "projected-hours") == "104.0"  # 1 hour × 52 × 2 teams
    assert field(html, sitrep, "projected-cost") == "£2,343.42"  # 104 × £22.532883
    assert field(html, sitrep, "projected-fte") == "0.053"
    assert field(html, workspace["contract"].id, "cumulative") == "66.7%"  # 600 of 900 minutes, ranked first
    assert field(html, sitrep, "cumulative") == "100.0%"
    assert "2 of the 2 requests with entries make 80% of the hours" in re.sub(r"<[^>]+>", "", html)
    assert f'href="/workspace/requests/{sitrep}"' in html
    keys = re.findall(r'<tr class="nhsuk-table__row" data-key="(\d+)"', html)
    assert keys == [str(workspace["contract"].id), str(sitrep), str(workspace["lookalike"].id)]


def test_sorting_and_filtering(commissioner_client, workspace):
    html = text_of(commissioner_client.get("/workspace/?sort=-projected_annual_cost"))
    keys = re.findall(r'<tr class="nhsuk-table__row" data-key="(\d+)"', html)
    # the return: 10 hours × 12 a year × 1 team = 120 hours (£2,703.95) before the sitrep's 104 (£2,343.42)
    assert keys[:2] == [str(workspace["contract"].id), str(workspace["sitrep"].id)]
    html = text_of(commissioner_client.get(f"/workspace/?source_id={workspace['icb'].id}&obligation=statutory"))
    assert re.findall(r'<tr class="nhsuk-table__row" data-key="(\d+)"', html) == [str(workspace["contract"].id)]
    response = commissioner_client.get("/workspace/?sort=cheapest&status=gone")
    assert response.status_code == 400
    assert "Sort by one of" in text_of(response) and "Choose a status from the list" in text_of(response)


def test_the_request_page_shows_the_same_figures_trend_teams_and_decisions(commissioner_client, workspace):
    html = text_of(commissioner_client.get(f"/workspace/requests/{workspace['sitrep'].id}"))
    assert re.search(r'data-field="projected-hours">104.0<', html)
    assert re.search(r'data-field="projected-cost">£2,343.42<', html)
    assert re.search(r'data-field="median">1.00<', html)
    trend = re.search(r'data-testid="trend">.*?<tbody.*?</tbody>', html, re.S).group(0).split("<tbody")[1]
    assert trend.count('<tr class="nhsuk-table__row">') == 24
    assert sum(Decimal(v) for v in re.findall(r"</span>([\d.]+)</td></tr>", trend)) == 5
    teams = re.search(r'data-testid="teams">.*?</table>', html, re.S).group(0)
    assert "Community Nursing North" in teams and "South" in teams
    assert "No decisions yet." in html and 'data-testid="decision-form"' in html
    assert "Winter situation report (weekly)" in html  # its likely duplicate
    assert commissioner_client.get("/workspace/requests/999999").status_code == 404


def test_a_decision_is_recorded_from_the_page_and_shown_with_its_expected_saving(commissioner_client, workspace, db):
    today, sitrep = workspace["today"], workspace["sitrep"]
    response = commissioner_client.post(f"/workspace/requests/{sitrep.id}/decisions", data={
        "decision": "merge", "merge_into": str(workspace["lookalike"].id), "rationale": "The ICB asks for the same",
        "effective_date": today.isoformat(), "confirmed": "yes"})  # contractual: confirmed (tests/test_guard_rails.py)
    assert response.status_code == 302
    decision = db.session.scalar(select(Decision))
    assert (decision.kind, decision.merge_into_id, decision.review_on) == ("merge", workspace["lookalike"].id, shift_months(today, 6))
    db.session.refresh(sitrep)
    assert (sitrep.status, sitrep.merged_into_id) == ("merged", workspace["lookalike"].id)
    html = text_of(commissioner_client.get(f"/workspace/requests/{sitrep.id}"))
    assert re.search(r'data-field="expected-hours">104.0<', html) and re.search(r'data-field="expected-cost">£2,343.42<', html)
    assert 'data-field="too-early">Too early to tell' in html
    assert re.search(r'<strong class="nhsuk-tag[^"]*"\s*>\s*In effect\s*</strong>', html)  # the status tag has its words
    assert "1 hours per entry × 52 times a year × 2 teams" in re.sub(r"<[^>]+>", "", html.replace("1.00", "1"))
    assert 'data-testid="withdraw-form"' in html and 'data-testid="decision-form"' not in html
    decisions_page = text_of(commissioner_client.get("/workspace/decisions"))
    assert "Weekly winter sitrep" in decisions_page and "Too early to tell" in decisions_page

    response = commissioner_client.post(f"/workspace/decisions/{decision.id}/withdraw", data={"reason": ""})
    assert response.status_code == 400 and "Say why the decision is withdrawn" in text_of(response)
    response = commissioner_client.post(f"/workspace/decisions/{decision.id}/withdraw", data={"reason": "Wrong request"})
    assert response.status_code == 302
    db.session.refresh(sitrep)
    assert sitrep.status == "active" and count(db, Decision) == 1


@pytest.mark.parametrize("form, field_id, message", [
    ({"decision": "merge", "merge_into": "self"}, "merge_into", "cannot be merged into itself"),
    ({"decision": "merge", "merge_into": "999999"}, "merge_into", "There is no request 999999"),
    ({"decision": "reduce_frequency", "new_frequency": "weekly"}, "new_frequency", "not less often than now"),
    ({"decision": "simplify", "target_hours_per_entry": "abc"}, "target_hours_per_entry", "Enter the target in hours"),
    ({"decision": "retire", "effective_date": "2020-01-01"}, "effective_date", "at most a year back"),
    ({"decision": "retire", "effective_date": "2026-02-30"}, "effective_date", "Enter a real date"),
    ({"decision": "retire", "rationale": ""}, "rationale", "Say why"),
    ({"decision": "retire", "review_date": "2000-01-01"}, "review_date", "on or after the effective date"),
    ({"decision": ""}, "decision", "Choose a decision"),
])
def test_bad_decisions_from_the_page_are_refused_by_the_field_and_nothing_written(commissioner_client, workspace, db, form, field_id, message):
    data = {"rationale": "Because", "effective_date": workspace["today"].isoformat(), **form}
    if data.get("merge_into") == "self":
        data["merge_into"] = str(workspace["sitrep"].id)
    events = count(db, AuditEvent)
    response = commissioner_client.post(f"/workspace/requests/{workspace['sitrep'].id}/decisions", data=data)
    assert response.status_code == 400
    html = text_of(response)
    assert message in html
    assert re.search(rf'<span class="nhsuk-error-message" id="{field_id}[-\w]*error"', html), field_id
    assert count(db, Decision) == 0 and count(db, AuditEvent) == events


def test_duplicates_are_judged_from_the_page(commissioner_client, workspace, db):
    html = text_of(commissioner_client.get("/workspace/duplicates"))
    pair = f'{workspace["sitrep"].id}-{workspace["lookalike"].id}'
    assert f'data-pair="{pair}"' in html
    response = commissioner_client.post("/workspace/duplicates/verdict", data={
        "first_id": workspace["sitrep"].id, "second_id": workspace["lookalike"].id, "verdict": "confirmed"})
    assert response.status_code == 302
    html = text_of(commissioner_client.get("/workspace/duplicates"))
    assert f'data-pair="{pair}"' not in html and 'data-testid="confirmed"' in html
    assert f'merge_into={workspace["lookalike"].id}' in html
    commissioner_client.post("/workspace/duplicates/verdict", data={
        "first_id": workspace["sitrep"].id, "second_id": workspace["lookalike"].id, "verdict": "dismissed"})
    assert 'data-testid="no-pairs"' in text_of(commissioner_client.get("/workspace/duplicates"))
    response = commissioner_client.post("/workspace/duplicates/verdict", data={"first_id": "x", "second_id": "1", "verdict": "maybe"})
    assert response.status_code == 400 and count(db, DuplicateVerdict) == 1


def test_value_against_burden_lists_the_costly_unused_corner(commissioner_client, workspace, make_request, make_entry):
    small = make_request("Quarterly note", source=workspace["nhse"], frequency="quarterly")
    make_entry(workspace["admin"], workspace["team"], small, occurred_on=workspace["today"], minutes=15, used="no")
    html = text_of(commissioner_client.get("/workspace/value"))
    assert '<svg' in html and "Projected annual cost (£)" in html and "no sign of use (%)" in html
    candidates = re.search(r'data-testid="candidates">(.*?)</ul>', html, re.S).group(1)
    # the median projected cost is the sitrep's own £2,343 (the return £2,704, the note £22.53): the sitrep,
    # 90% unused, is in the corner; the return (used) and the note (cheap) are not
    assert "Weekly winter sitrep" in candidates and "Monthly contract return" not in candidates
    assert "Quarterly note" not in candidates
    assert field(html, workspace["sitrep"].id, "no-use") == "90.0%"
    assert field(html, workspace["sitrep"].id, "candidate") == "Yes"


def test_the_dashboard_lists_decisions_due_for_review(commissioner_client, workspace, db):
    from tracker.workspace.decisions import DecisionInput, record_decision

    today = workspace["today"]
    record_decision(workspace["admin"], workspace["contract"],
                    DecisionInput("keep", "Statutory", shift_months(today, -7), review_on=today), today)
    db.session.commit()
    html = text_of(commissioner_client.get("/burden/"))
    due = re.search(r'data-testid="due-for-review">(.*?)</section>', html, re.S).group(1)
    assert "Keep: Monthly contract return" in due
    # The panel follows the dashboard's filters (the slot passes them in): the ICB's request, logged by `team`.
    for args, shown in (({"source_id": workspace["icb"].id}, True), ({"source_id": workspace["nhse"].id}, False),
                        ({"team_id": workspace["team"].id}, True), ({"team_id": workspace["south"].id}, False)):
        filtered = text_of(commissioner_client.get("/burden/", query_string=args))
        assert ('data-testid="due-for-review"' in filtered) is shown, args


def test_the_workspace_workbook(commissioner_client, workspace, db):
    from tracker.workspace.decisions import DecisionInput, record_decision

    today = workspace["today"]
    workspace["contract"].title = "=HYPERLINK(\"http://evil\")"
    record_decision(workspace["admin"], workspace["contract"], DecisionInput("keep", "@SUM(1)", today), today)
    db.session.commit()
    response = commissioner_client.get("/workspace/workspace.xlsx")
    assert response.status_code == 200
    assert response.headers["Content-Disposition"].endswith(f'workspace-{today:%Y-%m-%d}.xlsx')
    book = load_workbook(BytesIO(response.data))
    assert book.sheetnames == ["Summary", "Ranking", "Likely duplicates", "Decisions", "Variation"]
    ranking = book["Ranking"]
    assert ranking.freeze_panes == "A2" and ranking.print_title_rows == "$1:$1"
    assert ranking.page_setup.orientation == "landscape"
    header = [c.value for c in ranking[1]]
    rows = {r[1].value: r for r in ranking.iter_rows(min_row=2) if isinstance(r[0].value, int)}
    contract = rows["=HYPERLINK(\"http://evil\")"]
    assert contract[1].data_type == "s"  # user text stays text
    sitrep = rows["Weekly winter sitrep"]
    by_name = {name: cell.value for name, cell in zip(header, sitrep)}
    assert by_name["Hours"] == 5 and by_name["Projected hours a year"] == 104
    assert by_name["Cost (£)"] == pytest.approx(float(5 * RATE_5))
    assert by_name["Projected cost a year (£)"] == pytest.approx(float(104 * RATE_5))
    assert by_name["Hours per entry (median)"] == 1 and by_name["Cumulative share of hours"] == pytest.approx(1.0)
    assert sitrep[header.index("Projected cost a year (£)")].number_format == "£#,##0.00"
    decisions = book["Decisions"]
    row = [c for c in next(decisions.iter_rows(min_row=2))]
    names = [c.value for c in decisions[1]]
    assert row[names.index("Rationale")].value == "@SUM(1)" and row[names.index("Rationale")].data_type == "s"
    assert row[names.index("Measured")].value == "No saving: kept"  # a keep decision saves nothing (issue 18)
    assert row[names.index("Baseline hours")].value == 10  # the contract return's 600 minutes
    duplicates = book["Likely duplicates"]
    [pair] = [[c.value for c in row] for row in duplicates.iter_rows(min_row=2)]
    names = [c.value for c in duplicates[1]]
    assert pair[names.index("Request")] == "Weekly winter sitrep"
    assert pair[names.index("Likely duplicate")] == "Winter situation report (weekly)"
    assert pair[names.index("Score")] >= 70 and pair[names.index("Verdict")] == "Not judged yet"
    summary = {row[0].value: row[1].value for row in book["Summary"].iter_rows() if row and row[0].value}
    assert summary["Hours"] == 15 and summary["Requests that make 80% of the hours"] == 2


def test_the_catalogue_links_commissioners_to_the_workspace(commissioner_client, manager_client, workspace):
    sitrep = workspace["sitrep"].id
    assert f'href="/workspace/requests/{sitrep}"' in text_of(commissioner_client.get(f"/catalogue/requests/{sitrep}"))
    assert 'href="/workspace/"' in text_of(commissioner_client.get("/catalogue/requests"))
    assert "/workspace/" not in text_of(manager_client.get(f"/catalogue/requests/{sitrep}"))
    assert "/workspace/" not in text_of(manager_client.get("/catalogue/requests"))


def test_the_old_workspace_addresses_lead_to_the_new_ones(commissioner_client):
    answer = commissioner_client.get("/rationalise/decisions?status=in_effect")
    assert answer.status_code == 301 and answer.location == "/workspace/decisions?status=in_effect"
    assert commissioner_client.get("/rationalise/").location == "/workspace/"
