"""Share of management time at a million entries: every team's share for each of 12 months, beside
the bare GROUP BY of the same period, in one run.

    .venv/bin/python bench/capacity.py                      # SQLite file under instance/
    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/test_cap?options=-csearch_path%3Dbench' \\
        .venv/bin/python bench/capacity.py                  # PostgreSQL, in schema "bench"

Seeds `seed-demo --teams 200 --months 24 --entries 1000000` (bench/burden.py's seeding: the
same code as the command, which gives every team a capacity and one change of it) unless the
database already holds that many entries (then any team without a capacity gets the demo's),
then, after two warm-ups, `--repeat` times each:

- bare:    `SELECT team_id, count(*), sum(minutes) FROM entry WHERE deleted_at IS NULL
            AND occurred_on BETWEEN :from AND :to GROUP BY team_id` over the 12 months to today;
- shares:  `management_shares(..., by_month=True)`: every team's hours, available hours and
            exact share for each of the 12 months, and each month's total over the teams;
- hotspots: `find_hotspots(today)`: the last three whole months, each hotspot's three costliest
            requests and its 12-month trend.

It prints medians and ratios, and checks that the shares' hours equal the bare query's minutes."""
from __future__ import annotations

import importlib.util
import os
import sys
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")

_spec = importlib.util.spec_from_file_location("bench_burden", ROOT / "bench" / "burden.py")
bench_burden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_burden)  # its seeding and timing, so the benchmarks measure alike

TARGET_MS = 300


def ensure_capacities(app, args) -> int:
    """A database seeded before capacities existed: give its teams the demo's capacities."""
    from sqlalchemy import func, select

    from tracker.demo.capacity import ensure_capacities as demo_capacities
    from tracker.demo.data import ADMIN_EMAIL
    from tracker.extensions import db
    from tracker.models.auth import User
    from tracker.models.catalogue import Team
    from tracker.models.entries import Entry

    with app.app_context():
        team_ids = list(db.session.scalars(select(Team.id)))
        admin_id = db.session.scalar(select(User.id).where(User.email == ADMIN_EMAIL))
        first_day = db.session.scalar(select(func.min(Entry.occurred_on)))
        added = demo_capacities(db.session, team_ids, admin_id, first_day.replace(day=1), date.today(), args.seed)
        db.session.commit()
        return added


def main() -> None:
    args = bench_burden.parse_args()
    if "bench-burden.sqlite" in args.database_url:  # a file of its own: the other benchmarks' may predate capacities
        args.database_url = args.database_url.replace("bench-burden.sqlite", "bench-capacity.sqlite")
    bench_burden.prepare_schema(args.database_url)
    from tracker import create_app

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    bench_burden.seed_if_needed(app, args)
    added = ensure_capacities(app, args)
    if added:
        print(f"Recorded the demo's capacities for {added} teams that had none.")

    from sqlalchemy import text

    from tracker.burden.figures import BurdenFilter
    from tracker.burden.hotspots import find_hotspots
    from tracker.burden.shares import management_shares
    from tracker.extensions import db
    from tracker.shared.timeutil import add_months

    today = date.today()
    start, end = add_months(today, -11), today  # the 12 calendar months to today, this one so far
    bare = bench_burden.bare_query(bench_burden.BARE_BY_TEAM, start, end)
    with app.app_context():
        dialect = db.engine.dialect.name
        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()

        def shares():
            table = management_shares(BurdenFilter(start, end), by_month=True)
            totals = [table.month(key) for key in table.month_keys]
            db.session.rollback()
            return table, totals

        def hotspots():
            found = find_hotspots(today)
            db.session.rollback()
            return found

        results = {name: bench_burden.timed(action, args.repeat) for name, action in
                   (("bare", bare), ("shares", shares), ("hotspots", hotspots))}
        table, totals = shares()
        found = hotspots()
        bare_minutes = sum(int(r[2]) for r in bare())
        share_minutes = sum(s.minutes for s in table.teams.values())
        defined = sum(1 for s in table.teams.values() if s.defined)

    print()
    print(f"{dialect}, {entries:,} entries, {len(table.teams)} teams ({defined} with a share over the whole period), "
          f"{len(table.month_keys)} months {start} to {end}, {args.repeat} runs each; {len(found.teams)} hotspots")
    print(f"{'':9} {'median':>9} {'min':>9} {'max':>9} {'cpu':>9}")
    for name, figures in results.items():
        print(f"{name:9} {figures['median']:8.1f}ms {figures['min']:8.1f}ms {figures['max']:8.1f}ms {figures['cpu']:8.1f}ms")
    bare_median = results["bare"]["median"]
    for name in ("shares", "hotspots"):
        print(f"{name} / bare: {results[name]['median'] / bare_median:.2f} x   (target: under {TARGET_MS} ms)")
    agree = share_minutes == bare_minutes
    print(f"Shares' hours equal the bare query's: {'yes' if agree else 'NO'} ({share_minutes:,} and {bare_minutes:,} minutes)")
    print("Months' totals: " + ", ".join(f"{key} {t.share * 100:.1f}%" if t.defined else f"{key} –"
                                          for key, t in zip(table.month_keys, totals)))
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
