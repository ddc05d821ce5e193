"""Variation between teams in the workspace workbook (commissioners and admins only)."""
from __future__ import annotations

from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook

from tests.variation_support import expected_saving_cost


def test_the_workspace_workbook_has_every_teams_variation_and_the_rankings_saving(db, client_for, variation_example):
    ex = variation_example
    response = client_for(ex.commissioner).get("/workspace/workspace.xlsx")
    book = load_workbook(BytesIO(response.data))
    sheet = book["Variation"]
    header = [c.value for c in sheet[1]]
    rows = [dict(zip(header, (c.value for c in row))) for row in sheet.iter_rows(min_row=2)]
    assert [r["Team"] for r in rows] == [ex.a.name, ex.d.name, ex.b.name, ex.c.name]
    assert [r["Hours per response"] for r in rows] == [1, 1.5, 2, 4]
    assert [r["Responses"] for r in rows] == [10, 8, 10, 5]
    assert {r["Median hours per response"] for r in rows} == {1.75}
    assert [r["Flagged (2 × the median or more)"] for r in rows] == ["No", "No", "No", "Yes"]
    assert sum(r["Saving at the median (hours)"] for r in rows) == pytest.approx(13.75)
    assert sheet.cell(2, header.index("Hours per response") + 1).number_format == "0.00"
    ranking = book["Ranking"]
    names = [c.value for c in ranking[1]]
    line = next(r for r in ranking.iter_rows(min_row=2) if r[1].value == ex.request.title)
    assert line[names.index("Variation saving (hours)")].value == pytest.approx(13.75)
    assert Decimal(str(line[names.index("Variation saving (£)")].value)).quantize(Decimal("0.01")) == \
        expected_saving_cost(db, ex.today).quantize(Decimal("0.01"))


def test_a_manager_gets_no_workspace_workbook(db, client_for, variation_example):
    assert client_for(variation_example.manager_c).get("/workspace/workspace.xlsx").status_code == 404
