"""Export runs: one monthly workbook each."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.shared.choices import SEND_STATUSES, check_in
from tracker.extensions import db
from tracker.shared.timeutil import utcnow

EXPORT_STATUSES = {
    "queued": "Waiting to start",
    "running": "Being made",
    "succeeded": "Ready",
    "failed": "Failed",
}

# What started a run: the monthly cron, the start-up catch-up, a person on the
# exports page, or a sign-off/reopen refreshing the team's workbook.
EXPORT_TRIGGERS = {
    "schedule": "Monthly schedule",
    "catch_up": "Catch-up on start",
    "manual": "Made on request",
    "signoff": "Refreshed after sign-off",
}

REGION_SCOPE = "region"


def scope_for(team_id: int | None) -> str:
    return REGION_SCOPE if team_id is None else f"team:{team_id}"


class ExportRun(db.Model):
    """One workbook per (period, scope). The unique row is the guard that stops two
    scheduler processes making the same workbook: whoever inserts it (or wins the
    conditional update that retries it) builds it; everyone else leaves it alone."""

    __tablename__ = "export_run"
    __table_args__ = (
        UniqueConstraint("period", "scope", name="uq_export_run_period_scope"),
        CheckConstraint(check_in("status", EXPORT_STATUSES), name="status"),
        CheckConstraint(check_in("trigger", EXPORT_TRIGGERS), name="trigger"),
        CheckConstraint(
            "(scope = 'region' AND team_id IS NULL) OR (scope <> 'region' AND team_id IS NOT NULL)",
            name="scope_matches_team",
        ),
        Index("ix_export_run_status", "status"),
        CheckConstraint("email_status IS NULL OR " + check_in("email_status", SEND_STATUSES), name="email_status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month
    scope: Mapped[str] = mapped_column(String(40))  # "region" or "team:<id>"
    team_id: Mapped[Optional[int]] = mapped_column(ForeignKey("team.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    trigger: Mapped[str] = mapped_column(String(20))
    requested_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # Who holds the claim: host:pid:nonce, so a process only records a run it still owns.
    claimed_by: Mapped[str] = mapped_column(String(120), default="")
    attempts: Mapped[int] = mapped_column(default=1)
    queued_at: Mapped[datetime] = mapped_column(default=utcnow)
    started_at: Mapped[Optional[datetime]]
    finished_at: Mapped[Optional[datetime]]
    # Bumped while the build makes progress; a claim with an old heartbeat belongs to a dead process.
    heartbeat_at: Mapped[datetime] = mapped_column(default=utcnow)
    progress_rows: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(Text)
    # The last workbook made for this period and scope (kept while a rebuild runs).
    file_name: Mapped[Optional[str]] = mapped_column(String(255))
    size: Mapped[Optional[int]] = mapped_column(BigInteger)
    sha256: Mapped[Optional[str]] = mapped_column(String(64))
    rows: Mapped[Optional[int]]
    emailed_at: Mapped[Optional[datetime]]
    emailed_to: Mapped[Optional[str]] = mapped_column(Text)
    email_error: Mapped[Optional[str]] = mapped_column(Text)
    email_attempts: Mapped[int] = mapped_column(default=0)
    # The email's claim (tracker/shared/sending.py): None until a send is first tried.
    email_status: Mapped[Optional[str]] = mapped_column(String(10))
    email_claimed_at: Mapped[Optional[datetime]]  # the sender's heartbeat: an old one belonged to a dead process
    email_retry_at: Mapped[Optional[datetime]]  # a failed send waits until then (its back-off)

    team: Mapped[Optional["Team"]] = relationship()  # noqa: F821
    requested_by: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def is_region(self) -> bool:
        return self.team_id is None

    @property
    def in_progress(self) -> bool:
        return self.status in ("queued", "running")

    @property
    def has_file(self) -> bool:
        return bool(self.file_name and self.sha256)

    @property
    def status_label(self) -> str:
        return EXPORT_STATUSES[self.status]

    @property
    def scope_label(self) -> str:
        return "All teams" if self.team is None else self.team.name

    def __repr__(self) -> str:
        return f"<ExportRun {self.period:%Y-%m} {self.scope} {self.status}>"
