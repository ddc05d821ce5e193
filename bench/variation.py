"""Variation between teams at a million entries: every request's variation (the ranked catalogue's
"variation saving" column) beside a bare GROUP BY of the same period.

    .venv/bin/python bench/variation.py                     # SQLite file under instance/
    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/test_var?options=-csearch_path%3Dbench' \\
        .venv/bin/python bench/variation.py                 # PostgreSQL, in schema "bench"

Seeds `seed-demo --teams 200 --months 24 --entries 1000000` (bench/burden.py's seeding: the same
code as the command) unless the database already holds that many entries, then, in one run, after
two warm-ups, `--repeat` times each, over the 12 months to today:

- bare:      `SELECT request_id, team_id, count(*), sum(minutes) FROM entry WHERE deleted_at IS NULL
              AND occurred_on BETWEEN :from AND :to GROUP BY request_id, team_id`;
- variation: `variations(start, end)`, every request's variation between teams (hours and cost per
              request and team from the burden service, responses from the week and month rollups
              and the edge days: tracker/workspace/variation.py);
- api:       `GET /api/v1/requests?sort=-variation_saving_hours` as the demo commissioner: the ranked
              catalogue with every figure, sorted by the variation saving.

It checks that the responses counted from the rollups equal those counted from the entries alone
(`period_counts_direct`) and prints medians and ratios to the bare query."""
from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")

_spec = importlib.util.spec_from_file_location("bench_burden", ROOT / "bench" / "burden.py")
bench_burden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_burden)  # its seeding and timing, so the benchmarks measure alike


def main() -> None:
    args = bench_burden.parse_args("bench-variation.sqlite", __doc__)
    bench_burden.prepare_schema(args.database_url)
    from tracker import create_app

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    bench_burden.seed_if_needed(app, args)

    from sqlalchemy import text

    from tracker.extensions import db
    from tracker.workspace.figures import twelve_months_to
    from tracker.workspace.responses import period_counts, period_counts_direct
    from tracker.workspace.variation import variations
    from tracker.shared.timeutil import local_today

    start, end = twelve_months_to(local_today())
    client = bench_burden.commissioner_client(app)
    bare = bench_burden.bare_query(
        "SELECT request_id, team_id, count(*), sum(minutes) FROM entry "
        "WHERE deleted_at IS NULL AND occurred_on BETWEEN :start AND :end GROUP BY request_id, team_id", start, end)
    with app.app_context():
        dialect = db.engine.dialect.name
        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()

        found = []

        def variation():
            found.append(variations(start, end))
            db.session.rollback()

        def api():
            response = client.get("/api/v1/requests?sort=-variation_saving_hours")
            assert response.status_code == 200, response.data[:500]
            return response

        results = {"bare": bench_burden.timed(bare, args.repeat), "variation": bench_burden.timed(variation, args.repeat),
                   "api": bench_burden.timed(api, args.repeat)}
        agree = period_counts(start, end) == period_counts_direct(start, end)
        compared = found[-1]
        flagged = sum(len(v.flagged) for v in compared.values())
        saving = sum(v.saving_hours for v in compared.values())

    print()
    print(f"{dialect}, {entries:,} entries, 12 months {start} to {end}: {len(compared)} requests compared,"
          f" {flagged} team-requests flagged, variation saving {saving:,.1f} hours")
    print(f"{'':10} {'median':>9} {'min':>9} {'max':>9} {'cpu':>9}")
    for name, figures in results.items():
        print(f"{name:10} {figures['median']:8.1f}ms {figures['min']:8.1f}ms {figures['max']:8.1f}ms {figures['cpu']:8.1f}ms")
    bare_median = results["bare"]["median"]
    print(f"variation / bare: {results['variation']['median'] / bare_median:.2f} x   (target: under 300 ms)")
    print(f"api / bare:       {results['api']['median'] / bare_median:.2f} x")
    print(f"Responses from the rollups equal those from the entries alone: {'yes' if agree else 'NO'}")
    try:
        print(f"Load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    except OSError:
        pass
    if not agree:
        sys.exit(1)


if __name__ == "__main__":
    main()
