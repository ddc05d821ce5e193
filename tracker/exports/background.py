""""Make now": workbooks built in a thread pool owned by the app, each job in its own app context.

The request claims the run (status queued) and returns at once; the worker
moves it to running and builds it, recording rows-so-far for the run page."""
from __future__ import annotations

import logging
import threading
from concurrent.futures import Future, ThreadPoolExecutor, wait
from datetime import date

from sqlalchemy import select

from tracker.models.exports import ExportRun, scope_for
from tracker.exports.runs import ExportSettings, build_run, claim_run, start_queued_run
from tracker.extensions import db

log = logging.getLogger("tracker.exports")

_executor_lock = threading.Lock()


def executor_for(app) -> ThreadPoolExecutor:
    with _executor_lock:
        executor = app.extensions.get("export_executor")
        if executor is None:
            executor = ThreadPoolExecutor(
                max_workers=int(app.config.get("EXPORT_WORKERS", 2)), thread_name_prefix="export-now"
            )
            app.extensions["export_executor"] = executor
            app.extensions["export_futures"] = {}
        return executor


def _build_queued(app, run_id: int, token: str) -> None:
    with app.app_context():
        try:
            settings = ExportSettings.from_config(app.config)
            run = start_queued_run(db.session, run_id, token)
            if run is None:
                log.info("run %s was taken over before it started", run_id)
                return
            build_run(db.session, run, settings)
        except Exception:  # build_run records its own failures; this is anything around it
            log.exception("background export of run %s failed", run_id)
        finally:
            db.session.remove()


def request_exports(app, session, user, period: date, team_ids: list[int | None], trigger: str = "manual") -> list[ExportRun]:
    """Claim and queue a (re)build of each scope; a scope already being made is returned as it is."""
    settings = ExportSettings.from_config(app.config)
    runs = []
    for team_id in team_ids:
        run = claim_run(
            session, period, team_id, trigger, settings, requested_by_id=user.id, queued=True, rebuild=True
        )
        if run is None:
            run = session.scalar(
                select(ExportRun).where(ExportRun.period == period, ExportRun.scope == scope_for(team_id))
            )
        else:
            future = executor_for(app).submit(_build_queued, app, run.id, run.claimed_by)
            app.extensions["export_futures"][run.id] = future
        if run is not None:
            runs.append(run)
    return runs


def wait_for_background_exports(app, timeout: float = 60) -> None:
    """Block until every queued background build has finished (tests; orderly shutdown)."""
    futures: dict[int, Future] = app.extensions.get("export_futures") or {}
    wait(list(futures.values()), timeout=timeout)
