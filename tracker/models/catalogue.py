"""Teams, sources (who asks) and requests (what they ask for).

Names follow the name rule (tracker/shared/names.py): each model keeps a key
column made from its name whenever the name is set, unique in the database,
and a look-up by that key (`Team.named`, `Source.named`, `Request.titled`)."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, false, select
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from tracker.shared.choices import (
    FREQUENCIES, OBLIGATIONS, REFERENCE_MAX, REQUEST_STATUSES, REQUEST_TITLE_MAX, SECTORS, SOURCE_KINDS, SOURCE_NAME_MAX, check_in,
)
from tracker.extensions import db
from tracker.shared.names import name_key, tidy_name
from tracker.shared.timeutil import utcnow


class Team(db.Model):
    __tablename__ = "team"
    __table_args__ = (
        CheckConstraint(check_in("sector", SECTORS), name="sector"),
        Index("uq_team_name_key", "name_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120), unique=True)
    name_key: Mapped[str] = mapped_column(String(120), info={"derived": True})  # name_key(name); unique
    slug: Mapped[str] = mapped_column(String(140), unique=True)
    organisation: Mapped[str] = mapped_column(String(200))
    sector: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @validates("name")
    def _keep_key(self, _attribute, name):
        self.name_key = name_key(name)
        return tidy_name(name)

    @classmethod
    def named(cls, name: str) -> "Team | None":
        """The team called `name`, ignoring case and spacing."""
        return db.session.scalar(select(cls).where(cls.name_key == name_key(name)))

    def __repr__(self) -> str:
        return f"<Team {self.name}>"


class Source(db.Model):
    __tablename__ = "source"
    __table_args__ = (
        CheckConstraint(check_in("kind", SOURCE_KINDS), name="kind"),
        Index("uq_source_name_key", "name_key", unique=True),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(SOURCE_NAME_MAX), unique=True)
    name_key: Mapped[str] = mapped_column(String(SOURCE_NAME_MAX), info={"derived": True})  # name_key(name); unique
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requests: Mapped[list["Request"]] = relationship(back_populates="source")

    @validates("name")
    def _keep_key(self, _attribute, name):
        self.name_key = name_key(name)
        return tidy_name(name)

    @classmethod
    def named(cls, name: str) -> "Source | None":
        """The source called `name`, ignoring case and spacing."""
        return db.session.scalar(select(cls).where(cls.name_key == name_key(name)))

    def __repr__(self) -> str:
        return f"<Source {self.name}>"


class Request(db.Model):
    __tablename__ = "request"
    __table_args__ = (
        UniqueConstraint("source_id", "title", name="uq_request_source_title"),
        Index("uq_request_source_title_key", "source_id", "title_key", unique=True),
        Index("uq_request_reference", "reference", unique=True),
        CheckConstraint(check_in("frequency", FREQUENCIES), name="frequency"),
        CheckConstraint(check_in("obligation", OBLIGATIONS), name="obligation"),
        CheckConstraint(check_in("status", REQUEST_STATUSES), name="status"),
        CheckConstraint("merged_into_id IS NULL OR merged_into_id <> id", name="not_merged_into_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    title: Mapped[str] = mapped_column(String(REQUEST_TITLE_MAX))
    title_key: Mapped[str] = mapped_column(String(REQUEST_TITLE_MAX), info={"derived": True})  # name_key(title); unique per source
    # The collection's reference in a register of approved collections (tracker/importer/catalogue.py), if any.
    reference: Mapped[Optional[str]] = mapped_column(String(REFERENCE_MAX))  # unique: uq_request_reference
    source_id: Mapped[int] = mapped_column(ForeignKey("source.id"), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    frequency: Mapped[str] = mapped_column(String(20))
    obligation: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), default="active")
    merged_into_id: Mapped[Optional[int]] = mapped_column(ForeignKey("request.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))
    # Added from the log form with defaults for what the manager may not know (frequency,
    # obligation, the source's kind): shown as "details to confirm" until a commissioner checks.
    details_to_confirm: Mapped[bool] = mapped_column(default=False, server_default=false())

    source: Mapped[Source] = relationship(back_populates="requests")
    merged_into: Mapped[Optional["Request"]] = relationship(remote_side=[id])

    @validates("title")
    def _keep_key(self, _attribute, title):
        self.title_key = name_key(title)
        return tidy_name(title)

    @classmethod
    def titled(cls, source_id: int, title: str) -> "Request | None":
        """The request of that source with that title, ignoring case and spacing."""
        return db.session.scalar(select(cls).where(cls.source_id == source_id, cls.title_key == name_key(title)))

    @property
    def label(self) -> str:
        """What a person picks from: the ask and who asks it."""
        return f"{self.title} ({self.source.name})"

    def __repr__(self) -> str:
        return f"<Request {self.title}>"
