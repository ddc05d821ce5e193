"""The export scheduler: when months are due, catch-up on start, the database guard
against two schedulers (real processes), and the foreground command's clean stop."""
from __future__ import annotations

import multiprocessing
import os
import re
import signal
import subprocess
import sys
import threading
import time
from datetime import date, datetime
from pathlib import Path

from apscheduler.jobstores.memory import MemoryJobStore
from apscheduler.schedulers.background import BackgroundScheduler
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select, update

from tests.exports_support import LONDON, flask_env, runs, settings_of
from tracker.models.exports import ExportRun
from tracker.exports.runs import ExportSettings, claim_run, period_dir
from tracker.exports.monthly import make_period
from tracker.scheduler.jobs import (
    APPLY_JOB_ID,
    CATCH_UP_JOB_ID,
    DIGEST_JOB_ID,
    HEARTBEAT_JOB_ID,
    MONTHLY_JOB_ID,
    PARTITIONS_JOB_ID,
    REMINDER_JOB_ID,
    RETRY_JOB_ID,
    catch_up,
    due_periods,
)
from tracker.scheduler.running import build_scheduler, start_background_scheduler

ROOT = Path(__file__).resolve().parents[2]


# ---- which months are due ------------------------------------------------------


def test_a_month_is_due_once_its_cron_time_has_passed_in_local_time():
    trigger = CronTrigger.from_crontab("0 6 1 * *", timezone="Europe/London")
    before = datetime(2026, 4, 1, 5, 59, tzinfo=LONDON)
    after = datetime(2026, 4, 1, 6, 0, tzinfo=LONDON)
    assert due_periods(trigger, before, 1) == [date(2026, 2, 1)]
    assert due_periods(trigger, after, 1) == [date(2026, 3, 1)]
    assert due_periods(trigger, datetime(2026, 4, 20, tzinfo=LONDON), 3) == [date(2026, 3, 1), date(2026, 2, 1), date(2026, 1, 1)]
    # January's run is in February; the year turns correctly.
    assert due_periods(trigger, datetime(2026, 1, 15, tzinfo=LONDON), 2) == [date(2025, 12, 1), date(2025, 11, 1)]


def test_the_scheduler_has_one_deterministic_cron_job_in_a_private_memory_store(app, export_dir):
    app.config["EXPORT_CRON"] = "30 7 2 * *"
    scheduler = build_scheduler(app, BackgroundScheduler)
    scheduler.start(paused=True)  # job defaults apply once started; paused: nothing runs
    job = scheduler.get_job(MONTHLY_JOB_ID)
    assert isinstance(job.trigger, CronTrigger)
    assert str(job.trigger.timezone) == "Europe/London"
    fields = {f.name: str(f) for f in job.trigger.fields}
    assert (fields["minute"], fields["hour"], fields["day"]) == ("30", "7", "2")
    assert job.coalesce is True and job.misfire_grace_time > 0 and job.max_instances == 1
    assert {j.id for j in scheduler.get_jobs()} == {MONTHLY_JOB_ID, RETRY_JOB_ID, CATCH_UP_JOB_ID, DIGEST_JOB_ID, APPLY_JOB_ID, REMINDER_JOB_ID,
                                               HEARTBEAT_JOB_ID, PARTITIONS_JOB_ID}
    assert str(scheduler.get_job(DIGEST_JOB_ID).trigger) == str(job.trigger)  # the digest goes with the workbooks
    assert isinstance(scheduler._jobstores["default"], MemoryJobStore)
    # Adding the job again replaces it rather than duplicating it.
    scheduler.add_job(print, job.trigger, id=MONTHLY_JOB_ID, replace_existing=True)
    assert len([j for j in scheduler.get_jobs() if j.id == MONTHLY_JOB_ID]) == 1
    scheduler.shutdown(wait=False)


def test_create_app_never_starts_a_scheduler(make_app):
    before = {t.name for t in threading.enumerate()}
    app = make_app(SCHEDULER_ENABLED=True)
    assert "export_scheduler" not in app.extensions
    assert not [t for t in threading.enumerate() if t.name not in before and "APScheduler" in t.name]


# ---- catch-up --------------------------------------------------------------------


def test_catch_up_on_start_makes_the_missing_workbooks_and_leaves_made_ones_alone(app, db, export_dir, world):
    settings = settings_of(app)
    # The team workbooks were made; the region one was missed (the server was down).
    made = make_period(db.session, world.month, "schedule", settings)
    region = next(r for r in made if r.scope == "region")
    (period_dir(export_dir, world.month) / region.file_name).unlink()
    db.session.delete(db.session.get(ExportRun, region.id))
    db.session.commit()
    team_digests = {r.scope: r.sha256 for r in runs(db)}

    catch_up(app)

    after = {r.scope: r for r in runs(db)}
    assert after["region"].status == "succeeded" and after["region"].trigger == "catch_up"
    assert (period_dir(export_dir, world.month) / after["region"].file_name).is_file()
    for scope, digest in team_digests.items():
        assert after[scope].sha256 == digest and after[scope].attempts == 1


