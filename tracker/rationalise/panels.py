"""What the workspace adds to the catalogue's request page, through a slot (tracker/shared/slots.py):
how long each team takes per response (every team by name for commissioners and admins; a
manager's or lead's own teams by name and the others by position only) and the teams' methods,
cheapest first, with a link to write or change the reader's own team's method."""
from __future__ import annotations

from flask import current_app

from tracker.auth.access import visible_team_ids
from tracker.burden import charts
from tracker.extensions import db
from tracker.models.catalogue import Team
from tracker.rationalise.figures import twelve_months_to
from tracker.rationalise.methods import answers_request, methods_for, writable_team_ids
from tracker.rationalise.variation import variation_of
from tracker.shared.slots import Panel, fill
from tracker.shared.timeutil import local_today


def request_panel(request, user) -> Panel:
    start, end = twelve_months_to(local_today(current_app.config.get("TIMEZONE")))
    visible = visible_team_ids(user)
    variation = variation_of(request.id, start, end)
    view = variation.seen_by(visible) if variation else None
    reads_methods = answers_request(user, request.id, start, end)
    writable = [db.session.get(Team, team_id) for team_id in writable_team_ids(user)]
    return Panel("rationalise/_request_panel.html", {
        "view": view,
        "methods": methods_for(request.id, view, visible) if reads_methods else None,
        "writable": [team for team in writable if team is not None],
        "item": request,
        "charts": charts,
    })


def register(app) -> None:
    fill(app, "catalogue.request", request_panel)
