"""The commissioner's workspace at a million entries: the ranked catalogue (API and page) and likely
duplicates among 2,000 requests, beside a bare GROUP BY of the same period.

    .venv/bin/python bench/rationalise.py                   # SQLite file under instance/
    BENCH_DATABASE_URL='postgresql+psycopg://postgres@127.0.0.1:5432/test_9?options=-csearch_path%3Dbench' \\
        .venv/bin/python bench/rationalise.py               # PostgreSQL, in schema "bench"

Seeds `seed-demo --teams 200 --months 24 --entries 1000000` (bench/burden.py's
seeding: the same code as the command) unless the database already holds that
many entries, then, in one run, after two warm-ups, `--repeat` times each:

- bare:  `SELECT request_id, count(*), sum(minutes) FROM entry WHERE deleted_at IS NULL
          AND occurred_on BETWEEN :from AND :to GROUP BY request_id` over the 12 months to today;
- api:   `GET /api/v1/requests?sort=-projected_annual_cost` as the demo commissioner: every request
          with its figures (12 months, exact median, projection) and its likely duplicates;
- page:  `GET /workspace/`, the ranked catalogue rendered;
- dups:  `find_duplicates` over the demo's requests plus 2,000 - 45 generated ones (titles from a
          vocabulary of NHS topics, with planted look-alikes written differently), added in a
          transaction that is rolled back afterwards.

It prints medians and ratios to the bare query, and checks that the API's hours per request equal the
bare query's minutes and that every planted look-alike pair was found."""
from __future__ import annotations

import argparse
import importlib.util
import os
import random
import sys
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

os.environ.setdefault("APP_ENV", "development")
os.environ.setdefault("SCHEDULER_ENABLED", "0")

_spec = importlib.util.spec_from_file_location("bench_burden", ROOT / "bench" / "burden.py")
bench_burden = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(bench_burden)  # its seeding and timing, so both benchmarks measure alike

REQUESTS = 2000
TOPICS = ("bed occupancy", "discharge delays", "ambulance handovers", "cancer waits", "diagnostic waits",
          "elective recovery", "workforce vacancies", "agency spend", "sickness absence", "safeguarding enquiries",
          "complaints", "serious incidents", "infection control", "mental health beds", "learning disability reviews",
          "care home capacity", "domiciliary care hours", "carers assessments", "reablement outcomes",
          "falls prevention", "pressure ulcers", "medication errors", "staff training", "appraisal rates",
          "patient experience", "friends and family test", "outpatient follow-ups", "virtual wards",
          "community waiting lists", "district nursing caseload", "health visiting contacts", "school nursing",
          "immunisation uptake", "screening coverage", "smoking cessation", "weight management", "sexual health",
          "drug and alcohol treatment", "homelessness health", "prison healthcare", "estates backlog",
          "energy use", "cyber security", "data quality", "information governance", "freedom of information",
          "continuing healthcare", "personal health budgets", "wheelchair services", "end of life care")
