"""Hourly cost of a staff band, effective from a date."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.choices import BANDS, check_in
from tracker.extensions import db
from tracker.timeutil import utcnow


class Rate(db.Model):
    __tablename__ = "rate"
    __table_args__ = (
        UniqueConstraint("band", "effective_from", name="uq_rate_band_effective_from"),
        CheckConstraint(check_in("band", BANDS), name="band"),
        CheckConstraint("hourly_cost >= 0", name="hourly_cost_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    band: Mapped[str] = mapped_column(String(8))
    # Six decimal places: a stored cost keeps at least six (SPEC, burden arithmetic).
    hourly_cost: Mapped[Decimal] = mapped_column(Numeric(14, 6))
    effective_from: Mapped[date] = mapped_column(Date)
    note: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
