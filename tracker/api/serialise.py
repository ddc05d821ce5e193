"""Objects as the JSON API shows them. Every API module (and any other JSON
output) serialises through here so a field has one name and one format.

Numbers are JSON numbers: money is rounded half-up to the penny only here, at
the edge, from the unrounded Decimal (SPEC: the same figure everywhere)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from tracker.burden.rates import RateBook

PENNY = Decimal("0.01")
SIXTY = Decimal(60)


def pounds(value) -> float:
    """A Decimal amount as a JSON number of pounds, rounded half-up to the penny."""
    return float(Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP))


def rounded(value, places: int = 2) -> float:
    """Any Decimal figure (hours, FTE, shares) as a JSON number rounded half-up."""
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def hours_from_minutes(minutes: int) -> float:
    return rounded(Decimal(minutes) / SIXTY)


def iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def team_to_json(team) -> dict:
    return {
        "id": team.id,
        "name": team.name,
        "slug": team.slug,
        "organisation": team.organisation,
        "sector": team.sector,
        "active": team.active,
    }


def source_to_json(source) -> dict:
    return {"id": source.id, "name": source.name, "kind": source.kind, "created_at": iso(source.created_at)}


def request_to_json(request) -> dict:
    return {
        "id": request.id,
        "title": request.title,
        "source_id": request.source_id,
        "source": request.source.name,
        "description": request.description,
        "frequency": request.frequency,
        "obligation": request.obligation,
        "status": request.status,
        "merged_into_id": request.merged_into_id,
        "created_at": iso(request.created_at),
    }


def entry_to_json(entry, rate_book: RateBook) -> dict:
    """Load the RateBook once per response (RateBook.load(db.session)) and pass it in."""
    return {
        "id": entry.id,
        "request_id": entry.request_id,
        "request": entry.request.title,
        "source_id": entry.request.source_id,
        "team_id": entry.team_id,
        "team": entry.team.name,
        "occurred_on": iso(entry.occurred_on),
        "minutes": entry.minutes,
        "hours": hours_from_minutes(entry.minutes),
        "band": entry.band,
        "duplicated_elsewhere": entry.duplicated_elsewhere,
        "used": entry.used,
        "notes": entry.notes,
        "cost": pounds(rate_book.cost(entry.band, entry.occurred_on, entry.minutes)),
        "logged_by": {"id": entry.logged_by_id, "name": entry.logged_by.name},
        "created_at": iso(entry.created_at),
        "updated_at": iso(entry.updated_at),
    }


def rate_to_json(rate) -> dict:
    return {
        "id": rate.id,
        "band": rate.band,
        # Six places are stored; a float shows them exactly at this size.
        "hourly_cost": float(rate.hourly_cost),
        "effective_from": iso(rate.effective_from),
        "note": rate.note,
        "created_at": iso(rate.created_at),
        "created_by_id": rate.created_by_id,
    }
