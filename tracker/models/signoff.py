"""Month sign-offs: a lead's sign-off of one team's month, and its reopening."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.types import unique_where
from tracker.shared.timeutil import utcnow


class MonthSignoff(db.Model):
    """A lead's sign-off of one team's month. Reopening keeps the row (with who,
    when and why) and a later sign-off adds a new one, so the history stays; at
    most one sign-off per team and month is open, enforced in the database."""

    __tablename__ = "month_signoff"
    __table_args__ = (
        CheckConstraint("reopened_at IS NULL OR reopen_reason IS NOT NULL", name="reopen_has_reason"),
        unique_where("uq_month_signoff_open", "team_id", "month", where="reopened_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    month: Mapped[date] = mapped_column(Date)  # first day of the month
    signed_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    signed_at: Mapped[datetime] = mapped_column(default=utcnow)
    reopened_at: Mapped[Optional[datetime]]
    reopened_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    reopen_reason: Mapped[Optional[str]] = mapped_column(Text)

    team: Mapped["Team"] = relationship()  # noqa: F821
    signed_by: Mapped["User"] = relationship(foreign_keys=[signed_by_id])  # noqa: F821
    reopened_by: Mapped[Optional["User"]] = relationship(foreign_keys=[reopened_by_id])  # noqa: F821

    @property
    def is_open(self) -> bool:
        """Still in force (not reopened)."""
        return self.reopened_at is None
