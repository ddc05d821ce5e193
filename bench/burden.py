"""Burden speed at a million entries: the API and the commissioner's dashboard against a bare GROUP BY.

    .venv/bin/python bench/burden.py                        # SQLite file under instance/
    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/helper_e?options=-csearch_path%3Dbench' \\
        .venv/bin/python bench/burden.py                    # PostgreSQL, in schema "bench"

Seeds `seed-demo --teams 200 --months 24 --entries 1000000` into the database
unless it already holds that many entries (then it is reused as it is), then,
in one run, times:

- bare: `SELECT team_id, count(*), sum(minutes) FROM entry WHERE deleted_at
  IS NULL AND occurred_on BETWEEN :from AND :to GROUP BY team_id`;
- api:  `GET /api/v1/burden?group_by=team&from=...&to=...` (Flask test client,
  logged in as the demo commissioner, so every team counts);
- page: `GET /burden/?from=...&to=...` (the commissioner's dashboard, rendered);

over the last 12 months to today (the same date a year ago plus one day, so
both ends are partial months), `--repeat` times each after a warm-up, and
prints each median (and its CPU time: this process's, which for SQLite
includes the database's work) and the ratios. It also checks that the API's
totals equal a straight computation over the entries table."""
from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")


def parse_args(sqlite_file: str = "bench-burden.sqlite", doc: str = __doc__):
    """The seeding and timing options every benchmark here takes; SQLite by default, in `sqlite_file` under instance/."""
    parser = argparse.ArgumentParser(description=doc.split("\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each request (after 2 warm-ups)")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / sqlite_file}",
    )
    return parser.parse_args()


def prepare_schema(url: str) -> None:
    """On PostgreSQL with a search_path in the URL, make that schema (the tests own `public`)."""
    if not url.startswith("postgresql") or "search_path" not in url:
        return
    import re

    from sqlalchemy import create_engine, text

    schema = re.search(r"search_path(?:%3D|=)(\w+)", url).group(1)
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text(f'CREATE SCHEMA IF NOT EXISTS "{schema}"'))
    engine.dispose()


def seed_if_needed(app, args) -> None:
    from flask_migrate import upgrade
    from sqlalchemy import func, select

    from tracker.demo.seed import seed_demo
    from tracker.models.entries import Entry
    from tracker.extensions import db

    with app.app_context():
        upgrade()
        have = db.session.scalar(select(func.count()).select_from(Entry))
        if have >= args.entries:
            print(f"Reusing {have:,} entries already in the database.")
            return
        if have:
            sys.exit(f"The database holds {have:,} entries, fewer than {args.entries:,}: point at an empty one.")
        print(f"Seeding {args.entries:,} entries ({args.teams} teams, {args.months} months)...", flush=True)
        started = time.perf_counter()
        seed_demo(db.session, teams=args.teams, months=args.months, entries=args.entries, seed=args.seed)
        print(f"Seeded in {time.perf_counter() - started:.1f} s (seed-demo's bulk path, then rebuild_rollups).")


def timed(action, repeat: int) -> dict:
    for _ in range(2):
        action()
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        action()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return {
        "median": statistics.median(walls) * 1000,
        "min": min(walls) * 1000,
        "max": max(walls) * 1000,
        "cpu": statistics.median(cpus) * 1000,
    }


def commissioner_client(app):
    """A test client signed in as the demo commissioner (every team counts)."""
    from tracker.demo import data

    client = app.test_client()
    login = client.post("/login", data={"email": data.COMMISSIONER_EMAIL, "password": data.DEMO_PASSWORD})
    assert login.status_code == 302, "could not log in as the demo commissioner"
    return client


BARE_BY_TEAM = ("SELECT team_id, count(*), sum(minutes) FROM entry "
                "WHERE deleted_at IS NULL AND occurred_on BETWEEN :start AND :end GROUP BY team_id")


def bare_query(sql: str, start, end):
    """A timed action: the plain SQL over [start, end] (`:start`, `:end`), in a transaction rolled back after."""
    from sqlalchemy import text

    from tracker.extensions import db

    def run():
        rows = db.session.execute(text(sql), {"start": start, "end": end}).all()
        db.session.rollback()
        return rows

    return run


def main() -> None:
    args = parse_args()
    prepare_schema(args.database_url)
    from tracker import create_app

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    seed_if_needed(app, args)

    from sqlalchemy import text

    from tracker.burden.services import BurdenFilter, burden_direct
    from tracker.extensions import db

    today = date.today()
    start, end = today.replace(year=today.year - 1) + timedelta(days=1), today
    period = f"from={start.isoformat()}&to={end.isoformat()}"
    client = commissioner_client(app)
    bare = bare_query(BARE_BY_TEAM, start, end)
    with app.app_context():
        dialect = db.engine.dialect.name
        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()

        def api():
            response = client.get(f"/api/v1/burden?group_by=team&{period}")
            assert response.status_code == 200, response.data[:500]
            return response

        def page():
            response = client.get(f"/burden/?{period}")
            assert response.status_code == 200, response.data[:500]
            return response

        results = {"bare": timed(bare, args.repeat), "api": timed(api, args.repeat), "page": timed(page, args.repeat)}

        body = api().get_json()
        straight = burden_direct(BurdenFilter(start, end), ("team",))
        agree = body["totals"]["entries"] == straight.totals.entries and round(body["totals"]["hours"], 2) == round(
            float(straight.totals.hours), 2
        )
        bare_minutes = sum(int(r[2]) for r in bare())

    print()
    print(f"{dialect}, {entries:,} entries, {len(body['rows'])} teams, period {start} to {end}, {args.repeat} runs each")
    print(f"{'':6} {'median':>9} {'min':>9} {'max':>9} {'cpu':>9}")
    for name, figures in results.items():
        print(f"{name:6} {figures['median']:8.1f}ms {figures['min']:8.1f}ms {figures['max']:8.1f}ms {figures['cpu']:8.1f}ms")
    bare_median = results["bare"]["median"]
    print(f"api  / bare: {results['api']['median'] / bare_median:.2f} x   (target: api under 150 ms)")
    print(f"page / bare: {results['page']['median'] / bare_median:.2f} x   (target: page under 300 ms)")
    print(f"API totals equal the straight computation over entries: {'yes' if agree else 'NO'}"
          f" ({body['totals']['entries']:,} entries, {body['totals']['hours']:,} hours;"
          f" bare SQL minutes {bare_minutes:,})")
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
