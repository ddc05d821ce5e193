"""Comparing like with like: the month so far against the same days of last month; charts that name their units."""
from __future__ import annotations

import re
from datetime import date

import pytest

from tests.burden.test_burden_pages import cell
from tracker.burden import charts
from tracker.burden.comparison import Period, month_comparison


# ---- the periods (plain dates) -------------------------------------------------


def test_four_days_into_december_compare_with_the_first_four_of_november():
    periods = month_comparison(date(2026, 12, 4))
    assert periods.partial
    assert (periods.this.start, periods.this.end) == (date(2026, 12, 1), date(2026, 12, 4))
    assert (periods.same_days_before.start, periods.same_days_before.end) == (date(2026, 11, 1), date(2026, 11, 4))
    assert (periods.whole_month_before.start, periods.whole_month_before.end) == (date(2026, 11, 1), date(2026, 11, 30))
    assert periods.this.days == periods.same_days_before.days == 4
    assert periods.this.label == "1 to 4 December 2026"
    assert periods.same_days_before.label == "1 to 4 November 2026"
    assert periods.whole_month_before.label == "November 2026"
    assert periods.heading == "This month so far against the same days of last month"


def test_a_month_that_has_ended_compares_whole_months():
    periods = month_comparison(date(2026, 3, 31))
    assert not periods.partial
    assert periods.same_days_before == periods.whole_month_before == Period(date(2026, 2, 1), date(2026, 2, 28))
    assert periods.this.label == "March 2026"
    assert periods.heading == "This month against last month"


@pytest.mark.parametrize(
    "end, before_end",
    [
        (date(2026, 3, 30), date(2026, 2, 28)),  # February has no 29th or 30th: all of it
        (date(2028, 3, 29), date(2028, 2, 29)),  # a leap year
        (date(2026, 1, 15), date(2025, 12, 15)),  # across the year
        (date(2026, 5, 1), date(2026, 4, 1)),  # the first of the month: one day against one day
    ],
)
def test_the_earlier_period_never_runs_past_its_month(end, before_end):
    periods = month_comparison(end)
    assert periods.same_days_before.end == before_end
    assert periods.same_days_before.start == before_end.replace(day=1)
    assert periods.same_days_before.days <= periods.this.days


def test_one_day_periods_are_named_by_their_day():
    periods = month_comparison(date(2026, 5, 1))
    assert periods.this.label == "1 May 2026"
    assert periods.same_days_before.label == "1 April 2026"


# ---- the dashboard ---------------------------------------------------------------


@pytest.fixture
def december(admin_user, team, make_request, make_entry):
    sitrep = make_request("Weekly sitrep")
    make_entry(admin_user, team, sitrep, occurred_on=date(2026, 11, 2), minutes=120)  # in the first four days
    make_entry(admin_user, team, sitrep, occurred_on=date(2026, 11, 20), minutes=600)  # later in November
    make_entry(admin_user, team, sitrep, occurred_on=date(2026, 12, 3), minutes=180)
    return sitrep


@pytest.fixture
def admin_user(make_user):
    return make_user("admin", email="logger@example.nhs.uk")


def test_dashboard_on_4_december_compares_like_with_like(manager_client, december):
    html = manager_client.get("/burden/?from=2026-01-01&to=2026-12-04").get_data(as_text=True)
    assert "This month so far against the same days of last month" in html
    assert "1 to 4 December 2026 is set against the same days of last month, 1 to 4 November 2026" in html
    assert cell(html, "months", "hours", "this") == "3.00"
    assert cell(html, "months", "hours", "last") == "2.00"  # 1 to 4 November, not all of it
    assert cell(html, "months", "hours", "change") == "+50.0%"  # not the -75 % of 4 days against 30
    assert cell(html, "months", "hours", "whole-last") == "12.00"  # all of November, beside them
    # FTE per day of each period: 3 h / (37.5 × 4/7) against 2 h over the same 4 days
    assert cell(html, "months", "fte", "this") == "0.140"
    assert cell(html, "months", "fte", "last") == "0.093"


def test_dashboard_for_a_whole_month_shows_no_third_column(manager_client, december):
    html = manager_client.get("/burden/?from=2026-01-01&to=2026-11-30").get_data(as_text=True)
    assert "This month against last month" in html
    assert cell(html, "months", "hours", "this") == "12.00"
    assert 'data-field="whole-last"' not in html


# ---- charts: units on every axis, long names shortened with the full name kept ----


def test_bar_chart_names_its_unit_and_keeps_long_names_whole_in_a_title():
    long_name = ("NHS England – North East and Yorkshire regional urgent and emergency care data collection team, "
                 "winter resilience and discharge sitrep working group")
    svg = str(charts.bar_chart("c", "Hours by source", [(long_name, 12.5), ("Short", 2)]))
    assert re.search(r'font-weight="bold">Hours</text>', svg)  # the axis title
    assert f"<title>{long_name}</title>" in svg.replace("&amp;", "&")
    drawn = re.findall(r"<text [^>]*>(?:<title>[^<]*</title>)?([^<]*)</text>", svg)
    assert all(charts.text_width(text) <= charts.WIDTH for text in drawn)
    assert any(text.endswith("…") for text in drawn)
    assert all(size == str(charts.FONT_SIZE) for size in re.findall(r'font-size="(\d+)"', svg))


def test_money_and_share_axes_say_so():
    assert "Cost (£)</text>" in str(charts.bar_chart("c", "Cost", [("A", 10)], unit="£"))
    assert "% of hours</text>" in str(charts.bar_chart("c", "Shares", [("A", 10)], unit="% of hours"))


def test_line_chart_names_both_axes_and_every_month_label_fits():
    points = [(f"{month} 2026", n * 3) for n, month in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"])]
    svg = str(charts.line_chart("t", "Hours per month", points))
    assert ">Hours</text>" in svg and ">Month</text>" in svg
    width = charts.WIDTH
    for x, anchor, attributes, text in re.findall(r'<text x="([\d.]+)" y="[\d.]+" text-anchor="(\w+)"([^>]*)>([^<]*)</text>', svg):
        if "rotate" in attributes:  # the vertical axis title runs up the left edge
            continue
        half = charts.text_width(text) / 2
        left = float(x) - (half * 2 if anchor == "end" else half if anchor == "middle" else 0)
        assert left >= 0 and left + charts.text_width(text) <= width + 0.5, text  # not cut off ("Dec 202")
    assert "Dec 2026</text>" in svg  # the last month is always labelled
