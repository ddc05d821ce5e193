"""The management capacity of a team in FTE, effective from a date (like a rate)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.shared.choices import SHORT_TEXT_MAX
from tracker.shared.timeutil import utcnow


class TeamCapacity(db.Model):
    """The FTE of the staff whose reporting time a team logs, from `effective_from` until the next one.

    Only ever added, never edited: a new value from a date leaves earlier months as they were."""

    __tablename__ = "team_capacity"
    __table_args__ = (
        UniqueConstraint("team_id", "effective_from", name="uq_team_capacity_team_effective_from"),
        CheckConstraint("fte > 0 AND fte <= 1000", name="fte_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    fte: Mapped[Decimal] = mapped_column(Numeric(7, 3))  # up to 1000.000
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
