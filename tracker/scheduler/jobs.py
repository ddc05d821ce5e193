"""The export scheduler (APScheduler 3.11).

Jobs, all in a private in-memory job store (schedulers never share a store;
the export_run row in the database is what coordinates them):
- "monthly-burden-export": cron EXPORT_CRON in TIMEZONE; makes last month's
  region workbook and one per team, then emails them.
- "export-catch-up": once, at start. Makes every workbook that is due and
  missing: the latest month whose cron time has passed and the months before
  it, EXPORT_CATCH_UP_MONTHS in all (default 2), so a server that was down on
  the 1st, or for a whole month, still makes them. Then retries as below.
- "export-retry": every EXPORT_RETRY_MINUTES (default 15): failed runs (up to
  EXPORT_MAX_ATTEMPTS), claims of dead processes (heartbeat older than
  EXPORT_STALE_MINUTES) and failed emails (review digests too).
- "monthly-review-digest": cron EXPORT_CRON too; emails each commissioner the
  workspace's review digest for the month (tracker/workspace/digest.py);
  the catch-up sends a digest that is due and missing.
- "apply-due-decisions": daily at 00:05 (and at start): decisions whose
  effective date has come change the catalogue (tracker/workspace/decisions.py).
- "licence-reminders": every hour (and once after the catch-up): emails the
  commissioners when a licence comes within 30 days of expiry or expires, one
  email a day at most (tracker/licences/reminders.py; the claim is a row).
- "scheduler-heartbeat": every SCHEDULER_HEARTBEAT_SECONDS (default 60), the
  service_heartbeat row says the scheduler is alive (/healthz shows its age).

When the database cannot be reached, the scheduler says so in one line (no
traceback) and waits, SCHEDULER_RETRY_SECONDS at first, doubled after each
failure up to SCHEDULER_RETRY_MAX_SECONDS; a job that meets a dead database
says so in one line too and is tried again at its next turn.

`flask --app tracker scheduler` runs it in the foreground (production: exactly
one such process; a second one is harmless). `python run.py` runs it in a
background thread. create_app never starts it, so gunicorn workers don't."""
from __future__ import annotations

import logging
import os
import signal
import socket
import time
from datetime import date, datetime, time as clock, timezone
from functools import wraps

import click
from apscheduler.executors.pool import ThreadPoolExecutor as SchedulerThreadPool
from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.database import UNAVAILABLE_ERRORS, ping, unavailable_reason
from tracker.exports.mailer import deliver, parse_smtp_url, retry_emails, send_run_email
from tracker.exports.runs import ExportSettings, make_period, retry_failed
from tracker.extensions import db
from tracker.licences.reminders import send_licence_reminders
from tracker.models.operations import SCHEDULER, ServiceHeartbeat
from tracker.workspace.decisions import apply_due_decisions
from tracker.workspace.digest import send_review_digests
from tracker.shared.timeutil import add_months, month_start, utcnow

log = logging.getLogger("tracker.scheduler.jobs")

MONTHLY_JOB_ID = "monthly-burden-export"
CATCH_UP_JOB_ID = "export-catch-up"
RETRY_JOB_ID = "export-retry"
DIGEST_JOB_ID = "monthly-review-digest"
APPLY_JOB_ID = "apply-due-decisions"
REMINDER_JOB_ID = "licence-reminders"
HEARTBEAT_JOB_ID = "scheduler-heartbeat"
MISFIRE_GRACE_SECONDS = 6 * 60 * 60


def export_trigger(config) -> CronTrigger:
    return CronTrigger.from_crontab(config["EXPORT_CRON"], timezone=config["TIMEZONE"])


def due_periods(trigger: CronTrigger, now: datetime, months: int) -> list[date]:
    """Months whose workbooks should exist by `now`, newest first.

    A month is due once the first cron time after it ended has passed: with
    the default "0 6 1 * *", March is due from 06:00 on 1 April (local time)."""
    current = month_start(now.date())
    month_began = datetime.combine(current, clock(), tzinfo=now.tzinfo)
    fire = trigger.get_next_fire_time(None, month_began)
    latest = add_months(current, -1) if fire is not None and fire <= now else add_months(current, -2)
    return [add_months(latest, -back) for back in range(max(months, 1))]


