"""Running the scheduler: the list of jobs (tracker/scheduler/jobs.py) in APScheduler 3.11.

`flask --app tracker scheduler` runs it in the foreground (production: one such
process, or more to share a month's workbooks: tracker/scheduler/commands.py).
`python run.py` runs it in a background thread. create_app never starts it,
so gunicorn workers don't.

When the database cannot be reached, the scheduler says so in one line (no
traceback) and waits, SCHEDULER_RETRY_SECONDS at first, doubled after each
failure up to SCHEDULER_RETRY_MAX_SECONDS."""
from __future__ import annotations

import logging
import time
from datetime import datetime, timezone

from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerThreadPool
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler

from tracker.database import UNAVAILABLE_ERRORS, ping, unavailable_reason
from tracker.extensions import db
from tracker.scheduler.jobs import JOBS, MONTHLY_JOB_ID

log = logging.getLogger("tracker.scheduler")

MISFIRE_GRACE_SECONDS = 6 * 60 * 60


def wait_for_database(app, sleep=time.sleep, attempts: int | None = None) -> bool:
    """Block until the database answers, saying so in one line per failed try and waiting longer
    each time; True once it answers, False after `attempts` failed tries (None: never give up)."""
    wait = float(app.config.get("SCHEDULER_RETRY_SECONDS", 5))
    longest = float(app.config.get("SCHEDULER_RETRY_MAX_SECONDS", 300))
    tried = 0
    while True:
        with app.app_context():
            try:
                ping(db.session)
                return True
            except UNAVAILABLE_ERRORS as error:
                reason = unavailable_reason(error)
            finally:
                db.session.remove()
        tried += 1
        if attempts is not None and tried >= attempts:
            log.error("cannot reach the database: %s", reason)
            return False
        log.warning("cannot reach the database: %s; trying again in %g s", reason, wait)
        sleep(wait)
        wait = min(wait * 2, longest)


def build_scheduler(app, scheduler_class, *, catch_up_now: bool = True):
    """A scheduler holding every job of JOBS; `catch_up_now=False` leaves out the jobs that run once at start."""
    scheduler = scheduler_class(
        jobstores={"default": MemoryJobStore()},
        executors={"default": SchedulerThreadPool(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=app.config["TIMEZONE"],
    )
    for job in JOBS:
        if job.trigger is None and not catch_up_now:
            continue
        options = {"next_run_time": datetime.now(timezone.utc)} if job.at_start else {}
        trigger = job.trigger(app.config) if job.trigger is not None else None
        scheduler.add_job(job.run, trigger, args=job.args(app), id=job.id, name=job.name, replace_existing=True, **options)
    return scheduler


def start_background_scheduler(app) -> BackgroundScheduler:
    """For `python run.py`: the scheduler in a thread of the serving process."""
    existing = app.extensions.get("export_scheduler")
    if existing is not None:
        return existing
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start()
    app.extensions["export_scheduler"] = scheduler
    next_run = scheduler.get_job(MONTHLY_JOB_ID).next_run_time
    log.info("export scheduler started in-process; next monthly run %s", next_run)
    import atexit

    atexit.register(lambda: scheduler.running and scheduler.shutdown(wait=False))
    return scheduler
