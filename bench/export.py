"""Benchmark: the monthly workbook against a bare openpyxl write-only dump of the same rows.

    .venv/bin/python bench/export.py [--entries 150000] [--teams 40] [--repeat 3]

1. Builds a fresh SQLite file holding one month of `--entries` entries
   (seed-demo's bulk loader when it is installed, otherwise a plain bulk insert).
2. Runs, each in a fresh Python process and alternating, `--repeat` times:
   - workbook: `build_workbook` for that month, every team (all seven sheets, charts, styles);
   - bare: a plain SELECT of the same entries' columns written row by row to a
     write-only openpyxl sheet and saved.
   Each child times its own work (after imports and app start-up: wall clock
   and CPU time) and reports its peak RSS (VmHWM, which exec resets); the
   parent also reads the child's ru_maxrss from wait4(). Seeding runs in its
   own process too, so no child starts life with the seeder's memory.
3. Prints the median time and the highest peak of each, and the ratios.

Targets (issue 4): workbook time < 1.5 x the bare dump's, peak RSS < 250 MB."""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MONTH = date(2026, 10, 1)
TIME_TARGET = 1.5
MEMORY_TARGET_MB = 250


def make_app(db_path: Path):
    os.environ.setdefault("APP_ENV", "testing")
    from tracker import create_app

    return create_app({
        "TESTING": True, "APP_ENV": "testing", "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False,
        "DATABASE_URL": f"sqlite:///{db_path}", "EXPORT_DIR": str(db_path.parent / "exports"),
        "SMTP_URL": None,
    })


# ---- data --------------------------------------------------------------------


def seed(db_path: Path, entries: int, teams: int) -> None:
    app = make_app(db_path)
    with app.app_context():
        from flask_migrate import upgrade

        from tracker.extensions import db

        upgrade()
        started = time.perf_counter()
        try:
            from tracker.demo.seed import seed_demo
        except ImportError:
            seed_demo = None
        if seed_demo is not None:
            result = seed_demo(db.session, teams=teams, months=1, entries=entries, seed=7,
                               today=MONTH.replace(day=31))
            written = result.entries
        else:
            written = _plain_insert(db.session, entries, teams)
        print(f"seeded {written:,} entries over {teams} teams in {time.perf_counter() - started:.1f} s",
              file=sys.stderr)


def _plain_insert(session, entries: int, teams: int) -> int:
    """Fallback when seed-demo is not installed: enough catalogue for realistic labels, then bulk rows."""
    import random

    from sqlalchemy import insert

    from tracker.models.auth import User
    from tracker.models.catalogue import Request, Source, Team
    from tracker.models.entries import Entry

    rng = random.Random(7)
    sources = [Source(name=f"Source {i}", kind="national_body") for i in range(12)]
    team_rows = [Team(name=f"Team {i}", slug=f"team-{i}", organisation="Trust", sector="nhs_trust")
                 for i in range(teams)]
    users = [User(email=f"u{i}@example.nhs.uk", name=f"User {i}", role="manager") for i in range(teams * 3)]
    session.add_all(sources + team_rows + users)
    session.flush()
    requests = [Request(title=f"Return {i}", source_id=rng.choice(sources).id, frequency="monthly",
                        obligation="contractual") for i in range(120)]
    session.add_all(requests)
    session.flush()
    now = datetime.now(timezone.utc)
    bands = ["3", "4", "5", "6", "7", "8a", "other"]
    batch = []
    for n in range(entries):
        batch.append({
            "request_id": rng.choice(requests).id, "team_id": rng.choice(team_rows).id,
            "logged_by_id": rng.choice(users).id, "occurred_on": MONTH + timedelta(days=rng.randrange(31)),
            "minutes": rng.randint(5, 240), "band": rng.choice(bands), "duplicated_elsewhere": "no",
            "used": "unknown", "notes": "" if n % 4 else "Chased twice for the figures", "created_at": now,
            "updated_at": now,
        })
        if len(batch) == 20_000:
            session.execute(insert(Entry), batch)
            batch = []
    if batch:
        session.execute(insert(Entry), batch)
    session.commit()
    return entries


# ---- the two measured jobs (each in its own process) ---------------------------


def run_workbook(db_path: Path, out: Path) -> dict:
    app = make_app(db_path)
    with app.app_context():
        from tracker.exports.workbook import build_workbook
        from tracker.extensions import db

        started, cpu = time.perf_counter(), time.process_time()
        result = build_workbook(db.session, month=MONTH, team_ids=None, path=out, scope_label="All teams")
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "rows": result.rows,
                "bytes": result.size}


