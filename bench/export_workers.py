"""Exports shared between workers: a month of 1,000 team workbooks made by one worker, then by two.

    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/DB?options=-csearch_path%3Dbench_export_workers' \\
        .venv/bin/python bench/export_workers.py   # --teams 1000 --entries 200000 --runs 1x1,2x1,1x2

Seeds `seed-demo --teams 1000 --months 1 --entries 200000` (last month) into the
database unless it already holds that month (then it is reused as it is; on
PostgreSQL give the URL a schema of its own: bench/burden.py's prepare_schema
makes it). Then, for each run "PxW" (P processes, EXPORT_WORKERS=W threads in
each), it deletes the month's export runs, starts the P processes at once, each
doing what the scheduler's catch-up does for the month (`make_period` with the
scheduler's `worker_sessions`: every worker claims the next scope, builds it,
moves on), and times from their start to the last one's exit (app start-up
included), and the builds alone (first claim to last finish, from the rows).

It checks that every scope of the month was made exactly once (one succeeded
run each, attempts 1, one file each) and prints how many each process made,
the times, the worker processes' CPU time (every thread), the ratio to the
first run, and the load average before and after. On a machine other work
keeps busy, compare the CPU a workbook: wall time only shrinks with cores to spare."""
from __future__ import annotations

import argparse
import importlib.util
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")

_spec = importlib.util.spec_from_file_location("bench_burden", ROOT / "bench" / "burden.py")
bench_burden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_burden)  # its schema preparation, so the benchmarks set up alike


def make_app(url: str, export_dir: str | None = None, workers: int = 1):
    from tracker import create_app

    return create_app({"DATABASE_URL": url, "SCHEDULER_ENABLED": False, "SMTP_URL": None, "LOG_LEVEL": "WARNING",
                       "EXPORT_DIR": export_dir or str(ROOT / "instance" / "bench-exports"), "EXPORT_WORKERS": workers})


def seeded_month(app, args) -> date:
    """The month the database holds; seeded (last month) when it holds none."""
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tracker.demo.seed import seed_demo
    from tracker.extensions import db
    from tracker.models.catalogue import Team
    from tracker.models.entries import Entry
    from tracker.shared.timeutil import add_months, month_end, month_start

    with app.app_context():
        upgrade()
        teams = db.session.scalar(select(func.count()).select_from(Team))
        latest = db.session.scalar(select(func.max(Entry.occurred_on)))
        if teams:
            if teams != args.teams or latest is None:
                sys.exit(f"The database holds {teams} teams, not {args.teams}: point at an empty schema.")
            entries = db.session.scalar(select(func.count()).select_from(Entry))
            print(f"Reusing {teams:,} teams and {entries:,} entries already in the database.")
            return month_start(latest)
        month = add_months(month_start(date.today()), -1)
        print(f"Seeding {args.entries:,} entries ({args.teams} teams, {month:%Y-%m})...", flush=True)
        started = time.perf_counter()
        seed_demo(db.session, teams=args.teams, months=1, entries=args.entries, seed=args.seed, today=month_end(month))
        print(f"Seeded in {time.perf_counter() - started:.1f} s (seed-demo's bulk path).")
        return month


# ---- one worker process ---------------------------------------------------------------


def run_worker(url: str, month: date, workers: int, export_dir: str) -> dict:
    """What the scheduler's catch-up does for one month, in this process, with `workers` threads."""
    from tracker.exports.monthly import make_period
    from tracker.exports.runs import ExportSettings
    from tracker.extensions import db
    from tracker.scheduler.jobs import worker_sessions

    app = make_app(url, export_dir, workers)
    with app.app_context():
        started, cpu = time.perf_counter(), time.process_time()
        made = make_period(db.session, month, "catch_up", ExportSettings.from_config(app.config),
                           sessions=worker_sessions(app))
        return {"pid": os.getpid(), "made": len(made), "seconds": time.perf_counter() - started,
                "cpu": time.process_time() - cpu}  # every thread of this process


# ---- the runs -------------------------------------------------------------------------


def clear_month(app, month: date) -> None:
    from sqlalchemy import delete

    from tracker.extensions import db
    from tracker.models.exports import ExportRun

    with app.app_context():
        db.session.execute(delete(ExportRun).where(ExportRun.period == month))
        db.session.commit()


