"""Signs of life of the long-running services, for /healthz."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from tracker.extensions import db
from tracker.shared.timeutil import utcnow

SCHEDULER = "scheduler"


class ServiceHeartbeat(db.Model):
    """One row per service (the export scheduler): when it last said it was alive.

    The scheduler renews `beat_at` every SCHEDULER_HEARTBEAT_SECONDS; /healthz
    reports its age, so a load balancer or a person sees a scheduler that died."""

    __tablename__ = "service_heartbeat"

    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    holder: Mapped[str] = mapped_column(String(120), default="")  # host:pid of the process that beat last
    started_at: Mapped[datetime] = mapped_column(default=utcnow)
    beat_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<ServiceHeartbeat {self.name} {self.beat_at:%Y-%m-%d %H:%M:%S}>"
