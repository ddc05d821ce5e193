"""The entry table plain and partitioned by month, on the same rows: what partitioning changes.

    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/DB?options=-csearch_path%3Dpartitions' \\
        .venv/bin/python bench/partitions.py [--entries 10000000 --teams 1000 --months 24]

PostgreSQL only, in a schema of its own (the search_path in the URL). Seeds
`seed-demo` with those arguments at the revision before the partitioning
migration (20261206_variation), unless the schema already holds that many
entries (then they are reused, taken back to a plain table first by the
migration's downgrade if need be). Then times, on the plain table:

- VACUUM (FREEZE, ANALYZE) entry (every page not yet frozen);
- VACUUM entry after a tenth of last month's entries are edited, and ANALYZE entry;
- CREATE INDEX on (request_id, team_id) (dropped again);
- rebuild_rollups, everything and one month;
- the one-month and the 12-month GROUP BY of bench/burden.py (bare SQL);
- removing last year's first month: DELETE (rolled back);

then runs the migration to head (timed: that is the downtime of the upgrade
at this size) and times the same on the partitioned table, adding what only
partitions allow: VACUUM (after the edits), ANALYZE and CREATE INDEX of one month's partition, and
removing the month by DETACH PARTITION + DROP TABLE (rolled back). Prints each
figure, the ratio partitioned / plain, and checks the rollups against the
entries both times."""
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

from bench.burden import BARE_BY_TEAM, bare_query, prepare_schema  # noqa: E402

BEFORE = "20261206_variation"  # the revision below the partitioning migration


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=1000)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=5, help="timed runs of each query (after a warm-up)")
    parser.add_argument("--database-url", default=os.environ.get("BENCH_DATABASE_URL"))
    args = parser.parse_args()
    if not (args.database_url or "").startswith("postgresql") or "search_path" not in args.database_url:
        sys.exit("Give a PostgreSQL URL with a schema of its own: BENCH_DATABASE_URL=...?options=-csearch_path%3DNAME")
    return args


def seconds(action) -> float:
    started = time.perf_counter()
    action()
    return time.perf_counter() - started


def median_seconds(action, repeat: int) -> float:
    action()
    return statistics.median(seconds(action) for _ in range(repeat))


