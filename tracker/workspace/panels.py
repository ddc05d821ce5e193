"""What the workspace adds to pages of features below it, through slots (tracker/shared/slots.py).

- the commissioner's burden dashboard: the decisions due for review, for the
  dashboard's own filters (a source picked: that source's requests; a team
  picked: the requests it logged in the period)."""
from __future__ import annotations

from flask import current_app

from tracker.burden.services import burden
from tracker.shared.slots import Panel, fill
from tracker.shared.timeutil import local_today
from tracker.workspace.decisions import due_for_review

WORKSPACE_ROLES = ("commissioner", "admin")


def due_for_review_panel(query, user) -> Panel | None:
    if getattr(user, "role", None) not in WORKSPACE_ROLES:
        return None
    request_ids = None
    if query.team_id is not None:
        request_ids = [row.key[0] for row in burden(query.burden_filter(), ("request",)).rows]
    due = due_for_review(
        local_today(current_app.config.get("TIMEZONE")),
        source_ids=[query.source_id] if query.source_id is not None else None,
        request_ids=request_ids,
    )
    return Panel("workspace/_due_for_review.html", {"due": due}) if due else None


def register(app) -> None:
    fill(app, "burden.dashboard.head", due_for_review_panel)
