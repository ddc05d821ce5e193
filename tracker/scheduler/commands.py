"""`flask --app tracker scheduler [--once]`: the scheduler in the foreground.

One is enough for a region; run more (on this machine or others, sharing the
database) to make a month's workbooks sooner: they share them through the
export-run claims (tracker/exports/monthly.py). SIGTERM: each export worker
finishes the workbook in hand and claims no more; the rest is left to the others."""
from __future__ import annotations

import logging
import signal

import click
from apscheduler.schedulers.blocking import BlockingScheduler
from flask import current_app
from flask.cli import with_appcontext

from tracker.scheduler.jobs import catch_up, export_trigger, stopping
from tracker.scheduler.running import build_scheduler, wait_for_database

log = logging.getLogger("tracker.scheduler")


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
    """Run the export scheduler in the foreground (more than one share the month's workbooks)."""
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
        stopping(app).set()
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


def register(app) -> None:
    app.cli.add_command(scheduler_command)
