"""Variation between teams on the same request: the owner's arithmetic (tracker/workspace/variation.py)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from tests.variation_support import expected_saving_cost
from tracker.entries.services import delete_entry
from tracker.workspace.figures import twelve_months_to
from tracker.workspace.responses import period_counts, whole_months, whole_weeks
from tracker.workspace.variation import variation_of, variations


def test_the_worked_example_gives_the_issues_figures(db, variation_example):
    ex = variation_example
    start, end = twelve_months_to(ex.today)
    found = variation_of(ex.request.id, start, end)
    by_team = {t.team_id: t for t in found.teams}
    assert {t.id: by_team[t.id].hours_per_response for t in ex.teams} == {
        ex.a.id: 1, ex.b.id: 2, ex.c.id: 4, ex.d.id: Decimal("1.5")}
    assert [by_team[t.id].responses for t in ex.teams] == [10, 10, 5, 8]
    assert [by_team[t.id].hours for t in ex.teams] == [10, 20, 20, 12]
    assert found.median_hours_per_response == Decimal("1.75")
    assert [t.flagged for t in found.teams] == [False, False, False, True]  # cheapest first: A, D, B, C
    assert [t.team_id for t in found.teams] == [ex.a.id, ex.d.id, ex.b.id, ex.c.id]
    assert by_team[ex.c.id].ratio_to_median == Decimal(4) / Decimal("1.75")
    assert found.saving_hours == Decimal("13.75")
    assert found.saving_cost == expected_saving_cost(db, ex.today)  # each team's own cost of an hour
    assert by_team[ex.a.id].saving_hours == 0 and by_team[ex.b.id].saving_hours == Decimal("2.5")


def test_two_teams_are_not_a_variation_and_deleted_entries_count_nowhere(db, variation_example):
    ex = variation_example
    start, end = twelve_months_to(ex.today)
    from sqlalchemy import select
    from tracker.models.entries import Entry

    for entry in db.session.scalars(select(Entry).where(Entry.team_id.in_([ex.c.id, ex.d.id]))).all():
        delete_entry(entry.logged_by, entry)
    db.session.commit()
    assert variation_of(ex.request.id, start, end) is None
    assert ex.request.id not in variations(start, end)


def test_responses_are_the_requests_own_periods(db, make_team, make_user, make_request, make_entry):
    """Two days count once when they share the request's period, twice when they do not."""
    team = make_team("Periods Team")
    user = make_user("manager", [team])
    cases = {
        # frequency: (days, responses)
        "weekly": ((date(2026, 3, 2), date(2026, 3, 8), date(2026, 3, 9)), 2),  # Monday and Sunday share a week
        "fortnightly": ((date(2026, 3, 2), date(2026, 3, 15), date(2026, 3, 16)), 2),  # fortnights from a Monday
        "monthly": ((date(2026, 3, 1), date(2026, 3, 31), date(2026, 4, 1)), 2),
        "quarterly": ((date(2026, 1, 1), date(2026, 3, 31), date(2026, 4, 1)), 2),
        "biannual": ((date(2025, 4, 1), date(2025, 9, 30), date(2025, 10, 1), date(2026, 3, 31)), 2),  # Apr–Sep, Oct–Mar
        "annual": ((date(2025, 4, 1), date(2026, 3, 31), date(2026, 4, 1)), 2),  # the financial year
    }
    made = {}
    for frequency, (days, _) in cases.items():
        made[frequency] = make_request(f"A {frequency} return", frequency=frequency)
        for day in days:
            make_entry(user, team, made[frequency], occurred_on=day, minutes=30)
    for start, end in ((date(2025, 1, 1), date(2026, 6, 30)), (date(2025, 3, 18), date(2026, 4, 9))):  # partial edges
        counted = period_counts(start, end)
        assert {f: counted[(made[f].id, team.id)] for f in cases} == {f: n for f, (_, n) in cases.items()}
    assert period_counts(date(2026, 3, 3), date(2026, 3, 9))[(made["weekly"].id, team.id)] == 2  # no whole week
    assert period_counts(date(2026, 3, 9), date(2026, 3, 31))[(made["weekly"].id, team.id)] == 1


