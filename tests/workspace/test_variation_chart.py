"""The dot plot of hours per response (tracker/burden/charts.py `dot_plot`): one row per team, or one
band when there are too many teams for rows."""
from __future__ import annotations

import re
from decimal import Decimal

from tracker.burden.charts import DOT_ROWS, dot_plot


def height_of(svg: str) -> float:
    return float(re.search(r'viewBox="0 0 \d+ (\d+)"', svg).group(1))


def test_few_teams_get_a_labelled_row_each_and_the_median_is_marked():
    svg = str(dot_plot("c", "Hours per response", [("<A>", Decimal(1), False), ("C", Decimal(4), True)],
                       "hours per response", marks=[("median", Decimal("1.75"))]))
    assert svg.count("<circle") == 2 and 'fill="#d5281b"' in svg  # the flagged one in red
    assert "&lt;A&gt;" in svg and "<A>" not in svg  # names are escaped
    assert "Hours per response" in svg and "Dashed: median 1.75" in svg and "stroke-dasharray" in svg


def test_many_teams_share_one_band_and_keep_their_names_in_tooltips():
    items = [(f"Team {n}", Decimal(n) / 10, n > 190) for n in range(1, 201)]
    svg = str(dot_plot("c", "Hours per response", items, "hours per response"))
    assert len(items) > DOT_ROWS and svg.count("<circle") == 200
    assert height_of(svg) < 200  # not two hundred rows
    assert "<title>Team 200: 20.00 hours per response</title>" in svg