def one_run(app, args, month: date, processes: int, workers: int) -> dict:
    clear_month(app, month)
    export_dir = Path(tempfile.mkdtemp(prefix="bench-export-workers-"))
    command = [sys.executable, __file__, "--job", "worker", "--database-url", args.database_url,
               "--month", month.isoformat(), "--workers", str(workers), "--export-dir", str(export_dir)]
    load_before = os.getloadavg()
    started = time.perf_counter()
    children = [subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(processes)]
    outputs = [child.communicate() for child in children]
    wall = time.perf_counter() - started
    load_after = os.getloadavg()
    for child, (_out, err) in zip(children, outputs):
        if child.returncode:
            sys.exit(f"a worker process failed ({child.returncode}):\n{err[-3000:]}")
    reports = [json.loads(out.strip().splitlines()[-1]) for out, _err in outputs]
    try:
        return {"wall": wall, "reports": reports, "load": (load_before, load_after),
                **checked(app, month, export_dir)}
    finally:
        shutil.rmtree(export_dir, ignore_errors=True)


def checked(app, month: date, export_dir: Path) -> dict:
    """Every scope made exactly once: one succeeded run each, first attempt, one file each."""
    from sqlalchemy import func, select

    from tracker.exports.monthly import scopes_for_period
    from tracker.exports.runs import period_dir
    from tracker.extensions import db
    from tracker.models.exports import ExportRun

    with app.app_context():
        scopes = scopes_for_period(db.session, month)
        made = list(db.session.scalars(select(ExportRun).where(ExportRun.period == month)))
        span = db.session.execute(
            select(func.min(ExportRun.started_at), func.max(ExportRun.finished_at)).where(ExportRun.period == month)
        ).one()
    files = sorted(p.name for p in period_dir(export_dir, month).iterdir())
    problems = []
    if sorted(r.team_id or 0 for r in made) != sorted(s or 0 for s in scopes):
        problems.append(f"{len(made)} runs for {len(scopes)} scopes")
    if any(r.status != "succeeded" or r.attempts != 1 for r in made):
        problems.append("a run failed or was built more than once")
    if files != sorted(r.file_name for r in made):
        problems.append(f"{len(files)} files for {len(made)} runs")
    if problems:
        sys.exit("NOT made exactly once: " + "; ".join(problems))
    by_process = Counter(r.claimed_by.split(":")[1] for r in made)
    return {"scopes": len(scopes), "builds": (span[1] - span[0]).total_seconds(), "by_process": by_process}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--entries", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--runs", default="1x1,2x1,1x2", help="processes x EXPORT_WORKERS each, comma-separated")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL")
                        or f"sqlite:///{ROOT / 'instance' / 'bench-export-workers.sqlite'}")
    parser.add_argument("--job", choices=("worker",), help=argparse.SUPPRESS)
    parser.add_argument("--month", help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    parser.add_argument("--export-dir", help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.job == "worker":
        print(json.dumps(run_worker(args.database_url, date.fromisoformat(args.month), args.workers, args.export_dir)))
        return

    bench_burden.prepare_schema(args.database_url)
    app = make_app(args.database_url)
    month = seeded_month(app, args)
    with app.app_context():
        from tracker.extensions import db

        dialect = db.engine.dialect.name
    print(f"{dialect}, {month:%Y-%m}, {os.cpu_count()} cores; each run: the month's workbooks from nothing")
    first = None
    for spec in filter(None, args.runs.split(",")):  # --runs "": seed only
        processes, workers = (int(n) for n in spec.lower().split("x"))
        result = one_run(app, args, month, processes, workers)
        first = first or result["wall"]
        shares = " + ".join(str(n) for n in sorted(result["by_process"].values(), reverse=True))
        cpu = sum(report["cpu"] for report in result["reports"])
        (b1, _, _), (a1, _, _) = result["load"]
        print(f"{processes} process(es) x {workers} worker(s): {result['scopes']:,} workbooks made once each "
              f"({shares}) in {result['wall']:7.1f} s wall ({result['builds']:6.1f} s of builds, "
              f"{cpu:6.1f} s CPU in the workers: {cpu / result['scopes'] * 1000:.0f} ms a workbook); "
              f"{first / result['wall']:.2f} x the first run's speed; load average {b1:.2f} -> {a1:.2f}", flush=True)


if __name__ == "__main__":
    main()