def test_whole_weeks_and_months_of_a_period():
    assert whole_weeks(date(2026, 3, 4), date(2026, 3, 24)) == (date(2026, 3, 9), date(2026, 3, 22))
    assert whole_weeks(date(2026, 3, 2), date(2026, 3, 8)) == (date(2026, 3, 2), date(2026, 3, 8))
    assert whole_weeks(date(2026, 3, 3), date(2026, 3, 9)) is None
    assert whole_months(date(2025, 12, 7), date(2026, 12, 6)) == (date(2026, 1, 1), date(2026, 11, 30))
    assert whole_months(date(2026, 3, 2), date(2026, 3, 31)) is None


def test_ad_hoc_and_one_off_responses_are_entries(db, make_team, make_user, make_request, make_entry):
    teams = [make_team(f"Ad hoc team {n}") for n in range(3)]
    user = make_user("admin")
    adhoc = make_request("Ad hoc question", frequency="ad_hoc")
    for n, team in enumerate(teams):
        for _ in range(n + 1):  # 1, 2 and 3 entries of an hour on the same day
            make_entry(user, team, adhoc, occurred_on=date(2026, 3, 2), minutes=60)
    found = variations(date(2025, 4, 1), date(2026, 3, 31))[adhoc.id]
    assert [t.responses for t in found.teams] == [1, 2, 3] and found.median_hours_per_response == 1


def test_the_fast_counts_equal_the_entries_own_for_any_period(db, make_team, make_user, make_request, make_entry):
    """Week and month rollups plus edge days give what reading every entry gives, over periods that start
    and end anywhere in a week or month."""
    import random

    from tracker.workspace.responses import period_counts_direct

    rng = random.Random(15)
    teams = [make_team(f"Counted team {n}") for n in range(3)]
    user = make_user("admin")
    requests = [make_request(f"A {f} count", frequency=f) for f in ("weekly", "fortnightly", "monthly", "quarterly",
                                                                      "biannual", "annual")]
    entries = []
    for _ in range(120):
        day = date(2025, 1, 1) + timedelta(days=rng.randrange(540))
        entries.append(make_entry(user, rng.choice(teams), rng.choice(requests), occurred_on=day, minutes=30))
    for entry in rng.sample(entries, 10):
        delete_entry(user, entry)
    db.session.commit()
    for _ in range(12):
        start = date(2025, 1, 1) + timedelta(days=rng.randrange(300))
        end = start + timedelta(days=rng.randrange(5, 300))
        assert period_counts(start, end) == period_counts_direct(start, end), (start, end)


def test_counts_across_this_month_equal_the_entries_own(db, make_team, make_user, make_request, make_entry):
    """Counts that run into this month read its weeks and months from the rollups (the week it begins in
    as a whole, the days after today when none were logged): held to the entries' own counts for periods
    starting anywhere before it, with and without entries dated after today."""
    import random

    from tracker.workspace.responses import period_counts_direct

    rng = random.Random(16)
    teams = [make_team(f"Month team {n}") for n in range(3)]
    user = make_user("admin")
    requests = [make_request(f"A {f} month count", frequency=f)
                for f in ("daily", "weekly", "fortnightly", "monthly", "quarterly", "annual")]
    today = date.today()
    this_month = today.replace(day=1)
    for _ in range(90):  # the 40 days before this month, and this month to today
        day = this_month - timedelta(days=40) + timedelta(days=rng.randrange((today - this_month).days + 41))
        make_entry(user, rng.choice(teams), rng.choice(requests), occurred_on=day, minutes=30)
    starts = [this_month - timedelta(days=n) for n in (1, 2, 3, 6, 7, 13, 20, 35)]
    for start in starts:
        assert period_counts(start, today) == period_counts_direct(start, today), start
    for request in requests:  # logged after today: this month is read from the entries up to today
        make_entry(user, teams[0], request, occurred_on=today + timedelta(days=rng.randrange(1, 9)), minutes=30)
    for start in starts:
        assert period_counts(start, today) == period_counts_direct(start, today), start
        later = today + timedelta(days=10)
        assert period_counts(start, later) == period_counts_direct(start, later), (start, later)


