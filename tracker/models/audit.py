"""The audit trail: who created, changed or deleted what, when, old and new values."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.shared.timeutil import utcnow


class AuditEvent(db.Model):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_entity", "entity", "entity_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    action: Mapped[str] = mapped_column(String(40))  # create, update, delete, sign_off, ...
    entity: Mapped[str] = mapped_column(String(40))  # table name
    entity_id: Mapped[Optional[int]]
    old: Mapped[Optional[dict]] = mapped_column(JSON)
    new: Mapped[Optional[dict]] = mapped_column(JSON)

    user: Mapped[Optional["User"]] = relationship()  # noqa: F821
