"""Hand-computed burden figures (SPEC, burden arithmetic)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from tracker.burden.default_rates import default_hourly_cost
from tracker.burden.models import Rate
from tracker.burden.service import BurdenFilter, burden, fte


def test_cost_uses_the_rate_effective_on_each_entry_date(db, make_user, team, make_request):
    user = make_user("manager", [team])
    req = make_request()
    db.session.add(Rate(band="5", hourly_cost=Decimal("30.000000"), effective_from=date(2026, 3, 15)))
    db.session.commit()
    from tests.conftest import PASSWORD  # noqa: F401

    def log(day, minutes):
        from tracker.entries.services import create_entry

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