def test_a_daily_request_counts_days(db):
    """The `daily` frequency (added to the catalogue by another change) counts each day as a period."""
    from sqlalchemy import literal, select

    from tracker.workspace.answer_periods import period_number

    dialect = db.session.get_bind().dialect.name

    def period(frequency, day):
        return db.session.scalar(select(period_number(dialect, literal(frequency), literal(day))))

    assert period("daily", date(2026, 3, 3)) == period("daily", date(2026, 3, 2)) + 1
    assert period("weekly", date(2026, 3, 8)) == period("weekly", date(2026, 3, 2))  # Sunday, Monday: one week
    assert period("annual", date(2026, 3, 31)) == period("annual", date(2025, 4, 1))  # one financial year
    assert period("ad_hoc", date(2026, 3, 2)) is None


def test_the_request_saving_is_the_sum_of_the_teams_savings():
    """Variation.exact_saving_hours and saving_cost sum the answers of the teams above the median without
    making their TeamFigures; they must equal Σ of each team's own saving, over uneven teams."""
    import random
    from fractions import Fraction

    from tracker.workspace.variation import Variation, exact_median, median_of_ordered

    rng = random.Random(17)
    for _ in range(20):
        raw = [(rng.randint(1, 52), rng.randint(1, 5000)) for _ in range(rng.randint(3, 40))]
        median = exact_median([Fraction(minutes, 60 * responses) for responses, minutes in raw])
        ordered = sorted(raw, key=lambda r: Fraction(r[1], r[0]))  # as variations() orders its teams
        assert median_of_ordered(len(ordered), lambda at: Fraction(ordered[at][1], 60 * ordered[at][0])) == median
        answers = tuple((n, f"T{n}", responses, minutes, Decimal(minutes) * Decimal(rng.choice(["22.532883", "33.554669", "41.1"])) / 60)
                        for n, (responses, minutes) in enumerate(raw, 1))
        found = Variation(1, "weekly", date(2026, 1, 1), date(2026, 12, 31), answers, median)
        teams = found.teams
        assert [(t.team_id, t.responses, t.minutes, t.cost, t.position) for t in teams] == [(a[0], a[2], a[3], a[4], a[0]) for a in answers]
        assert found.exact_saving_hours == sum((t.exact_saving_hours for t in teams), Fraction(0))
        assert found.saving_cost == sum((t.saving_cost for t in teams), Decimal(0))
        for team in teams:  # each team's saving in pounds: whole-number arithmetic, the fraction's own Decimal
            exact = Fraction(team.cost) * team.exact_saving_hours * 60 / team.minutes
            assert team.saving_cost == Decimal(exact.numerator) / Decimal(exact.denominator)
            assert str(team.saving_cost) == str(Decimal(exact.numerator) / Decimal(exact.denominator))


def test_teams_in_order_of_minutes_per_response_exactly():
    """The float sort key gives the order of the exact fractions, ties by team id; huge figures fall back."""
    import random
    from fractions import Fraction

    from tracker.workspace.variation import _cheapest_first

    rng = random.Random(3)
    for size in (10**3, 10**7, 10**9):
        rows = [(n, "", rng.randint(1, 366), rng.randint(1, size), None) for n in range(400)]
        rows += [(400 + n, "", r[2] * 2, r[3] * 2, None) for n, r in enumerate(rows[:50])]  # equal ratios
        rows += [(900, "", 10**9, 10**9 - 1, None), (901, "", 10**9 - 1, 10**9 - 2, None)]  # 1 - 1e-9 and a hair less
        assert sorted(rows, key=_cheapest_first(rows)) == sorted(rows, key=lambda r: (Fraction(r[3], r[2]), r[0]))
