"""Team capacity and the share of management time: the rule, recording it, and its exact figures."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction

import pytest
from sqlalchemy import select

from tests.capacity_support import APRIL, APRIL_AVAILABLE, APRIL_SHARE, mid_month_change, record
from tracker.burden.capacity import CapacityBook, CapacityExists, capacity_history, fte_problem
from tracker.burden.figures import BurdenFilter
from tracker.burden.shares import Share, combine, management_shares
from tracker.models.audit import AuditEvent
from tracker.models.capacity import TeamCapacity
from tracker.shared.errors import Refused


def test_two_fte_over_a_thirty_day_month_is_321_43_hours(db, team, make_user):
    record(db, make_user("admin"), team, "2", date(2026, 6, 1))
    available = CapacityBook.load().available_hours(team.id, date(2026, 6, 1), date(2026, 6, 30))
    assert available == Fraction(2250, 7)
    assert round(Decimal(available.numerator) / available.denominator, 2) == Decimal("321.43")


def test_a_change_mid_month_counts_each_day_at_the_fte_in_force(db, team, make_user, make_entry, make_request):
    mid_month_change(db, make_entry, make_request, make_user("admin"), team)
    shares = management_shares(BurdenFilter(*APRIL))
    share = shares.of(team.id)
    assert share.available == APRIL_AVAILABLE
    assert share.ratio == APRIL_SHARE
    assert f"{share.share:.4f}" == "0.0996"
    # A period before the first capacity, or reaching back before it, has no share: never 0.
    assert management_shares(BurdenFilter(date(2026, 2, 1), date(2026, 2, 28))).of(team.id).share is None
    assert management_shares(BurdenFilter(date(2026, 2, 20), date(2026, 3, 10))).of(team.id).share is None


def test_by_month_and_a_group_counts_only_teams_with_capacity(db, team, other_team, make_user, make_entry, make_request):
    user = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, user, team)
    make_entry(user, other_team, request, occurred_on=date(2026, 4, 3), minutes=6000)  # no capacity: left out
    shares = management_shares(BurdenFilter(date(2026, 3, 1), APRIL[1]), by_month=True)
    assert shares.month_keys == ["2026-03", "2026-04"]
    assert shares.months[(team.id, "2026-04")].ratio == APRIL_SHARE
    assert shares.months[(team.id, "2026-03")].ratio == 0  # capacity, no hours: 0 %, defined
    assert shares.months[(other_team.id, "2026-04")].share is None
    group = shares.month("2026-04")
    assert (group.teams_covered, group.teams, group.ratio) == (1, 2, APRIL_SHARE)
    assert combine([Share(60, None)]).share is None


def test_recording_is_audited_never_edited_and_refuses_a_second_value_for_the_same_day(db, team, make_user):
    admin = make_user("admin")
    first = record(db, admin, team, "2.5", date(2026, 1, 1))
    record(db, admin, team, "3", date(2026, 2, 1))
    assert [c.fte for c in capacity_history(team.id)] == [Decimal("3"), Decimal("2.5")]
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "team_capacity")).all()
    assert {e.new["fte"] for e in events} == {"2.500", "3.000"} or {e.new["fte"] for e in events} == {"2.5", "3"}
    with pytest.raises(CapacityExists):
        record(db, admin, team, "9", date(2026, 1, 1))
    db.session.rollback()
    assert db.session.get(TeamCapacity, first.id).fte == Decimal("2.5")


@pytest.mark.parametrize("value", [0, -1, Decimal("1000.001"), "2", True, None, float("nan"), Decimal("1.2345")])
def test_an_fte_outside_the_rule_is_refused(db, team, make_user, value):
    assert fte_problem(value) is not None
    with pytest.raises(Refused):
        from tracker.burden.capacity import record_capacity

        record_capacity(make_user("admin"), team, value, date(2026, 1, 1))
    db.session.rollback()
    assert fte_problem(1000) is None and fte_problem(0.5) is None