def digest_period(trigger: CronTrigger, now: datetime) -> date:
    """The month whose review digest is due by `now`: this month once its cron time has passed, else last month."""
    return add_months(due_periods(trigger, now, 1)[0], 1)


# ---- the database may be away -------------------------------------------------------


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


def one_line_if_database_away(job):
    """A job that meets a dead database logs one line, not a traceback; its next turn tries again."""

    @wraps(job)
    def wrapped(app, *args, **kwargs):
        try:
            return job(app, *args, **kwargs)
        except UNAVAILABLE_ERRORS as error:
            log.error("%s: cannot reach the database: %s; trying again at its next turn", job.__name__, unavailable_reason(error))
            return None

    return wrapped


# ---- the jobs (each runs in its own app context) -----------------------------


@one_line_if_database_away
def heartbeat(app, holder: str, started_at: datetime) -> None:
    """Say the scheduler is alive: update the row, or insert it the first time."""
    with app.app_context():
        try:
            values = {"holder": holder, "started_at": started_at, "beat_at": utcnow()}
            updated = db.session.execute(
                update(ServiceHeartbeat).where(ServiceHeartbeat.name == SCHEDULER).values(**values)
            ).rowcount
            if not updated:
                db.session.add(ServiceHeartbeat(name=SCHEDULER, **values))
            db.session.commit()
        except IntegrityError:  # a second scheduler inserted the row first: its beat will do
            db.session.rollback()
        finally:
            db.session.remove()


@one_line_if_database_away
def monthly_export(app) -> None:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        period = settings.last_ended_month()
        try:
            make_period(db.session, period, "schedule", settings, send_email=send_run_email)
        finally:
            db.session.remove()


@one_line_if_database_away
def catch_up(app) -> None:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        now = datetime.now(settings.timezone)
        try:
            for period in due_periods(export_trigger(app.config), now, settings.catch_up_months):
                made = make_period(db.session, period, "catch_up", settings, send_email=send_run_email)
                if made:
                    log.info("catch-up made %d workbook(s) for %s", len(made), f"{period:%Y-%m}")
        finally:
            db.session.remove()
    apply_decisions(app)
    retry(app)
    licence_reminders(app)


@one_line_if_database_away
def retry(app) -> None:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        try:
            retry_failed(db.session, settings, send_email=send_run_email)
            retry_emails(db.session, settings)
        finally:
            db.session.remove()
    review_digest(app)  # sends one that is due and missing, or failed before


@one_line_if_database_away
def review_digest(app) -> int:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        if not settings.smtp_url:
            return 0
        now = datetime.now(settings.timezone)
        smtp = parse_smtp_url(settings.smtp_url)
        try:
            return send_review_digests(db.session, digest_period(export_trigger(app.config), now), now.date(),
                                       settings.mail_from, lambda message: deliver(smtp, message))
        finally:
            db.session.remove()


@one_line_if_database_away
def apply_decisions(app) -> int:
    with app.app_context():
        try:
            applied = apply_due_decisions(ExportSettings.from_config(app.config).today())
            db.session.commit()
            if applied:
                log.info("%d decision(s) took effect", applied)
            return applied
        finally:
            db.session.remove()


@one_line_if_database_away
def licence_reminders(app) -> None:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        send = None
        if settings.smtp_url:
            smtp = parse_smtp_url(settings.smtp_url)
            send = lambda message: deliver(smtp, message)  # noqa: E731
        try:
            send_licence_reminders(
                db.session, settings.today(), sender=settings.mail_from, send=send, max_attempts=settings.max_email_attempts
            )
        finally:
            db.session.remove()


# ---- the scheduler -------------------------------------------------------------


