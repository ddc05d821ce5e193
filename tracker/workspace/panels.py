"""What the workspace adds to pages of features below it, through slots (tracker/shared/slots.py).

- the commissioner's burden dashboard: the decisions due for review, for the
  dashboard's own filters (a source picked: that source's requests; a team
  picked: the requests it logged in the period);
- the log form: "N teams answer this in under half your time — see how they do it";
- the catalogue's request page: how long each team takes per response (every
  team by name for commissioners and admins; a manager's or lead's own teams by
  name and the others by position only) and the teams' methods, cheapest
  first, with a link to write or change the reader's own team's method."""
from __future__ import annotations

from flask import current_app

from tracker.auth.access import visible_team_ids
from tracker.burden import charts
from tracker.burden.services import burden
from tracker.extensions import db
from tracker.models.catalogue import Team
from tracker.shared.slots import Panel, fill
from tracker.shared.timeutil import local_today
from tracker.workspace.decisions import due_for_review
from tracker.workspace.figures import twelve_months_to
from tracker.workspace.methods import answers_request, methods_for, writable_team_ids
from tracker.workspace.variation import faster_teams, variation_of

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


def request_panel(request, user) -> Panel:
    start, end = twelve_months_to(local_today(current_app.config.get("TIMEZONE")))
    visible = visible_team_ids(user)
    variation = variation_of(request.id, start, end)
    view = variation.seen_by(visible) if variation else None
    reads_methods = answers_request(user, request.id, start, end)
    writable = [db.session.get(Team, team_id) for team_id in writable_team_ids(user)]
    return Panel("workspace/_request_panel.html", {
        "view": view,
        "methods": methods_for(request.id, view, visible) if reads_methods else None,
        "writable": [team for team in writable if team is not None],
        "item": request,
        "charts": charts,
    })


def method_hint_panel(teams, user) -> Panel:
    """The log form: "N teams answer this in under half your time", for the teams the user belongs to
    (an admin logs for any team, but is on none)."""
    own = [m.team_id for m in user.memberships if m.team_id in {t.id for t in teams}]
    start, end = twelve_months_to(local_today(current_app.config.get("TIMEZONE")))
    return Panel("workspace/_method_hint.html", {"faster_teams": faster_teams(own, start, end)})


def register(app) -> None:
    fill(app, "burden.dashboard.head", due_for_review_panel)
    fill(app, "catalogue.request", request_panel)
    fill(app, "entries.log_form", method_hint_panel)
