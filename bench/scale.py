"""A nation's volume: 10M entries over 1,000 teams and 24 months on PostgreSQL, served by gunicorn.

    .venv/bin/python bench/scale.py                          # 10M entries, schema scale_10m of database test
    .venv/bin/python bench/scale.py --entries 1000000        # 1M: schema scale_1m (the road to 100M)
    .venv/bin/python bench/scale.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/other

Seeds `seed-demo --teams 1000 --months 24 --entries N --seed 42` into a schema
of its own (`scale_1m`, `scale_10m`, ...), or reuses it when it already holds
that many entries. Then, in one run, it serves the app with gunicorn
(APP_ENV=production, --workers) and calls it as users reach it: a new
connection per call, signed in through the login page, one call at a time,
--repeat times after two warm-ups. Beside each it times the bare GROUP BY of
the same period in this process, --repeat times, so every figure has a
baseline measured on this machine, now:

| target | call | bare | limit |
| --- | --- | --- | --- |
| burden API | GET /api/v1/burden?group_by=team, 12 months (both ends partial) | entries by team | p95 50 ms |
| commissioner's dashboard | GET /burden/ (the page as opened) | entries by team | p95 300 ms |
| manager's dashboard | GET /burden/ as the demo manager | that team's entries by request | p95 150 ms |
| ranked catalogue API | GET /api/v1/requests?sort=-projected_annual_cost | entries by request | p95 300 ms |
| ranked catalogue page | GET /workspace/ | entries by request | p95 300 ms |
| likely duplicates | find_duplicates over 2,000 requests (bench/rationalise.py's) | entries by request | p95 1 s |
| region workbook | build_workbook, last whole month, every team, own process | write-only dump of the month | 60 s, 250 MB |

It checks the figures against the entries: the burden API's minutes against
the bare query's, the ranked catalogue's hours per request against the bare
query's, the workbook's rows against the month's live entries. It prints the
load average beside the figures and exits non-zero when a check fails or a
target is missed. Figures: bench/README.md."""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import burden as bench_burden  # noqa: E402  (bench/burden.py: seeding, bare queries)
import load as bench_load  # noqa: E402  (bench/load.py: gunicorn, calls, signing in)
import rationalise as bench_rationalise  # noqa: E402  (bench/rationalise.py: 2,000 requests for duplicates)

ROOT = bench_burden.ROOT
POSTGRES_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
BY_TEAM = bench_burden.BARE_BY_TEAM
BY_REQUEST = ("SELECT request_id, count(*), sum(minutes) FROM entry "
              "WHERE deleted_at IS NULL AND occurred_on BETWEEN :start AND :end GROUP BY request_id")