def build_scheduler(app, scheduler_class, *, catch_up_now: bool = True):
    scheduler = scheduler_class(
        jobstores={"default": MemoryJobStore()},
        executors={"default": SchedulerThreadPool(max_workers=1)},
        job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": MISFIRE_GRACE_SECONDS},
        timezone=app.config["TIMEZONE"],
    )
    scheduler.add_job(
        monthly_export, export_trigger(app.config), args=[app], id=MONTHLY_JOB_ID, name="Monthly burden workbooks", replace_existing=True
    )
    scheduler.add_job(
        retry,
        IntervalTrigger(minutes=int(app.config.get("EXPORT_RETRY_MINUTES", 15)), timezone=app.config["TIMEZONE"]),
        args=[app],
        id=RETRY_JOB_ID,
        name="Retry failed exports and emails",
        replace_existing=True,
    )
    scheduler.add_job(
        review_digest, export_trigger(app.config), args=[app], id=DIGEST_JOB_ID, name="Monthly review digest",
        replace_existing=True,
    )
    scheduler.add_job(
        apply_decisions, CronTrigger(hour=0, minute=5, timezone=app.config["TIMEZONE"]), args=[app], id=APPLY_JOB_ID,
        name="Apply decisions that take effect today", replace_existing=True,
    )
    scheduler.add_job(
        licence_reminders,
        IntervalTrigger(hours=1, timezone=app.config["TIMEZONE"]),
        args=[app],
        id=REMINDER_JOB_ID,
        name="Licence reminders (one email a day at most)",
        replace_existing=True,
    )
    scheduler.add_job(
        heartbeat,
        IntervalTrigger(seconds=int(app.config.get("SCHEDULER_HEARTBEAT_SECONDS", 60)), timezone=app.config["TIMEZONE"]),
        args=[app, f"{socket.gethostname()}:{os.getpid()}", utcnow()],
        id=HEARTBEAT_JOB_ID,
        name="Say the scheduler is alive",
        replace_existing=True,
        next_run_time=datetime.now(timezone.utc),  # at once, then every interval
    )
    if catch_up_now:
        # No trigger: run once, as soon as the scheduler starts.
        scheduler.add_job(catch_up, args=[app], id=CATCH_UP_JOB_ID, name="Catch up missed workbooks", replace_existing=True)
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


def _log_to_stderr() -> None:
    """APScheduler's own lines go where the app's go (create_app set up the "tracker" logger)."""
    app_logger = logging.getLogger("tracker")
    scheduler_logger = logging.getLogger("apscheduler")
    for handler in app_logger.handlers:
        if handler not in scheduler_logger.handlers:
            scheduler_logger.addHandler(handler)
    scheduler_logger.setLevel(logging.INFO)
    scheduler_logger.propagate = False


@click.command("scheduler")
@click.option("--once", is_flag=True, help="Make the due and missing workbooks, retry failed ones, then exit.")
@with_appcontext
def scheduler_command(once: bool) -> None:
    """Run the export scheduler in the foreground (production runs exactly one)."""
    _log_to_stderr()
    app = current_app._get_current_object()
    try:
        export_trigger(app.config)
    except ValueError as error:
        raise click.ClickException(f"EXPORT_CRON '{app.config['EXPORT_CRON']}' is not a crontab expression: {error}") from None
    if once:
        if not wait_for_database(app, attempts=1):
            raise SystemExit(1)
        catch_up(app)
        log.info("catch-up done; exiting (--once)")
        return
    wait_for_database(app)  # SIGTERM while waiting simply ends the process: nothing has started
    scheduler = build_scheduler(app, BlockingScheduler)

    def stop(signum, _frame):
        log.info("received %s; stopping the scheduler (a workbook being made is finished first)", signal.Signals(signum).name)
        if scheduler.running:
            scheduler.shutdown(wait=False)

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    log.info(
        "export scheduler started: cron '%s' in %s; exports in %s",
        app.config["EXPORT_CRON"],
        app.config["TIMEZONE"],
        app.config["EXPORT_DIR"],
    )
    scheduler.start()  # blocks until stop()
    log.info("export scheduler stopped")
