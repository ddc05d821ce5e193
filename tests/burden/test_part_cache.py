"""Months that have not changed are not read again (tracker/burden/part_cache.py), and never stale.

Each test reads figures, changes something a cached part depends on (an entry in a past month,
a team's sector, a request's source, a rebuild), reads again, and holds the answer to the
straight computation over the entries table (`burden_direct`)."""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import select

from tracker.burden import rollup
from tracker.burden.part_cache import PartCache, parts_read
from tracker.burden.periods import plan_period
from tracker.burden.services import BurdenFilter, burden, burden_direct
from tracker.burden.stamps import EPOCH, stamps_between
from tracker.entries.services import update_entry
from tracker.models.burden import BurdenStamp

PAST = BurdenFilter(date(2025, 1, 5), date(2025, 6, 20))  # partial months at both ends, all long past


def _figures(table):
    return {row.key: (row.entries, row.minutes, row.cost, row.teams, row.requests) for row in table.rows}, (
        table.totals.entries, table.totals.minutes, table.totals.cost, table.totals.teams, table.totals.requests)


def _same_as_direct(flt, group_by):
    fast = burden(flt, group_by, with_counts=True)
    assert _figures(fast) == _figures(burden_direct(flt, group_by, with_counts=True))
    return fast


def test_a_second_read_reuses_the_months_and_a_write_reads_them_again(db, make_user, team, other_team, make_request, make_entry):
    user = make_user("admin")
    req = make_request()
    for day in (date(2025, 1, 3), date(2025, 1, 9), date(2025, 3, 14), date(2025, 6, 19), date(2025, 6, 25)):
        make_entry(user, team, req, occurred_on=day, minutes=30, band="5")
    first = _same_as_direct(PAST, ("team",))
    hits = parts_read.hits
    again = burden(PAST, ("team",), with_counts=True)
    assert parts_read.hits > hits, "nothing was reused although no month changed"
    assert _figures(again) == _figures(first)

    # An entry in a month inside a reused block: that block is read again, the answer follows.
    entry = make_entry(user, other_team, req, occurred_on=date(2025, 3, 2), minutes=45, band="6")
    after = _same_as_direct(PAST, ("team",))
    assert after.totals.minutes == first.totals.minutes + 45 and after.totals.teams == 2

    # Moving it to another month, and to a day at the edge of the period, both months change.
    update_entry(user, entry, {"occurred_on": date(2025, 1, 4)})
    db.session.commit()
    moved = _same_as_direct(PAST, ("team",))
    assert moved.totals.minutes == first.totals.minutes  # the 4th of January is before the period
    update_entry(user, entry, {"occurred_on": date(2025, 6, 20)})
    db.session.commit()
    assert _same_as_direct(PAST, ("team",)).totals.minutes == first.totals.minutes + 45


def test_a_change_of_sector_or_source_is_seen_whatever_the_stamps(db, make_user, team, other_team, make_source, make_request, make_entry):
    user = make_user("admin")
    req = make_request()
    make_entry(user, team, req, occurred_on=date(2025, 2, 10), minutes=60)
    make_entry(user, other_team, req, occurred_on=date(2025, 4, 10), minutes=30)
    by_sector = _same_as_direct(PAST, ("sector",))
    assert {row.key[0]: row.minutes for row in by_sector.rows} == {"nhs_trust": 60, "local_authority": 30}
    other_team.sector = "nhs_trust"
    req.source = make_source("Another source")
    db.session.commit()
    assert {row.key[0]: row.minutes for row in _same_as_direct(PAST, ("sector",)).rows} == {"nhs_trust": 90}
    assert [row.key[0] for row in _same_as_direct(PAST, ("source",)).rows] == [req.source_id]


def test_every_write_stamps_its_months_and_a_rebuild_starts_a_new_epoch(db, make_user, team, make_request, make_entry):
    assert stamps_between(db.session, date(2025, 1, 1), date(2025, 12, 1)) is None  # nothing written: nothing reused
    user = make_user("admin")
    entry = make_entry(user, team, make_request(), occurred_on=date(2025, 2, 10))
    stamps = stamps_between(db.session, date(2025, 1, 1), date(2025, 12, 1))
    assert set(stamps) == {EPOCH, date(2025, 2, 1)}
    update_entry(user, entry, {"occurred_on": date(2025, 5, 1)})
    db.session.commit()
    moved = stamps_between(db.session, date(2025, 1, 1), date(2025, 12, 1))
    assert set(moved) == {EPOCH, date(2025, 2, 1), date(2025, 5, 1)}
    assert moved[date(2025, 2, 1)] != stamps[date(2025, 2, 1)] and moved[EPOCH] == stamps[EPOCH]
    rollup.rebuild_rollups(db.session)
    db.session.commit()
    rebuilt = stamps_between(db.session, date(2025, 1, 1), date(2025, 12, 1))
    assert set(rebuilt) == {EPOCH} and rebuilt[EPOCH] != stamps[EPOCH]
    assert db.session.scalars(select(BurdenStamp.month)).all() == [EPOCH]
    _same_as_direct(PAST, ("team", "request"))


