"""Exports shared between workers: EXPORT_WORKERS threads in a process, several real scheduler
processes on one database, and a worker killed mid-build whose claim another takes over."""
from __future__ import annotations

import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
from collections import Counter
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path

import psycopg

from tests.exports_support import flask_env, last_month, runs, settings_of
from tracker.demo.seed import seed_demo
from tracker.exports.building import building_root
from tracker.exports.mailer import recipients_for
from tracker.exports.monthly import make_period, scopes_for_period
from tracker.exports.runs import period_dir
from tracker.extensions import db as flask_db
from tracker.shared.timeutil import month_end, utcnow

ROOT = Path(__file__).resolve().parents[2]
SCHEDULER_ONCE = [sys.executable, "-m", "flask", "--app", "tracker", "scheduler", "--once"]
CLAIMED = re.compile(r"claimed \d{4}-\d{2} (\S+) \((new run|run \d+, attempt (\d+))")


def seed_month(db, teams: int, entries: int) -> None:
    """The demo's own bulk seeding: `teams` teams (each with a lead) and `entries` entries last month."""
    seed_demo(db.session, teams=teams, months=1, entries=entries, seed=17, today=month_end(last_month()))


class Scheduler:
    """One `flask --app tracker scheduler --once` process, its log read as it comes."""

    def __init__(self, app, command=SCHEDULER_ONCE, **settings):
        self.proc = subprocess.Popen(command, cwd=ROOT, env=flask_env(app, **settings),
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=lambda: self.lines.extend(self.proc.stderr), daemon=True)
        self._reader.start()

    @property
    def log(self) -> str:
        return "".join(self.lines)

    def wait_for(self, text: str, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while text not in self.log:
            assert self.proc.poll() is None or text in self.log, f"exited before '{text}':\n{self.log}"
            assert time.monotonic() < deadline, f"no '{text}' in:\n{self.log}"
            time.sleep(0.02)

    def finish(self, timeout: float = 120) -> str:
        assert self.proc.wait(timeout=timeout) == 0, self.log
        self._reader.join(timeout=10)
        return self.log

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


@contextmanager
def export_runs_held(url: str):
    """Hold off every claim while the schedulers start: the export_run table (PostgreSQL) or the
    database (SQLite: the one write lock) is locked against writing; reading goes on."""
    if url.startswith("sqlite"):
        connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None, timeout=30)
        connection.execute("BEGIN IMMEDIATE")
        release = lambda: connection.execute("COMMIT")  # noqa: E731
    else:
        connection = psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"))
        connection.execute("LOCK TABLE export_run IN EXCLUSIVE MODE")
        release = connection.commit
    released = False

    def open_the_gate():
        nonlocal released
        if not released:
            release()
            released = True

    try:
        yield open_the_gate
    finally:
        open_the_gate()
        connection.close()


def claims_in(log: str) -> list[tuple[str, int]]:
    """(scope, attempt) of every claim a scheduler logged."""
    return [(scope, int(attempt or 1)) for scope, _kind, attempt in CLAIMED.findall(log)]


def workbook_files(export_dir: Path, month) -> list[str]:
    return sorted(p.name for p in period_dir(export_dir, month).iterdir())


# ---- threads in one process ------------------------------------------------------


def test_export_workers_threads_share_a_month_each_workbook_made_once_in_the_order_listed(app, db, export_dir, caplog):
    seed_month(db, teams=6, entries=600)
    app.config["EXPORT_WORKERS"] = 3
    settings = settings_of(app)
    assert settings.workers == 3
    sessions_given = []

    @contextmanager
    def sessions():
        with app.app_context():
            sessions_given.append(flask_db.session())
            try:
                yield flask_db.session
            finally:
                flask_db.session.remove()

    month = last_month()
    wanted = scopes_for_period(db.session, month)
    caplog.set_level("INFO", logger="tracker.exports")
    made = make_period(db.session, month, "schedule", settings, sessions=sessions)

    assert len(wanted) == 7  # the region and six teams
    assert [run.team_id for run in made] == wanted  # in the order listed, whichever thread made each
    assert all(run.status == "succeeded" and run.attempts == 1 for run in made)
    assert len(runs(db)) == 7 and workbook_files(export_dir, month) == sorted(run.file_name for run in made)
    assert len({id(session) for session in sessions_given}) == 3  # a session of its own per worker
    builders = {record.threadName for record in caplog.records if record.getMessage().startswith("claimed ")}
    assert len(builders) > 1 and all(name.startswith("export-worker") for name in builders), builders
    # Again: everything is made, so no worker claims anything.
    assert make_period(db.session, month, "schedule", settings, sessions=sessions) == []


# ---- several processes ------------------------------------------------------------


