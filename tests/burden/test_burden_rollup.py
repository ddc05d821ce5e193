"""The fast path (monthly rollups) never drifts from a straight computation over the entries.

Hypothesis writes, edits and deletes entries through the entry services and
adds rates through create_rate, in random order; then every grouping, for
random periods, teams and sources, must give the same figures three ways:
the rollup path, the straight SQL path (`burden_direct`) and a plain Python
sum over the entries, priced one entry at a time with exact fractions."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import delete, select

from tracker.burden import rollup
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.burden.medians import median_minutes, medians, minute_counts
from tracker.models.burden import BurdenRollup, BurdenRollupMinutes, BurdenRollupWeek, BurdenStamp, Rate
from tracker.burden.rate_changes import create_rate
from tracker.burden.rates import RateBook
from tracker.burden.periods import plan_period
from tracker.burden.dimensions import GROUPINGS
from tracker.burden.services import BurdenFilter, burden, burden_direct, burden_sums
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.entries.services import create_entry, delete_entry, update_entry

WINDOW_START = date(2025, 12, 10)
WINDOW_END = date(2026, 3, 20)
BANDS_USED = ["5", "7", "other"]  # few, so rates and entries often meet
# Month edges matter most: they decide what the rollups answer.
EDGES = [
    date(2025, 12, 1), date(2025, 12, 31), date(2026, 1, 1), date(2026, 1, 15), date(2026, 1, 31),
    date(2026, 2, 1), date(2026, 2, 28), date(2026, 3, 1), date(2026, 3, 16), date(2026, 3, 31),
    # Most of a month: the month's rollup less the days left out.
    date(2026, 1, 5), date(2026, 1, 10), date(2026, 1, 20), date(2026, 1, 27), date(2026, 2, 20),
]
MID_MONTHS = [date(2026, 1, 15), date(2026, 2, 10), date(2025, 12, 20)]
days = st.one_of(st.sampled_from(EDGES), st.dates(WINDOW_START - timedelta(days=20), WINDOW_END + timedelta(days=20)))
entry_days = st.one_of(st.sampled_from([d for d in EDGES if WINDOW_START <= d <= WINDOW_END]), st.dates(WINDOW_START, WINDOW_END))
answers = st.sampled_from(["yes", "no", "unknown"])
FIELDS = ["occurred_on", "team", "request", "band", "minutes", "duplicated_elsewhere", "used"]

new_entry = st.fixed_dictionaries(
    {
        "occurred_on": entry_days,
        "team": st.integers(0, 2),
        "request": st.integers(0, 3),
        "band": st.sampled_from(BANDS_USED),
        "minutes": st.integers(1, 600),
        "duplicated_elsewhere": answers,
        "used": answers,
    }
)
operation = st.one_of(
    st.tuples(st.just("create"), new_entry),
    st.tuples(st.just("update"), st.integers(0, 50), new_entry, st.sets(st.sampled_from(FIELDS), min_size=1)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    # Mid-month rate changes are the hard case for monthly sums.
    st.tuples(st.just("rate"), st.sampled_from(BANDS_USED), st.one_of(st.sampled_from(MID_MONTHS), days), st.integers(100, 9999)),
)
# Whole months, a month less a few days at either end, short edges, one day, a month with a rate change.
FIXED_PERIODS = [
    (date(2025, 12, 1), date(2026, 3, 31)),
    (date(2025, 12, 12), date(2026, 3, 18)),
    (date(2026, 1, 5), date(2026, 2, 20)),
    (date(2026, 1, 20), date(2026, 3, 5)),
    (date(2026, 1, 3), date(2026, 1, 29)),
    (date(2026, 2, 10), date(2026, 2, 10)),
    (date(2025, 12, 15), date(2026, 1, 16)),
]
MONTH_STARTS = [d for d in EDGES if d.day == 1]
MONTH_ENDS = [d for d in EDGES if (d + timedelta(days=1)).day == 1]
a_filter = st.fixed_dictionaries(
    {
        "start": st.one_of(st.sampled_from(MONTH_STARTS), days),
        "end": st.one_of(st.sampled_from(MONTH_ENDS), days),
        "teams": st.one_of(st.none(), st.sets(st.integers(0, 2))),
        "sources": st.one_of(st.none(), st.sets(st.integers(0, 1), min_size=1)),
        "group_by": st.one_of(
            st.just(()),
            st.tuples(st.sampled_from(GROUPINGS)),
            st.tuples(st.sampled_from(GROUPINGS), st.sampled_from(GROUPINGS)).filter(lambda g: g[0] != g[1]),
        ),
        "with_counts": st.booleans(),
    }
).filter(lambda f: f["start"] <= f["end"])


def _values(spec: dict, teams, requests, fields=FIELDS) -> dict:
    values = {}
    for name in fields:
        if name == "team":
            values["team_id"] = teams[spec["team"]].id
        elif name == "request":
            values["request_id"] = requests[spec["request"]].id
        else:
            values[name] = spec[name]
    if "notes" not in values and fields is FIELDS:
        values["notes"] = ""
    return values


def _reset(db) -> None:
    db.session.rollback()
    # Rollups emptied by hand lose their month stamps too (tracker/burden/stamps.py), as a rebuild would.
    for level in (*rollup.LEVELS, BurdenRollupMinutes, BurdenRollupWeek, BurdenStamp):
        db.session.execute(delete(level))
    db.session.execute(delete(Entry))
    db.session.execute(delete(Rate).where(Rate.effective_from != DEFAULTS_EFFECTIVE_FROM))
    db.session.commit()


def _apply(db, admin, teams, requests, operations) -> None:
    for op in operations:
        live = list(db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None)).order_by(Entry.id)))
        if op[0] == "create":
            create_entry(admin, _values(op[1], teams, requests))
        elif op[0] == "update" and live:
            fields = [f for f in FIELDS if f in op[3]]
            update_entry(admin, live[op[1] % len(live)], _values(op[2], teams, requests, fields))
        elif op[0] == "delete" and live:
            delete_entry(admin, live[op[1] % len(live)])
        elif op[0] == "rate":
            _, band, day, pence = op
            if day < DEFAULTS_EFFECTIVE_FROM:
                continue
            exists = db.session.scalar(select(Rate.id).where(Rate.band == band, Rate.effective_from == day))
            if exists is None:
                create_rate(admin, band, Decimal(pence) / 100, day)
        db.session.commit()


def _figures(table) -> dict:
    out = {
        row.key: (row.entries, row.minutes, row.cost, row.duplicated_minutes, row.used_minutes, row.teams, row.requests)
        for row in table.rows
    }
    t = table.totals
    out["TOTAL"] = (t.entries, t.minutes, t.cost, t.duplicated_minutes, t.used_minutes, t.teams, t.requests)
    return out


def _by_hand(db, flt: BurdenFilter) -> tuple[int, int, Fraction]:
    """Entries, minutes and exact cost, one entry at a time: the plainest reading of SPEC."""
    rates = RateBook.load(db.session)
    entries = minutes = 0
    cost = Fraction(0)
    query = select(Entry, Request.source_id).join(Request).where(Entry.deleted_at.is_(None))
    for entry, source_id in db.session.execute(query):
        if not (flt.start <= entry.occurred_on <= flt.end):
            continue
        if flt.team_ids is not None and entry.team_id not in flt.team_ids:
            continue
        if flt.source_ids is not None and source_id not in flt.source_ids:
            continue
        entries += 1
        minutes += entry.minutes
        cost += Fraction(entry.minutes) * Fraction(rates.rate(entry.band, entry.occurred_on)) / 60
    return entries, minutes, cost


@pytest.fixture
def world(make_user, make_team, make_source, make_request):
    """Made once per test; Hypothesis' examples share it and reset entries and rates themselves."""
    teams = [make_team(f"Property team {i}") for i in range(3)]
    sources = [make_source(f"Property source {i}") for i in range(2)]
    requests = [make_request(f"Property request {i}", source=sources[i % 2]) for i in range(4)]
    return make_user("admin"), teams, sources, requests


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(operations=st.lists(operation, min_size=3, max_size=30), filters=st.lists(a_filter, min_size=1, max_size=4))
def test_rollup_path_equals_straight_computation(db, world, operations, filters):
    admin, teams, sources, requests = world
    _reset(db)
    _apply(db, admin, teams, requests, operations)

    assert rollup.differences(db.session) == {}

    for start, end in FIXED_PERIODS:  # every edge case, every time
        flt = BurdenFilter(start, end)
        assert _figures(burden(flt, ("team", "band"), with_counts=True)) == _figures(
            burden_direct(flt, ("team", "band"), with_counts=True)
        )
    for spec in filters:
        flt = BurdenFilter(
            start=spec["start"],
            end=spec["end"],
            team_ids=None if spec["teams"] is None else [teams[i].id for i in spec["teams"]],
            source_ids=None if spec["sources"] is None else [sources[i].id for i in spec["sources"]],
        )
        fast = burden(flt, spec["group_by"], with_counts=spec["with_counts"])
        straight = burden_direct(flt, spec["group_by"], with_counts=spec["with_counts"])
        assert _figures(fast) == _figures(straight)
        sums = burden_sums(flt, spec["group_by"])  # the same sums, keyed, for callers of thousands of groups
        assert {key: (found.entries, found.minutes, found.cost, found.duplicated_minutes, found.used_minutes)
                for key, found in sums.items() if found.entries} == {
            row.key: (row.entries, row.minutes, row.cost, row.duplicated_minutes, row.used_minutes) for row in fast.rows}
        entries, minutes, cost = _by_hand(db, flt)
        assert (fast.totals.entries, fast.totals.minutes) == (entries, minutes)
        assert abs(Fraction(fast.totals.cost) - cost) < Fraction(1, 10**12)
        assert sum((r.minutes for r in fast.rows), 0) == minutes
        counts = minute_counts(flt.start, flt.end)
        assert counts == _minute_counts_by_hand(db, flt)
        assert medians(flt.start, flt.end) == {r: median_minutes(c) for r, c in counts.items()}  # the SQL median