def test_the_cache_holds_at_most_its_rows():
    cache = PartCache(max_rows=8)
    for n in range(5):
        assert cache.rows(("part", n), lambda n=n: [(n,)] * 2) == [(n,)] * 2
    assert cache.rows(("part", 0), lambda: [("read again",)]) == [("read again",)]  # the oldest went first
    assert cache.rows(("part", 4), lambda: [("not read",)]) == [(4,), (4,)]
    assert cache.rows(None, lambda: [("never kept",)]) == [("never kept",)]
    assert cache.rows(("big",), lambda: [(0,)] * 3) == [(0,)] * 3 and cache.rows(("big",), lambda: []) == []


def test_this_month_to_date_is_its_rollup_less_the_days_to_come():
    # 6 days of 31 would come from the entries; when the rest of the month is still to come, from the rollup.
    assert plan_period(date(2026, 12, 1), date(2026, 12, 6), []).add_days == ((date(2026, 12, 1), date(2026, 12, 6)),)
    plan = plan_period(date(2026, 12, 1), date(2026, 12, 6), [], quiet_after=date(2026, 12, 6))
    assert plan.rollup_months == ((date(2026, 12, 1), date(2026, 12, 1)),)
    assert plan.subtract_days == ((date(2026, 12, 7), date(2026, 12, 31)),) and plan.add_days == ()
    # Days left out before the period are not quiet: a past month's few days still come from the entries.
    assert plan_period(date(2026, 11, 25), date(2026, 11, 30), [], quiet_after=date(2026, 12, 6)).add_days == (
        (date(2026, 11, 25), date(2026, 11, 30)),)


def test_counts_of_periods_and_medians_across_this_month_stay_exact(db, make_user, team, make_request, make_entry):
    """The workspace's response counts and medians split the year at this month and reuse the months
    before it: a week running into this month counts once, and a second read equals the first."""
    from tracker.burden.medians import median_minutes, medians, minute_counts
    from tracker.workspace.responses import period_counts, period_counts_direct

    user = make_user("admin")
    weekly, quarterly = make_request(frequency="weekly"), make_request(frequency="quarterly")
    this_month = date.today().replace(day=1)
    last_day_before = this_month - timedelta(days=1)
    start, end = this_month - timedelta(days=200), date.today()
    for day, minutes in ((last_day_before, 30), (this_month, 45), (last_day_before - timedelta(days=30), 20)):
        make_entry(user, team, weekly, occurred_on=day, minutes=minutes)
        make_entry(user, team, quarterly, occurred_on=day, minutes=minutes)
    for _ in range(2):  # the second read reuses the months before this one
        assert period_counts(start, end) == period_counts_direct(start, end)
        assert medians(start, end) == {r: median_minutes(c) for r, c in minute_counts(start, end).items()}
        assert medians(start, end)[weekly.id] == 30
    make_entry(user, team, weekly, occurred_on=last_day_before, minutes=90)  # a past month changes
    assert period_counts(start, end) == period_counts_direct(start, end)
    assert medians(start, end)[weekly.id] == (30 + 45) / 2


def test_duplicate_evidence_across_this_month_counts_each_team_week_once(db, make_user, team, other_team, make_source, make_request, make_entry):
    """Likely duplicates' evidence reuses the pairs of the weeks before this month; the week that runs
    into it is paired again with this month's entries. Held to a count straight from the entries."""
    from tracker.models.entries import Entry
    from tracker.workspace.duplicates import shared_supply
    from tracker.workspace.figures import twelve_months_to

    user = make_user("admin")
    first, second = make_request(source=make_source()), make_request(source=make_source())
    this_month = date.today().replace(day=1)
    days = [this_month - timedelta(days=1), this_month, this_month - timedelta(days=20), date.today()]

    def supplied(team_, request_, day):
        make_entry(user, team_, request_, occurred_on=day, duplicated_elsewhere="yes")

    def by_hand():
        start, end = twelve_months_to(date.today())
        weeks: dict = {}
        for entry in db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None), Entry.duplicated_elsewhere == "yes")):
            if start <= entry.occurred_on <= end:
                monday = entry.occurred_on - timedelta(days=entry.occurred_on.weekday())
                weeks.setdefault((entry.team_id, monday), set()).add(entry.request_id)
        both = [key for key, requests in weeks.items() if {first.id, second.id} <= requests]
        return {(first.id, second.id): (len({team_id for team_id, _ in both}), len(both))} if both else {}

    supplied(team, first, days[0])
    supplied(team, second, days[1])  # the same week as the day before when this month began mid-week
    supplied(other_team, first, days[2])
    supplied(other_team, second, days[2])
    for _ in range(2):  # the second read reuses the weeks before this month
        assert shared_supply(date.today(), {first.id, second.id}) == by_hand() != {}
    supplied(team, first, days[3])
    supplied(team, second, days[3])
    assert shared_supply(date.today(), {first.id, second.id}) == by_hand()
