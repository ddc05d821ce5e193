"""Admin rules: user accounts, teams and sources, and reading the audit trail.

Plain functions in the caller's transaction; every change writes an audit
event. Accounts and teams are deactivated, never deleted. Values arrive
validated by tracker/admin/forms.py; these functions enforce what no form can
(an admin cannot lock themselves out)."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from tracker import audit
from tracker.shared import choices
from tracker.models.audit import AuditEvent
from tracker.auth.tokens import revoke_all_tokens, revoke_token
from tracker.models.auth import ApiToken, Membership, User
from tracker.models.catalogue import Request, Source, Team
from tracker.admin.audit_subjects import entry_subjects, signoff_subjects, subject_from_values
from tracker.catalogue.services import update_with_audit
from tracker.extensions import db
from tracker.shared.errors import Refused

HIDDEN = "(changed)"  # what the trail shows instead of a password hash


class AdminError(Refused):
    """A change breaks a rule; `field` names the form field to show the message by."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


# ---- look-ups the forms use -------------------------------------------------


def email_taken(email: str, except_id: int | None = None) -> bool:
    query = select(User.id).where(func.lower(User.email) == email.strip().lower())
    if except_id is not None:
        query = query.where(User.id != except_id)
    return db.session.scalar(query) is not None


def teams_for_membership(user: User | None = None) -> list[Team]:
    """Active teams, plus any inactive team the user still belongs to (so it can be removed)."""
    query = select(Team).where(Team.active.is_(True))
    if user is not None and user.memberships:
        query = select(Team).where(Team.active.is_(True) | Team.id.in_([m.team_id for m in user.memberships]))
    return list(db.session.scalars(query.order_by(Team.name)))


# ---- users ------------------------------------------------------------------


def user_snapshot(user: User) -> dict:
    """A user as the audit trail records it: memberships by team name, never the password hash."""
    return {
        "email": user.email,
        "name": user.name,
        "role": user.role,
        "active": user.active,
        "memberships": {m.team.name: m.role for m in sorted(user.memberships, key=lambda m: m.team.name)},
    }


def create_user_account(actor: User, *, email: str, name: str, role: str, password: str, team_roles: dict[int, str]) -> User:
    user = User(email=email.strip().lower(), name=name.strip(), role=role, active=True)
    user.set_password(password)
    db.session.add(user)
    _set_memberships(user, team_roles)
    db.session.flush()
    new = user_snapshot(user)
    new["password"] = HIDDEN
    audit.record(db.session, actor, "create", user, new=new)
    return user


def update_user_account(
    actor: User, user: User, *, name: str, role: str, team_roles: dict[int, str], password: str | None = None
) -> bool:
    """Change a user's name, role, team roles and (optionally) password. Returns whether anything changed."""
    if user.id == actor.id and role != user.role:
        raise AdminError("role", "You cannot change your own role: ask another admin")
    before = user_snapshot(user)
    user.name = name.strip()
    user.role = role
    _set_memberships(user, team_roles)
    password_changed = bool(password) and not user.check_password(password)
    if password_changed:
        user.set_password(password)
    db.session.flush()
    old, new = audit.changed_fields(before, user_snapshot(user))
    if password_changed:
        old["password"], new["password"] = HIDDEN, HIDDEN
    if new:
        audit.record(db.session, actor, "update", user, old=old, new=new)
    return bool(new)


def set_user_active(actor: User, user: User, active: bool) -> bool:
    """Deactivate or reactivate; nothing is deleted.

    Deactivation ends the user's sessions and revokes their API tokens for good:
    reactivating lets them sign in again, with new tokens if they need them."""
    if user.id == actor.id and not active:
        raise AdminError("active", "You cannot deactivate your own account")
    if user.active == active:
        return False
    user.active = active
    old, new = {"active": not active}, {"active": active}
    if not active:
        user.end_sessions()
        revoked = revoke_all_tokens(user)
        if revoked:
            new["api_tokens_revoked"] = revoked
    db.session.flush()
    audit.record(db.session, actor, "reactivate" if active else "deactivate", user, old=old, new=new)
    return True