def _minute_counts_by_hand(db, flt: BurdenFilter) -> dict:
    """Entries per (request, minutes) in the period, one entry at a time (the medians' input)."""
    counts: dict = {}
    for entry in db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None))):
        if flt.start <= entry.occurred_on <= flt.end:
            per_request = counts.setdefault(entry.request_id, {})
            per_request[entry.minutes] = per_request.get(entry.minutes, 0) + 1
    return {request_id: sorted(values.items()) for request_id, values in counts.items()}


def test_whole_months_come_from_the_rollup_and_the_edges_from_entries():
    plan = plan_period(date(2025, 11, 27), date(2026, 11, 26), [DEFAULTS_EFFECTIVE_FROM])
    # November 2026 to the 26th is most of the month: its rollup, less the 27th to the 30th.
    assert plan.rollup_months == ((date(2025, 12, 1), date(2026, 11, 1)),)
    assert plan.add_days == ((date(2025, 11, 27), date(2025, 11, 30)),)
    assert plan.subtract_days == ((date(2026, 11, 27), date(2026, 11, 30)),)


def test_a_short_period_inside_one_month_reads_entries():
    plan = plan_period(date(2026, 3, 3), date(2026, 3, 9), [])
    assert (plan.rollup_months, plan.add_days, plan.subtract_days) == ((), ((date(2026, 3, 3), date(2026, 3, 9)),), ())
    most = plan_period(date(2026, 3, 2), date(2026, 3, 30), [])
    assert most.rollup_months == ((date(2026, 3, 1), date(2026, 3, 1)),)
    assert most.subtract_days == ((date(2026, 3, 1), date(2026, 3, 1)), (date(2026, 3, 31), date(2026, 3, 31)))