KINDS = ("return", "report", "tracker", "submission", "data collection", "dashboard update", "template", "survey")
FREQUENCY_WORDS = ("weekly", "monthly", "quarterly", "annual", "ad hoc", "")
PLANTED = (  # (one way of writing it, another source's way)
    ("Weekly winter sitrep", "Winter situation report weekly"),
    ("A&E 4-hour performance return", "Accident and emergency four hour performance return"),
    ("UEC daily sit-rep", "Urgent & emergency care daily situation report"),
    ("ICB discharge delays return", "Integrated care board discharge delays return"),
    ("RTT waiting list report", "Referral to treatment waiting list report"),
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--teams", type=int, default=200)
    parser.add_argument("--months", type=int, default=24)
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--repeat", type=int, default=15, help="timed runs of each (after 2 warm-ups)")
    parser.add_argument("--dup-repeat", type=int, default=5, help="timed runs of the duplicate search")
    parser.add_argument(
        "--database-url",
        default=os.environ.get("BENCH_DATABASE_URL") or f"sqlite:///{ROOT / 'instance' / 'bench-rationalise.sqlite'}",
    )
    return parser.parse_args()


def add_generated_requests(session, count: int) -> set[tuple[str, str]]:
    """Generated requests (flushed, not committed) up to `count` in all; returns the planted pairs' titles."""
    from sqlalchemy import func, select

    from tracker.models.catalogue import Request, Source

    rng = random.Random(7)
    sources = [Source(name=f"Bench source {i}", kind="other") for i in range(100)]
    session.add_all(sources)
    session.flush()
    have = session.scalar(select(func.count()).select_from(Request))
    titles: set[tuple[int, str]] = set()
    planted = set()
    for i, (first, second) in enumerate(PLANTED):
        for source, title in ((sources[2 * i], first), (sources[2 * i + 1], second)):
            session.add(Request(title=title, source_id=source.id, frequency="weekly", obligation="contractual",
                                description="", status="active"))
            titles.add((source.id, title))
        planted.add(tuple(sorted((first, second))))
    while have + len(titles) < count:
        source = rng.choice(sources[len(PLANTED) * 2:])
        title = " ".join(w for w in (rng.choice(FREQUENCY_WORDS), rng.choice(TOPICS), rng.choice(KINDS)) if w)
        title = title[0].upper() + title[1:]
        if (source.id, title) not in titles:
            titles.add((source.id, title))
            session.add(Request(title=title, source_id=source.id, frequency="monthly", obligation="contractual",
                                description=f"{rng.choice(TOPICS).capitalize()} and {rng.choice(TOPICS)}.",
                                status="active"))
    session.flush()
    return planted


def main() -> None:
    args = parse_args()
    bench_burden.prepare_schema(args.database_url)
    from tracker import create_app

    app = create_app({"DATABASE_URL": args.database_url, "WTF_CSRF_ENABLED": False, "SCHEDULER_ENABLED": False})
    bench_burden.seed_if_needed(app, args)

    from sqlalchemy import func, select, text

    from tracker.extensions import db
    from tracker.models.catalogue import Request
    from tracker.workspace.duplicates import find_duplicates
    from tracker.workspace.figures import twelve_months_to
    from tracker.shared.timeutil import local_today

    today = local_today()
    start, end = twelve_months_to(today)
    client = bench_burden.commissioner_client(app)
    bare = bench_burden.bare_query(
        "SELECT request_id, count(*), sum(minutes) FROM entry "
        "WHERE deleted_at IS NULL AND occurred_on BETWEEN :start AND :end GROUP BY request_id", start, end)
    with app.app_context():
        dialect = db.engine.dialect.name
        entries = db.session.execute(text("SELECT count(*) FROM entry")).scalar()

        def api():
            response = client.get("/api/v1/requests?sort=-projected_annual_cost")
            assert response.status_code == 200, response.data[:500]
            return response

        def page():
            response = client.get("/workspace/")
            assert response.status_code == 200, response.data[:500]
            return response

        results = {"bare": bench_burden.timed(bare, args.repeat), "api": bench_burden.timed(api, args.repeat),
                   "page": bench_burden.timed(page, args.repeat)}
        body = api().get_json()
        bare_hours = {row[0]: round(int(row[2]) / 60, 2) for row in bare()}
        api_hours = {item["id"]: item["observed_hours_12m"] for item in body["items"] if item["observed_hours_12m"]}
        agree = bare_hours == api_hours

        planted = add_generated_requests(db.session, REQUESTS)
        catalogue = db.session.scalar(select(func.count()).select_from(Request))
        found = []
        results["dups"] = bench_burden.timed(lambda: found.append(find_duplicates(today)), args.dup_repeat)
        pairs = found[-1]
        db.session.rollback()  # the generated requests go again
        found_planted = {tuple(sorted((p.first.title, p.second.title))) for p in pairs} >= planted

    print()
    print(f"{dialect}, {entries:,} entries, {len(body['items'])} requests ranked, 12 months {start} to {end}")
    print(f"{'':6} {'median':>9} {'min':>9} {'max':>9} {'cpu':>9}")
    for name, figures in results.items():
        print(f"{name:6} {figures['median']:8.1f}ms {figures['min']:8.1f}ms {figures['max']:8.1f}ms {figures['cpu']:8.1f}ms")
    bare_median = results["bare"]["median"]
    print(f"api  / bare: {results['api']['median'] / bare_median:.2f} x   (target: api under 300 ms)")
    print(f"page / bare: {results['page']['median'] / bare_median:.2f} x   (target: page under 500 ms)")
    print(f"dups / bare: {results['dups']['median'] / bare_median:.2f} x   (target: {catalogue:,} requests under 2 s;"
          f" {len(pairs)} likely pairs, every planted one found: {'yes' if found_planted else 'NO'})")
    print(f"API hours per request equal the bare query's minutes ÷ 60: {'yes' if agree else 'NO'}")
    if not (agree and found_planted):
        sys.exit(1)


if __name__ == "__main__":
    main()
