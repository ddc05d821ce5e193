"""Licence rules: estimates worked by hand, licence states across dates, refusals that write nothing."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest

from tests.licences_support import estimate_values, licence_rows, set_rate
from tracker.burden.rates import RateBook
from tracker.licences.estimates import EstimateRefused, figures_of, record_estimate
from tracker.licences.licensing import LicenceRefused, decide_licence, default_expiry
from tracker.licences.status import in_force_periods, licence_status, licence_statuses, status_from
from tracker.licences.unlicensed import unlicensed_ranges
from tracker.models.licences import LicenceDecision


@pytest.fixture
def commissioner(make_user):
    return make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")


def test_a_monthly_return_estimated_by_hand(db, commissioner, make_request):
    """12 trusts × (12 returns + 1 resubmission) × 160 minutes = 24,960 minutes = 416 hours at £30 = £12,480."""
    rate = set_rate(db, "5", "30.00", date(2026, 1, 1))
    request = make_request("Community waiting times", frequency="monthly")
    estimate = record_estimate(
        commissioner,
        request,
        estimate_values(
            respondents=12, responses_per_year=12, resubmissions_per_year=1, minutes_gathering=90,
            minutes_quality_assurance=30, minutes_extraction=20, minutes_submission=15, minutes_training=5,
            one_off_minutes=240, band="5",
        ),
        date(2026, 6, 1),
    )
    db.session.commit()
    figures = figures_of(estimate, RateBook.load(db.session))
    assert rate == Decimal("30.00")
    assert figures.minutes_per_response == 90 + 30 + 20 + 15 + 5 == 160
    assert figures.responses_a_year == 13
    assert figures.annual_minutes == 12 * 13 * 160 == 24_960
    assert figures.expected_annual_hours == Decimal(416)
    assert figures.expected_annual_cost == Decimal(12_480)
    # FTE: 416 hours ÷ (37.5 hours a week × 365 ÷ 7 weeks) = 416 ÷ 1,955.357… = 0.21275…
    assert figures.expected_fte == Decimal(416) / (Decimal("37.5") * 365 / 7)
    assert round(figures.expected_fte, 4) == Decimal("0.2127")
    # One-off set-up, kept apart: 12 teams × 240 minutes = 48 hours = £1,440.
    assert (figures.one_off_hours, figures.one_off_cost) == (Decimal(48), Decimal(1_440))


def test_an_ad_hoc_request_priced_on_the_day_it_was_estimated(db, commissioner, make_request):
    """3 teams × 5 responses × 45 minutes = 675 minutes = 11.25 hours; at £40.50 = £455.625, shown £455.63."""
    set_rate(db, "7", "40.50", date(2026, 1, 1))
    set_rate(db, "7", "99.00", date(2026, 7, 1))  # a later pay rise does not reprice an earlier estimate
    request = make_request("Ad hoc briefing", frequency="ad_hoc")
    estimate = record_estimate(
        commissioner, request, estimate_values(respondents=3, responses_per_year=5, minutes_gathering=30,
                                               minutes_submission=15, band="7"), date(2026, 3, 1)
    )
    figures = figures_of(estimate, RateBook.load(db.session))
    assert figures.expected_annual_hours == Decimal("11.25")
    assert figures.expected_annual_cost == Decimal("455.625")
    assert figures.expected_annual_cost.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) == Decimal("455.63")
    assert figures.one_off_hours == 0


def _decide(user, request, action, today, **terms):
    decision = decide_licence(user, request, action, today=today, **{"without_estimate": True, "reasons": "No estimate in this test", **terms})
    return decision


def test_licence_states_across_dates_expiring_expired_and_renewed(db, commissioner, make_request):
    request = make_request("Weekly sitrep", frequency="weekly")
    approved = _decide(commissioner, request, "approve", date(2026, 1, 10), reference="ROCR/OR/0001")
    db.session.commit()
    assert (approved.approved_on, approved.expires_on) == (date(2026, 1, 10), date(2027, 1, 10)) == (
        date(2026, 1, 10), default_expiry(date(2026, 1, 10)))

    def status(on):
        return licence_status(db.session, request.id, date.fromisoformat(on))

    assert status("2026-01-09").status == "none"
    assert status("2026-01-10").status == "licensed"
    assert (status("2026-12-10").status, status("2026-12-10").days_left) == ("licensed", 31)
    assert (status("2026-12-11").status, status("2026-12-11").days_left) == ("expiring", 30)
    assert (status("2027-01-09").status, status("2027-01-09").days_left) == ("expiring", 1)
    gone = status("2027-01-10")
    assert (gone.status, gone.reference, gone.expires_on) == ("expired", "ROCR/OR/0001", date(2027, 1, 10))

    # Declining the renewal does not cut short the licence in force.
    _decide(commissioner, request, "decline", date(2026, 12, 20), reasons="Not needed weekly")
    db.session.commit()
    assert status("2026-12-21").status == "expiring"

    # Renewed ten days after it lapsed: the reference carries over, and the gap stays a gap.
    renewed = _decide(commissioner, request, "renew", date(2027, 1, 20))
    db.session.commit()
    assert (renewed.reference, renewed.approved_on, renewed.expires_on) == ("ROCR/OR/0001", date(2027, 1, 20), date(2028, 1, 20))
    assert status("2027-01-15").status == "expired"
    assert status("2027-01-20").status == "licensed" and status("2027-01-20").licence.id == renewed.id
    assert status("2026-06-01").licence.id == approved.id  # history keeps the first licence
    assert status("2028-01-20").status == "expired"
    assert [(p.start, p.end) for p in in_force_periods([approved, renewed])] == [
        (date(2026, 1, 10), date(2027, 1, 10)), (date(2027, 1, 20), date(2028, 1, 20))]


def test_an_early_renewal_takes_over_from_its_approval_date_and_a_correction_wins(db, commissioner, make_request):
    request = make_request("Quarterly return", frequency="quarterly")
    first = _decide(commissioner, request, "approve", date(2026, 1, 1), reference="A-1", expires_on=date(2031, 1, 1))
    # Same approval date, recorded later: a correction of the expiry typed by mistake.
    corrected = _decide(commissioner, request, "renew", date(2026, 1, 2), reference="A-1", approved_on=date(2026, 1, 1),
                        expires_on=date(2027, 1, 1))
    early = _decide(commissioner, request, "renew", date(2026, 12, 1), approved_on=date(2026, 12, 15))
    db.session.commit()
    decisions = [first, corrected, early]
    assert status_from(decisions, date(2026, 6, 1)).licence.id == corrected.id
    assert status_from(decisions, date(2026, 12, 14)).licence.id == corrected.id
    assert status_from(decisions, date(2026, 12, 15)).licence.id == early.id
    assert status_from(decisions, date(2027, 6, 1)).status == "licensed"
    assert [(p.start, p.end) for p in in_force_periods(decisions)] == [
        (date(2026, 1, 1), date(2026, 12, 15)), (date(2026, 12, 15), date(2027, 12, 15))]


def test_statuses_of_many_requests_in_one_lookup(db, commissioner, make_request):
    licensed, never = make_request("Licensed"), make_request("Never licensed")
    _decide(commissioner, licensed, "approve", date(2026, 3, 1), reference="L-1")
    db.session.commit()
    found = licence_statuses(db.session, [licensed.id, never.id], date(2026, 3, 2))
    assert {k: v.status for k, v in found.items()} == {licensed.id: "licensed", never.id: "none"}
    assert set(licence_statuses(db.session, None, date(2026, 3, 2))) == {licensed.id}


def test_days_without_a_licence_inside_a_period():
    def period(start, end):
        return type("P", (), {"start": date.fromisoformat(start), "end": date.fromisoformat(end)})

    jan, dec = date(2026, 1, 1), date(2026, 12, 31)
    assert unlicensed_ranges([], jan, dec) == [(jan, dec)]
    assert unlicensed_ranges([period("2026-03-15", "2026-04-15")], jan, dec) == [
        (jan, date(2026, 3, 14)), (date(2026, 4, 15), dec)]
    assert unlicensed_ranges([period("2025-01-01", "2027-01-01")], jan, dec) == []
    assert unlicensed_ranges([period("2025-06-01", "2026-02-01"), period("2026-11-01", "2027-11-01")], jan, dec) == [
        (date(2026, 2, 1), date(2026, 10, 31))]
    assert unlicensed_ranges([period("2024-01-01", "2025-01-01")], jan, dec) == [(jan, dec)]


# ---- refused, nothing written --------------------------------------------------


@pytest.mark.parametrize(
    "changes, field, words",
    [
        ({"responses_per_year": 4}, "responses_per_year", "answered 12 times a year"),
        ({"minutes_gathering": 2_000, "minutes_training": 251}, "notes", "more than a working week"),
        ({"minutes_gathering": 0}, "minutes_gathering", "at least 1 minute"),
    ],
)
def test_estimates_that_contradict_themselves_are_refused(db, commissioner, make_request, changes, field, words):
    request = make_request("Monthly return", frequency="monthly")
    before = licence_rows(db)
    with pytest.raises(EstimateRefused) as refused:
        record_estimate(commissioner, request, estimate_values(**changes), date(2026, 6, 1))
    db.session.rollback()
    assert refused.value.field == field and words in refused.value.message
    assert licence_rows(db) == before


def test_a_reason_or_a_note_lets_the_same_estimate_through(db, commissioner, make_request):
    request = make_request("Monthly return", frequency="monthly")
    record_estimate(commissioner, request, estimate_values(responses_per_year=4, frequency_reason="Only quarter ends are sent"),
                    date(2026, 6, 1))
    record_estimate(commissioner, request, estimate_values(minutes_gathering=3_000, notes="A full audit each time"),
                    date(2026, 6, 1))
    db.session.commit()
    assert licence_rows(db)["Estimate"] == 2


@pytest.mark.parametrize(
    "action, terms, field, words",
    [
        ("approve", {"reference": "X-1", "approved_on": date(2026, 5, 1), "expires_on": date(2026, 4, 1)}, "expires_on", "after the approval date"),
        ("approve", {"reference": "X-1", "approved_on": date(2026, 5, 1), "expires_on": date(2026, 5, 1)}, "expires_on", "after the approval date"),
        ("approve", {"reference": "X-1", "expires_on": date(2032, 1, 1)}, "expires_on", "at most 5 years"),
        ("approve", {"reference": ""}, "reference", "licence reference"),
        ("renew", {"reference": "X-1"}, "action", "never had a licence"),
        ("decline", {"reasons": "  "}, "reasons", "reasons"),
        ("withdraw", {}, "action", "Choose what to do"),
    ],
)
def test_bad_licence_decisions_are_refused(db, commissioner, make_request, action, terms, field, words):
    request = make_request("Monthly return")
    before = licence_rows(db)
    with pytest.raises(LicenceRefused) as refused:
        decide_licence(commissioner, request, action, today=date(2026, 6, 1), **terms)
    db.session.rollback()
    assert refused.value.field == field and words in refused.value.message
    assert licence_rows(db) == before


@pytest.mark.parametrize("status", ["retired", "merged"])
def test_no_licence_or_estimate_for_a_retired_or_merged_request(db, commissioner, make_request, status):
    request = make_request("Old return", status=status)
    before = licence_rows(db)
    for action in ("approve", "renew", "decline"):
        with pytest.raises(LicenceRefused, match=status):
            decide_licence(commissioner, request, action, today=date(2026, 6, 1), reference="R", reasons="r")
    with pytest.raises(EstimateRefused, match=status):
        record_estimate(commissioner, request, estimate_values(), date(2026, 6, 1))
    db.session.rollback()
    assert licence_rows(db) == before


def test_approving_twice_is_refused_while_a_licence_is_in_force(db, commissioner, make_request):
    request = make_request("Monthly return")
    decide_licence(commissioner, request, "approve", without_estimate=True, reasons="No estimate in this test", today=date(2026, 1, 1), reference="M-1")
    db.session.commit()
    with pytest.raises(LicenceRefused, match="renew it instead"):
        decide_licence(commissioner, request, "approve", without_estimate=True, reasons="No estimate in this test", today=date(2026, 6, 1), reference="M-2")
    db.session.rollback()
    # Once it has expired, a fresh approval is fine.
    decide_licence(commissioner, request, "approve", without_estimate=True, reasons="No estimate in this test", today=date(2027, 2, 1), reference="M-2")
    db.session.commit()
    assert db.session.query(LicenceDecision).count() == 2
    assert licence_status(db.session, request.id, date(2027, 2, 1) + timedelta(days=1)).reference == "M-2"
