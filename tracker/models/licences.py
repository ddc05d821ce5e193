"""Burden estimates, licence decisions and the licence reminders sent (issue 10).

An estimate is what a request is expected to cost the teams that answer it
(the Standard Cost Model's respondents × responses a year × time per response,
one-off set-up apart). A licence decision approves, renews or declines a
request; the approvals and renewals give it a licence in force from its
approval date until its expiry date. Rows are never deleted: a later
decision supersedes an earlier one (tracker/licences/status.py)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Optional

from sqlalchemy import CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.shared.choices import (
    BANDS, ESTIMATE_BASES, ESTIMATE_PARTS, LICENCE_ACTIONS, REFERENCE_MAX, SECTORS, SHORT_TEXT_MAX, check_in,
)
from tracker.shared.timeutil import utcnow

REMINDER_STATUSES = ("sending", "sent", "failed")
REMINDER_KINDS = ("expiring", "expired")


class Estimate(db.Model):
    __tablename__ = "estimate"
    __table_args__ = (
        CheckConstraint(check_in("band", BANDS), name="band"),
        CheckConstraint(check_in("basis", ESTIMATE_BASES), name="basis"),
        CheckConstraint(f"sector IS NULL OR {check_in('sector', SECTORS)}", name="sector"),
        CheckConstraint("respondents >= 1", name="respondents_positive"),
        CheckConstraint("responses_per_year >= 1", name="responses_positive"),
        CheckConstraint("resubmissions_per_year >= 0", name="resubmissions_not_negative"),
        CheckConstraint(
            " AND ".join(f"{name} >= 0" for name in (*ESTIMATE_PARTS, "one_off_minutes")), name="minutes_not_negative"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")  # the requester's, e.g. a collection number
    purpose: Mapped[str] = mapped_column(Text)
    necessity: Mapped[str] = mapped_column(Text, default="")  # why necessary rather than useful
    legal_basis: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")
    answered_by: Mapped[str] = mapped_column(String(SHORT_TEXT_MAX), default="")  # who must answer, in words
    sector: Mapped[Optional[str]] = mapped_column(String(20))
    respondents: Mapped[int]  # how many teams answer
    responses_per_year: Mapped[int]
    resubmissions_per_year: Mapped[int] = mapped_column(default=0)
    frequency_reason: Mapped[str] = mapped_column(Text, default="")  # why responses a year differ from the frequency
    minutes_gathering: Mapped[int] = mapped_column(default=0)
    minutes_quality_assurance: Mapped[int] = mapped_column(default=0)
    minutes_extraction: Mapped[int] = mapped_column(default=0)
    minutes_submission: Mapped[int] = mapped_column(default=0)
    minutes_training: Mapped[int] = mapped_column(default=0)
    one_off_minutes: Mapped[int] = mapped_column(default=0)  # set-up, per team answering
    band: Mapped[str] = mapped_column(String(8))
    basis: Mapped[str] = mapped_column(String(12))
    notes: Mapped[str] = mapped_column(Text, default="")
    estimated_on: Mapped[date] = mapped_column(Date)  # its cost is priced at the rates in force on this day
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    request: Mapped["Request"] = relationship()  # noqa: F821
    created_by: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def minutes_per_response(self) -> int:
        return sum(getattr(self, name) or 0 for name in ESTIMATE_PARTS)


class LicenceDecision(db.Model):
    __tablename__ = "licence_decision"
    __table_args__ = (
        CheckConstraint(check_in("action", LICENCE_ACTIONS), name="action"),
        CheckConstraint(
            "action = 'decline' OR (approved_on IS NOT NULL AND expires_on IS NOT NULL AND expires_on > approved_on)",
            name="licence_dates",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    action: Mapped[str] = mapped_column(String(10))
    reference: Mapped[str] = mapped_column(String(REFERENCE_MAX), default="")  # the licence number
    approved_on: Mapped[Optional[date]] = mapped_column(Date)  # in force from this day...
    expires_on: Mapped[Optional[date]] = mapped_column(Date)  # ...until the day before this one
    reasons: Mapped[str] = mapped_column(Text, default="")
    estimate_id: Mapped[Optional[int]] = mapped_column(ForeignKey("estimate.id"))  # the estimate it was decided on
    decided_on: Mapped[date] = mapped_column(Date)
    decided_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped["Request"] = relationship()  # noqa: F821
    estimate: Mapped[Optional[Estimate]] = relationship()
    decided_by: Mapped[Optional["User"]] = relationship()  # noqa: F821

    @property
    def grants(self) -> bool:
        """Approvals and renewals give a licence; a decline gives none."""
        return self.action in ("approve", "renew")


class LicenceReminder(db.Model):
    """One reminder email a day at most: the unique day is the claim two schedulers race for."""

    __tablename__ = "licence_reminder"
    __table_args__ = (
        UniqueConstraint("day", name="uq_licence_reminder_day"),
        CheckConstraint(check_in("status", REMINDER_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(10), default="sending")
    attempts: Mapped[int] = mapped_column(default=1)
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[Optional[datetime]]
    sent_to: Mapped[str] = mapped_column(Text, default="")
    expiring: Mapped[int] = mapped_column(default=0)
    expired: Mapped[int] = mapped_column(default=0)
    error: Mapped[Optional[str]] = mapped_column(Text)


class LicenceReminderItem(db.Model):
    """A licence a reminder told commissioners about: each licence is announced once as expiring, once as expired."""

    __tablename__ = "licence_reminder_item"
    __table_args__ = (
        UniqueConstraint("decision_id", "kind", name="uq_licence_reminder_item_decision_kind"),
        CheckConstraint(check_in("kind", REMINDER_KINDS), name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reminder_id: Mapped[int] = mapped_column(ForeignKey("licence_reminder.id"), index=True)
    decision_id: Mapped[int] = mapped_column(ForeignKey("licence_decision.id"))
    kind: Mapped[str] = mapped_column(String(10))