def test_a_month_with_a_rate_change_inside_is_read_from_entries():
    breakpoints = [DEFAULTS_EFFECTIVE_FROM, date(2026, 3, 15), date(2026, 5, 1)]  # 1 May: on a 1st, no need
    plan = plan_period(date(2026, 1, 1), date(2026, 6, 30), breakpoints)
    assert plan.rollup_months == ((date(2026, 1, 1), date(2026, 2, 1)), (date(2026, 4, 1), date(2026, 6, 1)))
    assert (plan.add_days, plan.subtract_days) == (((date(2026, 3, 1), date(2026, 3, 31)),), ())
    edge = plan_period(date(2026, 3, 2), date(2026, 4, 30), breakpoints)  # never "month less days" there
    assert edge.add_days == ((date(2026, 3, 2), date(2026, 3, 31)),) and edge.subtract_days == ()


def test_the_entry_list_s_open_ended_period_plans_quickly():
    plan = plan_period(DEFAULTS_EFFECTIVE_FROM, date(9999, 12, 31), [DEFAULTS_EFFECTIVE_FROM, date(2026, 3, 15)])
    assert plan.rollup_months == ((DEFAULTS_EFFECTIVE_FROM, date(2026, 2, 1)), (date(2026, 4, 1), date(9999, 12, 1)))
    assert plan.add_days == ((date(2026, 3, 1), date(2026, 3, 31)),)