def prepare_plain_table(app, args) -> dict:
    """Seed at BEFORE, or reuse what is there (downgrading a partitioned table first)."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from tracker.demo.seed import seed_demo
    from tracker.entries.partitions import is_partitioned
    from tracker.extensions import db

    figures = {}
    with app.app_context():
        has_entry = db.session.execute(text("SELECT to_regclass('entry') IS NOT NULL")).scalar()
        have = db.session.execute(text("SELECT count(*) FROM entry")).scalar() if has_entry else 0
        partitioned = is_partitioned(db.session.connection())
        db.session.remove()
        if have and have < args.entries:
            sys.exit(f"The schema holds {have:,} entries, fewer than {args.entries:,}: drop it or point at another.")
        if have and partitioned:
            print(f"Reusing {have:,} entries; back to a plain table (the migration's downgrade)...", flush=True)
            figures["downgrade (partitioned → plain)"] = seconds(lambda: downgrade(revision=BEFORE))
        elif have:
            print(f"Reusing {have:,} entries in a plain table.", flush=True)
        else:
            upgrade(revision=BEFORE)
            print(f"Seeding {args.entries:,} entries ({args.teams} teams, {args.months} months)...", flush=True)
            figures["seed-demo"] = seconds(lambda: seed_demo(db.session, teams=args.teams, months=args.months,
                                                             entries=args.entries, seed=args.seed))
        db.session.remove()
    return figures


def autocommit(sql: str) -> None:
    """VACUUM cannot run in a transaction."""
    from tracker.extensions import db

    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.exec_driver_sql(sql)


def rolled_back(sql_statements: list[str]):
    from sqlalchemy import text

    from tracker.extensions import db

    def run():
        for sql in sql_statements:
            db.session.execute(text(sql))
        db.session.rollback()

    return run


def measure(app, args, old_month: date, last_month: date, partitioned: bool) -> dict:
    from tracker.burden.rollup import differences, rebuild_rollups
    from tracker.entries.partitions import partition_name
    from tracker.extensions import db
    from tracker.shared.timeutil import add_months, month_end

    today = date.today()
    figures = {}
    with app.app_context():
        # Freezing visits every page not yet frozen, whether or not autovacuum has been by since the
        # load: the same work for both layouts when the rows are fresh (a table frozen before is
        # skipped page by page: on a reused plain table this figure is small).
        figures["VACUUM (FREEZE, ANALYZE) entry"] = seconds(lambda: autocommit("VACUUM (FREEZE, ANALYZE) entry"))
        # Then a month's routine work: a tenth of last month's entries edited (sign-off corrections),
        # vacuumed after; and the planner's statistics gathered again.
        edit = ("UPDATE entry SET notes = notes WHERE mod(id, 10) = {n}"
                f" AND occurred_on >= '{last_month}' AND occurred_on < '{add_months(last_month, 1)}'")
        autocommit(edit.format(n=0))
        figures["VACUUM entry after 10% of a month edited"] = seconds(lambda: autocommit("VACUUM entry"))
        if partitioned:  # what autovacuum does: the one partition that changed
            autocommit(edit.format(n=1))
            figures["  the same, that month's partition alone"] = seconds(
                lambda: autocommit(f"VACUUM {partition_name(last_month)}"))
        figures["ANALYZE entry"] = seconds(lambda: autocommit("ANALYZE entry"))
        if partitioned:
            figures["  ANALYZE of one month's partition"] = seconds(
                lambda: autocommit(f"ANALYZE {partition_name(last_month)}"))
        figures["CREATE INDEX (request_id, team_id) on entry"] = seconds(
            lambda: autocommit("CREATE INDEX bench_ix ON entry (request_id, team_id)"))
        autocommit("DROP INDEX bench_ix")
        if partitioned:
            figures["CREATE INDEX on one month's partition"] = seconds(
                lambda: autocommit(f"CREATE INDEX bench_ix ON {partition_name(last_month)} (request_id, team_id)"))
            autocommit("DROP INDEX bench_ix")

        def rebuild(start=None, end=None):
            rebuild_rollups(db.session, start, end)
            db.session.commit()

        figures["rebuild_rollups, everything"] = seconds(rebuild)
        figures["rebuild_rollups, one month"] = seconds(lambda: rebuild(last_month, last_month))
        figures["rollups equal the entries"] = not differences(db.session)
        db.session.remove()

        figures["GROUP BY team, one month"] = median_seconds(
            bare_query(BARE_BY_TEAM, last_month, month_end(last_month)), args.repeat)
        year_ago = today.replace(year=today.year - 1) + timedelta(days=1)
        figures["GROUP BY team, 12 months"] = median_seconds(bare_query(BARE_BY_TEAM, year_ago, today), args.repeat)

        month_range = f"occurred_on >= '{old_month}' AND occurred_on < '{add_months(old_month, 1)}'"
        figures["remove a month: DELETE (rolled back)"] = seconds(
            rolled_back([f"DELETE FROM entry WHERE {month_range}"]))
        if partitioned:
            name = partition_name(old_month)
            figures["remove a month: DETACH + DROP (rolled back)"] = seconds(
                rolled_back([f"ALTER TABLE entry DETACH PARTITION {name}", f"DROP TABLE {name}"]))
        db.session.remove()
    return figures


def main() -> None:
    args = parse_args()
    prepare_schema(args.database_url)
    from flask_migrate import upgrade
    from sqlalchemy import text

    from tracker import create_app
    from tracker.extensions import db
    from tracker.shared.timeutil import add_months, month_start

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    setup = prepare_plain_table(app, args)
    this_month = month_start(date.today())
    last_month, old_month = add_months(this_month, -1), add_months(this_month, -12)

    print("Timing the plain table...", flush=True)
    plain = measure(app, args, old_month, last_month, partitioned=False)
    print("Partitioning (the migration to head)...", flush=True)
    with app.app_context():
        setup["upgrade (plain → partitioned)"] = seconds(lambda: upgrade(revision="head"))
        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()
        default_rows = db.session.execute(text("SELECT count(*) FROM entry_default")).scalar()
        db.session.remove()
    print("Timing the partitioned table...", flush=True)
    parted = measure(app, args, old_month, last_month, partitioned=True)

    print()
    print(f"PostgreSQL, {entries:,} entries ({args.teams} teams, {args.months} months), {default_rows:,} in"
          f" entry_default; one month = {last_month:%Y-%m}, old month = {old_month:%Y-%m};"
          f" queries: median of {args.repeat}")
    with open("/proc/loadavg") as load:
        print("load average:", " ".join(load.read().split()[:3]))
    for name, value in setup.items():
        print(f"{name:<50} {value:9.1f} s")
    print(f"{'':<50} {'plain':>10} {'partitioned':>12} {'ratio':>7}")
    for name in list(dict.fromkeys([*parted, *plain])):
        a, b = plain.get(name), parted.get(name)
        if isinstance(a, bool) or isinstance(b, bool):
            print(f"{name:<50} {'yes' if a else 'NO':>10} {'yes' if b else 'NO':>12}")
            continue
        ratio = f"{b / a:6.2f}x" if a and b else ""
        print(f"{name:<50} {_figure(a):>10} {_figure(b):>12} {ratio:>7}")
    if not (plain["rollups equal the entries"] and parted["rollups equal the entries"]):
        sys.exit(1)


def _figure(value) -> str:
    if value is None:
        return "—"
    return f"{value * 1000:.0f} ms" if value < 10 else f"{value:.1f} s"


if __name__ == "__main__":
    main()
