"""Likely duplicates on pairs written for the tests: ones that must match and ones that must not."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from tracker.catalogue.services import update_with_audit
from tracker.models.audit import AuditEvent
from tracker.models.workspace import DuplicateVerdict
from tracker.workspace.duplicates import (
    LIKELY_SCORE, VerdictRefused, combined_score, duplicates_by_request, find_duplicates, normalise, record_verdict,
)

TODAY = date(2026, 6, 15)

MUST_MATCH = [
    # (title at one source, description, title at another, description)
    ("Weekly winter sitrep", "", "Winter situation report (weekly)", ""),
    ("A&E 4-hour performance", "", "Accident and emergency four hour performance return", ""),
    ("UEC daily sit-rep", "Beds, escalation and ambulance handovers", "Urgent & emergency care daily situation report",
     "Ambulance handovers, beds and escalation"),
    ("ICB assurance return", "", "Integrated Care Board assurance return", ""),
    ("RTT waiting list return", "Waits by specialty", "Referral to treatment waiting list return", "Waits by specialty"),
]
MUST_NOT_MATCH = [
    ("Monthly performance return", "Constitutional standards", "Monthly workforce return", "Staff in post and vacancies"),
    ("Weekly winter sitrep", "", "Weekly elective recovery tracker", ""),
    ("Quarterly safeguarding return", "", "Quarterly complaints return", ""),
    ("Monthly performance return", "", "Monthly primary care access return", ""),
    ("Annual data security return", "Toolkit assertions", "Annual report contribution", "The service's section"),
]


def test_normalisation_spells_out_the_fields_abbreviations():
    assert normalise("Weekly winter SITREP") == "weekly winter situation report"
    assert normalise("A&E 4-hour performance") == "accident and emergency four hour performance"
    assert normalise("A and E four hours") == "accident and emergency four hour"
    assert normalise("UEC sit-rep (ICB)") == "urgent and emergency care situation report integrated care board"
    assert normalise("NHSE/I return") == "nhs england return"
    assert normalise("Bed-days") == "bed days"  # punctuation only separates
    assert normalise("Édition") == "edition"


@pytest.fixture
def two_sources(make_source):
    return make_source("NHS England North"), make_source("Integrated Care Board", kind="commissioner")


@pytest.mark.parametrize("a_title, a_description, b_title, b_description", MUST_MATCH)
def test_pairs_that_ask_for_the_same_thing_are_found(two_sources, make_request, db, a_title, a_description, b_title, b_description):
    a = make_request(a_title, source=two_sources[0])
    b = make_request(b_title, source=two_sources[1])
    a.description, b.description = a_description, b_description
    db.session.commit()
    [pair] = find_duplicates(TODAY)
    assert pair.key == (a.id, b.id) and pair.score >= LIKELY_SCORE
    assert duplicates_by_request([pair]) == {a.id: [(b.id, pair.score)], b.id: [(a.id, pair.score)]}


@pytest.mark.parametrize("a_title, a_description, b_title, b_description", MUST_NOT_MATCH)
def test_pairs_that_only_share_words_are_not(two_sources, make_request, db, a_title, a_description, b_title, b_description):
    a = make_request(a_title, source=two_sources[0])
    b = make_request(b_title, source=two_sources[1])
    a.description, b.description = a_description, b_description
    db.session.commit()
    assert find_duplicates(TODAY) == []


def test_same_source_retired_and_merged_requests_are_not_compared(two_sources, make_request):
    nhse, icb = two_sources
    make_request("Weekly winter sitrep", source=nhse)
    make_request("Winter situation report", source=nhse)  # the same source: a catalogue clean-up, not a duplicate
    make_request("Winter sit rep", source=icb, status="retired")
    make_request("Winter sitrep weekly", source=icb, status="merged")
    assert find_duplicates(TODAY) == []


def test_evidence_of_supply_elsewhere_strengthens_a_pair(two_sources, make_request, make_team, make_user, make_entry):
    nhse, icb = two_sources
    a = make_request("Discharge delays weekly", source=nhse)
    b = make_request("Weekly delayed discharges return", source=icb)
    [plain] = find_duplicates(TODAY) or [None]
    admin = make_user("admin")
    teams = [make_team(f"Team {i}") for i in range(4)]
    for team in teams[:2]:  # both answered in the same week (Monday and Friday), both marked supplied elsewhere
        make_entry(admin, team, a, occurred_on=date(2026, 6, 1), minutes=30, duplicated_elsewhere="yes")
        make_entry(admin, team, b, occurred_on=date(2026, 6, 5), minutes=30, duplicated_elsewhere="yes")
    # not evidence: a different week; one side not marked; outside the 12 months
    make_entry(admin, teams[2], a, occurred_on=date(2026, 6, 5), minutes=30, duplicated_elsewhere="yes")
    make_entry(admin, teams[2], b, occurred_on=date(2026, 6, 8), minutes=30, duplicated_elsewhere="yes")
    make_entry(admin, teams[3], a, occurred_on=date(2026, 6, 1), minutes=30, duplicated_elsewhere="yes")
    make_entry(admin, teams[3], b, occurred_on=date(2026, 6, 1), minutes=30, duplicated_elsewhere="no")
    make_entry(admin, teams[0], a, occurred_on=date(2025, 6, 2), minutes=30, duplicated_elsewhere="yes")
    make_entry(admin, teams[0], b, occurred_on=date(2025, 6, 2), minutes=30, duplicated_elsewhere="yes")
    [pair] = find_duplicates(TODAY)
    assert (pair.shared_teams, pair.shared_weeks) == (2, 2)
    assert pair.score == combined_score(pair.title_score, pair.description_score, 0) + 10
    assert plain is None or plain.score == pair.score - 10


def test_a_dismissed_pair_stays_away_until_either_request_changes(two_sources, make_request, make_user, db):
    nhse, icb = two_sources
    commissioner = make_user("commissioner")
    a = make_request("Weekly winter sitrep", source=nhse)
    b = make_request("Winter situation report", source=icb)
    [pair] = find_duplicates(TODAY)
    record_verdict(commissioner, b.id, a.id, "dismissed", TODAY)  # either order
    db.session.commit()
    assert find_duplicates(TODAY) == []
    assert [p.verdict for p in find_duplicates(TODAY, include_dismissed=True)] == ["dismissed"]
    verdict = db.session.scalar(select(DuplicateVerdict))
    assert (verdict.first_request_id, verdict.second_request_id, verdict.score) == (a.id, b.id, pair.score)
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "duplicate_verdict")).action == "create"

    update_with_audit(commissioner, b, {"description": "Beds and escalation, weekly in winter"})
    db.session.commit()
    [back] = find_duplicates(TODAY)
    assert back.key == (a.id, b.id) and back.verdict is None  # judged afresh

    record_verdict(commissioner, a.id, b.id, "confirmed", TODAY)
    record_verdict(commissioner, a.id, b.id, "dismissed", TODAY)  # a changed mind updates the same verdict
    db.session.commit()
    assert len(db.session.scalars(select(DuplicateVerdict)).all()) == 2  # one per version, none deleted
    assert find_duplicates(TODAY) == []


def test_a_verdict_needs_two_requests_and_a_verdict(make_request, make_user):
    commissioner = make_user("commissioner")
    a = make_request()
    with pytest.raises(VerdictRefused, match="two different requests"):
        record_verdict(commissioner, a.id, a.id, "dismissed", TODAY)
    with pytest.raises(VerdictRefused, match="two different requests"):
        record_verdict(commissioner, a.id, 999_999, "dismissed", TODAY)
    with pytest.raises(VerdictRefused, match="duplicates"):
        record_verdict(commissioner, a.id, 999_999, "maybe", TODAY)