def test_catch_up_also_retries_failed_runs(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(status="failed", error="OSError: No space left on device"))
    db.session.commit()
    catch_up(app)
    fixed = db.session.get(ExportRun, run.id, populate_existing=True)
    assert fixed.status == "succeeded" and fixed.attempts == 2 and fixed.error is None


def test_background_scheduler_catches_up_in_process(app, db, export_dir, world):
    scheduler = start_background_scheduler(app)
    try:
        assert scheduler.running and app.extensions["export_scheduler"] is scheduler
        assert start_background_scheduler(app) is scheduler  # never a second one
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            done = [r for r in runs(db) if r.status == "succeeded"]
            if len(done) == 3:
                break
            time.sleep(0.2)
        assert sorted(r.scope for r in done) == sorted(["region", f"team:{world.team.id}", f"team:{world.other_team.id}"])
    finally:
        scheduler.shutdown(wait=True)
        app.extensions.pop("export_scheduler", None)


# ---- two schedulers at once: real processes on one database -------------------


def _claim_in_a_process(url, folder, period_iso, team_id, barrier, results):
    """Runs in a spawned process: connect, wait for the others, then all claim at once;
    twice: first a new run (INSERT race), then, once the test has marked it failed, its retry
    (conditional UPDATE race)."""
    from tracker import create_app
    from tracker.extensions import db

    app = create_app({"TESTING": True, "APP_ENV": "testing", "SECRET_KEY": "x", "DATABASE_URL": url, "EXPORT_DIR": folder, "SCHEDULER_ENABLED": False})
    with app.app_context():
        settings = ExportSettings.from_config(app.config)
        db.session.execute(select(1))
        db.session.rollback()
        for _round in range(2):
            barrier.wait(timeout=120)
            run = claim_run(db.session, date.fromisoformat(period_iso), team_id, "schedule", settings)
            results.put((os.getpid(), run.id if run else None, run.attempts if run else None))
        db.session.remove()


def test_claims_racing_in_separate_processes_have_exactly_one_winner(app, db, export_dir, world):
    processes = 3
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)  # the workers and this test
    results = context.Queue()
    workers = [
        context.Process(
            target=_claim_in_a_process,
            args=(app.config["DATABASE_URL"], app.config["EXPORT_DIR"], world.month.isoformat(), world.team.id, barrier, results),
        )
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        # Round 1: all INSERT the same (period, scope) at once.
        barrier.wait(timeout=180)
        first = [results.get(timeout=120) for _ in workers]
        winners = [o for o in first if o[1] is not None]
        assert len(winners) == 1, first
        assert len(runs(db)) == 1 and runs(db)[0].attempts == 1

        # Round 2: the run failed; all try to retry it at once.
        db.session.execute(update(ExportRun).values(status="failed", error="OSError: disk full"))
        db.session.commit()
        barrier.wait(timeout=60)
        second = [results.get(timeout=120) for _ in workers]
        winners = [o for o in second if o[1] is not None]
        assert len(winners) == 1, second
        assert winners[0][2] == 2
        only = runs(db)
        assert len(only) == 1 and only[0].status == "running" and only[0].attempts == 2
    finally:
        for worker in workers:
            worker.join(timeout=60)
            if worker.is_alive():
                worker.kill()
    assert all(worker.exitcode == 0 for worker in workers)


def test_two_scheduler_processes_make_exactly_one_workbook_per_month_and_scope(app, db, export_dir, world):
    command = [sys.executable, "-m", "flask", "--app", "tracker", "scheduler", "--once"]
    env = flask_env(app)
    procs = [subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    outputs = [p.communicate(timeout=300) for p in procs]
    for proc, (_out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err

    made = runs(db)
    expected = sorted(["region", f"team:{world.team.id}", f"team:{world.other_team.id}"])
    assert sorted(r.scope for r in made) == expected
    assert all(r.period == world.month and r.status == "succeeded" and r.attempts == 1 for r in made)
    files = sorted(p.name for p in period_dir(export_dir, world.month).iterdir())
    assert files == sorted(r.file_name for r in made)  # one file each, no temporary leftovers

    # Each scope was claimed by exactly one of the two processes.
    claims = re.findall(r"claimed \d{4}-\d{2} (\S+) \(new run", "".join(err for _out, err in outputs))
    assert sorted(claims) == expected
    pids = {p.pid for p in procs}
    assert {int(r.claimed_by.split(":")[1]) for r in made} <= pids


def test_the_foreground_scheduler_catches_up_then_stops_cleanly_on_sigterm(app, db, export_dir, world):
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "tracker", "scheduler"],
        cwd=ROOT,
        env=flask_env(app),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and len([r for r in runs(db) if r.status == "succeeded"]) < 3:
            assert proc.poll() is None, "".join(lines)
            time.sleep(0.3)
        assert len([r for r in runs(db) if r.status == "succeeded"]) == 3
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=60) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
    reader.join(timeout=10)
    log = "".join(lines)
    assert "export scheduler started" in log and "Europe/London" in log
    assert "SIGTERM" in log and "export scheduler stopped" in log


def test_the_scheduler_command_refuses_a_bad_cron_expression(app, export_dir):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "scheduler", "--once"],
        cwd=ROOT,
        env=flask_env(app, EXPORT_CRON="every month please"),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "EXPORT_CRON 'every month please' is not a crontab expression" in result.stderr