ONE_TEAM_BY_REQUEST = ("SELECT request_id, count(*), sum(minutes) FROM entry WHERE deleted_at IS NULL "
                       "AND team_id = :team AND occurred_on BETWEEN :start AND :end GROUP BY request_id")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=40, help="timed calls of each page (after 2 warm-ups)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers")
    parser.add_argument("--postgres-url", default=os.environ.get("BENCH_POSTGRES_URL", POSTGRES_URL))
    parser.add_argument("--pg-settings", default="-c jit=off -c work_mem=64MB",
                        help="server settings for the app's connections (docs/operations.md, 'Running it for a nation')")
    parser.add_argument("--schema", help="the schema to seed or reuse (default: scale_1m, scale_10m, ... by --entries)")
    parser.add_argument("--skip-workbook", action="store_true", help="leave out the region workbook (minutes at 10M)")
    parser.add_argument("--job", choices=("workbook", "dump"), help=argparse.SUPPRESS)
    parser.add_argument("--month", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.database_url:
        joiner = "&" if "?" in args.postgres_url else "?"
        settings = args.pg_settings.replace(" ", "%20").replace("=", "%3D")
        args.database_url = (f"{args.postgres_url}{joiner}options=-csearch_path%3D{args.schema or schema_name(args.entries)}"
                             + (f"%20{settings}" if settings else ""))
    return args


def schema_name(entries: int) -> str:
    """scale_1m, scale_10m, scale_30m, ... (scale_250k below a million)."""
    if entries % 1_000_000 == 0:
        return f"scale_{entries // 1_000_000}m"
    return f"scale_{entries // 1000}k"


def load_average() -> str:
    return " ".join(Path("/proc/loadavg").read_text().split()[:3])


def percentiles(seconds: list[float]) -> dict:
    ordered = sorted(seconds)
    return {"p50": statistics.median(ordered) * 1000, "p95": bench_load.percentile(ordered, 0.95) * 1000,
            "n": len(ordered)}


def timed_calls(action, repeat: int, warm_ups: int = 2) -> dict:
    for _ in range(warm_ups):
        action()
    seconds = []
    for _ in range(repeat):
        started = time.perf_counter()
        action()
        seconds.append(time.perf_counter() - started)
    return percentiles(seconds)


# ---- the pages, through gunicorn ------------------------------------------------------


def page_call(port: int, cookie: str, path: str, bodies: dict | None = None):
    """A timed action: GET path signed in with `cookie`; the last body is kept in `bodies[path]`."""

    def call():
        status, body, _ = bench_load.call(port, "GET", path, headers={"Cookie": cookie})
        if status != 200:
            raise SystemExit(f"GET {path} answered {status}: {body[:300]!r}")
        if bodies is not None:
            bodies[path] = body
        return body

    return call


def manager_team(app) -> int:
    """The demo manager's first team (the manager's dashboard shows it)."""
    from sqlalchemy import select

    from tracker.demo import data
    from tracker.extensions import db
    from tracker.models.auth import Membership, User

    with app.app_context():
        return db.session.scalar(
            select(Membership.team_id).join(User, User.id == Membership.user_id)
            .where(User.email == data.MANAGER_EMAIL).order_by(Membership.team_id).limit(1)
        )


def measure_pages(app, args, env: dict, folder: Path) -> tuple[dict, dict, list[str]]:
    from tracker.burden.filters import default_period
    from tracker.demo import data
    from tracker.shared.timeutil import local_today
    from tracker.workspace.figures import twelve_months_to

    today = local_today()
    api_start, api_end = twelve_months_to(today)  # a year back plus a day: both ends partial months
    page_start, page_end = default_period(today)  # what /burden/ shows when opened
    team = manager_team(app)
    api_path = f"/api/v1/burden?group_by=team&from={api_start}&to={api_end}"
    bodies: dict = {}
    results: dict = {}
    problems: list[str] = []
    proc, port = bench_load.serve("tracker:create_app()", env, args.workers, folder / "gunicorn.log", "/healthz")
    try:
        commissioner = bench_load.session_cookie(port, data.COMMISSIONER_EMAIL, data.DEMO_PASSWORD)
        manager = bench_load.session_cookie(port, data.MANAGER_EMAIL, data.DEMO_PASSWORD)
        plan = [
            ("burden API", page_call(port, commissioner, api_path, bodies), (BY_TEAM, api_start, api_end, {}), 50),
            ("commissioner's dashboard", page_call(port, commissioner, "/burden/"), (BY_TEAM, page_start, page_end, {}), 300),
            ("manager's dashboard", page_call(port, manager, "/burden/"),
             (ONE_TEAM_BY_REQUEST, page_start, page_end, {"team": team}), 150),
            ("ranked catalogue API", page_call(port, commissioner, "/api/v1/requests?sort=-projected_annual_cost", bodies),
             (BY_REQUEST, api_start, api_end, {}), 300),
            ("ranked catalogue page", page_call(port, commissioner, "/workspace/"), (BY_REQUEST, api_start, api_end, {}), 300),
        ]
        with app.app_context():
            for name, action, (sql, start, end, extra), limit in plan:
                print(f"  {name}...", flush=True)
                # Each gunicorn worker keeps its own past months: warm every worker, as a day's first users do.
                results[name] = timed_calls(action, args.repeat, warm_ups=2 * args.workers + 2)
                results[name]["limit"] = limit
                results[name]["bare"] = timed_calls(bare_action(sql, start, end, extra), max(5, args.repeat // 4))
            problems += check_against_entries(bodies, api_path, api_start, api_end)
    finally:
        bench_load.stop(proc)
    return results, {"api": (api_start, api_end), "page": (page_start, page_end)}, problems


def bare_action(sql: str, start, end, extra: dict):
    from sqlalchemy import text

    from tracker.extensions import db

    def run():
        rows = db.session.execute(text(sql), {"start": start, "end": end, **extra}).all()
        db.session.rollback()
        return rows

    return run


def check_against_entries(bodies: dict, api_path: str, start, end) -> list[str]:
    """The API's figures against the entries table, read by the bare queries."""
    problems = []
    by_team = bare_action(BY_TEAM, start, end, {})()
    burden_body = json.loads(bodies[api_path])
    minutes = sum(int(r[2]) for r in by_team)
    if round(burden_body["totals"]["hours"] * 60) != minutes or burden_body["totals"]["entries"] != sum(r[1] for r in by_team):
        problems.append(f"burden API totals {burden_body['totals']} differ from the entries ({minutes:,} minutes)")
    ranked = json.loads(bodies["/api/v1/requests?sort=-projected_annual_cost"])
    bare_hours = {r[0]: round(int(r[2]) / 60, 2) for r in bare_action(BY_REQUEST, start, end, {})()}
    api_hours = {item["id"]: item["observed_hours_12m"] for item in ranked["items"] if item["observed_hours_12m"]}
    if bare_hours != api_hours:
        problems.append("ranked catalogue hours per request differ from the entries")
    return problems


# ---- duplicates, in this process -------------------------------------------------------


def measure_duplicates(app, args) -> tuple[dict, list[str]]:
    from tracker.extensions import db
    from tracker.shared.timeutil import local_today
    from tracker.workspace.duplicates import find_duplicates
    from tracker.workspace.figures import twelve_months_to

    today = local_today()
    start, end = twelve_months_to(today)
    with app.app_context():
        planted = bench_rationalise.add_generated_requests(db.session, bench_rationalise.REQUESTS)
        found = []
        result = timed_calls(lambda: found.append(find_duplicates(today)), max(5, args.repeat // 4))
        db.session.rollback()  # the generated requests go again
        result["bare"] = timed_calls(bare_action(BY_REQUEST, start, end, {}), 5)
    result["limit"] = 1000
    titles = {tuple(sorted((p.first.title, p.second.title))) for p in found[-1]}
    return result, [] if titles >= planted else ["a planted duplicate pair was not found"]


# ---- the region's workbook, in a process of its own ------------------------------------


def measure_workbook(args, folder: Path) -> tuple[dict, list[str]]:
    from tracker.shared.timeutil import add_months, month_start

    month = add_months(month_start(date.today()), -1)
    figures = {}
    for job in ("dump", "workbook"):
        print(f"  region workbook ({job}) for {month:%B %Y}...", flush=True)
        child = subprocess.Popen(
            [sys.executable, __file__, "--job", job, "--month", month.isoformat(), "--database-url", args.database_url],
            stdout=subprocess.PIPE, cwd=ROOT, env={**os.environ, "EXPORT_DIR": str(folder)},
        )
        output = child.stdout.read()
        _, status, usage = os.wait4(child.pid, 0)
        if os.waitstatus_to_exitcode(status):
            raise SystemExit(f"the {job} process failed")
        figures[job] = {**json.loads(output), "maxrss_mb": usage.ru_maxrss / 1024}
    workbook = figures["workbook"]
    problems = [] if workbook["rows"] == workbook["live"] else [
        f"the workbook holds {workbook['rows']:,} entry rows, the month {workbook['live']:,} live entries"]
    return {"month": month, **figures}, problems


def run_job(args) -> None:
    """In the child: build the region's workbook (or the bare dump) of --month and print its figures."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.extensions import db
    from tracker.models.entries import Entry
    from tracker.shared.timeutil import add_months

    month = date.fromisoformat(args.month)
    app = create_app({"DATABASE_URL": args.database_url, "SCHEDULER_ENABLED": False})
    out = Path(os.environ["EXPORT_DIR"]) / f"{args.job}-{uuid.uuid4().hex}.xlsx"
    with app.app_context():
        live = db.session.scalar(select(func.count()).select_from(Entry).where(
            Entry.deleted_at.is_(None), Entry.occurred_on >= month, Entry.occurred_on < add_months(month, 1)))
        started, cpu = time.perf_counter(), time.process_time()
        if args.job == "workbook":
            from tracker.exports.workbook import build_workbook

            rows = build_workbook(db.session, month=month, team_ids=None, path=out, scope_label="All teams").rows
        else:
            rows = bare_dump(db.session, month, out)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    out.unlink(missing_ok=True)
    print(json.dumps({"seconds": seconds, "cpu": cpu, "rows": rows, "live": live,
                      "peak_mb": bench_load_peak_mb()}))


def bare_dump(session, month: date, out: Path) -> int:
    """The month's live entries' own columns, appended to a write-only sheet (bench/export.py's baseline)."""
    from openpyxl import Workbook
    from sqlalchemy import select

    from tracker.models.entries import Entry
    from tracker.shared.timeutil import add_months

    columns = (Entry.id, Entry.occurred_on, Entry.team_id, Entry.request_id, Entry.logged_by_id, Entry.minutes,
               Entry.band, Entry.duplicated_elsewhere, Entry.used, Entry.notes)
    query = (select(*columns).where(Entry.deleted_at.is_(None), Entry.occurred_on >= month,
                                    Entry.occurred_on < add_months(month, 1))
             .order_by(Entry.occurred_on, Entry.id).execution_options(yield_per=5000))
    book = Workbook(write_only=True)
    sheet = book.create_sheet("Entries")
    rows = 0
    for row in session.execute(query):
        sheet.append(tuple(row))
        rows += 1
    book.save(out)
    return rows


def bench_load_peak_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


# ---- the report --------------------------------------------------------------------------


def report(entries: int, results: dict, workbook: dict | None, loads: list[str]) -> list[str]:
    missed = []
    print()
    print(f"PostgreSQL, {entries:,} entries; load average {' -> '.join(loads)}")
    print(f"{'target':28} {'p50':>9} {'p95':>9} {'limit':>8} {'bare p50':>9} {'p95/bare':>9}")
    for name, figures in results.items():
        ratio = figures["p95"] / figures["bare"]["p50"]
        held = figures["p95"] <= figures["limit"]
        missed += [] if held else [name]
        print(f"{name:28} {figures['p50']:7.1f}ms {figures['p95']:7.1f}ms {figures['limit']:6}ms "
              f"{figures['bare']['p50']:7.1f}ms {ratio:8.2f}x {'' if held else '  MISSED'}")
    if workbook:
        book, dump = workbook["workbook"], workbook["dump"]
        held = book["seconds"] <= 60 and book["peak_mb"] <= 250
        missed += [] if held else ["region workbook"]
        print(f"region workbook, {workbook['month']:%B %Y}, {book['rows']:,} entries: {book['seconds']:.1f} s "
              f"(CPU {book['cpu']:.1f} s), peak {book['peak_mb']:.0f} MB (limits 60 s, 250 MB); bare dump "
              f"{dump['seconds']:.1f} s, {dump['peak_mb']:.0f} MB; ratio {book['seconds'] / dump['seconds']:.2f} x"
              f"{'' if held else '  MISSED'}")
    return missed


def main(argv=None) -> int:
    args = parse_args(argv)
    if args.job:
        run_job(args)
        return 0
    loads = [load_average()]
    bench_burden.prepare_schema(args.database_url)
    from tracker import create_app

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    bench_burden.seed_if_needed(app, args)
    with app.app_context():
        from sqlalchemy import text

        from tracker.extensions import db

        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()
        db.session.execute(text("ANALYZE"))
        db.session.commit()
    loads.append(load_average())
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as name:
        folder = Path(name)
        env = {**bench_load.environment(args.database_url, folder), "LOG_REQUESTS": "0"}
        print(f"Pages through gunicorn ({args.workers} workers), {args.repeat} calls each:", flush=True)
        results, _, problems = measure_pages(app, args, env, folder)
        loads.append(load_average())
        print("  likely duplicates among 2,000 requests...", flush=True)
        results["likely duplicates"], more = measure_duplicates(app, args)
        problems += more
        workbook = None
        if not args.skip_workbook:
            workbook, more = measure_workbook(args, folder)
            problems += more
        loads.append(load_average())
    missed = report(entries, results, workbook, loads)
    for problem in problems:
        print(f"CHECK FAILED: {problem}")
    if not problems:
        print("Checks: the burden API's and the ranked catalogue's figures equal the entries'; "
              "every planted duplicate found" + ("; the workbook holds every live entry of its month" if workbook else ""))
    return 1 if problems or missed else 0


if __name__ == "__main__":
    sys.exit(main())
