"""The workspace's figures on hand-built data: 12-month burden, exact median, projection, shares, Pareto."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from tracker.burden.rate_changes import create_rate
from tracker.burden.services import BurdenFilter, burden
from tracker.entries.services import delete_entry
from tracker.workspace.figures import (
    BadSort, RankingFilters, occurrences_a_year, parse_sort, ranking, request_figures, twelve_months_to,
)

RATE_5 = Decimal("22.532883")
RATE_7 = Decimal("33.554669")
TODAY = date(2026, 6, 15)  # the 12 months: 16 June 2025 to 15 June 2026 (both edges partial months)


@pytest.fixture
def catalogue(db, make_user, make_team, make_source, make_request, make_entry):
    """Four requests with entries written so that every figure can be worked out by hand."""
    admin = make_user("admin")
    north, south = make_team("North"), make_team("South")
    nhse = make_source("NHS England", kind="national_body")
    council = make_source("County council", kind="local_authority")
    sitrep = make_request("Weekly winter sitrep", source=nhse, frequency="weekly", obligation="contractual")
    adhoc = make_request("Ad hoc workforce request", source=nhse, frequency="ad_hoc", obligation="discretionary")
    idle = make_request("Monthly nothing return", source=council, frequency="monthly", obligation="statutory")
    quarterly = make_request("Quarterly care return", source=council, frequency="quarterly", obligation="statutory")

    def log(team, request, day, minutes, band="5", dup="no", used="no"):
        return make_entry(admin, team, request, occurred_on=day, minutes=minutes, band=band,
                          duplicated_elsewhere=dup, used=used)

    # sitrep: North 30, 60, 90 at band 5; South 45, 60 at band 7 -> median 60 min, 2 teams
    log(north, sitrep, date(2025, 6, 16), 30, used="yes")  # first day of the window
    log(north, sitrep, date(2025, 12, 1), 60, dup="yes")
    log(north, sitrep, date(2026, 6, 15), 90, used="yes")  # last day of the window
    log(south, sitrep, date(2026, 1, 5), 45, band="7", dup="yes")
    log(south, sitrep, date(2026, 2, 9), 60, band="7")
    log(north, sitrep, date(2025, 6, 15), 600)  # a day too early: not counted
    log(north, sitrep, date(2026, 6, 16), 600)  # a day too late: not counted
    delete_entry(admin, log(south, sitrep, date(2026, 3, 2), 600))  # deleted: counts nowhere
    # ad hoc: North 120 and 240 at band 5 -> median 180 min, 2 occurrences (2 entries, 1 team)
    log(north, adhoc, date(2025, 9, 1), 120, used="yes")
    log(north, adhoc, date(2026, 4, 1), 240)
    # quarterly: South 15 and 20 -> median 17.5 min (an even count: the mean of the middle two)
    log(south, quarterly, date(2025, 10, 1), 15, dup="yes", used="yes")
    log(south, quarterly, date(2026, 1, 1), 20)
    db.session.commit()
    return {"admin": admin, "sitrep": sitrep, "adhoc": adhoc, "idle": idle, "quarterly": quarterly,
            "nhse": nhse, "council": council}


def test_the_12_months_end_today_and_start_the_day_after_a_year_before():
    assert twelve_months_to(TODAY) == (date(2025, 6, 16), TODAY)
    assert twelve_months_to(date(2028, 2, 29)) == (date(2027, 3, 1), date(2028, 2, 29))


def test_occurrences_a_year_follow_spec():
    assert [occurrences_a_year(f, 0, 0) for f in ("weekly", "fortnightly", "monthly", "quarterly", "biannual", "annual", "one_off")] == [52, 26, 12, 4, 2, 1, 1]
    assert occurrences_a_year("ad_hoc", 6, 2) == 3  # observed: entries per team
    assert occurrences_a_year("ad_hoc", 0, 0) is None


def test_figures_of_each_request_by_hand(catalogue):
    start, end = twelve_months_to(TODAY)
    figures = request_figures(start, end, TODAY)
    sitrep = figures[catalogue["sitrep"].id]
    assert (sitrep.entries, sitrep.minutes, sitrep.teams) == (5, 285, 2)
    assert sitrep.hours == Decimal("4.75")
    assert sitrep.cost == (180 * RATE_5 + 105 * RATE_7) / 60
    assert sitrep.median_minutes == 60 and sitrep.median_hours == 1
    assert sitrep.duplicated_share == Decimal(105) / 285  # 60 + 45 minutes marked supplied elsewhere
    assert sitrep.used_share == Decimal(120) / 285
    assert sitrep.no_use_share == 1 - Decimal(120) / 285
    # median 1 hour × 52 a year × 2 teams, priced at its own band mix
    assert sitrep.projected_hours == 104
    assert sitrep.hourly_cost == (180 * RATE_5 + 105 * RATE_7) / 285
    assert sitrep.projected_cost == 104 * (180 * RATE_5 + 105 * RATE_7) / 285
    assert sitrep.projected_fte == Decimal(104) / (Decimal("37.5") * 365 / 7)

    adhoc = figures[catalogue["adhoc"].id]
    assert (adhoc.median_minutes, adhoc.occurrences, adhoc.teams) == (180, 2, 1)
    assert adhoc.projected_hours == 6  # median 3 hours × its 2 entries
    assert adhoc.projected_cost == 6 * RATE_5

    quarterly = figures[catalogue["quarterly"].id]
    assert quarterly.median_minutes == Decimal("17.5")
    assert quarterly.projected_hours == Decimal("17.5") / 60 * 4

    idle = figures[catalogue["idle"].id]
    assert (idle.entries, idle.minutes, idle.teams, idle.median_minutes) == (0, 0, 0, None)
    assert (idle.projected_hours, idle.projected_cost, idle.duplicated_share, idle.used_share) == (0, 0, None, None)


@pytest.mark.parametrize("today", [TODAY, date(2026, 3, 2), date(2026, 1, 31)])
def test_with_variation_the_teams_come_off_the_variations_rows_and_agree(catalogue, variation_example, today):
    """With the variation, each request's teams are counted off its (request, team) rows instead of the
    service's distinct count: every figure stays what the plain path gives."""
    start, end = twelve_months_to(today)
    plain = request_figures(start, end, today)
    varied = request_figures(start, end, today, with_variation=True)
    assert plain.keys() == varied.keys()
    for request_id, figures in plain.items():
        row, other = figures.row, varied[request_id].row
        assert (row.entries, row.minutes, row.cost, row.duplicated_minutes, row.used_minutes, row.teams, row.requests or 0) == (
            other.entries, other.minutes, other.cost, other.duplicated_minutes, other.used_minutes, other.teams,
            other.requests or 0), figures.request.title
    assert varied[catalogue["sitrep"].id].teams == 2 and varied[catalogue["idle"].id].teams == 0


