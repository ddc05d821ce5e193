"""May new work still be logged against a request? One rule for the log form, the API and the importer
(through tracker.entries.rules.request_problem).

From the effective date of a live retire or merge decision, no new entry may
pick the request (work done before that date may still be logged late); a
request retired or merged straight from the catalogue, with no decision, is
closed outright. The message says why and names the request that replaced it.

The rule belongs to the catalogue (a request's status and its closing date);
the workspace's decisions write them, and entries ask here, never the workspace."""
from __future__ import annotations

from datetime import date

from sqlalchemy import select

from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.models.workspace import Decision

CLOSING_KINDS = ("retire", "merge")
CLOSED_STATUSES = ("retired", "merged")


def live_closing_decision(request_id: int, session=None) -> Decision | None:
    session = session or db.session
    return session.scalar(select(Decision).where(
        Decision.request_id == request_id, Decision.withdrawn_at.is_(None), Decision.kind.in_(CLOSING_KINDS)
    ))


def closed_reason(request: Request, day: date, session=None) -> str | None:
    """Why no entry for work done on `day` may be logged against `request`; None when it may."""
    decision = live_closing_decision(request.id, session)
    if decision is not None:
        if day < decision.effective_on:
            return None
        when = f"{decision.effective_on:%-d %B %Y}"
        if decision.kind == "merge":
            return (f"That request is merged into '{decision.merge_into.label}' from {when}: "
                    f"log this work against '{decision.merge_into.title}' instead")
        return f"That request is retired from {when}: it is no longer asked for, so no new work can be logged against it"
    if request.status == "merged" and request.merged_into is not None:
        return (f"That request is merged into '{request.merged_into.label}': "
                f"log this work against '{request.merged_into.title}' instead")
    if request.status in CLOSED_STATUSES:
        return f"That request is {request.status}: choose the one that replaced it"
    return None

