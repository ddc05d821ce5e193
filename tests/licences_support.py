"""Helpers the licence tests share: a rate of our own, an estimate's fields, a licence decision."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.burden import Rate
from tracker.models.licences import Estimate, LicenceDecision, LicenceReminder


def set_rate(db, band: str, hourly_cost: str, effective_from: date) -> Decimal:
    """A band's hourly cost from a date (as an admin would set it), so the tests can work costs by hand."""
    db.session.add(Rate(band=band, hourly_cost=Decimal(hourly_cost), effective_from=effective_from, note="test"))
    db.session.commit()
    return Decimal(hourly_cost)


def estimate_values(**changes) -> dict:
    """A plausible estimate, as EstimateForm.values() (and the API's JSON) has it."""
    values = {
        "reference": "NCC-0042",
        "purpose": "Monitor waiting times for community services",
        "necessity": "",
        "legal_basis": "",
        "answered_by": "",
        "sector": None,
        "respondents": 12,
        "responses_per_year": 12,
        "resubmissions_per_year": 0,
        "frequency_reason": "",
        "minutes_gathering": 60,
        "minutes_quality_assurance": 0,
        "minutes_extraction": 0,
        "minutes_submission": 0,
        "minutes_training": 0,
        "one_off_minutes": 0,
        "band": "5",
        "basis": "requester",
        "notes": "",
    }
    values.update(changes)
    return values


def as_json(values: dict) -> dict:
    return {k: v for k, v in values.items() if v is not None}


def licence_rows(db) -> dict:
    """Counts that must not move when input is refused."""
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Estimate, LicenceDecision, LicenceReminder, AuditEvent)
    }
