"""The commissioner's workspace: decisions on requests, verdicts on likely duplicates, review digests sent."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

from sqlalchemy import (
    JSON, BigInteger, CheckConstraint, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.types import unique_where
from tracker.shared.choices import DECISIONS, DUPLICATE_VERDICTS, FREQUENCIES, SEND_STATUSES, check_in
from tracker.shared.timeutil import utcnow

DIGEST_STATUSES = SEND_STATUSES


class Decision(db.Model):
    """What a commissioner decided about a request, with the baseline and expected saving frozen
    when it was recorded. Never deleted: a decision is withdrawn (and at most one per request is
    live, enforced by the database)."""

    __tablename__ = "decision"
    __table_args__ = (
        CheckConstraint(check_in("kind", DECISIONS), name="kind"),
        CheckConstraint("review_on >= effective_on", name="review_not_before_effective"),
        CheckConstraint(
            "(kind = 'merge' AND merge_into_id IS NOT NULL) OR (kind <> 'merge' AND merge_into_id IS NULL)",
            name="merge_has_target",
        ),
        CheckConstraint("merge_into_id IS NULL OR merge_into_id <> request_id", name="not_merged_into_self"),
        CheckConstraint(
            "(kind = 'reduce_frequency' AND new_frequency IS NOT NULL) OR (kind <> 'reduce_frequency' AND new_frequency IS NULL)",
            name="reduction_has_frequency",
        ),
        CheckConstraint("new_frequency IS NULL OR " + check_in("new_frequency", FREQUENCIES), name="new_frequency"),
        CheckConstraint(
            "(kind = 'simplify' AND target_hours > 0) OR (kind <> 'simplify' AND target_hours IS NULL)",
            name="simplify_has_target",
        ),
        CheckConstraint("withdrawn_at IS NULL OR withdrawal_reason IS NOT NULL", name="withdrawal_has_reason"),
        unique_where("uq_decision_live", "request_id", where="withdrawn_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    rationale: Mapped[str] = mapped_column(Text)
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_on: Mapped[date] = mapped_column(Date)  # the day it was recorded: its rates price every saving
    effective_on: Mapped[date] = mapped_column(Date)
    review_on: Mapped[date] = mapped_column(Date)
    merge_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("request.id"), index=True)
    new_frequency: Mapped[Optional[str]] = mapped_column(String(20))
    target_hours: Mapped[Optional[Decimal]] = mapped_column(Numeric(10, 2))  # simplify: hours per entry
    frequency_before: Mapped[str] = mapped_column(String(20))  # the request's frequency when decided

    # The baseline: the 12 months before the effective date (ending no later than the decision date).
    baseline_start: Mapped[date] = mapped_column(Date)
    baseline_end: Mapped[date] = mapped_column(Date)
    baseline_entries: Mapped[int] = mapped_column(Integer)
    baseline_minutes: Mapped[int] = mapped_column(BigInteger)
    baseline_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6))  # at the entries' own rates
    baseline_teams: Mapped[int] = mapped_column(Integer)
    baseline_team_ids: Mapped[list] = mapped_column(JSON)  # the teams that carried it (coverage check)
    baseline_other_minutes: Mapped[int] = mapped_column(BigInteger)  # those teams' minutes on every other request
    baseline_median_minutes: Mapped[Optional[Decimal]] = mapped_column(Numeric(12, 1))
    baseline_occurrences: Mapped[Optional[Decimal]] = mapped_column(Numeric(14, 6))  # a year
    survivor_baseline_minutes: Mapped[Optional[int]] = mapped_column(BigInteger)  # merge: the survivor's own
    hourly_cost: Mapped[Decimal] = mapped_column(Numeric(14, 6))  # the baseline's band mix at decided_on's rates
    expected_saving_hours: Mapped[Decimal] = mapped_column(Numeric(16, 6))
    expected_saving_cost: Mapped[Decimal] = mapped_column(Numeric(18, 6))

    # What the decision did to the catalogue once in effect, so a withdrawal can put it back.
    applied_at: Mapped[Optional[datetime]]
    status_before: Mapped[Optional[str]] = mapped_column(String(20))
    merged_into_before_id: Mapped[Optional[int]] = mapped_column(ForeignKey("request.id"))
    apply_problem: Mapped[Optional[str]] = mapped_column(Text)

    withdrawn_at: Mapped[Optional[datetime]]
    withdrawn_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    withdrawal_reason: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    request: Mapped["Request"] = relationship(foreign_keys=[request_id])  # noqa: F821
    merge_into: Mapped[Optional["Request"]] = relationship(foreign_keys=[merge_into_id])  # noqa: F821
    decided_by: Mapped["User"] = relationship(foreign_keys=[decided_by_id])  # noqa: F821
    withdrawn_by: Mapped[Optional["User"]] = relationship(foreign_keys=[withdrawn_by_id])  # noqa: F821

    @property
    def is_live(self) -> bool:
        return self.withdrawn_at is None

    @property
    def closes_request(self) -> bool:
        """Retire and merge stop new entries from the effective date."""
        return self.kind in ("retire", "merge")

    def __repr__(self) -> str:
        return f"<Decision {self.kind} request={self.request_id} from {self.effective_on}>"


class DuplicateVerdict(db.Model):
    """A commissioner's answer on a pair of requests that look alike.

    Keyed by both requests' versions (a digest of what the matching reads: title,
    description, source), so after either request changes the pair is judged afresh."""

    __tablename__ = "duplicate_verdict"
    __table_args__ = (
        UniqueConstraint(
            "first_request_id", "second_request_id", "first_version", "second_version", name="uq_duplicate_verdict_versions"
        ),
        CheckConstraint("first_request_id < second_request_id", name="pair_in_order"),
        CheckConstraint(check_in("verdict", DUPLICATE_VERDICTS), name="verdict"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    first_request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    second_request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    first_version: Mapped[str] = mapped_column(String(64))
    second_version: Mapped[str] = mapped_column(String(64))
    verdict: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(Integer)  # what the pair scored when judged
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    decided_by: Mapped["User"] = relationship()  # noqa: F821


class ReviewDigest(db.Model):
    """One monthly review digest to one commissioner: the row is claimed before sending, so
    two scheduler processes never both send it."""

    __tablename__ = "review_digest"
    __table_args__ = (
        UniqueConstraint("period", "user_id", name="uq_review_digest_period_user"),
        CheckConstraint(check_in("status", DIGEST_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    period: Mapped[date] = mapped_column(Date)  # first day of the month it was sent for
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="sending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    claimed_at: Mapped[Optional[datetime]]  # the sender's heartbeat: an old "sending" belonged to a dead process
    retry_at: Mapped[Optional[datetime]]  # a failed send waits until then (tracker/shared/sending.py)
    sent_at: Mapped[Optional[datetime]]
    error: Mapped[Optional[str]] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped["User"] = relationship()  # noqa: F821



class Method(db.Model):
    """How one team produces one request's return, in its own words: shown to the other teams
    that answer the request, cheapest first (tracker/rationalise/methods.py).

    One per request and team; changed in place (audited), never deleted; its version goes up with
    every change, so two people editing it at once cannot overwrite each other unseen."""

    __tablename__ = "request_method"
    __table_args__ = (UniqueConstraint("request_id", "team_id", name="uq_request_method_request_team"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    request_id: Mapped[int] = mapped_column(ForeignKey("request.id"), index=True)
    team_id: Mapped[int] = mapped_column(ForeignKey("team.id"), index=True)
    text: Mapped[str] = mapped_column(Text)
    updated_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    __mapper_args__ = {"version_id_col": version}

    team: Mapped["Team"] = relationship()  # noqa: F821
    updated_by: Mapped["User"] = relationship()  # noqa: F821