def end_user_sessions(actor: User, user: User) -> None:
    """Sign the user out everywhere (a lost phone, a shared computer): audited."""
    user.end_sessions()
    db.session.flush()
    audit.record(db.session, actor, "end_sessions", user, new={"sessions": "ended"})


def revoke_user_token(actor: User, user: User, token_id: int) -> ApiToken | None:
    """Revoke one of the user's tokens, audited. None if the user has no such token."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        return None
    if revoke_token(token):
        db.session.flush()
        audit.record(db.session, actor, "revoke_token", user, new={"api_token": token.id})
    return token


def _set_memberships(user: User, team_roles: dict[int, str]) -> None:
    existing = {m.team_id: m for m in user.memberships}
    for team_id, membership in existing.items():
        if team_id not in team_roles:
            # A role assignment, not data: removing it is recorded in the user's audit event.
            user.memberships.remove(membership)
        else:
            membership.role = team_roles[team_id]
    for team_id, role in team_roles.items():
        if team_id not in existing:
            user.memberships.append(Membership(team=db.session.get(Team, team_id), role=role))


# ---- teams and sources ------------------------------------------------------


def update_team(actor: User, team: Team, *, name: str, organisation: str, sector: str) -> bool:
    """The slug stays as first made, so links and workbook file names keep working."""
    return update_with_audit(actor, team, {"name": name, "organisation": organisation.strip(), "sector": sector})


def set_team_active(actor: User, team: Team, active: bool) -> bool:
    """An inactive team keeps its entries and figures but takes no new entries."""
    if team.active == active:
        return False
    team.active = active
    db.session.flush()
    audit.record(
        db.session, actor, "reactivate" if active else "deactivate", team, old={"active": not active}, new={"active": active}
    )
    return True


def update_source(actor: User, source: Source, *, name: str, kind: str) -> bool:
    return update_with_audit(actor, source, {"name": name, "kind": kind})


def users_query():
    return select(User).options(selectinload(User.memberships).joinedload(Membership.team)).order_by(
        User.active.desc(), func.lower(User.name), User.email
    )


def team_member_counts() -> dict[int, int]:
    rows = db.session.execute(select(Membership.team_id, func.count()).group_by(Membership.team_id))
    return {team_id: count for team_id, count in rows}


def source_request_counts() -> dict[int, int]:
    rows = db.session.execute(select(Request.source_id, func.count()).group_by(Request.source_id))
    return {source_id: count for source_id, count in rows}


# ---- the audit trail --------------------------------------------------------

ENTITY_LABELS = {
    "user": "User",
    "team": "Team",
    "source": "Source",
    "request": "Request",
    "entry": "Entry",
    "rate": "Rate",
    "membership": "Team role",
    "month_signoff": "Month sign-off",
}

# Fields whose values are enumerations, shown by their labels.
ENUM_FIELDS = {
    "role": choices.ROLES,
    "status": choices.REQUEST_STATUSES,
    "sector": choices.SECTORS,
    "kind": choices.SOURCE_KINDS,
    "frequency": choices.FREQUENCIES,
    "obligation": choices.OBLIGATIONS,
    "band": choices.BANDS,
    "used": choices.ANSWERS,
    "duplicated_elsewhere": choices.ANSWERS,
}

# Foreign keys shown by the name of what they point at.
REFERENCE_FIELDS = {
    "team_id": (Team, "name"),
    "source_id": (Source, "name"),
    "request_id": (Request, "title"),
    "merged_into_id": (Request, "title"),
    "user_id": (User, "email"),
    "logged_by_id": (User, "email"),
    "created_by_id": (User, "email"),
    "deleted_by_id": (User, "email"),
}

# What names each kind of audited object in the trail.
ENTITY_NAME_COLUMNS = {"team": (Team, "name"), "source": (Source, "name"), "request": (Request, "title"), "user": (User, "email")}

SKIPPED_FIELDS = {"id", "updated_at"}
TIMESTAMP_FIELDS = {"created_at", "updated_at"}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class AuditRow:
    event: AuditEvent
    entity_label: str
    entity_name: str
    changes: list[Change]


def audit_query(entity: str | None = None, user_id: int | None = None):
    query = select(AuditEvent).options(joinedload(AuditEvent.user))
    if entity:
        query = query.where(AuditEvent.entity == entity)
    if user_id is not None:
        query = query.where(AuditEvent.user_id == user_id)
    return query.order_by(AuditEvent.at.desc(), AuditEvent.id.desc())


def audited_entities() -> list[str]:
    return list(db.session.scalars(select(AuditEvent.entity).distinct().order_by(AuditEvent.entity)))


def audit_actors() -> list[User]:
    ids = select(AuditEvent.user_id).where(AuditEvent.user_id.is_not(None)).distinct()
    return list(db.session.scalars(select(User).where(User.id.in_(ids)).order_by(func.lower(User.name))))


def readable_events(events: list[AuditEvent]) -> list[AuditRow]:
    """Each event with its object's name and its changes as 'field: old → new' text."""
    names = _names_for(events)
    rows = []
    for event in events:
        old, new = event.old or {}, event.new or {}
        fields = [k for k in new if k not in SKIPPED_FIELDS] + [k for k in old if k not in new and k not in SKIPPED_FIELDS]
        if event.old is None or event.new is None:
            # A whole record created or deleted: its empty fields and timestamps are noise.
            values = new or old
            fields = [k for k in fields if values.get(k) not in (None, "") and k not in TIMESTAMP_FIELDS]
        changes = [
            Change(field_label(f), readable_value(f, old.get(f), names), readable_value(f, new.get(f), names))
            for f in fields
        ]
        name = names.get((event.entity, event.entity_id)) or subject_from_values(event)
        rows.append(AuditRow(event, ENTITY_LABELS.get(event.entity, event.entity.replace("_", " ").capitalize()), name, changes))
    return rows


