"""Hourly cost of a staff band, effective from a date."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, Numeric, PrimaryKeyConstraint, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from tracker.shared.choices import BANDS, SHORT_TEXT_MAX, check_in
from tracker.extensions import db
from tracker.shared.timeutil import utcnow


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
    note: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))


class _RollupColumns:
    """What every rollup level keeps per key: sums of live (not deleted) entries.

    Rollups hold minutes, never money, so a rate change cannot make them
    stale; the service prices them per rate segment, as it does entries."""

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    band: Mapped[str] = mapped_column(String(8), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)
    # Big integers: a request's month across every team can pass 2^31 minutes in theory.
    minutes: Mapped[int] = mapped_column(BigInteger, default=0)
    duplicated_minutes: Mapped[int] = mapped_column(BigInteger, default=0)  # duplicated_elsewhere = yes
    used_minutes: Mapped[int] = mapped_column(BigInteger, default=0)  # used = yes


class BurdenRollup(_RollupColumns, db.Model):
    """Month × team × request × band: the full grain, for figures that need both team and request."""

    __tablename__ = "burden_rollup"
    __table_args__ = (
        PrimaryKeyConstraint("month", "team_id", "request_id", "band"),
        Index("ix_burden_rollup_team_month", "team_id", "month"),
        Index("ix_burden_rollup_request_month", "request_id", "month"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), primary_key=True)


class BurdenRollupTeam(_RollupColumns, db.Model):
    """Month × team × band: figures by team, sector, month or band (no request needed)."""

    __tablename__ = "burden_rollup_team"
    __table_args__ = (
        PrimaryKeyConstraint("month", "team_id", "band"),
        Index("ix_burden_rollup_team_team_month", "team_id", "month"),
    )

    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)


class BurdenRollupRequest(_RollupColumns, db.Model):
    """Month × request × band: figures by request, source or source kind across teams."""

    __tablename__ = "burden_rollup_request"
    __table_args__ = (
        PrimaryKeyConstraint("month", "request_id", "band"),
        Index("ix_burden_rollup_request_request_month", "request_id", "month"),
    )

    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), primary_key=True)


class BurdenRollupMinutes(db.Model):
    """Month × request × minutes value: how many live entries took exactly that many minutes.

    Minutes are whole numbers, so these counts give an exact median of time per
    entry without reading every entry (tracker/burden/medians.py)."""

    __tablename__ = "burden_rollup_minutes"
    __table_args__ = (
        PrimaryKeyConstraint("month", "request_id", "minutes"),
        Index("ix_burden_rollup_minutes_request_month", "request_id", "month"),
    )

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), primary_key=True)
    minutes: Mapped[int] = mapped_column(primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)


class BurdenRollupWeek(db.Model):
    """Week × team × request: how many live entries a team logged on a request in a Monday-to-Sunday week.

    A team's responses to a weekly or fortnightly request are the weeks (or pairs of weeks) in
    which it logged any of it (tracker/workspace/variation.py); these counts answer that without
    reading every entry. Kept exact like the monthly rollups (tracker/burden/rollup.py)."""

    __tablename__ = "burden_rollup_week"
    __table_args__ = (
        PrimaryKeyConstraint("week", "team_id", "request_id"),
        Index("ix_burden_rollup_week_request_week", "request_id", "week"),
    )

    week: Mapped[date] = mapped_column(Date, primary_key=True)  # the Monday
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), primary_key=True)
    entries: Mapped[int] = mapped_column(default=0)


class BurdenStamp(db.Model):
    """A month's stamp: a random number replaced, in the same transaction, by every change to that
    month's rollups (tracker/burden/stamps.py). Figures of months whose stamps have not changed
    have not changed either, so a process may reuse what it read before (tracker/burden/part_cache.py).

    The row of month 0001-01-01 is the database's epoch: made afresh when every rollup is rebuilt,
    so nothing read from an earlier life of the database is ever taken for current."""

    __tablename__ = "burden_stamp"

    month: Mapped[date] = mapped_column(Date, primary_key=True)  # first day of the month
    version: Mapped[int] = mapped_column(BigInteger)