def test_scheduler_processes_share_a_month_each_workbook_made_and_emailed_once(app, db, export_dir, smtp_server):
    seed_month(db, teams=8, entries=800)
    month = last_month()
    scopes = scopes_for_period(db.session, month)
    assert len(scopes) == 9
    settings = dict(EXPORT_WORKERS="2", EXPORT_CATCH_UP_MONTHS="1", SMTP_URL=smtp_server.url)
    schedulers = []
    try:
        with export_runs_held(app.config["DATABASE_URL"]) as open_the_gate:
            schedulers = [Scheduler(app, **settings) for _ in range(2)]
            for scheduler in schedulers:  # every process has listed the month and waits to claim
                scheduler.wait_for("making up to 9 workbook(s) with 2 worker(s)")
            time.sleep(0.3)
            open_the_gate()
        logs = [scheduler.finish() for scheduler in schedulers]
    finally:
        for scheduler in schedulers:
            scheduler.stop()

    made = runs(db)
    assert sorted(run.team_id or 0 for run in made) == sorted(scope or 0 for scope in scopes)
    assert all(run.period == month and run.status == "succeeded" and run.attempts == 1 for run in made)
    assert workbook_files(export_dir, month) == sorted(run.file_name for run in made)  # no leftovers
    assert not building_root(export_dir).exists()
    # Each workbook claimed once, and every process claimed some.
    claims = [claims_in(log) for log in logs]
    assert Counter(scope for claimed in claims for scope, _ in claimed) == Counter(run.scope for run in made)
    assert all(claimed for claimed in claims), [len(c) for c in claims]
    pids = {scheduler.proc.pid for scheduler in schedulers}
    assert {int(run.claimed_by.split(":")[1]) for run in made} == pids
    # Each workbook emailed once, to its own recipients, whichever process made it.
    workbooks = [m for m in smtp_server.messages if m["Subject"].startswith("Reporting burden workbook")]
    assert all(recipients_for(db.session, run) and run.emailed_at is not None for run in made)
    assert len(workbooks) == len(made) and len({m["Subject"] for m in workbooks}) == len(made)


def test_a_worker_killed_mid_build_leaves_a_claim_that_one_of_the_others_takes_over(app, db, export_dir):
    seed_month(db, teams=3, entries=4000)
    month = last_month()
    stale = dict(EXPORT_STALE_MINUTES="0.05", EXPORT_HEARTBEAT_SECONDS="1", EXPORT_CATCH_UP_MONTHS="1")
    building = building_root(export_dir)
    victim = Scheduler(app, EXPORT_WORKERS="1", **stale)
    takers = []
    try:
        # The victim makes the region workbook first (every entry of the month): kill it while it builds.
        prefix = f"{socket.gethostname()}.{victim.proc.pid}."
        deadline = time.monotonic() + 60
        while not (building.is_dir() and any(p.name.startswith(prefix) for p in building.iterdir())):
            assert victim.proc.poll() is None, victim.log
            assert time.monotonic() < deadline, victim.log
            time.sleep(0.005)
        os.kill(victim.proc.pid, signal.SIGKILL)
        victim.proc.wait(timeout=30)

        (held,) = runs(db)
        assert held.scope == "region" and held.status == "running" and held.file_name is None
        assert int(held.claimed_by.split(":")[1]) == victim.proc.pid
        assert [p for p in building.iterdir() if p.name.startswith(prefix)]  # its half-made build
        assert not period_dir(export_dir, month).exists() or workbook_files(export_dir, month) == []

        # Once its heartbeat is older than EXPORT_STALE_MINUTES, two workers race to take it over.
        time.sleep(max((held.heartbeat_at + timedelta(minutes=0.05) - utcnow()).total_seconds(), 0) + 0.5)
        takers = [Scheduler(app, EXPORT_WORKERS="2", **stale) for _ in range(2)]
        logs = [taker.finish() for taker in takers]
    finally:
        for scheduler in [victim, *takers]:
            scheduler.stop()

    made = runs(db)
    region = next(run for run in made if run.scope == "region")
    assert region.id == held.id and region.status == "succeeded" and region.attempts == 2
    assert int(region.claimed_by.split(":")[1]) in {taker.proc.pid for taker in takers}
    assert region.rows == 4000
    assert all(run.status == "succeeded" and run.attempts == 1 for run in made if run.scope != "region")
    assert len(made) == len(scopes_for_period(db.session, month))
    # Taken over exactly once, each team made once, one file each, the dead build's folder cleared.
    claims = [claim for log in logs for claim in claims_in(log)]
    assert claims.count(("region", 2)) == 1 and ("region", 1) not in claims
    assert Counter(scope for scope, _ in claims) == Counter(run.scope for run in made)
    assert workbook_files(export_dir, month) == sorted(run.file_name for run in made)
    assert not building.exists() or not [p for p in building.iterdir() if p.name.startswith(prefix)]


def test_a_scheduler_asked_to_stop_finishes_the_workbook_in_hand_claims_no_more_and_another_makes_the_rest(app, db, export_dir):
    seed_month(db, teams=8, entries=800)
    month = last_month()
    settings = dict(EXPORT_WORKERS="1", EXPORT_CATCH_UP_MONTHS="1")
    stopped = Scheduler(app, SCHEDULER_ONCE[:-1], **settings)  # the foreground scheduler, as systemd runs it
    try:
        stopped.wait_for("claimed ")
        stopped.proc.send_signal(signal.SIGTERM)
        stopped.finish(timeout=60)
    finally:
        stopped.stop()
    assert "SIGTERM" in stopped.log and "export scheduler stopped" in stopped.log
    before = runs(db)
    assert 1 <= len(before) < 9 and all(run.status == "succeeded" for run in before)  # nothing left half made

    rest = Scheduler(app, **settings)
    rest.finish()
    made = runs(db)
    assert len(made) == 9 and all(run.status == "succeeded" and run.attempts == 1 for run in made)
    assert workbook_files(export_dir, month) == sorted(run.file_name for run in made)
