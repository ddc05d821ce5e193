"""Hand-computed burden figures (SPEC, burden arithmetic)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.burden.default_rates import default_hourly_cost
from tracker.models.burden import Rate
from tracker.burden.services import BurdenFilter, burden, burden_direct, fte
from tracker.entries.services import create_entry


def test_cost_uses_the_rate_effective_on_each_entry_date(db, make_user, team, make_request):
    user = make_user("manager", [team])
    req = make_request()
    db.session.add(Rate(band="5", hourly_cost=Decimal("30.000000"), effective_from=date(2026, 3, 15)))
    db.session.commit()

    def log(day, minutes):
        create_entry(user, {"request_id": req.id, "team_id": team.id, "occurred_on": day, "minutes": minutes,
                            "band": "5", "duplicated_elsewhere": "no", "used": "yes", "notes": ""})

    log(date(2026, 3, 14), 90)  # old rate
    log(date(2026, 3, 15), 30)  # new rate
    db.session.commit()
    table = burden(BurdenFilter(date(2026, 3, 1), date(2026, 3, 31)), ("team",))
    expected = Decimal(90) * default_hourly_cost("5") / 60 + Decimal(30) * Decimal(30) / 60
    assert table.totals.cost == expected
    assert table.totals.hours == Decimal(2)
    assert table.rows[0].cost == expected


def test_band_other_follows_band_7(db, make_user, team, make_request, make_entry):
    user = make_user("manager", [team])
    make_entry(user, team, make_request(), occurred_on=date(2026, 1, 10), minutes=60, band="other")
    table = burden(BurdenFilter(date(2026, 1, 1), date(2026, 1, 31)))
    assert table.totals.cost == default_hourly_cost("7")


def test_fte_for_28_31_and_leap_february():
    assert fte(Decimal("150"), 28) == Decimal(1)
    assert fte(Decimal("37.5"), 7) == Decimal(1)
    # 31 days: 37.5 × 31/7 hours is one FTE
    assert fte(Decimal("37.5") * 31 / 7, 31) == Decimal(1)
    assert BurdenFilter(date(2024, 2, 1), date(2024, 2, 29)).days == 29


# ---- more hand-computed figures ------------------------------------------------

RATE_5 = Decimal("22.532883")  # (31,049 + 37,796) / 2 ÷ 1,955.4 × 1.28, to six places
RATE_7 = Decimal("33.554669")  # (47,810 + 54,710) / 2 ÷ 1,955.4 × 1.28


def test_default_rates_are_spec_s_arithmetic():
    assert default_hourly_cost("5") == RATE_5
    assert default_hourly_cost("7") == RATE_7


def _admin_and_request(make_user, make_request):
    return make_user("admin"), make_request()


def test_a_mid_month_rate_change_over_whole_months(db, make_user, team, make_request, make_entry):
    """February and March as whole months (the rollup path); the rate changes on 15 March."""
    from tracker.burden.rate_changes import create_rate

    admin, req = _admin_and_request(make_user, make_request)
    make_entry(admin, team, req, occurred_on=date(2026, 2, 20), minutes=60, band="5")
    make_entry(admin, team, req, occurred_on=date(2026, 3, 14), minutes=90, band="5")
    make_entry(admin, team, req, occurred_on=date(2026, 3, 15), minutes=30, band="5")
    period = BurdenFilter(date(2026, 2, 1), date(2026, 3, 31))
    assert burden(period).totals.cost == Decimal(3) * RATE_5  # 180 minutes at £22.532883 = £67.598649
    february_before = burden(BurdenFilter(date(2026, 2, 1), date(2026, 2, 28)), ("team",))

    create_rate(admin, "5", Decimal("30"), date(2026, 3, 15))
    db.session.commit()
    table = burden(period, ("month",))
    # 150 minutes at the old rate, 30 at £30: 2.5 × £22.532883 + £15 = £71.3322075
    assert table.totals.cost == Decimal("71.3322075")
    by_month = {row.key[0]: row.cost for row in table.rows}
    assert by_month == {"2026-02": RATE_5, "2026-03": Decimal("1.5") * RATE_5 + 15}
    february_after = burden(BurdenFilter(date(2026, 2, 1), date(2026, 2, 28)), ("team",))
    assert february_after.totals.cost == february_before.totals.cost == RATE_5  # never before its date


def test_band_other_follows_band_7_until_it_has_a_rate_of_its_own(db, make_user, team, make_request, make_entry):
    from tracker.burden.rate_changes import create_rate

    admin, req = _admin_and_request(make_user, make_request)
    make_entry(admin, team, req, occurred_on=date(2026, 1, 10), minutes=60, band="other")
    make_entry(admin, team, req, occurred_on=date(2026, 2, 10), minutes=30, band="other")
    create_rate(admin, "other", Decimal("40"), date(2026, 2, 1))
    db.session.commit()
    table = burden(BurdenFilter(date(2026, 1, 1), date(2026, 2, 28)), ("band", "month"))
    costs = {row.key: row.cost for row in table.rows}
    assert costs == {("other", "2026-01"): RATE_7, ("other", "2026-02"): Decimal(20)}
    assert table.rows[0].label == ("Other", "Jan 2026")


def test_a_deleted_entry_counts_nowhere(db, make_user, team, make_request, make_entry):
    from tracker.entries.services import delete_entry

    admin, req = _admin_and_request(make_user, make_request)
    make_entry(admin, team, req, occurred_on=date(2026, 1, 10), minutes=45, band="5")
    doomed = make_entry(admin, team, req, occurred_on=date(2026, 1, 11), minutes=600, band="9")
    delete_entry(admin, doomed)
    db.session.commit()
    for period in (BurdenFilter(date(2026, 1, 1), date(2026, 1, 31)), BurdenFilter(date(2026, 1, 11), date(2026, 1, 11))):
        for path in (burden, burden_direct):
            table = path(period, ("band",), with_counts=True)
            assert [row.key for row in table.rows] == ([("5",)] if period.days > 1 else [])
    assert burden(BurdenFilter(date(2026, 1, 1), date(2026, 1, 31))).totals.cost == Decimal("0.75") * RATE_5


def test_groupings_labels_and_counts(db, make_user, team, other_team, make_source, make_request, make_entry):
    admin = make_user("admin")
    regulator, council = make_source("CQC", kind="regulator"), make_source("Council", kind="local_authority")
    a, b = make_request("Inspection", source=regulator), make_request("Census", source=council)
    make_entry(admin, team, a, occurred_on=date(2026, 1, 5), minutes=60)
    make_entry(admin, team, b, occurred_on=date(2026, 1, 6), minutes=30)
    make_entry(admin, other_team, b, occurred_on=date(2026, 1, 7), minutes=120)
    period = BurdenFilter(date(2026, 1, 1), date(2026, 1, 31))
    by_sector = burden(period, ("sector",), with_counts=True)
    assert [(r.label, r.minutes, r.teams, r.requests) for r in by_sector.rows] == [
        (("Local authority",), 120, 1, 1),
        (("NHS trust",), 90, 1, 2),
    ]
    assert (by_sector.totals.teams, by_sector.totals.requests) == (2, 2)
    by_kind = burden(period, ("source_kind",))
    assert [(r.key, r.minutes) for r in by_kind.rows] == [(("local_authority",), 150), (("regulator",), 60)]
    by_source = burden(period, ("source",), with_counts=True)
    assert [(r.label, r.teams) for r in by_source.rows] == [(("Council",), 2), (("CQC",), 1)]
    assert by_source.info["source"][regulator.id]["kind"] == "regulator"
    scoped = burden(BurdenFilter(period.start, period.end, team_ids=[team.id], source_ids=[council.id]), ("request",))
    assert [(r.label, r.minutes) for r in scoped.rows] == [(("Census",), 30)]


def test_fte_of_a_table_uses_its_period(db, make_user, team, make_request, make_entry):
    admin, req = _admin_and_request(make_user, make_request)
    make_entry(admin, team, req, occurred_on=date(2024, 2, 29), minutes=9000)  # 150 hours
    leap = burden(BurdenFilter(date(2024, 2, 1), date(2024, 2, 29)))
    assert leap.days == 29
    assert leap.fte(leap.totals) == Decimal(150) / (Decimal("37.5") * 29 / 7)
    four_weeks = burden(BurdenFilter(date(2024, 2, 2), date(2024, 2, 29)))
    assert four_weeks.fte(four_weeks.totals) == 1  # 150 h over 28 days is one full-time person


def test_unknown_grouping_is_refused_before_any_sql():
    import pytest

    from tracker.burden.dimensions import BadGrouping

    with pytest.raises(BadGrouping, match="Choose from"):
        burden(BurdenFilter(date(2026, 1, 1), date(2026, 1, 31)), ("colour",))


def test_one_entry_has_one_price_in_the_service_the_api_and_the_workbook(db, tmp_path, api_for, make_user, team,
                                                                         make_request, make_entry):
    """Regression: the price of an entry was computed in three places, in two different orders."""
    from openpyxl import load_workbook

    from tracker.api.serialise import pounds
    from tracker.burden.rates import RateBook, price
    from tracker.exports.workbook import build_workbook

    db.session.add(Rate(band="8c", hourly_cost=Decimal("53.123457"), effective_from=date(2026, 2, 1)))
    db.session.commit()
    user = make_user("lead", [team])
    entry = make_entry(user, team, make_request(), occurred_on=date(2026, 2, 3), minutes=7, band="8c")
    exact = price(7, Decimal("53.123457"))
    assert RateBook.load(db.session).cost("8c", date(2026, 2, 3), 7) == exact
    assert burden(BurdenFilter(date(2026, 2, 1), date(2026, 2, 28))).totals.cost == exact
    assert api_for(user).get(f"/api/v1/entries/{entry.id}").get_json()["cost"] == pounds(exact) == 6.2
    path = build_workbook(db.session, month=date(2026, 2, 1), team_ids=None, path=tmp_path / "b.xlsx", scope_label="All").path
    ws = load_workbook(path)["Entries"]
    header = [c.value for c in ws[1]]
    assert ws.cell(row=2, column=header.index("Cost (£)") + 1).value == float(exact)


def test_a_total_is_priced_once_so_the_order_rows_are_added_in_cannot_change_it(db, make_user, make_team, make_request,
                                                                              make_entry):
    """Regression (CI, the rollup property test): a total was the sum of its rows' costs, each already ÷ 60
    and so rounded in the 28th digit; added in another order, the fast and the straight path's totals
    differed in the last digit. Rows now keep the exact Σ minutes × rate and divide once when read."""
    from tracker.burden.regroup import regroup

    db.session.add(Rate(band="5", hourly_cost=Decimal("1.000000"), effective_from=date(2026, 1, 1)))
    db.session.commit()
    one, two = make_team("Order team one"), make_team("Order team two")
    user = make_user("lead", [one, two])
    request = make_request()
    for team, band in ((one, "5"), (two, "5"), (one, "7")):  # £1/60 + £1/60 + £33.554669/60
        make_entry(user, team, request, occurred_on=date(2026, 3, 4), minutes=1, band=band)
    exact = (Decimal(2) + RATE_7) / 60
    assert exact != Decimal(2) / 60 + RATE_7 / 60  # the sum of the parts, each divided, is not it
    flt = BurdenFilter(date(2026, 3, 1), date(2026, 3, 31))
    for table in (burden(flt, ("team", "band")), burden_direct(flt, ("team", "band")), burden(flt)):
        assert table.totals.cost == exact
    for name, position in (("team", 0), ("band", 1)):  # band 5: 1/60 + 1/60, each rounded, is not 2/60
        folded = regroup(burden(flt, ("team", "band")), name, lambda key, i=position: key[i])
        grouped = burden(flt, (name,))
        assert [(r.key, r.cost) for r in folded.rows] == [(r.key, r.cost) for r in grouped.rows]
        assert folded.totals.cost == grouped.totals.cost == exact
    assert {r.key: r.cost for r in burden(flt, ("band",)).rows}[("5",)] == Decimal(2) / 60
