"""The issue's worked example of variation between teams, built through the entry service.

A weekly request; team A 1 h in each of 10 weeks, B 2 h in each of 10 weeks, C two entries of
2 h in each of 5 weeks, D 1.5 h in each of 8 weeks → 1, 2, 4 and 1.5 h per response; median
1.75; C flagged; saving (2 − 1.75) × 10 + (4 − 1.75) × 5 = 13.75 h. A, B and D log at band 5,
C at band 7, so the saving in pounds shows each team's own cost of an hour."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from tracker.burden.rates import RateBook


@dataclass
class Example:
    request: object
    a: object
    b: object
    c: object
    d: object
    manager_c: object  # a manager of team C (the flagged one)
    manager_a: object
    commissioner: object
    today: date

    @property
    def teams(self):
        return [self.a, self.b, self.c, self.d]


def weeks_back(today: date, count: int) -> list[date]:
    """The Tuesday of each of the `count` whole weeks before this one."""
    monday = today - timedelta(days=today.weekday())
    return [monday - timedelta(weeks=k) + timedelta(days=1) for k in range(1, count + 1)]


def build_example(db, make_team, make_user, make_request, make_entry, today: date | None = None) -> Example:
    today = today or date.today()
    a, b, c, d = (make_team(name) for name in ("Alpha Ward Team", "Beta Community Team", "Gamma Mental Health",
                                               "Delta Primary Care"))
    manager_a = make_user("manager", [a], email="manager.a@example.nhs.uk", name="Ann Alpha")
    manager_b = make_user("manager", [b], email="manager.b@example.nhs.uk", name="Ben Beta")
    manager_c = make_user("manager", [c], email="manager.c@example.nhs.uk", name="Cat Gamma")
    manager_d = make_user("manager", [d], email="manager.d@example.nhs.uk", name="Dev Delta")
    commissioner = make_user("commissioner", email="commissioner.v@example.nhs.uk", name="Cora Commissioner")
    request = make_request("Weekly winter sitrep", frequency="weekly")
    weeks = weeks_back(today, 10)
    for day in weeks:
        make_entry(manager_a, a, request, occurred_on=day, minutes=60)
        make_entry(manager_b, b, request, occurred_on=day, minutes=120)
    for day in weeks[:5]:
        make_entry(manager_c, c, request, occurred_on=day, minutes=120, band="7")
        make_entry(manager_c, c, request, occurred_on=day + timedelta(days=2), minutes=120, band="7")
    for day in weeks[:8]:
        make_entry(manager_d, d, request, occurred_on=day, minutes=90)
    return Example(request, a, b, c, d, manager_c, manager_a, commissioner, today)


def expected_saving_cost(db, today: date) -> Decimal:
    """B's 2.5 h at band 5 and C's 11.25 h at band 7, at the rates of the entries' days (unchanged in the tests)."""
    rates = RateBook.load(db.session)
    return Decimal("2.5") * rates.rate("5", today) + Decimal("11.25") * rates.rate("7", today)
