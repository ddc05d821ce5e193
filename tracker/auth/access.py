"""Who may see and do what. Every view, the API and exports ask here.

Rule of the house: data of a team the user has no role on does not exist for
them, so callers answer 404, never 403."""
from __future__ import annotations

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from tracker.models.auth import Membership, User
from tracker.models.catalogue import Team
from tracker.extensions import db
from tracker.shared.errors import NotVisible
from tracker.shared.parsing import parse_id


def visible_team_ids(user: User) -> list[int] | None:
    """Ids of the teams whose data the user may read; None means every team."""
    if user.sees_all_teams:
        return None
    return [m.team_id for m in user.memberships]


def visible_teams(user: User) -> list[Team]:
    query = select(Team).order_by(Team.name)
    ids = visible_team_ids(user)
    if ids is not None:
        query = query.where(Team.id.in_(ids))
    return list(db.session.scalars(query))


def can_see_team(user: User, team_id: int | None) -> bool:
    ids = visible_team_ids(user)
    return ids is None or team_id in ids


def loggable_teams(user: User) -> list[Team]:
    """Teams the user may log entries for. Commissioners never edit entries."""
    if user.role == "commissioner":
        return []
    query = select(Team).where(Team.active.is_(True)).order_by(Team.name)
    if user.role != "admin":
        query = query.where(Team.id.in_([m.team_id for m in user.memberships]))
    return list(db.session.scalars(query))


# Where each role's work is: commissioners rank and cut requests from the burden figures;
# admins run users, teams, sources and rates; managers and leads log and review entries.
HOME_ENDPOINTS = {"commissioner": "burden.dashboard", "admin": "admin.index"}


def home_endpoint(user) -> str:
    """The page a user lands on after signing in (and the service name in the header links to)."""
    return HOME_ENDPOINTS.get(getattr(user, "role", None), "entries.index")


def leads_team(user: User, team_id: int) -> bool:
    return user.role == "admin" or any(
        m.team_id == team_id and m.role == "lead" for m in user.memberships
    )


def can_edit_entry(user: User, entry) -> bool:
    """Managers change their own entries; leads any entry of teams they lead."""
    if user.role == "commissioner":
        return False
    if user.role == "admin" or leads_team(user, entry.team_id):
        return True
    member = any(m.team_id == entry.team_id for m in user.memberships)
    return member and entry.logged_by_id == user.id


def team_or_404(user: User, team_id) -> Team:
    """The team, if the user may see it; else `NotVisible` (404), whether or not it exists.

    The one rule for a team named by id in a path, a filter, a query parameter
    or a body: pages, forms and the API all ask here."""
    team = db.session.get(Team, team_id) if team_id is not None else None
    if team is None or not can_see_team(user, team.id):
        raise NotVisible()
    return team


def refuse_unseen_team(user: User, raw) -> None:
    """A form's team value that is a well-formed id must name a team the user may see (404 if not);
    anything else is left to the form to explain (400 by the field)."""
    team_id = parse_id(str(raw)) if raw not in (None, "") else None
    if team_id is not None:
        team_or_404(user, team_id)


def role_required(*roles: str):
    """Allow only users whose main role is one of `roles` (others get 404)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated or current_user.role not in roles:
                abort(404)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def membership_role(user: User, team_id: int) -> str | None:
    return db.session.scalar(
        select(Membership.role).where(Membership.user_id == user.id, Membership.team_id == team_id)
    )
