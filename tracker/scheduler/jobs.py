"""Every timed job of the app, in one declarative list (`JOBS`), and what each one does.

All jobs live in a private in-memory job store (schedulers never share one;
the rows in the database are what coordinate them: tracker/shared/sending.py
for emails, tracker/exports/building.py for workbooks). Each job runs in its
own app context; one that meets a dead database says so in one line and is
tried again at its next turn. tracker/scheduler/running.py runs the list.

| job | when | what |
| --- | --- | --- |
| monthly-burden-export | EXPORT_CRON in TIMEZONE | last month's region workbook and one per team, then emails them (EXPORT_WORKERS threads, sharing the month with every other scheduler) |
| export-catch-up | once, at start | every workbook due and missing (EXPORT_CATCH_UP_MONTHS months, default 2), then the retry, decisions and reminders below |
| export-retry | every EXPORT_RETRY_MINUTES | failed builds (up to EXPORT_MAX_ATTEMPTS), builds of dead processes, failed or abandoned emails and digests |
| monthly-review-digest | EXPORT_CRON | each commissioner's review digest for the month (tracker/workspace/digest.py) |
| apply-due-decisions | daily at 00:05 | decisions whose effective date has come change the catalogue (tracker/workspace/decisions.py) |
| licence-reminders | hourly | one email a day at most about licences expiring or expired (tracker/licences/reminders.py) |
| make-entry-partitions | at start, then daily at 00:15 | PostgreSQL: the entry table's missing month partitions, from 12 months back to 12 ahead (tracker/entries/partitions.py) |
| scheduler-heartbeat | at once, then every SCHEDULER_HEARTBEAT_SECONDS | the service_heartbeat row /healthz reads |
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time as clock
from functools import wraps
from typing import Callable

from apscheduler.triggers.base import BaseTrigger
from apscheduler.triggers.cron import CronTrigger
from apscheduler.triggers.interval import IntervalTrigger
from sqlalchemy import update
from sqlalchemy.exc import IntegrityError

from tracker.database import UNAVAILABLE_ERRORS, unavailable_reason
from tracker.entries.partitions import make_partitions_around
from tracker.exports.mailer import retry_emails, send_run_email
from tracker.exports.runs import ExportSettings
from tracker.exports.monthly import make_period, retry_failed
from tracker.extensions import db
from tracker.licences.reminders import send_licence_reminders
from tracker.models.operations import SCHEDULER, ServiceHeartbeat
from tracker.shared.smtp import sender_for
from tracker.shared.timeutil import add_months, month_start, utcnow
from tracker.workspace.decisions import apply_due_decisions
from tracker.workspace.digest import send_review_digests

log = logging.getLogger("tracker.scheduler")

MONTHLY_JOB_ID = "monthly-burden-export"
CATCH_UP_JOB_ID = "export-catch-up"
RETRY_JOB_ID = "export-retry"
DIGEST_JOB_ID = "monthly-review-digest"
APPLY_JOB_ID = "apply-due-decisions"
REMINDER_JOB_ID = "licence-reminders"
HEARTBEAT_JOB_ID = "scheduler-heartbeat"
PARTITIONS_JOB_ID = "make-entry-partitions"


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


# ---- the jobs (each runs in its own app context) -----------------------------


def stopping(app) -> threading.Event:
    """Set when the scheduler is asked to stop: export workers claim nothing more (each finishes
    the workbook in hand; any other scheduler makes the rest)."""
    return app.extensions.setdefault("export_stopping", threading.Event())


def worker_sessions(app):
    """For each export worker thread (EXPORT_WORKERS of them: tracker/exports/monthly.py) a
    session of its own, in an app context of its own."""

    @contextmanager
    def session():
        with app.app_context():
            try:
                yield db.session
            finally:
                db.session.remove()

    return session


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
            make_period(db.session, period, "schedule", settings, send_email=send_run_email,
                        sessions=worker_sessions(app), stop=stopping(app))
        finally:
            db.session.remove()


@one_line_if_database_away
def catch_up(app) -> None:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        now = datetime.now(settings.timezone)
        try:
            for period in due_periods(export_trigger(app.config), now, settings.catch_up_months):
                made = make_period(db.session, period, "catch_up", settings, send_email=send_run_email,
                                   sessions=worker_sessions(app), stop=stopping(app))
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
            retry_failed(db.session, settings, send_email=send_run_email, sessions=worker_sessions(app),
                         stop=stopping(app))
            retry_emails(db.session, settings)
        finally:
            db.session.remove()
    review_digest(app)  # sends one that is due and missing, or failed before


@one_line_if_database_away
def review_digest(app) -> int:
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        send = sender_for(settings.smtp_url)
        if send is None:
            return 0
        now = datetime.now(settings.timezone)
        try:
            return send_review_digests(db.session, digest_period(export_trigger(app.config), now), now.date(),
                                       settings.mail_from, send, settings.sending)
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
        try:
            send_licence_reminders(db.session, settings.today(), sender=settings.mail_from,
                                   send=sender_for(settings.smtp_url), policy=settings.sending)
        finally:
            db.session.remove()


@one_line_if_database_away
def entry_partitions(app) -> list[str]:
    with app.app_context():
        try:
            made = make_partitions_around(db.session, ExportSettings.from_config(app.config).today())
            db.session.commit()
            if made:
                log.info("made entry partition(s) %s", ", ".join(made))
            return made
        finally:
            db.session.remove()


# ---- the list ------------------------------------------------------------------------


@dataclass(frozen=True)
class Job:
    """One timed job: `trigger(config)` says when (None: once, as soon as the scheduler starts);
    `args(app)` what it is called with; `at_start` also runs it at once."""

    id: str
    name: str
    run: Callable
    trigger: Callable[[dict], BaseTrigger] | None
    args: Callable = lambda app: [app]
    at_start: bool = False


def every(**interval) -> Callable[[dict], IntervalTrigger]:
    return lambda config: IntervalTrigger(**interval, timezone=config["TIMEZONE"])


def retry_trigger(config) -> IntervalTrigger:
    return IntervalTrigger(minutes=int(config.get("EXPORT_RETRY_MINUTES", 15)), timezone=config["TIMEZONE"])


def heartbeat_trigger(config) -> IntervalTrigger:
    return IntervalTrigger(seconds=int(config.get("SCHEDULER_HEARTBEAT_SECONDS", 60)), timezone=config["TIMEZONE"])


JOBS = (
    Job(MONTHLY_JOB_ID, "Monthly burden workbooks", monthly_export, export_trigger),
    Job(RETRY_JOB_ID, "Retry failed exports and emails", retry, retry_trigger),
    Job(DIGEST_JOB_ID, "Monthly review digest", review_digest, export_trigger),
    Job(APPLY_JOB_ID, "Apply decisions that take effect today", apply_decisions,
        lambda config: CronTrigger(hour=0, minute=5, timezone=config["TIMEZONE"])),
    Job(REMINDER_JOB_ID, "Licence reminders (one email a day at most)", licence_reminders, every(hours=1)),
    Job(PARTITIONS_JOB_ID, "Make the entry table's month partitions ahead", entry_partitions,
        lambda config: CronTrigger(hour=0, minute=15, timezone=config["TIMEZONE"]), at_start=True),
    Job(HEARTBEAT_JOB_ID, "Say the scheduler is alive", heartbeat, heartbeat_trigger,
        args=lambda app: [app, f"{socket.gethostname()}:{os.getpid()}", utcnow()], at_start=True),
    Job(CATCH_UP_JOB_ID, "Catch up missed workbooks", catch_up, None),
)