def run_bare(db_path: Path, out: Path) -> dict:
    app = make_app(db_path)
    with app.app_context():
        from openpyxl import Workbook
        from sqlalchemy import select

        from tracker.models.entries import Entry
        from tracker.extensions import db

        started, cpu = time.perf_counter(), time.process_time()
        columns = (Entry.id, Entry.occurred_on, Entry.team_id, Entry.request_id, Entry.logged_by_id, Entry.minutes,
                   Entry.band, Entry.duplicated_elsewhere, Entry.used, Entry.notes)
        query = (select(*columns)
                 .where(Entry.deleted_at.is_(None), Entry.occurred_on >= MONTH,
                        Entry.occurred_on < date(MONTH.year + MONTH.month // 12, MONTH.month % 12 + 1, 1))
                 .order_by(Entry.occurred_on, Entry.id)
                 .execution_options(yield_per=5000))
        wb = Workbook(write_only=True)
        ws = wb.create_sheet("Entries")
        ws.append([c.key for c in columns])
        rows = 0
        for row in db.session.execute(query):
            ws.append(tuple(row))
            rows += 1
        wb.save(out)
        return {"seconds": time.perf_counter() - started, "cpu": time.process_time() - cpu, "rows": rows,
                "bytes": out.stat().st_size}


def measure(job: str, db_path: Path, out: Path) -> dict:
    """Run one job in a fresh interpreter: its own timings and VmHWM, and its ru_maxrss from wait4."""
    child = subprocess.Popen([sys.executable, __file__, "--job", job, "--db", str(db_path), "--out", str(out)],
                             stdout=subprocess.PIPE, cwd=ROOT)
    output = child.stdout.read()
    _, status, usage = os.wait4(child.pid, 0)
    child.returncode = os.waitstatus_to_exitcode(status)
    if child.returncode:
        raise SystemExit(f"{job} run failed ({child.returncode})")
    result = json.loads(output)
    result["maxrss_mb"] = usage.ru_maxrss / 1024  # KiB on Linux
    result["peak_mb"] = result["vm_hwm_mb"]
    return result


def peak_rss_mb() -> float:
    """This process's peak resident set (VmHWM), in MB."""
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--entries", type=int, default=150_000)
    parser.add_argument("--teams", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--job", choices=("workbook", "bare", "seed"), help=argparse.SUPPRESS)
    parser.add_argument("--db", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()

    if args.job == "seed":
        seed(args.db, args.entries, args.teams)
        return
    if args.job:
        job = run_workbook if args.job == "workbook" else run_bare
        result = job(args.db, args.out)
        result["vm_hwm_mb"] = peak_rss_mb()
        print(json.dumps(result))
        return

    work = Path(tempfile.mkdtemp(prefix="bench-export-"))
    try:
        db_path = work / "bench.sqlite"
        subprocess.run([sys.executable, __file__, "--job", "seed", "--db", str(db_path), "--entries",
                        str(args.entries), "--teams", str(args.teams)], check=True, cwd=ROOT)
        runs = {"workbook": [], "bare": []}
        for i in range(args.repeat):
            for job in ("bare", "workbook"):
                result = measure(job, db_path, work / f"{job}.xlsx")
                runs[job].append(result)
                print(f"run {i + 1} {job:8} {result['seconds']:6.2f} s (CPU {result['cpu']:6.2f} s)  "
                      f"peak {result['peak_mb']:6.1f} MB (wait4 {result['maxrss_mb']:6.1f})  "
                      f"{result['rows']:,} rows  {result['bytes'] / 1e6:.1f} MB file", file=sys.stderr)
        summary = {job: {"seconds": statistics.median(r["seconds"] for r in rs),
                         "cpu": statistics.median(r["cpu"] for r in rs),
                         "peak_mb": max(r["peak_mb"] for r in rs), "rows": rs[0]["rows"]}
                   for job, rs in runs.items()}
        w, b = summary["workbook"], summary["bare"]
        ratio, cpu_ratio = w["seconds"] / b["seconds"], w["cpu"] / b["cpu"]
        print(f"entries in the month:     {w['rows']:,} (bare dump: {b['rows']:,}); "
              f"median of {args.repeat} runs each, peak = highest")
        print(f"bare write-only dump:     {b['seconds']:6.2f} s (CPU {b['cpu']:6.2f} s)   peak {b['peak_mb']:6.1f} MB")
        print(f"whole workbook:           {w['seconds']:6.2f} s (CPU {w['cpu']:6.2f} s)   peak {w['peak_mb']:6.1f} MB")
        print(f"time ratio:               {ratio:6.2f} x wall, {cpu_ratio:.2f} x CPU  (target < {TIME_TARGET} x: "
              f"{'met' if ratio < TIME_TARGET else 'MISSED'})")
        print(f"peak RSS:                 {w['peak_mb']:6.1f} MB (target < {MEMORY_TARGET_MB} MB: "
              f"{'met' if w['peak_mb'] < MEMORY_TARGET_MB else 'MISSED'}); "
              f"{w['peak_mb'] / b['peak_mb']:.2f} x the bare dump's")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
