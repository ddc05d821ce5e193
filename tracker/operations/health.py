"""GET /healthz: is this instance fit to serve, and are the services behind it alive?

Public (a load balancer has no account) and so it says nothing sensitive: no
host names, paths, versions, error texts, team names or counts of entries.

    200 {"status": "ok" | "degraded", "database": "ok", "migrations": "current",
         "scheduler": {"status": "ok" | "late" | "never", "heartbeat_age_seconds": 12},
         "last_export": {"status": "succeeded", "period": "2026-03", "finished_at": "..."} | null,
         "replica": {"status": "ok" | "lagging" | "unavailable", "lag_seconds": 0.4, "reads": "replica" | "primary"} | null}
    503 {"status": "unavailable", "database": "unreachable" | "ok", "migrations": "behind" | "unknown", ...}

The status code depends only on what this web instance needs (the database,
and a schema at the migrations' head), so a balancer never takes healthy web
workers out because the scheduler stopped: that shows as "degraded". So does a read
replica that is away or too far behind (reads fall back to the primary meanwhile)."""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import Blueprint, current_app, jsonify
from sqlalchemy import select

from tracker.extensions import db
from tracker.operations import replica
from tracker.models.exports import ExportRun
from tracker.models.operations import SCHEDULER, ServiceHeartbeat
from tracker.database import UNAVAILABLE_ERRORS, ping, unavailable_reason
from tracker.shared.timeutil import utcnow

blueprint = Blueprint("operations", __name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent.parent / "migrations"


@lru_cache(maxsize=1)
def migration_heads() -> frozenset[str]:
    """The revisions the code expects (read once per process: the code does not change under it)."""
    return frozenset(ScriptDirectory(str(MIGRATIONS_DIR)).get_heads())


def database_revisions() -> frozenset[str]:
    connection = db.session.connection()
    return frozenset(MigrationContext.configure(connection).get_current_heads())


def scheduler_state(now, beat_every: float) -> dict:
    beat = db.session.get(ServiceHeartbeat, SCHEDULER)
    if beat is None:
        return {"status": "never", "heartbeat_age_seconds": None}
    age = max(0, int((now - beat.beat_at).total_seconds()))
    # Three missed beats: the scheduler is stuck or gone (one late beat is just a long job starting).
    return {"status": "ok" if age <= 3 * beat_every else "late", "heartbeat_age_seconds": age}


def last_export() -> dict | None:
    run = db.session.scalar(
        select(ExportRun).where(ExportRun.finished_at.is_not(None)).order_by(ExportRun.finished_at.desc()).limit(1)
    )
    if run is None:
        return None
    return {"status": run.status, "period": f"{run.period:%Y-%m}", "finished_at": run.finished_at.isoformat()}


def health() -> tuple[dict, int]:
    report = {"status": "unavailable", "database": "unreachable", "migrations": "unknown", "scheduler": None,
              "last_export": None, "replica": None}
    try:
        ping(db.session)
    except UNAVAILABLE_ERRORS as error:
        db.session.rollback()
        current_app.logger.warning("health check: the database is unreachable: %s", unavailable_reason(error))
        return report, 503
    report["database"] = "ok"
    try:
        report["migrations"] = "current" if database_revisions() == migration_heads() else "behind"
        report["scheduler"] = scheduler_state(utcnow(), float(current_app.config.get("SCHEDULER_HEARTBEAT_SECONDS", 60)))
        report["last_export"] = last_export()
        report["replica"] = replica.health()
    except UNAVAILABLE_ERRORS as error:  # went away mid-check, or the tables are not there yet
        db.session.rollback()
        current_app.logger.warning("health check failed: %s", unavailable_reason(error))
        return report, 503
    except Exception as error:  # a schema from before the migrations (no tables): say "behind"
        db.session.rollback()
        current_app.logger.warning("health check could not read the schema: %s", error.__class__.__name__)
        report["migrations"] = "behind"
        return report, 503
    finally:
        db.session.rollback()  # read only
    if report["migrations"] != "current":
        return report, 503
    late = report["scheduler"]["status"] != "ok" or (report["last_export"] or {}).get("status") == "failed"
    replica_away = report["replica"] is not None and report["replica"]["status"] != "ok"
    report["status"] = "degraded" if late or replica_away else "ok"
    return report, 200


@blueprint.get("/healthz")
def healthz():
    report, status = health()
    response = jsonify(report)
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    return response
