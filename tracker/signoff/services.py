"""Month sign-off: a lead locks a team's month; a lead may reopen it with a reason.

While a team's month is signed off its entries are read-only (the entry
service refuses, and the entry form says why by the date). Every sign-off and
reopen is audited."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.auth.access import leads_team
from tracker.models.auth import User
from tracker.models.catalogue import Team
from tracker.models.signoff import MonthSignoff
from tracker.shared.errors import Refused
from tracker.shared.timeutil import app_timezone, local_today, month_label, month_start, utcnow

REASON_MAX = 1000


class SignoffError(Refused):
    """The sign-off or reopen cannot be done; the message says why."""


def long_date(moment: datetime | date, tz: ZoneInfo | None = None) -> str:
    """3 April 2026 (in the local time zone when given a timestamp)."""
    if isinstance(moment, datetime):
        moment = moment.astimezone(tz or app_timezone()).date()
    return f"{moment.day} {moment:%B %Y}"


def open_signoff(session, team_id: int, day: date) -> MonthSignoff | None:
    """The sign-off in force for the team's month containing `day`, if any."""
    return session.scalar(
        select(MonthSignoff).where(
            MonthSignoff.team_id == team_id,
            MonthSignoff.month == month_start(day),
            MonthSignoff.reopened_at.is_(None),
        )
    )


def is_locked(session, team_id: int, day: date) -> bool:
    return open_signoff(session, team_id, day) is not None


def lock_reason(session, team_id: int, day: date) -> str | None:
    """Why entries of that team on that day cannot change, or None when they can."""
    signoff = open_signoff(session, team_id, day)
    return None if signoff is None else lock_message(signoff)


def lock_message(signoff: MonthSignoff) -> str:
    """Why a signed-off month takes no new or changed entries (the log form says it by the date)."""
    return (
        f"{signoff.team.name}'s entries for {month_label(signoff.month)} were signed off by "
        f"{signoff.signed_by.name} on {long_date(signoff.signed_at)}; ask a lead to reopen the month"
    )


def signoffs_for(session, month: date, team_ids: list[int] | None) -> dict[int, dict]:
    """Sign-offs in force for a month, as the workbook shows them: {team_id: {"by": name, "at": datetime}}.
    `team_ids` None means every team."""
    query = (
        select(MonthSignoff.team_id, User.name, MonthSignoff.signed_at)
        .join(User, User.id == MonthSignoff.signed_by_id)
        .where(MonthSignoff.month == month_start(month), MonthSignoff.reopened_at.is_(None))
    )
    if team_ids is not None:
        query = query.where(MonthSignoff.team_id.in_(team_ids))
    return {team_id: {"by": name, "at": signed_at} for team_id, name, signed_at in session.execute(query)}


def signoff_refusal(session, user: User, team: Team, month: date, today: date | None = None) -> str | None:
    """Why the user cannot sign off the team's month now, or None when they can (asked before
    the confirmation page is shown, and again when signing off)."""
    month = month_start(month)
    today = today or local_today()
    if not leads_team(user, team.id):
        return f"Only a lead of {team.name} can sign off its months"
    if month >= month_start(today):
        return f"{month_label(month)} has not ended yet: sign it off once it has"
    if open_signoff(session, team.id, month) is not None:
        return f"{team.name}'s {month_label(month)} is already signed off"
    return None


def signoffs_in_force(session, team_ids: list[int], first: date, last: date) -> dict[tuple[int, date], MonthSignoff]:
    """{(team_id, month): sign-off} for every sign-off in force for those teams in months first..last."""
    if not team_ids:
        return {}
    query = select(MonthSignoff).where(
        MonthSignoff.team_id.in_(sorted(set(team_ids))),
        MonthSignoff.month >= month_start(first),
        MonthSignoff.month <= month_start(last),
        MonthSignoff.reopened_at.is_(None),
    )
    return {(s.team_id, s.month): s for s in session.scalars(query)}


def signed_off_note(signoff: MonthSignoff) -> str:
    """'Signed off by Lee Lead on 3 April 2026', as an entry of that month shows it."""
    return f"Signed off by {signoff.signed_by.name} on {long_date(signoff.signed_at)}"


def sign_off(session, user: User, team: Team, month: date, today: date | None = None) -> MonthSignoff:
    """Lock the team's month. Only a lead of the team (or an admin), only for a month that has ended."""
    month = month_start(month)
    refusal = signoff_refusal(session, user, team, month, today)
    if refusal:
        raise SignoffError(refusal)
    signoff = MonthSignoff(team_id=team.id, month=month, signed_by_id=user.id, signed_at=utcnow())
    session.add(signoff)
    try:
        session.flush()
    except IntegrityError:  # another lead signed it off a moment ago
        session.rollback()
        raise SignoffError(f"{team.name}'s {month_label(month)} is already signed off") from None
    audit.record(session, user, "sign_off", signoff, new=audit.snapshot(signoff))
    return signoff


def reopen(session, user: User, signoff: MonthSignoff, reason: str) -> MonthSignoff:
    """Unlock a signed-off month. A reason is required; the sign-off row keeps it."""
    reason = (reason or "").strip()
    if not leads_team(user, signoff.team_id):
        raise SignoffError(f"Only a lead of {signoff.team.name} can reopen its months")
    if not signoff.is_open:
        raise SignoffError(f"{signoff.team.name}'s {month_label(signoff.month)} is already open")
    if not reason:
        raise SignoffError("Enter why the month is being reopened")
    if len(reason) > REASON_MAX:
        raise SignoffError(f"The reason must be {REASON_MAX} characters or fewer")
    audit.change(session, user, "reopen", signoff,
                 {"reopened_at": utcnow(), "reopened_by_id": user.id, "reopen_reason": reason}, always=True)
    return signoff


def signoffs_visible(session, team_ids: list[int] | None, limit: int = 100) -> list[MonthSignoff]:
    """Latest sign-offs (open and reopened) of the given teams, newest month first."""
    query = select(MonthSignoff).order_by(MonthSignoff.month.desc(), MonthSignoff.signed_at.desc()).limit(limit)
    if team_ids is not None:
        query = query.where(MonthSignoff.team_id.in_(team_ids))
    return list(session.scalars(query))
