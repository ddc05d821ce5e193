"""Decisions on hand-built data: expected savings frozen at decision time, bad input, effect, withdrawal,
and the realised saving with its seasonality and coverage check."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

import pytest
from sqlalchemy import func, select

from tracker.burden.rate_changes import create_rate
from tracker.entries.services import delete_entry
from tracker.models.entries import Entry
from tracker.models.audit import AuditEvent
from tracker.models.workspace import Decision
from tracker.workspace.decisions import (
    DecisionInput, DecisionRefused, apply_due_decisions, decision_status, default_review_date, due_for_review,
    record_decision, withdraw_decision,
)
from tracker.catalogue.loggable import closed_reason
from tracker.workspace.savings import measure

RATE_5 = Decimal("22.532883")
RATE_7 = Decimal("33.554669")
TODAY = date(2026, 6, 15)
SIX = Decimal("0.000001")


def six(value) -> Decimal:
    return Decimal(value).quantize(SIX, rounding=ROUND_HALF_UP)


@pytest.fixture
def sitrep_world(db, make_user, make_team, make_source, make_request, make_entry):
    """A weekly sitrep two teams answer: median 1 hour, so the projection is 1 × 52 × 2 = 104 hours."""
    commissioner = make_user("commissioner")
    admin = make_user("admin")
    north, south = make_team("North"), make_team("South")
    nhse, icb = make_source("NHS England"), make_source("Integrated Care Board", kind="commissioner")
    sitrep = make_request("Weekly winter sitrep", source=nhse, frequency="weekly")
    survivor = make_request("Winter situation report", source=icb, frequency="weekly")
    other = make_request("Monthly contract return", source=icb)
    for team, day, minutes, band in ((north, date(2025, 7, 1), 30, "5"), (north, date(2025, 12, 1), 60, "5"),
                                     (north, date(2026, 6, 1), 90, "5"), (south, date(2026, 1, 5), 45, "7"),
                                     (south, date(2026, 2, 9), 60, "7")):
        make_entry(admin, team, sitrep, occurred_on=day, minutes=minutes, band=band)
    make_entry(admin, north, survivor, occurred_on=date(2026, 3, 3), minutes=120)
    make_entry(admin, north, other, occurred_on=date(2026, 3, 3), minutes=300)
    return {"commissioner": commissioner, "admin": admin, "sitrep": sitrep, "survivor": survivor, "other": other,
            "north": north, "south": south}


def decide(world, kind, effective=date(2026, 7, 1), **extra):
    values = DecisionInput(kind=kind, rationale="Same data as the ICB's report", effective_on=effective, **extra)
    return record_decision(world["commissioner"], world["sitrep"], values, TODAY)


HOURLY = (180 * RATE_5 + 105 * RATE_7) / 285  # the sitrep's band mix


@pytest.mark.parametrize("kind, extra, hours", [
    ("retire", {}, Decimal(104)),
    ("reduce_frequency", {"new_frequency": "monthly"}, Decimal(104) * (1 - Decimal(12) / 52)),
    ("reduce_frequency", {"new_frequency": "fortnightly"}, Decimal(52)),
    ("simplify", {"target_hours": Decimal("0.25")}, Decimal("0.75") * 52 * 2),
    ("keep", {}, Decimal(0)),
])
def test_expected_saving_by_kind(sitrep_world, db, kind, extra, hours):
    decision = decide(sitrep_world, kind, **extra)
    assert decision.hourly_cost == six(HOURLY)
    assert decision.expected_saving_hours == six(hours)
    assert decision.expected_saving_cost == six(six(hours) * six(HOURLY))
    # the baseline: the 12 months before the effective date, known up to the decision date
    assert (decision.baseline_start, decision.baseline_end) == (date(2025, 6, 16), TODAY)
    assert (decision.baseline_entries, decision.baseline_minutes, decision.baseline_teams) == (5, 285, 2)
    assert decision.baseline_cost == six((180 * RATE_5 + 105 * RATE_7) / 60)
    assert decision.baseline_median_minutes == 60 and decision.baseline_occurrences == 52
    assert decision.review_on == date(2027, 1, 1)  # six months after the effective date
    assert decision.decided_on == TODAY and decision.decided_by_id == sitrep_world["commissioner"].id
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "decision"))
    assert event.action == "create" and event.new["kind"] == kind


def test_merge_expects_the_projection_and_remembers_the_survivors_baseline(sitrep_world):
    decision = decide(sitrep_world, "merge", merge_into_id=sitrep_world["survivor"].id)
    assert decision.expected_saving_hours == 104
    assert decision.survivor_baseline_minutes == 120
    assert decision.baseline_team_ids == sorted([sitrep_world["north"].id, sitrep_world["south"].id])
    assert decision.baseline_other_minutes == 120 + 300  # North's other work; South had none


def test_expected_savings_are_priced_at_the_rates_on_the_decision_date(sitrep_world):
    create_rate(sitrep_world["admin"], "5", Decimal(40), date(2026, 6, 1))  # in force on the decision date
    create_rate(sitrep_world["admin"], "7", Decimal(50), date(2026, 6, 16))  # not yet
    decision = decide(sitrep_world, "retire")
    hourly = (180 * Decimal(40) + 105 * RATE_7) / 285
    assert decision.hourly_cost == six(hourly)
    assert decision.expected_saving_cost == six(104 * six(hourly))
    assert decision.baseline_cost == six((90 * RATE_5 + 90 * 40 + 105 * RATE_7) / 60)  # spent: its own days' rates


REFUSALS = [
    ("merge", {"merge_into_id": "self"}, "merge_into", "cannot be merged into itself"),
    ("merge", {"merge_into_id": 999_999}, "merge_into", "There is no request 999999"),
    ("merge", {"merge_into_id": "retired"}, "merge_into", "is retired"),
    ("merge", {"merge_into_id": "merged"}, "merge_into", "is merged"),
    ("merge", {}, "merge_into", "Choose the request this one is merged into"),
    ("reduce_frequency", {"new_frequency": "weekly"}, "new_frequency", "not less often than now (52 a year)"),
    ("reduce_frequency", {"new_frequency": "ad_hoc"}, "new_frequency", "ad hoc is not a frequency"),
    ("reduce_frequency", {"new_frequency": "hourly"}, "new_frequency", "Choose the new frequency"),
    ("simplify", {"target_hours": Decimal("1")}, "target_hours_per_entry", "less than the median now (1.00 hours"),
    ("simplify", {}, "target_hours_per_entry", "more than 0"),
    ("retire", {"effective": date(2025, 6, 14)}, "effective_date", "at most a year back"),
    ("retire", {"effective": date(2028, 6, 16)}, "effective_date", "at most two years ahead"),
    ("retire", {"review_on": date(2026, 6, 30)}, "review_date", "on or after the effective date"),
    ("sack", {}, "decision", "Choose a decision"),
]


@pytest.mark.parametrize("kind, extra, field, message", REFUSALS)
def test_bad_decisions_are_refused_with_the_reason_and_nothing_written(sitrep_world, make_request, db, kind, extra, field, message):
    extra = dict(extra)
    targets = {"self": sitrep_world["sitrep"].id, "retired": make_request("Gone", status="retired").id,
               "merged": make_request("Folded", status="merged").id}
    if extra.get("merge_into_id") in targets:
        extra["merge_into_id"] = targets[extra["merge_into_id"]]
    events = db.session.scalar(select(func.count()).select_from(AuditEvent))
    with pytest.raises(DecisionRefused) as refused:
        decide(sitrep_world, kind, **extra)
    assert refused.value.field == field and message in refused.value.message
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 0
    assert db.session.scalar(select(func.count()).select_from(AuditEvent)) == events


def test_the_boundaries_of_the_dates_are_allowed(sitrep_world):
    assert decide(sitrep_world, "keep", effective=date(2025, 6, 15)).effective_on == date(2025, 6, 15)


def test_one_live_decision_per_request_until_it_is_withdrawn(sitrep_world, db):
    first = decide(sitrep_world, "keep")
    with pytest.raises(DecisionRefused, match="already has a live decision.*withdraw it first"):
        decide(sitrep_world, "retire")
    withdraw_decision(sitrep_world["commissioner"], first, "Recorded by mistake")
    second = decide(sitrep_world, "retire")
    assert first.withdrawn_at is not None and first.withdrawal_reason == "Recorded by mistake"
    assert second.withdrawn_at is None
    assert db.session.scalar(select(func.count()).select_from(Decision)) == 2  # never deleted


def test_merging_into_a_request_about_to_be_retired_is_refused(sitrep_world):
    survivor = sitrep_world["survivor"]
    record_decision(sitrep_world["commissioner"], survivor, DecisionInput("retire", "Gone", date(2026, 8, 1)), TODAY)
    with pytest.raises(DecisionRefused, match="is to be retired"):
        decide(sitrep_world, "merge", merge_into_id=survivor.id)


def test_a_decision_takes_effect_on_its_date_and_a_withdrawal_puts_things_back(sitrep_world, db):
    sitrep, survivor = sitrep_world["sitrep"], sitrep_world["survivor"]
    decision = decide(sitrep_world, "merge", merge_into_id=survivor.id)  # effective 1 July, decided 15 June
    assert sitrep.status == "active" and decision_status(decision, TODAY) == "scheduled"
    assert closed_reason(sitrep, date(2026, 6, 30)) is None  # work before the effective date may be logged
    message = closed_reason(sitrep, date(2026, 7, 1))
    assert message == ("That request is merged into 'Winter situation report (Integrated Care Board)' from 1 July 2026: "
                       "log this work against 'Winter situation report' instead")

    assert apply_due_decisions(date(2026, 6, 30)) == 0
    assert apply_due_decisions(date(2026, 7, 1)) == 1
    assert (sitrep.status, sitrep.merged_into_id) == ("merged", survivor.id)
    assert apply_due_decisions(date(2026, 7, 2)) == 0  # once
    assert decision_status(decision, date(2026, 7, 1)) == "in_effect"
    assert decision_status(decision, date(2027, 1, 1)) == "review_due"
    assert due_for_review(date(2027, 1, 1)) == [decision] and due_for_review(date(2026, 12, 31)) == []

    withdraw_decision(sitrep_world["commissioner"], decision, "The ICB report is being dropped")
    assert (sitrep.status, sitrep.merged_into_id) == ("active", None)
    assert closed_reason(sitrep, date(2026, 7, 1)) is None
    assert decision_status(decision, date(2026, 7, 1)) == "withdrawn"
    with pytest.raises(DecisionRefused, match="already withdrawn"):
        withdraw_decision(sitrep_world["commissioner"], decision, "Again")


def test_reduce_frequency_changes_the_frequency_from_the_effective_date(sitrep_world):
    decision = decide(sitrep_world, "reduce_frequency", effective=date(2026, 6, 1), new_frequency="monthly")
    assert sitrep_world["sitrep"].frequency == "monthly" and decision.frequency_before == "weekly"
    assert closed_reason(sitrep_world["sitrep"], TODAY) is None  # still open for work
    withdraw_decision(sitrep_world["commissioner"], decision, "Changed our minds")
    assert sitrep_world["sitrep"].frequency == "weekly"


def test_a_retired_request_names_no_replacement(sitrep_world):
    decide(sitrep_world, "retire", effective=date(2026, 6, 1))
    assert sitrep_world["sitrep"].status == "retired"
    assert closed_reason(sitrep_world["sitrep"], date(2026, 6, 1)).startswith("That request is retired from 1 June 2026")
    assert closed_reason(sitrep_world["sitrep"], date(2026, 5, 31)) is None
    assert default_review_date(date(2026, 8, 31)) == date(2027, 2, 28)


# ---- the realised saving ------------------------------------------------------------------


@pytest.fixture
def measured_world(db, make_user, make_team, make_source, make_request, make_entry):
    """A monthly return, an hour on the 15th of every month of 2025 (and of December 2024, so the data
    reaches a year back), retired from 1 January 2026 in a decision recorded on 10 January."""
    commissioner, admin = make_user("commissioner"), make_user("admin")
    team = make_team("North")
    source, other_source = make_source("NHS England"), make_source("ICB")
    returned = make_request("Monthly return", source=source)
    survivor = make_request("Monthly ICB return", source=other_source)
    other = make_request("Everything else", source=other_source)
    make_entry(admin, team, returned, occurred_on=date(2024, 12, 15), minutes=60)
    for month in range(1, 13):
        make_entry(admin, team, returned, occurred_on=date(2025, month, 15), minutes=60)
        make_entry(admin, team, other, occurred_on=date(2025, month, 20), minutes=600)
        make_entry(admin, team, survivor, occurred_on=date(2025, month, 25), minutes=30)
    return {"commissioner": commissioner, "admin": admin, "team": team, "returned": returned, "survivor": survivor,
            "other": other, "log": lambda request, day, minutes: make_entry(admin, team, request, occurred_on=day, minutes=minutes)}


def retire_in_january(world, kind="retire", **extra):
    values = DecisionInput(kind, "Nobody reads it", date(2026, 1, 1), **extra)
    return record_decision(world["commissioner"], world["returned"], values, date(2026, 1, 10))


def test_too_early_to_tell_until_three_whole_months_have_passed(measured_world):
    decision = retire_in_january(measured_world)
    assert (decision.baseline_start, decision.baseline_end, decision.baseline_minutes) == (date(2025, 1, 1), date(2025, 12, 31), 720)
    assert measure(decision, date(2026, 3, 31)).measured is False
    assert measure(decision, date(2026, 3, 31)).realised_hours is None
    assert measure(decision, date(2026, 4, 1)).measured is True


def test_realised_saving_seasonality_and_coverage_by_hand(measured_world):
    world = measured_world
    decision = retire_in_january(world)
    world["log"](world["returned"], date(2026, 1, 5), 60)  # logged after the effective date all the same
    for month in (1, 2, 3, 4):
        world["log"](world["other"], date(2026, month, 20), 600)
    saving = measure(decision, date(2026, 4, 30))  # 1 January to 30 April: 120 days
    assert saving.days == 120 and saving.after_minutes == 60
    realised = 12 - Decimal(1) * 365 / 120  # 12 baseline hours less 1 hour annualised
    assert saving.realised_hours == realised
    assert saving.realised_cost == realised * decision.hourly_cost and decision.hourly_cost == RATE_5
    # seasonality: 15 January to 15 April 2025 held 4 hours; against them, 4 × 365/120 − 1 × 365/120
    assert (saving.seasonality.start, saving.seasonality.end) == (date(2025, 1, 1), date(2025, 4, 30))
    assert saving.seasonality.minutes == 240
    assert saving.seasonality.realised_hours == Decimal(3) * 365 / 120
    # coverage: other work 7,200 + 360 minutes over 365 days before (the survivor counts as other work),
    # 2,400 over 120 days after
    assert saving.other_minutes_a_day_before == Decimal(7200 + 360) / 365
    assert saving.other_minutes_a_day_after == Decimal(2400) / 120
    assert saving.uncertain is False


def test_a_saving_is_uncertain_when_the_teams_log_less_of_everything(measured_world):
    world = measured_world
    decision = retire_in_january(world)
    for month in (1, 2, 3, 4):
        world["log"](world["other"], date(2026, month, 20), 300)  # half their other work
    saving = measure(decision, date(2026, 4, 30))
    assert saving.other_minutes_a_day_after == Decimal(1200) / 120  # 10 a day, against 20.7 before
    assert saving.uncertain is True
    assert saving.other_work_change == Decimal(10) / (Decimal(7560) / 365) - 1


def test_the_survivors_extra_hours_count_against_a_merge(measured_world):
    world = measured_world
    decision = retire_in_january(world, "merge", merge_into_id=world["survivor"].id)
    assert decision.survivor_baseline_minutes == 360
    for month in (1, 2, 3, 4):
        world["log"](world["survivor"], date(2026, month, 25), 90)
    saving = measure(decision, date(2026, 4, 30))
    extra = Decimal(6) * 365 / 120 - 6  # 6 hours in 120 days is 18.25 a year, 12.25 over its own 6
    assert saving.survivor_extra_hours == extra
    assert saving.realised_hours == 12 - extra
    # a year before, the survivor had 2 hours in those months: its extra against them counts too
    assert saving.seasonality.survivor_minutes == 120
    assert saving.seasonality.realised_hours == Decimal(4) * 365 / 120 - (Decimal(6) - 2) * 365 / 120


def test_no_seasonality_where_the_data_does_not_reach_back(measured_world, db):
    world = measured_world
    decision = retire_in_january(world)
    december = db.session.scalar(select(Entry).where(Entry.occurred_on == date(2024, 12, 15)))
    delete_entry(world["admin"], december)
    assert measure(decision, date(2026, 4, 30)).seasonality is None