def field_label(field: str) -> str:
    base = field[:-3] if field.endswith("_id") else field
    return base.replace("_", " ").capitalize()


def readable_value(field: str, value, names: dict | None = None) -> str:
    if value is None or value == "":
        return "–"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, dict):
        return "; ".join(f"{k}: {readable_value(field, v, names)}" for k, v in value.items()) or "none"
    if isinstance(value, list):
        return ", ".join(readable_value(field, v, names) for v in value) or "none"
    labels = ENUM_FIELDS.get(field)
    if field == "memberships":
        labels = choices.ROLES
    if labels and value in labels:
        return labels[value]
    if field in REFERENCE_FIELDS and names is not None:
        model, _ = REFERENCE_FIELDS[field]
        name = names.get((model.__tablename__, value))
        if name:
            return f"{name} (#{value})"
    return str(value)


def _names_for(events: list[AuditEvent]) -> dict[tuple[str, int], str]:
    """Names of every object the events mention, a query per kind (not per event)."""
    wanted: dict[str, set[int]] = defaultdict(set)
    for event in events:
        if event.entity in ENTITY_NAME_COLUMNS and event.entity_id is not None:
            wanted[event.entity].add(event.entity_id)
        for values in (event.old or {}, event.new or {}):
            for field, value in values.items():
                if field in REFERENCE_FIELDS and isinstance(value, int):
                    wanted[REFERENCE_FIELDS[field][0].__tablename__].add(value)
    names = {}
    for table, ids in wanted.items():
        model, column = ENTITY_NAME_COLUMNS[table]
        for obj_id, name in db.session.execute(select(model.id, getattr(model, column)).where(model.id.in_(ids))):
            names[(table, obj_id)] = name
    names.update(entry_subjects({e.entity_id for e in events if e.entity == "entry" and e.entity_id is not None}))
    names.update(signoff_subjects({e.entity_id for e in events if e.entity == "month_signoff" and e.entity_id is not None}))
    return names
