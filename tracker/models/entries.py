"""An entry: one logged piece of reporting work."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.shared.choices import ANSWERS, BANDS, MAX_ENTRY_MINUTES, check_in
from tracker.extensions import db
from tracker.shared.timeutil import utcnow


LIVE = "deleted_at IS NULL"
SUPPLIED_ELSEWHERE = "deleted_at IS NULL AND duplicated_elsewhere = 'yes'"


class Entry(db.Model):
    """On PostgreSQL the table is partitioned by month of occurred_on (migration
    20261206_entry_partitions; tracker/entries/partitions.py makes the months ahead) and its primary
    key there is (id, occurred_on), as PostgreSQL requires. The model keeps `id` as its key (ids are
    unique, from one sequence; every read and write addresses a row by id) and does not declare the
    partitioning: the schema is made by the migrations only, never by create_all."""

    __tablename__ = "entry"
    __table_args__ = (
        CheckConstraint(f"minutes >= 1 AND minutes <= {MAX_ENTRY_MINUTES}", name="minutes_range"),
        CheckConstraint(check_in("band", BANDS), name="band"),
        CheckConstraint(check_in("duplicated_elsewhere", ANSWERS), name="duplicated_elsewhere"),
        CheckConstraint(check_in("used", ANSWERS), name="used"),
        Index("ix_entry_team_occurred", "team_id", "occurred_on"),
        Index("ix_entry_occurred", "occurred_on"),
        # Live entries marked "already supplied elsewhere", by request and day: the workspace's
        # duplicate evidence reads this small index alone (tracker/workspace/duplicates.py).
        Index("ix_entry_supplied_elsewhere", "request_id", "occurred_on", "team_id",
              sqlite_where=text(SUPPLIED_ELSEWHERE), postgresql_where=text(SUPPLIED_ELSEWHERE)),
        # What the burden service reads of the live entries of a few days (a period's partial months):
        # on PostgreSQL an index-only scan (tracker/burden/row_sources.py).
        Index("ix_entry_live_day", "occurred_on", "team_id", "request_id", "band",
              postgresql_include=["minutes", "duplicated_elsewhere", "used"],
              sqlite_where=text(LIVE), postgresql_where=text(LIVE)),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"))
    logged_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    occurred_on: Mapped[date] = mapped_column(Date)
    minutes: Mapped[int]
    band: Mapped[str] = mapped_column(String(8))
    duplicated_elsewhere: Mapped[str] = mapped_column(String(8), default="unknown")
    used: Mapped[str] = mapped_column(String(8), default="unknown")
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # A deletion is recorded, never physical; deleted entries count nowhere.
    deleted_at: Mapped[Optional[datetime]]
    deleted_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # The imported file it came from (tracker/imports), if any: undoing that import deletes it.
    import_batch_id: Mapped[Optional[int]] = mapped_column(ForeignKey("import_batch.id"), index=True)
    # Goes up by one with every change the ORM writes (and every UPDATE it sends checks it):
    # the API's ETag and the edit page's "someone else saved first" both compare it.
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    request: Mapped["Request"] = relationship()  # noqa: F821
    team: Mapped["Team"] = relationship()  # noqa: F821
    logged_by: Mapped["User"] = relationship(foreign_keys=[logged_by_id])  # noqa: F821

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def hours(self):
        from decimal import Decimal

        return Decimal(self.minutes) / 60
