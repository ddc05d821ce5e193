"""Team capacity, share of management time and hotspots in the JSON API (issue 15).

- GET  /api/v1/teams/<id>/capacity: the team's capacities, newest first (anyone who may see the team).
- POST /api/v1/teams/<id>/capacity: `fte` (a JSON number > 0 and <= 1000, at most 3 decimal places),
  `effective_from`, `note`: admins, and the team's lead for that team; anyone else 404.
- GET  /api/v1/hotspots[?team_id=]: teams at or over HOTSPOT_SHARE over the last three whole months,
  largest first (a manager or lead: only their own teams; a team they may not see answers 404).
- `capacity_fields`: what /api/v1/burden adds to rows grouped by team and to its totals.

Shares are 0 to 1, half-up to 4 places, and null where no capacity is recorded (never 0)."""
from __future__ import annotations

from flask import abort, current_app
from flask_login import current_user
from sqlalchemy import select

from tracker.api import blueprint
from tracker.api.common import json_input, page_of, whole_number_arg
from tracker.api.contract import WRITE_REFUSALS, answers, found_first
from tracker.api.schemas import capacity as schemas
from tracker.api.serialise import pounds, rounded
from tracker.auth.access import leads_team, team_or_404, visible_team_ids
from tracker.burden.capacity import record_capacity
from tracker.burden.capacity_forms import CapacityForm
from tracker.burden.hotspots import find_hotspots
from tracker.burden.shares import Share, share_rounded
from tracker.models.capacity import TeamCapacity
from tracker.shared.timeutil import local_today


def capacity_to_json(capacity: TeamCapacity) -> dict:
    return {
        "id": capacity.id,
        "team_id": capacity.team_id,
        "fte": float(capacity.fte),
        "effective_from": capacity.effective_from.isoformat(),
        "note": capacity.note,
        "created_at": capacity.created_at.isoformat(),
        "created_by_id": capacity.created_by_id,
    }


def capacity_fields(share: Share, group: bool = False) -> dict:
    """`available_hours` and `capacity_share` (null where undefined); a group also says how many teams it covers."""
    fields = {
        "available_hours": rounded(share.available_hours, 2) if share.defined else None,
        "capacity_share": float(share_rounded(share)) if share.defined else None,
    }
    if group:
        fields["capacity_teams_covered"] = share.teams_covered
        fields["capacity_teams_total"] = share.teams
    return fields


@blueprint.get("/teams/<int:team_id>/capacity")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.CapacityQuery}])
@blueprint.response(200, schemas.TeamCapacityPage)
@answers(400, 401, 404)
def list_capacity(team_id: int):
    """A team's management capacity, newest first.

    A team the caller may not see answers 404."""
    team = team_or_404(current_user, team_id)
    query = select(TeamCapacity).where(TeamCapacity.team_id == team.id).order_by(
        TeamCapacity.effective_from.desc(), TeamCapacity.id.desc()
    )
    return page_of(query, capacity_to_json)


def team_they_record_for(team_id: int):
    """The team, when the caller may record its capacity (admins; its lead); 404 for anyone else."""
    team = team_or_404(current_user, team_id)
    if not leads_team(current_user, team.id):
        abort(404)  # the route does not exist for anyone who may not record the team's capacity
    return team


@blueprint.post("/teams/<int:team_id>/capacity")
@found_first(team_they_record_for)
@blueprint.arguments(schemas.CapacityInput)
@blueprint.response(201, schemas.TeamCapacity)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data, team_id: CapacityForm.from_json(data, team=team_they_record_for(team_id)))
def add_capacity(form: CapacityForm, team_id: int):
    """Record a team's management FTE from a date.

    Admins, and the team's lead; 404 for everyone else. A capacity is never
    changed: a second one for the same team and day is refused (400 by
    effective_from). Earlier days keep the capacity they had. Audited."""
    values = form.values()
    capacity = record_capacity(current_user, form.team, values["fte"], values["effective_from"], values["note"])
    return capacity_to_json(capacity), 201


@blueprint.get("/hotspots")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.HotspotQuery}])
@blueprint.response(200, schemas.Hotspots)
@answers(400, 401, 404)
def hotspots():
    """Teams whose share of management time over the last three whole months is at least HOTSPOT_SHARE.

    Largest share first, each with its three costliest requests and its
    12-month trend. Only the caller's teams (commissioners and admins: every
    team); a team_id the caller may not see answers 404."""
    team_id = whole_number_arg("team_id", "team_id must be the id of one of your teams")
    if team_id is not None:
        team_or_404(current_user, team_id)
    team_ids = [team_id] if team_id is not None else visible_team_ids(current_user)
    found = find_hotspots(local_today(current_app.config.get("TIMEZONE")), team_ids)
    return {
        "from": found.start.isoformat(),
        "to": found.end.isoformat(),
        "threshold": float(found.threshold),
        "items": [
            {
                "team_id": spot.team_id,
                "team": spot.team,
                "share": float(share_rounded(spot.share)),
                "hours": rounded(spot.share.hours, 2),
                "available_hours": rounded(spot.share.available_hours, 2),
                "top_requests": [
                    {"request_id": row.key[1], "title": row.label[1], "hours": rounded(row.hours, 2), "cost": pounds(row.cost)}
                    for row in spot.top_requests
                ],
                "trend": [
                    {"month": key, **capacity_fields(share), "hours": rounded(share.hours, 2)}
                    for key, _label, share in spot.trend
                ],
            }
            for spot in found.teams
        ],
    }
