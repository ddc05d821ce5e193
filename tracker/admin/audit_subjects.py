"""What an audit event was about, for records with no name of their own.

An entry is described by its request, team, date and time; a sign-off by its
team and month; an event about many records at once (seed-demo's) or about a
record since merged away by what the event itself recorded. One query per kind
of record for a page of events, never one per event."""
from __future__ import annotations

from sqlalchemy import select

from tracker.models.audit import AuditEvent
from tracker.models.catalogue import Request, Team
from tracker.models.entries import Entry
from tracker.models.signoff import MonthSignoff
from tracker.extensions import db
from tracker.shared import choices
from tracker.shared.timeutil import month_label
from tracker.template_helpers import duration


def entry_subjects(ids: set[int]) -> dict[tuple[str, int], str]:
    """'Weekly sitrep for Community Nursing North, 3 Mar 2026, 1h 15m' (deleted entries too: the row stays)."""
    if not ids:
        return {}
    query = (
        select(Entry.id, Request.title, Team.name, Entry.occurred_on, Entry.minutes)
        .join(Request, Request.id == Entry.request_id)
        .join(Team, Team.id == Entry.team_id)
        .where(Entry.id.in_(ids))
    )
    return {
        ("entry", entry_id): f"{title} for {team}, {day.day} {day:%b %Y}, {duration(minutes)}"
        for entry_id, title, team, day, minutes in db.session.execute(query)
    }


def signoff_subjects(ids: set[int]) -> dict[tuple[str, int], str]:
    """'Community Nursing North, March 2026'."""
    if not ids:
        return {}
    query = select(MonthSignoff.id, Team.name, MonthSignoff.month).join(Team, Team.id == MonthSignoff.team_id)
    return {
        ("month_signoff", signoff_id): f"{team}, {month_label(month)}"
        for signoff_id, team, month in db.session.execute(query.where(MonthSignoff.id.in_(ids)))
    }


def subject_from_values(event: AuditEvent) -> str:
    """When the record itself tells nothing (gone, merged away, or the event is about many
    records at once, as seed-demo's is): what the event's own values say."""
    values = {**(event.old or {}), **(event.new or {})}
    if event.action == "seed" and "entries" in values:
        return f"{values['entries']:,} demo entries loaded (seed {values.get('seed', '–')})"
    if event.entity == "rate" and "band" in values:
        since = f" from {values['effective_from']}" if values.get("effective_from") else ""
        return f"{choices.BANDS.get(values['band'], values['band'])}{since}"
    for field in ("name", "title", "email"):
        if values.get(field):
            return str(values[field])
    return ""
