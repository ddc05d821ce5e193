"""Estimates and licences for the demo, so every licences page has something to show after `make run`:
licences in force, one expiring within the month, one expired, one declined, and estimates on
requests not licensed yet. Recorded the way a commissioner would, through the licence rules."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import select

from tracker.demo import data
from tracker.licences.estimates import expected_responses, record_estimate
from tracker.licences.licensing import decide_licence, years_after
from tracker.models.auth import User
from tracker.models.catalogue import Request
from tracker.models.licences import Estimate


@dataclass(frozen=True)
class DemoLicence:
    title: str  # a data.REQUESTS title
    respondents: int
    minutes_per_response: int
    band: str
    outcome: str  # "licensed", "expiring", "expired", "declined" or "estimate" (estimated, not decided yet)
    reference: str = ""


LICENCES = (
    DemoLicence("Monthly performance return", 12, 150, "6", "licensed", "NWR/2026/014"),
    DemoLicence("Capacity tracker update", 12, 45, "5", "licensed", "DHSC/CT/2026/03"),
    DemoLicence("Monthly contract monitoring return", 12, 240, "6", "expiring", "ICB/CMR/2025/07"),
    DemoLicence("Quarterly assurance report", 12, 480, "7", "expired", "ICB/QAR/2024/02"),
    DemoLicence("System flow weekly dashboard", 12, 90, "5", "declined"),
    DemoLicence("Healthcare associated infection return", 12, 120, "6", "estimate"),
    DemoLicence("Weekly winter sitrep", 12, 60, "5", "estimate"),
)
PURPOSE = "Monitoring the region's services against the plan; the figures go to the system's monthly meeting."
DECLINED_BECAUSE = "The capacity tracker and the weekly sitrep already hold these figures: use them instead."


def _terms(outcome: str, today: date) -> tuple[date, date]:
    """(approved on, expires on) giving each outcome its status today."""
    if outcome == "expiring":
        expires = today + timedelta(days=18)
    elif outcome == "expired":
        expires = today - timedelta(days=40)
    else:
        expires = today + timedelta(days=200)
    approved = years_after(expires, -1)
    return approved, expires


def record_demo_licences(session, today: date) -> int:
    """Estimates and licence decisions for LICENCES, skipping requests that already have an estimate. Returns how many."""
    commissioner = session.scalar(select(User).where(User.email == data.COMMISSIONER_EMAIL))
    by_title = {r.title: r for r in session.scalars(select(Request).where(Request.title.in_([s.title for s in LICENCES])))}
    estimated = set(session.scalars(select(Estimate.request_id)))
    made = 0
    for spec in LICENCES:
        request = by_title.get(spec.title)
        if request is None or request.id in estimated or request.status not in ("active", "under_review"):
            continue
        approved, expires = _terms(spec.outcome, today)
        on = approved - timedelta(days=14) if spec.outcome in ("licensed", "expiring", "expired") else today - timedelta(days=7)
        record_estimate(commissioner, request, {
            "reference": "", "purpose": PURPOSE, "necessity": "", "legal_basis": "", "answered_by": "Each trust's information team",
            "sector": "nhs_trust", "respondents": spec.respondents,
            "responses_per_year": expected_responses(request.frequency) or 12,
            "resubmissions_per_year": 0,
            "frequency_reason": "" if expected_responses(request.frequency) else "About monthly, as it has been asked",
            "minutes_gathering": spec.minutes_per_response * 3 // 5, "minutes_quality_assurance": spec.minutes_per_response // 5,
            "minutes_extraction": 0, "minutes_submission": spec.minutes_per_response // 5, "minutes_training": 0,
            "one_off_minutes": 120, "band": spec.band, "basis": "requester", "notes": "",
        }, on)
        if spec.outcome == "declined":
            decide_licence(commissioner, request, "decline", today=today - timedelta(days=3), reasons=DECLINED_BECAUSE)
        elif spec.outcome != "estimate":
            decide_licence(commissioner, request, "approve", today=approved, reference=spec.reference,
                           approved_on=approved, expires_on=expires)
        made += 1
    return made
