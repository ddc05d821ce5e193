"""Load: gunicorn with real clients writing and reading at once, then a check that nothing was lost.

    .venv/bin/python bench/load.py                      # SQLite and PostgreSQL, 60 s each
    .venv/bin/python bench/load.py --backend sqlite --seconds 10
    .venv/bin/python bench/load.py --postgres-url postgresql+psycopg://postgres@127.0.0.1:5432/mydb

For each database (a fresh SQLite file; on PostgreSQL a throwaway schema of
--postgres-url, dropped afterwards), in one run:

1. migrate it (`flask db upgrade`) and seed a few teams, sources and requests,
   a manager with an API token per writer, and a commissioner;
2. serve a bare Flask endpoint (bench/bare_app.py) with gunicorn, --workers
   like the app, and load it with as many clients as the app gets: the
   baseline, measured on this machine, now;
3. serve the tracker with gunicorn (APP_ENV=production) and, for --seconds,
   let --writers clients post entries through the API and change their own
   (PATCH), while --readers clients read the dashboard (/burden/, signed in)
   and the burden API;
4. check, in the database: every entry answered 2xx is stored exactly once
   (each carries a unique note), none that was not; every entry changed shows
   its last 2xx change; the monthly rollups equal the entries
   (tracker.burden.rollup.differences); and no answer was a 5xx or an error.

It prints, per kind of call, the calls made, throughput, p50/p95/p99 latency
and non-2xx answers, the same for the bare endpoint, and the ratios; it exits
non-zero when a check fails. tests/operations/test_load.py runs a few seconds of it on
the test database. Figures: bench/README.md."""
from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
PASSWORD = "load test password"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--backend", choices=("sqlite", "postgresql", "both"), default="both")
    parser.add_argument("--postgres-url", default=os.environ.get("TEST_DATABASE_URL") or "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--bare-seconds", type=float, default=None, help="how long the baseline runs (default: like --seconds, at most 15)")
    parser.add_argument("--writers", type=int, default=16)
    parser.add_argument("--readers", type=int, default=8)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn workers, for the app and the baseline")
    return parser.parse_args(argv)


# ---- a database of its own -------------------------------------------------------------


