"""Variation between teams on the pages: the workspace request page (every team) and the catalogue's
request page (a manager's own team by name, the others by position only)."""
from __future__ import annotations

import re
from decimal import Decimal

from tracker.template_helpers import money
from tests.variation_support import expected_saving_cost


def rows_of(html: str) -> dict[str, list[str]]:
    """The variation table's rows: team label -> its cells' text."""
    table = html[html.index('data-testid="variation-table"'):]
    table = table[: table.index("</table>")]
    out = {}
    for row in re.findall(r'<tr class="nhsuk-table__row" data-team="([^"]*)">(.*?)</tr>', table, re.S):
        cells = [re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", row[1], re.S)]
        out[row[0]] = [re.sub(r"^(Team|Responses|Hours per response|Hours|Times the median|Flagged|Saving \(hours\)|Saving \(£\)) ", "", c) for c in cells]
    return out


def test_the_workspace_page_shows_every_team_the_median_and_the_saving(db, client_for, variation_example):
    ex = variation_example
    html = client_for(ex.commissioner).get(f"/workspace/requests/{ex.request.id}").get_data(as_text=True)
    rows = rows_of(html)
    assert list(rows) == [ex.a.name, ex.d.name, ex.b.name, ex.c.name]  # cheapest first
    assert [rows[t.name][3] for t in ex.teams] == ["1.00", "2.00", "4.00", "1.50"]
    assert [rows[t.name][5] for t in ex.teams] == ["No", "No", "Yes", "No"]
    assert [rows[t.name][1] for t in ex.teams] == ["10", "10", "5", "8"]
    assert 'data-field="median">1.75 hours' in html
    assert 'data-field="saving-hours">13.75 hours' in html
    assert f'data-field="saving-cost">{money(expected_saving_cost(db, ex.today))}' in html
    assert 'id="chart-variation"' in html and "Hours per response" in html  # the dot plot names its unit


def test_a_manager_sees_their_team_by_name_and_the_others_only_by_position(db, client_for, variation_example):
    ex = variation_example
    client = client_for(ex.manager_c)
    html = client.get(f"/catalogue/requests/{ex.request.id}").get_data(as_text=True)
    rows = rows_of(html)
    assert list(rows) == ["Team 1 of 4", "Team 2 of 4", "Team 3 of 4", ex.c.name]
    for other in (ex.a, ex.b, ex.d):
        assert other.name not in html
    assert rows[ex.c.name][1:5] == ["5", "20.00", "4.00", "2.29"]
    assert rows["Team 1 of 4"][1:4] == ["–", "–", "1.00"]  # another team: its time per response, nothing else
    assert "Team 4 of 4, cheapest first" in html
    assert 'data-field="saving-hours">11.25 hours' in html  # only its own team's saving
    assert client.get(f"/workspace/requests/{ex.request.id}").status_code == 404  # the workspace is not theirs


def test_the_ranked_catalogue_has_a_sortable_variation_saving_column(db, client_for, variation_example, make_request):
    ex = variation_example
    make_request("A request nobody logged")
    client = client_for(ex.commissioner)
    html = client.get("/workspace/?sort=-variation_saving_hours").get_data(as_text=True)
    assert 'data-sort="variation_saving_hours"' in html and "Variation saving (hours)" in html
    first_row = html[html.index('<tr class="nhsuk-table__row" data-key='):]
    assert first_row.startswith(f'<tr class="nhsuk-table__row" data-key="{ex.request.id}"')  # the only one with a saving
    cell = first_row[first_row.index('data-field="variation-hours"'):]
    assert cell[: cell.index("</td>")].endswith("13.75")
    cost = first_row[first_row.index('data-field="variation-cost"'):]
    assert money(expected_saving_cost(db, ex.today)) in cost[: cost.index("</td>")]


def test_a_simplification_is_offered_the_median_time_per_response_and_shows_its_saving(db, client_for, variation_example):
    from sqlalchemy import select

    from tracker.models.workspace import Decision

    ex = variation_example
    client = client_for(ex.commissioner)
    html = client.get(f"/workspace/requests/{ex.request.id}").get_data(as_text=True)
    field = html[html.index('data-testid="simplify-target"'):]
    field = re.sub(r"\s+", " ", field[: field.index("</div>", field.index("<input"))])
    assert 'value="1.75"' in field
    # median hours per entry 2 (10 of 1 h, 8 of 1.5 h, 20 of 2 h): (2 − 1.75) × 52 weeks × 4 teams = 52 hours a year
    assert "At that target the expected saving is 52.0 hours" in field and "13.75 hours" in field
    response = client.post(f"/workspace/requests/{ex.request.id}/decisions", data={
        "decision": "simplify", "target_hours_per_entry": "1.75", "rationale": "Share team A's macro",
        "effective_date": ex.today.isoformat()})
    assert response.status_code == 302
    decision = db.session.scalar(select(Decision))
    assert decision.target_hours == Decimal("1.75") and decision.expected_saving_hours == 52
