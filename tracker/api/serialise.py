"""Objects as the JSON API shows them. Every API module (and any other JSON
output) serialises through here so a field has one name and one format.

Numbers are JSON numbers: money is rounded half-up to the penny only here, at
the edge, from the unrounded Decimal (SPEC: the same figure everywhere)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from tracker.burden.rates import RateBook
from tracker.licences.observed import ratio

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


def request_to_json(request, licence=None) -> dict:
    """`licence`: the request's LicenceStatus today (tracker.licences.status); None: no licence decision yet."""
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
        "licence_status": licence.status if licence is not None else "none",
        "licence_expires_on": iso(licence.expires_on) if licence is not None else None,
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


def estimate_to_json(figures, observed) -> dict:
    """An estimate worked out (tracker.licences.estimates.EstimateFigures) and its request's observed burden
    (tracker.licences.observed.Observed, None until someone logs the request)."""
    estimate = figures.estimate
    answer = {
        "id": estimate.id,
        "request_id": estimate.request_id,
        "reference": estimate.reference,
        "purpose": estimate.purpose,
        "necessity": estimate.necessity,
        "legal_basis": estimate.legal_basis,
        "answered_by": estimate.answered_by,
        "sector": estimate.sector,
        "respondents": estimate.respondents,
        "responses_per_year": estimate.responses_per_year,
        "resubmissions_per_year": estimate.resubmissions_per_year,
        "frequency_reason": estimate.frequency_reason,
        "minutes_gathering": estimate.minutes_gathering,
        "minutes_quality_assurance": estimate.minutes_quality_assurance,
        "minutes_extraction": estimate.minutes_extraction,
        "minutes_submission": estimate.minutes_submission,
        "minutes_training": estimate.minutes_training,
        "minutes_per_response": figures.minutes_per_response,
        "one_off_minutes": estimate.one_off_minutes,
        "band": estimate.band,
        "basis": estimate.basis,
        "notes": estimate.notes,
        "estimated_on": iso(estimate.estimated_on),
        "hourly_rate": float(figures.hourly_rate),
        "expected_annual_hours": rounded(figures.expected_annual_hours, 2),
        "expected_annual_cost": pounds(figures.expected_annual_cost),
        "expected_fte": rounded(figures.expected_fte, 3),
        "one_off_hours": rounded(figures.one_off_hours, 2),
        "one_off_cost": pounds(figures.one_off_cost),
        "created_at": iso(estimate.created_at),
    }
    if observed is not None:
        share = ratio(observed, figures)
        answer.update(
            observed_from=iso(observed.start),
            observed_annual_hours=rounded(observed.annual_hours, 2),
            observed_annual_cost=pounds(observed.annual_cost),
            observed_to_expected=rounded(share, 3) if share is not None else None,
        )
    return answer


def licence_decision_to_json(decision, status) -> dict:
    """A licence decision, with its request's licence status today (tracker.licences.status.LicenceStatus)."""
    return {
        "id": decision.id,
        "request_id": decision.request_id,
        "action": decision.action,
        "reference": decision.reference,
        "approved_on": iso(decision.approved_on),
        "expires_on": iso(decision.expires_on),
        "reasons": decision.reasons,
        "estimate_id": decision.estimate_id,
        "decided_on": iso(decision.decided_on),
        "decided_by_id": decision.decided_by_id,
        "created_at": iso(decision.created_at),
        "licence_status": status.status,
        "licence_expires_on": iso(status.expires_on),
    }


def share(value) -> float | None:
    """A share from 0 to 1, to 4 places (None when there is nothing to share)."""
    return None if value is None else rounded(value, 4)


def request_figures_to_json(figures, likely_duplicates) -> dict:
    """The workspace's figures of one request (tracker/workspace/figures.py), for commissioners and admins."""
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
        "variation_saving_hours": None if figures.variation_saving_hours is None else rounded(figures.variation_saving_hours),
        "variation_saving_cost": None if figures.variation_saving_cost is None else pounds(figures.variation_saving_cost),
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