def fresh_database(backend: str, postgres_url: str, folder: Path):
    """(url, drop): a new SQLite file, or a new schema in the PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{folder / 'load.sqlite'}", lambda: None
    from sqlalchemy import create_engine, text

    schema = f"load_{uuid.uuid4().hex[:10]}"
    admin = create_engine(postgres_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        admin.dispose()

    joiner = "&" if "?" in postgres_url else "?"
    return f"{postgres_url}{joiner}options=-csearch_path%3D{schema}", drop


def environment(url: str, folder: Path) -> dict:
    return {**os.environ, "APP_ENV": "production", "SECRET_KEY": uuid.uuid4().hex, "DATABASE_URL": url,
            "EXPORT_DIR": str(folder / "exports"), "INSTANCE_PATH": str(folder), "SCHEDULER_ENABLED": "0",
            "PYTHONPATH": str(ROOT)}


@dataclass
class Plan:
    """What the seed made: who writes (with a token and the teams and requests they may use) and who reads."""

    writers: list[dict] = field(default_factory=list)
    reader_email: str = ""
    reader_token: str = ""


def seed(url: str, folder: Path, writers: int) -> Plan:
    from tracker import create_app
    from tracker.auth.commands import create_user, new_api_token
    from tracker.catalogue.services import slugify
    from tracker.extensions import db
    from tracker.models.catalogue import Request, Source, Team

    app = create_app({"APP_ENV": "testing", "SECRET_KEY": "seed", "DATABASE_URL": url, "EXPORT_DIR": str(folder / "exports"),
                      "SCHEDULER_ENABLED": False, "LOG_REQUESTS": False})
    plan = Plan()
    with app.app_context():
        teams = [Team(name=f"Load team {n}", slug=slugify(f"Load team {n}"), organisation="Load Trust", sector="nhs_trust")
                 for n in range(4)]
        sources = [Source(name=f"Load source {n}", kind="national_body") for n in range(3)]
        db.session.add_all(teams + sources)
        db.session.flush()
        requests = [Request(title=f"Load return {n}", source=sources[n % 3], frequency="monthly", obligation="statutory",
                            status="active", description="") for n in range(10)]
        db.session.add_all(requests)
        db.session.flush()
        for n in range(writers):
            mine = [teams[n % 4], teams[(n + 1) % 4]]
            user = create_user(f"writer{n}@load.example.nhs.uk", "manager", [t.name for t in mine], PASSWORD)
            plan.writers.append({"token": new_api_token(user), "teams": [t.id for t in mine], "requests": [r.id for r in requests]})
        reader = create_user("reader@load.example.nhs.uk", "commissioner", [], PASSWORD)
        plan.reader_email, plan.reader_token = reader.email, new_api_token(reader)
        db.session.commit()
        db.session.remove()
        db.engine.dispose()
    return plan


# ---- gunicorn -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def serve(app_spec: str, env: dict, workers: int, log: Path, ready_path: str):
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "--timeout", "120", app_spec],
        cwd=ROOT / "bench" if app_spec.startswith("bare_app") else ROOT, env=env, stdout=subprocess.DEVNULL,
        stderr=log.open("w"),
    )
    deadline = time.monotonic() + 60
    while True:
        try:
            if call(port, "GET", ready_path)[0] < 500:
                return proc, port
        except OSError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"gunicorn ({app_spec}) did not start; see {log}")
        time.sleep(0.2)


def stop(proc) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# ---- clients ------------------------------------------------------------------------------


def call(port: int, method: str, path: str, body=None, headers=None) -> tuple[int, bytes, http.client.HTTPResponse]:
    """One request on a new connection (gunicorn's sync workers close it after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        data = None if body is None else (json.dumps(body).encode() if not isinstance(body, (bytes, str)) else body)
        connection.request(method, path, body=data, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read(), response
    finally:
        connection.close()


class Tally:
    """Latencies and statuses per kind of call, from many threads."""

    def __init__(self):
        self.lock = threading.Lock()
        self.calls: dict[str, list[tuple[float, int]]] = defaultdict(list)

    def timed(self, kind: str, port: int, method: str, path: str, **kwargs):
        started = time.perf_counter()
        try:
            status, data, response = call(port, method, path, **kwargs)
        except OSError:
            status, data, response = 599, b"", None  # no answer at all: counted as an error
        with self.lock:
            self.calls[kind].append((time.perf_counter() - started, status))
        return status, data, response


def session_cookie(port: int, email: str, password: str = PASSWORD) -> str:
    """Sign in through the page (CSRF token and all); the cookie is kept by hand (it is Secure)."""
    status, page, response = call(port, "GET", "/login")
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page) or re.search(rb'name="csrf_token" value="([^"]+)"', page)
    form = urlencode({"email": email, "password": password, "csrf_token": token.group(1).decode()})
    status, _, response = call(port, "POST", "/login", form, {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie})
    if status != 302:
        raise SystemExit(f"the reader could not sign in ({status})")
    return response.getheader("Set-Cookie").split(";", 1)[0]


@dataclass
class Written:
    """What one writer was told: notes of entries answered 201, and the last 2xx minutes of each entry."""

    created: dict[str, int] = field(default_factory=dict)  # note -> entry id
    minutes: dict[int, int] = field(default_factory=dict)  # entry id -> minutes last answered 2xx


def writer(port, plan_entry, tally: Tally, until: float, seed_value: int) -> Written:
    chance = random.Random(seed_value)
    written = Written()
    headers = {"Authorization": f"Bearer {plan_entry['token']}", "Content-Type": "application/json"}
    today = date.today()
    while time.monotonic() < until:
        if written.created and chance.random() < 0.4:
            entry_id = chance.choice(list(written.minutes))
            minutes = chance.randint(1, 600)
            status, _, _ = tally.timed("PATCH entry (API)", port, "PATCH", f"/api/v1/entries/{entry_id}", body={"minutes": minutes}, headers=headers)
            if 200 <= status < 300:
                written.minutes[entry_id] = minutes
            continue
        note = f"load {uuid.uuid4().hex}"
        body = {"request_id": chance.choice(plan_entry["requests"]), "team_id": chance.choice(plan_entry["teams"]),
                "occurred_on": (today - timedelta(days=chance.randint(0, 45))).isoformat(), "minutes": chance.randint(1, 600),
                "band": chance.choice(["4", "5", "6", "7", "8a"]), "used": "yes", "notes": note}
        status, data, _ = tally.timed("POST entry (API)", port, "POST", "/api/v1/entries", body=body, headers=headers)
        if status == 201:
            entry_id = json.loads(data)["id"]
            written.created[note] = entry_id
            written.minutes[entry_id] = body["minutes"]
    return written


def reader(port, cookie: str, token: str, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        tally.timed("GET dashboard (page)", port, "GET", "/burden/", headers={"Cookie": cookie})
        tally.timed("GET burden (API)", port, "GET", "/api/v1/burden?group_by=team", headers={"Authorization": f"Bearer {token}"})


def bare_client(port, tally: Tally, until: float) -> None:
    while time.monotonic() < until:
        tally.timed("GET bare endpoint", port, "GET", "/")


def run_threads(targets) -> list:
    results = [None] * len(targets)
    threads = [threading.Thread(target=lambda i=i, t=t: results.__setitem__(i, t())) for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


# ---- the check ----------------------------------------------------------------------------


def check(url: str, folder: Path, written: list[Written], tally: Tally) -> list[str]:
    """Everything that went wrong; empty when every 2xx is stored exactly once and the rollups agree."""
    from sqlalchemy import func, select

    from tracker import create_app
    from tracker.burden.rollup import differences
    from tracker.extensions import db
    from tracker.models.entries import Entry

    problems = []
    for kind, calls in tally.calls.items():
        bad = sorted({status for _, status in calls if not 200 <= status < 300})
        if bad:
            problems.append(f"{kind}: answers {bad} ({sum(1 for _, s in calls if not 200 <= s < 300)} of {len(calls)})")
    app = create_app({"APP_ENV": "testing", "SECRET_KEY": "check", "DATABASE_URL": url, "EXPORT_DIR": str(folder / "exports"),
                      "SCHEDULER_ENABLED": False, "LOG_REQUESTS": False})
    with app.app_context():
        stored = db.session.execute(
            select(Entry.notes, func.count(), func.min(Entry.id), func.min(Entry.minutes)).where(Entry.notes.like("load %")).group_by(Entry.notes)
        ).all()
        by_note = {note: (count, entry_id, minutes) for note, count, entry_id, minutes in stored}
        answered = {note: entry_id for w in written for note, entry_id in w.created.items()}
        twice = [note for note, (count, _, _) in by_note.items() if count != 1]
        lost = answered.keys() - by_note.keys()
        unanswered = by_note.keys() - answered.keys()
        if twice or lost or unanswered:
            problems.append(f"entries: {len(twice)} stored more than once, {len(lost)} answered 201 but not stored, "
                            f"{len(unanswered)} stored without a 201")
        last_minutes = {entry_id: minutes for w in written for entry_id, minutes in w.minutes.items()}
        now = dict(db.session.execute(select(Entry.id, Entry.minutes).where(Entry.id.in_(list(last_minutes) or [-1]))).all())
        changed_wrong = [entry_id for entry_id, minutes in last_minutes.items() if now.get(entry_id) != minutes]
        if changed_wrong:
            problems.append(f"changes: {len(changed_wrong)} entries do not show their last 2xx change")
        drift = differences(db.session)
        if drift:
            problems.append(f"rollups differ from the entries in {sum(len(v) for v in drift.values())} rows: {sorted(drift)}")
        db.session.remove()
        db.engine.dispose()
    return problems


# ---- the report ---------------------------------------------------------------------------


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else float("nan")


def report(backend: str, tally: Tally, seconds: float, bare: Tally, bare_seconds: float) -> str:
    bare_calls = bare.calls["GET bare endpoint"]
    bare_p50 = percentile([t for t, _ in bare_calls], 0.50) * 1000
    bare_rate = len(bare_calls) / bare_seconds
    lines = [f"\n{backend}: {seconds:g} s of load, baseline {bare_seconds:g} s",
             f"{'call':<24}{'calls':>8}{'per s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'non-2xx':>9}{'p50 / bare':>12}"]

    def row(kind, calls, duration, ratio=True):
        times = [t * 1000 for t, _ in calls]
        p50 = percentile(times, 0.50)
        errors = sum(1 for _, s in calls if not 200 <= s < 300)
        ratio_text = f"{p50 / bare_p50:.1f} x" if ratio else "1.0 x"
        lines.append(f"{kind:<24}{len(calls):>8}{len(calls) / duration:>9.1f}{p50:>9.1f}{percentile(times, 0.95):>9.1f}"
                     f"{percentile(times, 0.99):>9.1f}{errors:>9}{ratio_text:>12}")

    for kind in sorted(tally.calls):
        row(kind, tally.calls[kind], seconds)
    everything = [c for calls in tally.calls.values() for c in calls]
    row("all tracker calls", everything, seconds)
    row("GET bare endpoint", bare_calls, bare_seconds, ratio=False)
    lines.append(f"throughput: tracker {len(everything) / seconds:.1f}/s against bare {bare_rate:.1f}/s "
                 f"= {len(everything) / seconds / bare_rate:.2f} x")
    return "\n".join(lines)


def run_backend(backend: str, args) -> bool:
    with tempfile.TemporaryDirectory(prefix=f"load-{backend}-") as tmp:
        folder = Path(tmp)
        url, drop = fresh_database(backend, args.postgres_url, folder)
        try:
            env = environment(url, folder)
            upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "db", "upgrade"], cwd=ROOT, env=env,
                                     capture_output=True, text=True)
            if upgrade.returncode != 0:
                raise SystemExit(upgrade.stderr)
            plan = seed(url, folder, args.writers)
            clients = args.writers + args.readers
            bare_seconds = args.bare_seconds or min(args.seconds, 15)

            bare = Tally()
            proc, port = serve("bare_app:app", {**env, "PYTHONPATH": str(ROOT / "bench")}, args.workers, folder / "bare.log", "/")
            try:
                until = time.monotonic() + bare_seconds
                run_threads([lambda: bare_client(port, bare, until) for _ in range(clients)])
            finally:
                stop(proc)

            tally = Tally()
            proc, port = serve("tracker:create_app()", env, args.workers, folder / "app.log", "/healthz")
            try:
                cookie = session_cookie(port, plan.reader_email)
                until = time.monotonic() + args.seconds
                targets = [lambda i=i: writer(port, plan.writers[i], tally, until, i) for i in range(args.writers)]
                targets += [lambda: reader(port, cookie, plan.reader_token, tally, until) for _ in range(args.readers)]
                results = run_threads(targets)
            finally:
                stop(proc)
            written = [r for r in results if isinstance(r, Written)]
            print(report(backend, tally, args.seconds, bare, bare_seconds))
            problems = check(url, folder, written, tally)
            stored = sum(len(w.created) for w in written)
            if problems:
                print(f"CHECK FAILED ({backend}):\n  " + "\n  ".join(problems))
                print(f"gunicorn's log: kept at {folder / 'app.log'} until this run ends")
                return False
            print(f"check passed: every 2xx stored exactly once ({stored} entries, "
                  f"{sum(len(w.minutes) for w in written)} with their last change), rollups = entries, no errors")
            return True
        finally:
            drop()


def main(argv=None) -> int:
    args = parse_args(argv)
    backends = ["sqlite", "postgresql"] if args.backend == "both" else [args.backend]
    print(f"{args.writers} writers and {args.readers} readers against gunicorn with {args.workers} workers; "
          f"{os.cpu_count()} CPUs; load average {os.getloadavg()[0]:.1f}")
    ok = all([run_backend(backend, args) for backend in backends])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
