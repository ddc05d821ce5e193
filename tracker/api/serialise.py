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


def share(value) -> float | None:
    """A share from 0 to 1, to 4 places (None when there is nothing to share)."""
    return None if value is None else rounded(value, 4)


def request_figures_to_json(figures, likely_duplicates) -> dict:
    """The workspace's figures of one request (tracker/rationalise/figures.py), for commissioners and admins."""
    return {
        "observed_hours_12m": rounded(figures.hours),
        "observed_cost_12m": pounds(figures.cost),
        "entries_12m": figures.entries,
        "teams_12m": figures.teams,
        "median_hours_per_entry": None if figures.median_hours is None else rounded(figures.median_hours),
        "projected_annual_hours": rounded(figures.projected_hours),
        "projected_annual_cost": pounds(figures.projected_cost),
        "projected_annual_fte": rounded(figures.projected_fte, 3),
        "duplicated_share": share(figures.duplicated_share),
        "used_share": share(figures.used_share),
        "likely_duplicates": [{"id": other, "score": score} for other, score in likely_duplicates],
    }


def decision_to_json(decision, status: str, saving, expected_fte) -> dict:
    """A decision with its frozen baseline and expected saving, and the saving measured so far
    (realised figures are null while it is too early to tell)."""
    measured = saving.measured
    return {
        "id": decision.id,
        "request_id": decision.request_id,
        "request": decision.request.title,
        "decision": decision.kind,
        "rationale": decision.rationale,
        "decided_by": {"id": decision.decided_by_id, "name": decision.decided_by.name},
        "decided_on": iso(decision.decided_on),
        "effective_date": iso(decision.effective_on),
        "review_date": iso(decision.review_on),
        "merge_into": decision.merge_into_id,
        "new_frequency": decision.new_frequency,
        "target_hours_per_entry": None if decision.target_hours is None else float(decision.target_hours),
        "status": status,
        "baseline_start": iso(decision.baseline_start),
        "baseline_end": iso(decision.baseline_end),
        "baseline_hours": hours_from_minutes(decision.baseline_minutes),
        "baseline_cost": pounds(decision.baseline_cost),
        "baseline_entries": decision.baseline_entries,
        "baseline_teams": decision.baseline_teams,
        "expected_saving_hours": rounded(decision.expected_saving_hours),
        "expected_saving_cost": pounds(decision.expected_saving_cost),
        "expected_saving_fte": rounded(expected_fte, 3),
        "realised_saving_hours": rounded(saving.realised_hours) if measured else None,
        "realised_saving_cost": pounds(saving.realised_cost) if measured else None,
        "seasonal_saving_hours": rounded(saving.seasonality.realised_hours) if measured and saving.seasonality else None,
        "saving_uncertain": saving.uncertain if measured else None,
        "withdrawn_at": iso(decision.withdrawn_at),
        "withdrawal_reason": decision.withdrawal_reason,
    }
