"""Benchmark: importing 100,000 entries from an .xlsx file against just reading the same file.

    .venv/bin/python bench/import.py [--rows 100000] [--repeat 3] [--csv]

1. Writes a workbook of `--rows` rows in the tracker's own columns, as a
   spreadsheet program saves it (shared strings, real dates), spread over
   12 months, 4 teams and 50 requests, every row different.
2. Makes a fresh SQLite database (migrations, the catalogue, the teams and a user).
3. Alternating, `--repeat` times, in this process:
   - read: the importer's reader alone (open_table, every row's values);
   - import: into a fresh copy of the database, what `flask --app tracker import`
     does: read, recognise the format, check every row, write the entries,
     fingerprints and rollups, one audit event, commit.
4. Prints the medians, the ratio, and checks the rollups against the entries.

Targets (issue 11): the import under 20 s on SQLite, and under 3 x the read."""
from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TIME_TARGET_S = 20.0
RATIO_TARGET = 3.0
TEAMS = [f"Bench Team {n}" for n in range(1, 5)]
SOURCES = ["NHS England", "Care Quality Commission", "Northshire ICB", "County Council", "Trust Board"]


def make_app(db_path: Path):
    os.environ.setdefault("APP_ENV", "testing")
    from tracker import create_app

    return create_app({"TESTING": True, "APP_ENV": "testing", "SECRET_KEY": "bench", "SCHEDULER_ENABLED": False,
                       "DATABASE_URL": f"sqlite:///{db_path}", "EXPORT_DIR": str(db_path.parent / "exports"),
                       "SMTP_URL": None})


def write_file(path: Path, rows: int, as_csv: bool) -> None:
    from tests.import_support import TRACKER_HEADERS, write_csv

    rng = random.Random(11)
    first = date(2025, 1, 1)
    requests = [(s, f"{s} return {n}") for s in SOURCES for n in range(1, 11)]
    body = []
    for i in range(rows):
        source, title = requests[i % len(requests)]
        day = first + timedelta(days=rng.randrange(365))
        body.append([day if not as_csv else day.isoformat(), TEAMS[i % len(TEAMS)], source, title,
                     rng.choice(["4", "5", "6", "7", "8a"]), rng.randrange(5, 240),
                     rng.choice(["Yes", "No", "Don't know"]), rng.choice(["Yes", "No", ""]), f"Bench note {i}"])
    if as_csv:
        write_csv(path, [TRACKER_HEADERS, *body])
        return
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Entries")
    ws.append(TRACKER_HEADERS)
    for row in body:
        ws.append(row)
    wb.save(path)


def make_database(db_path: Path) -> None:
    app = make_app(db_path)
    with app.app_context():
        from flask_migrate import upgrade

        from tracker.auth.commands import create_user
        from tracker.catalogue.services import create_request, create_source, create_team
        from tracker.extensions import db

        upgrade()
        for name in TEAMS:
            create_team(None, name=name, organisation="Bench Trust", sector="nhs_trust")
        db.session.commit()
        create_user("bench@example.nhs.uk", "admin", [], "bench bench bench", "Bench Admin")
        for source_name in SOURCES:
            source = create_source(None, source_name, "national_body")
            for n in range(1, 11):
                create_request(None, title=f"{source_name} return {n}", source_id=source.id, frequency="monthly",
                               obligation="statutory")
        db.session.commit()


def read_only(path: Path) -> tuple[float, float, int]:
    from tracker.imports.reading import Limits, open_table

    started, cpu = time.perf_counter(), time.process_time()
    table = open_table(path, path.name, Limits())
    rows = sum(1 for _ in table.rows())
    return time.perf_counter() - started, time.process_time() - cpu, rows


def import_once(path: Path, db_path: Path) -> tuple[float, float, int, dict]:
    app = make_app(db_path)
    with app.app_context():
        from sqlalchemy import select

        from tracker.burden.rollup import differences
        from tracker.extensions import db
        from tracker.imports.files import describe
        from tracker.imports.commit import write_entries
        from tracker.imports.formats import detect
        from tracker.imports.reading import Limits, open_table
        from tracker.imports.validate import Options, check_entries
        from tracker.models import User

        user = db.session.scalar(select(User))
        started, cpu = time.perf_counter(), time.process_time()
        table = open_table(path, path.name, Limits())
        options = Options(user=user, band="5")
        checked = check_entries(table, detect(table.headers), options)
        assert not checked.problems, checked.problems[:5]
        batch = write_entries(checked, options, describe(path))
        db.session.commit()
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        return elapsed, cpu, batch.rows_added, differences(db.session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--csv", action="store_true", help="a .csv file instead of .xlsx")
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="bench-import-"))
    try:
        path = folder / ("bench.csv" if args.csv else "bench.xlsx")
        started = time.perf_counter()
        write_file(path, args.rows, args.csv)
        print(f"wrote {args.rows:,} rows to {path.name} ({path.stat().st_size / 1e6:.1f} MB) "
              f"in {time.perf_counter() - started:.1f} s", file=sys.stderr)
        template = folder / "template.sqlite"
        make_database(template)
        reads, imports, read_cpu, import_cpu = [], [], [], []
        for attempt in range(args.repeat):
            seconds, cpu, rows = read_only(path)
            assert rows == args.rows
            reads.append(seconds)
            read_cpu.append(cpu)
            copy = folder / f"run{attempt}.sqlite"
            shutil.copy(template, copy)
            seconds, cpu, added, drift = import_once(path, copy)
            assert added == args.rows and drift == {}, (added, drift)
            imports.append(seconds)
            import_cpu.append(cpu)
            print(f"run {attempt + 1}: read {reads[-1]:.2f} s (CPU {read_cpu[-1]:.2f} s), "
                  f"import {imports[-1]:.2f} s (CPU {import_cpu[-1]:.2f} s)", file=sys.stderr)
        read, full = statistics.median(reads), statistics.median(imports)
        cpu_read, cpu_full = statistics.median(read_cpu), statistics.median(import_cpu)
        print(f"{args.rows:,} rows ({path.suffix}), SQLite, medians of {args.repeat} (wall / CPU of this process):")
        print(f"  read only (the same reader): {read:6.2f} s / {cpu_read:6.2f} s")
        print(f"  import (read, check, write, rollups, commit): {full:6.2f} s / {cpu_full:6.2f} s   "
              f"target < {TIME_TARGET_S:.0f} s: {'met' if full < TIME_TARGET_S else 'NOT met'}")
        print(f"  ratio: {full / read:.2f} x / {cpu_full / cpu_read:.2f} x   target < {RATIO_TARGET:.0f} x: "
              f"{'met' if full / read < RATIO_TARGET else 'NOT met'}")
        print(f"  load average: {os.getloadavg()[0]:.1f}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