def test_days_taken_off_a_month_leave_the_right_figures(db, make_user, team, make_request, make_entry):
    user = make_user("admin")
    req = make_request()
    for day, minutes in [(date(2026, 3, 1), 10), (date(2026, 3, 15), 20), (date(2026, 3, 31), 40)]:
        make_entry(user, team, req, occurred_on=day, minutes=minutes)
    flt = BurdenFilter(date(2026, 3, 2), date(2026, 3, 30))  # rollup for March less the 1st and the 31st
    table = burden(flt, ("team",), with_counts=True)
    assert (table.totals.entries, table.totals.minutes, table.totals.teams, table.totals.requests) == (1, 20, 1, 1)
    assert _figures(table) == _figures(burden_direct(flt, ("team",), with_counts=True))
    only_edges = BurdenFilter(date(2026, 3, 2), date(2026, 3, 14))
    assert burden(only_edges, ("team",), with_counts=True).rows == []


def test_edit_delete_and_move_keep_every_level_exact(db, make_user, team, other_team, make_request, make_entry):
    user = make_user("admin")
    req, other_req = make_request(), make_request()
    entry = make_entry(user, team, req, occurred_on=date(2026, 1, 31), minutes=90, band="5", duplicated_elsewhere="yes")
    make_entry(user, team, req, occurred_on=date(2026, 1, 3), minutes=30, band="5", used="no")
    row = db.session.get(BurdenRollup, (date(2026, 1, 1), team.id, req.id, "5"))
    assert (row.entries, row.minutes, row.duplicated_minutes, row.used_minutes) == (2, 120, 90, 90)

    update_entry(user, entry, {"occurred_on": date(2026, 2, 1), "team_id": other_team.id, "request_id": other_req.id})
    db.session.commit()
    db.session.expire_all()
    row = db.session.get(BurdenRollup, (date(2026, 1, 1), team.id, req.id, "5"))
    assert (row.entries, row.minutes, row.duplicated_minutes, row.used_minutes) == (1, 30, 0, 0)
    moved = db.session.get(BurdenRollup, (date(2026, 2, 1), other_team.id, other_req.id, "5"))
    assert (moved.entries, moved.minutes) == (1, 90)

    delete_entry(user, entry)
    db.session.commit()
    db.session.expire_all()
    assert db.session.get(BurdenRollup, (date(2026, 2, 1), other_team.id, other_req.id, "5")) is None
    assert rollup.differences(db.session) == {}


def test_rebuild_rollups_matches_what_the_writes_kept(db, make_user, team, make_request, make_entry):
    user = make_user("admin")
    req = make_request()
    for day, minutes, band in [(date(2026, 1, 2), 15, "3"), (date(2026, 1, 20), 45, "3"), (date(2026, 2, 5), 60, "other")]:
        make_entry(user, team, req, occurred_on=day, minutes=minutes, band=band)
    kept = _figures(burden(BurdenFilter(date(2026, 1, 1), date(2026, 2, 28)), ("month", "band")))
    rollup.rebuild_rollups(db.session)
    db.session.commit()
    assert rollup.differences(db.session) == {}
    assert _figures(burden(BurdenFilter(date(2026, 1, 1), date(2026, 2, 28)), ("month", "band"))) == kept
    rollup.rebuild_rollups(db.session, date(2026, 2, 1), date(2026, 2, 28))  # one month only
    db.session.commit()
    assert rollup.differences(db.session) == {}


def test_median_from_counts_is_exact():
    assert median_minutes([]) is None
    assert median_minutes([(30, 1)]) == Decimal(30)
    assert median_minutes([(30, 1), (45, 1)]) == Decimal("37.5")  # even count: the mean of the middle two
    assert median_minutes([(10, 2), (20, 1), (90, 2)]) == Decimal(20)
    assert median_minutes([(10, 2), (20, 2), (90, 2)]) == Decimal(20)
    assert median_minutes([(10, 3), (20, 1), (90, 2)]) == Decimal(15)