def test_the_projection_is_priced_at_the_rates_in_force_on_the_pricing_day(catalogue):
    create_rate(catalogue["admin"], "5", Decimal("40"), date(2026, 7, 1))
    start, end = twelve_months_to(TODAY)
    before = request_figures(start, end, TODAY)[catalogue["adhoc"].id]
    after = request_figures(start, end, date(2026, 7, 1))[catalogue["adhoc"].id]
    assert before.projected_cost == 6 * RATE_5
    assert after.projected_cost == 6 * 40
    assert before.cost == after.cost == 6 * RATE_5  # what was spent keeps the rates of its days


def test_ranking_pareto_and_sorting(catalogue):
    ranked = ranking(TODAY)
    titles = [f.request.title for f in ranked.rows]
    # most hours first; the request without entries last
    assert titles == ["Ad hoc workforce request", "Weekly winter sitrep", "Quarterly care return", "Monthly nothing return"]
    assert ranked.total_minutes == 360 + 285 + 35
    start, end = twelve_months_to(TODAY)  # the catalogue's total is the burden service's, to the last digit
    assert ranked.total_cost == burden(BurdenFilter(start, end)).totals.cost
    shares = [f.cumulative_share for f in ranked.by_hours]
    assert shares[:3] == [Decimal(360) / 680, Decimal(645) / 680, Decimal(1)]
    assert ranked.pareto_count == 2  # 645 of 680 minutes (94.9 %) in the first two
    assert ranked.with_hours == 3

    by_projection = ranking(TODAY, sort="-projected_annual_hours")
    assert [f.request.title for f in by_projection.rows][:2] == ["Weekly winter sitrep", "Ad hoc workforce request"]
    by_median = ranking(TODAY, sort="median_hours_per_entry")
    assert [f.request.title for f in by_median.rows] == [
        "Quarterly care return", "Weekly winter sitrep", "Ad hoc workforce request", "Monthly nothing return",
    ]  # ascending; no median sorts last either way
    assert [f.request.title for f in ranking(TODAY, sort="-median_hours_per_entry").rows][-1] == "Monthly nothing return"


def test_ranking_filters(catalogue):
    council = ranking(TODAY, RankingFilters(source_id=catalogue["council"].id))
    assert {f.request.title for f in council.rows} == {"Monthly nothing return", "Quarterly care return"}
    assert council.pareto_count == 1 and council.total_minutes == 35  # Pareto of what is shown
    assert {f.request.title for f in ranking(TODAY, RankingFilters(source_kind="national_body")).rows} == {
        "Weekly winter sitrep", "Ad hoc workforce request"}
    assert [f.request.title for f in ranking(TODAY, RankingFilters(obligation="discretionary")).rows] == ["Ad hoc workforce request"]
    assert ranking(TODAY, RankingFilters(status="retired")).rows == []


def test_a_sort_that_does_not_exist_is_refused_by_name():
    assert parse_sort("-projected_annual_cost") == ("projected_annual_cost", True)
    assert parse_sort(None) == ("observed_hours_12m", True)
    with pytest.raises(BadSort, match="projected_annual_cost"):
        parse_sort("cheapest")
