"""Approving, renewing and declining a request's licence (commissioners and admins).

Every decision is kept (audited, never deleted); which licence is in force on
a day is decided by tracker/licences/status.py from all of them."""
from __future__ import annotations

from datetime import date

from tracker import audit
from tracker.catalogue.services import hold_request
from tracker.extensions import db
from tracker.licences.estimates import estimates_of
from tracker.licences.status import decisions_by_request, status_from
from tracker.models.catalogue import Request
from tracker.models.licences import LicenceDecision
from tracker.shared.choices import LICENCE_ACTIONS, LOGGABLE_STATUSES, REQUEST_STATUSES
from tracker.shared.errors import Refused

MAX_LICENCE_YEARS = 5


class LicenceRefused(Refused):
    pass


def years_after(day: date, years: int) -> date:
    """The same day `years` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def default_expiry(approved_on: date) -> date:
    """"Usually one year from approval": it expires on the anniversary of its approval (in force the day before)."""
    return years_after(approved_on, 1)


def decide_licence(
    user,
    request: Request,
    action: str,
    *,
    today: date,
    reference: str = "",
    approved_on: date | None = None,
    expires_on: date | None = None,
    reasons: str = "",
    without_estimate: bool = False,
) -> LicenceDecision:
    """Record an approval, renewal or decline. Raises LicenceRefused (by field), writing nothing.

    A licence is granted on a burden estimate; granting one without it takes an
    explicit `without_estimate` and a reason, kept in the decision's reasons
    (its estimate stays empty, which is how the history shows it)."""
    if action not in LICENCE_ACTIONS:
        raise LicenceRefused(f"Choose what to do: {', '.join(LICENCE_ACTIONS)}", "action")
    request = hold_request(request)  # two decisions at once: the second sees the first
    if request.status not in LOGGABLE_STATUSES:  # retired or merged
        raise LicenceRefused(
            f"This request is {REQUEST_STATUSES[request.status].lower()}: it cannot be licensed, renewed or declined",
            "action",
        )
    decisions = decisions_by_request(db.session, [request.id]).get(request.id, [])
    reference = (reference or "").strip()
    reasons = (reasons or "").strip()
    if action == "decline":
        if not reasons:
            raise LicenceRefused("Give the reasons for declining: they go back to the body that asks", "reasons")
        approved_on = expires_on = None
    else:
        approved_on, expires_on, reference = _licence_terms(action, decisions, today, reference, approved_on, expires_on)

    estimates = estimates_of(db.session, request.id)
    if action != "decline" and not estimates:
        _check_granted_without_estimate(without_estimate, reasons)
    decision = LicenceDecision(
        request_id=request.id,
        action=action,
        reference=reference,
        approved_on=approved_on,
        expires_on=expires_on,
        reasons=reasons,
        estimate_id=estimates[0].id if estimates else None,
        decided_on=today,
        decided_by_id=getattr(user, "id", None),
    )
    db.session.add(decision)
    db.session.flush()
    audit.record(db.session, user, "create", decision, new=audit.snapshot(decision))
    return decision


def _check_granted_without_estimate(without_estimate: bool, reasons: str) -> None:
    if not without_estimate:
        raise LicenceRefused(
            "Record a burden estimate before approving, or choose to approve without an estimate and give the reason",
            "without_estimate",
        )
    if not reasons:
        raise LicenceRefused("Give the reason for approving without an estimate: it is kept with the decision", "reasons")


def _licence_terms(action, decisions, today, reference, approved_on, expires_on):
    """Approval date (default today), expiry (default a year on) and reference, checked."""
    granted = [d for d in decisions if d.grants]
    now = status_from(decisions, today)
    if action == "approve" and now.current:
        raise LicenceRefused(
            f"This request already has a licence ({now.reference}) until {now.expires_on:%-d %B %Y}: renew it instead",
            "action",
        )
    if action == "renew" and not granted:
        raise LicenceRefused("This request has never had a licence: approve it instead", "action")
    if not reference and action == "renew":
        reference = max(granted, key=lambda d: (d.approved_on, d.id)).reference
    if not reference:
        raise LicenceRefused("Enter the licence reference, for example ROCR/OR/0123/001", "reference")
    approved_on = approved_on or today
    expires_on = expires_on or default_expiry(approved_on)
    if expires_on <= approved_on:
        raise LicenceRefused(
            f"The expiry date must be after the approval date ({approved_on:%-d %B %Y})", "expires_on"
        )
    if expires_on > years_after(approved_on, MAX_LICENCE_YEARS):
        raise LicenceRefused(
            f"A licence runs for at most {MAX_LICENCE_YEARS} years: choose an expiry date on or before "
            f"{years_after(approved_on, MAX_LICENCE_YEARS):%-d %B %Y}",
            "expires_on",
        )
    return approved_on, expires_on, reference
