"""What the licences add to pages of features below them, through slots (tracker/shared/slots.py).

- the catalogue's request list: a Licence column;
- a request's page in the catalogue: its licence status (and, for
  commissioners and admins, a link to decide it);
- the burden dashboards: hours and cost on days with no licence in force, by
  team and by source (for the teams the reader sees), and, on the
  commissioner's dashboard, the licences expiring within 30 days or expired."""
from __future__ import annotations

from flask import current_app

from tracker.extensions import db
from tracker.licences.reminders import due_licences
from tracker.licences.status import licence_status, licence_statuses
from tracker.licences.unlicensed import unlicensed_burden
from tracker.shared.slots import Panel, fill
from tracker.shared.timeutil import local_today

LICENCE_ROLES = ("commissioner", "admin")


def today():
    return local_today(current_app.config.get("TIMEZONE"))


def can_decide(user) -> bool:
    return getattr(user, "role", None) in LICENCE_ROLES


def request_panel(request, user) -> Panel:
    return Panel("licences/_request_panel.html", {"status": licence_status(db.session, request.id, today()), "manage": can_decide(user), "item": request})


def requests_column(requests, user) -> Panel:
    on = today()
    return Panel("licences/_status_cell.html", {"header": "Licence", "on": on, "values": licence_statuses(db.session, [r.id for r in requests], on)})


def dashboard_panel(query, user, burden_table=None) -> Panel:
    """`burden_table`: the dashboard's burden of the same filter by request (the commissioner's: the panel
    then shows unlicensed work by source and links to every team's) or by team and request (a team's)."""
    return Panel(
        "licences/_dashboard_panel.html",
        {
            "unlicensed": unlicensed_burden(db.session, query.burden_filter(), burden_table),
            "args": query.as_args(),
            "due": due_licences(db.session, today()) if user.sees_all_teams else None,
            "manage": can_decide(user),
        },
    )


def register(app) -> None:
    fill(app, "catalogue.request", request_panel)
    fill(app, "catalogue.requests", requests_column)
    fill(app, "burden.dashboard", dashboard_panel)
