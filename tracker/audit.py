"""Audit trail: every create, change and delete of user data is recorded here."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import inspect

from tracker.models.audit import AuditEvent


def _plain(value):
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return value


def snapshot(obj) -> dict:
    """The object's column values as JSON-safe data (columns derived from others, marked
    info={"derived": True} such as a name's key, are left out: they are not a change of their own)."""
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in inspect(obj).mapper.column_attrs
        if not attr.columns[0].info.get("derived")
    }


def changed_fields(old: dict, new: dict) -> tuple[dict, dict]:
    """Only what differs, so the trail reads as a change, not two full copies."""
    keys = [k for k in new if old.get(k) != new.get(k)]
    return {k: old.get(k) for k in keys}, {k: new.get(k) for k in keys}


def change(session, user, action: str, obj, values: dict, *, always: bool = False) -> bool:
    """Set `values` on `obj` and record what changed as `action` (only when something did, unless
    `always`). Returns whether anything changed. The one way a change and its audit event go together."""
    before = snapshot(obj)
    for key, value in values.items():
        setattr(obj, key, value)
    session.flush()
    old, new = changed_fields(before, snapshot(obj))
    if new or always:
        record(session, user, action, obj, old=old, new=new)
    return bool(new)


def record(session, user, action: str, obj, old: dict | None = None, new: dict | None = None) -> AuditEvent:
    """Add an audit event to the caller's transaction (commits with the change itself)."""
    event = AuditEvent(
        user_id=getattr(user, "id", None),
        action=action,
        entity=obj.__tablename__,
        entity_id=obj.id,
        old=old,
        new=new,
    )
    session.add(event)
    return event
