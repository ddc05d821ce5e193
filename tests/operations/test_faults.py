"""Faults (issue 12, item 7): a dead database, a missing or read-only EXPORT_DIR, a build killed
half way, a scheduler that died holding a claim. Real processes, real gunicorn, real kills.

Found by probing: with the database unreachable /login answered 200 and the
API 500; `flask db upgrade` and `scheduler` printed a 153-line traceback;
`export` with an unusable EXPORT_DIR a raw traceback; killed builds left
.part files in EXPORT_DIR and openpyxl's files in the system temp folder
(169 MB after four kills); a killed scheduler's run stayed "running" for
EXPORT_STALE_MINUTES (120)."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import update

from tests.exports_support import flask_env, last_month, login, settings_of, unwritable
from tracker.exports.building import BUILDING, ClaimHeartbeat, clear_dead_builds
from tracker.exports.runs import build_run, claim_run, period_dir
from tracker.exports.monthly import retry_failed
from tracker.models.exports import ExportRun
from tracker.shared.timeutil import utcnow

ROOT = Path(__file__).resolve().parents[2]
UNREACHABLE = {
    "postgresql": "postgresql+psycopg://tracker:secret-password@127.0.0.1:1/tracker",
    "sqlite": "sqlite:////nonexistent-folder-of-issue-12/tracker.sqlite",
}


def http_get(url: str, headers: dict | None = None) -> tuple[int, str]:
    """(status, body) of a GET, error statuses included."""
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers or {}), timeout=5) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# ---- the database is away -----------------------------------------------------------------


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_with_the_database_away_every_page_and_the_api_say_503_clearly(make_app, backend):
    app = make_app(DATABASE_URL=UNREACHABLE[backend])
    client = app.test_client()
    for path in ("/login", "/", "/burden/"):
        page = client.get(path)
        assert page.status_code == 503, path
        text = page.get_data(as_text=True)
        assert "cannot reach its database" in text and page.headers["Retry-After"]
        assert page.headers["X-Request-ID"] in text  # the reference a user can quote
    sign_in = client.post("/login", data={"email": "a@example.nhs.uk", "password": "x"})
    assert sign_in.status_code == 503
    api = client.get("/api/v1/teams", headers={"Authorization": "Bearer rbt_anything"})
    assert api.status_code == 503 and set(api.get_json()) == {"message"}
    health = client.get("/healthz")
    assert health.status_code == 503 and health.get_json()["database"] == "unreachable"
    assert "secret-password" not in health.get_data(as_text=True)
    assert client.get("/static/app.css").status_code == 200  # files need no database


@pytest.mark.server
def test_gunicorn_serves_a_clear_503_while_the_database_is_away(tmp_path):
    port = free_port()
    env = {**os.environ, "APP_ENV": "production", "SECRET_KEY": "x" * 32, "DATABASE_URL": UNREACHABLE["postgresql"],
           "EXPORT_DIR": str(tmp_path / "exports"), "INSTANCE_PATH": str(tmp_path)}
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "--workers", "2", "--bind", f"127.0.0.1:{port}", "tracker:create_app()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                status, text = http_get(f"{base}/login")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.2)
        assert status == 503 and "cannot reach its database" in text
        assert http_get(f"{base}/api/v1/entries", {"Authorization": "Bearer x"})[0] == 503
        status, text = http_get(f"{base}/healthz")
        assert status == 503 and '"status":"unavailable"' in text
    finally:
        server.terminate()
        server.wait(timeout=30)
    log = server.stderr.read()
    assert "Traceback" not in log
    assert '"message": "database unavailable: connection failed' in log


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_db_upgrade_says_in_one_line_that_it_cannot_reach_the_database(app, backend):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "db", "upgrade"],
        cwd=ROOT, env=flask_env(app, DATABASE_URL=UNREACHABLE[backend]), capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("Error: cannot reach the database")
    assert "secret-password" not in result.stderr


def test_the_scheduler_waits_for_the_database_with_back_off_then_starts(app, tmp_path):
    folder = tmp_path / "not-yet"
    url = f"sqlite:///{folder / 'tracker.sqlite'}"
    env = flask_env(app, DATABASE_URL=url, SCHEDULER_RETRY_SECONDS="0.2", SCHEDULER_RETRY_MAX_SECONDS="0.8", LOG_FORMAT="text")
    proc = subprocess.Popen([sys.executable, "-m", "flask", "--app", "tracker", "scheduler"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stderr), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 30
        while len([line for line in lines if "cannot reach the database" in line]) < 4:
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.1)
        # The database appears: the scheduler carries on by itself.
        folder.mkdir()
        upgrade = subprocess.run([sys.executable, "-m", "flask", "--app", "tracker", "db", "upgrade"], cwd=ROOT,
                                 env=env, capture_output=True, text=True, timeout=120)
        assert upgrade.returncode == 0, upgrade.stderr
        while not any("export scheduler started" in line for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline + 30, "".join(lines)
            time.sleep(0.1)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=60)
    reader.join(timeout=10)
    log = "".join(lines)
    assert "Traceback" not in log
    waits = [line.rsplit("trying again in ", 1)[1].strip() for line in lines if "trying again in" in line]
    assert waits[:4] == ["0.2 s", "0.4 s", "0.8 s", "0.8 s"]  # doubled each time, up to the most


def test_scheduler_once_with_the_database_away_is_one_line_and_a_failure(app):
    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "tracker", "scheduler", "--once"],
        cwd=ROOT, env=flask_env(app, DATABASE_URL=UNREACHABLE["postgresql"], LOG_FORMAT="text"),
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 1
    assert [line for line in result.stderr.splitlines() if line.strip()] == [
        line for line in result.stderr.splitlines() if "cannot reach the database: connection failed" in line
    ]


# ---- EXPORT_DIR --------------------------------------------------------------------------


def export(make_app, export_dir, *args):
    app = make_app(EXPORT_DIR=str(export_dir))
    with app.app_context():
        return app.test_cli_runner().invoke(args=["export", "--month", f"{last_month():%Y-%m}", *args])


def test_export_with_an_export_dir_that_is_missing_and_cannot_be_made_says_so(make_app, tmp_path, world):
    result = export(make_app, tmp_path / "missing-parent" / "exports")
    assert result.exit_code == 1
    assert "EXPORT_DIR" in result.output and "does not exist" in result.output and "Traceback" not in result.output
    assert not (tmp_path / "missing-parent").exists()


def test_export_with_an_export_dir_that_is_a_file_or_read_only_says_so(make_app, tmp_path, world):
    a_file = tmp_path / "exports"
    a_file.write_text("not a folder")
    result = export(make_app, a_file)
    assert result.exit_code == 1 and "EXPORT_DIR" in result.output
    read_only = tmp_path / "read-only"
    with unwritable(read_only):
        result = export(make_app, read_only)
        assert result.exit_code == 1 and "could not write to EXPORT_DIR" in result.output
        assert list(read_only.iterdir()) == []


def test_export_makes_the_export_dir_itself_when_only_it_is_missing(make_app, tmp_path, world):
    result = export(make_app, tmp_path / "exports")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "exports").iterdir()) == [f"burden-{last_month():%Y-%m}.xlsx"]


def test_the_exports_page_never_shows_a_server_path(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    with unwritable(period_dir(export_dir, world.month)):
        run = build_run(db.session, run, settings)
    assert run.status == "failed"
    assert str(export_dir) not in run.error and "/" not in run.error
    client = login(app, world.lead)
    for path in ("/exports/", f"/exports/runs/{run.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "Failed" in page or "failed" in page
        assert str(export_dir) not in page and tempfile.gettempdir() not in page


# ---- builds: their own folder, and what a killed one leaves -------------------------------


def openpyxl_files_in(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.glob("openpyxl.*"))


def test_a_build_works_in_its_own_folder_under_export_dir_and_leaves_nothing(app, db, export_dir, world, tmp_path, monkeypatch):
    from tracker.exports.building import build_folder
    from tracker.exports.workbook import build_workbook

    system_temp = tmp_path / "system-temp"  # this process's temp folder, so other processes' files do not count
    system_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(system_temp))
    seen = []

    def progress(done, total):  # mid-build: where are openpyxl's files?
        seen.extend(p.relative_to(export_dir) for p in (export_dir / BUILDING).rglob("openpyxl.*"))

    with build_folder(export_dir) as work_dir:
        build_workbook(db.session, month=world.month, team_ids=None, path=export_dir / "out.xlsx",
                       scope_label="All teams", progress=progress, work_dir=work_dir)
    assert seen and all(path.parts[0] == BUILDING for path in seen)
    assert openpyxl_files_in(system_temp) == []
    assert sorted(p.name for p in export_dir.iterdir()) == ["out.xlsx"]  # no .building, no .part


KILLED_BUILD = textwrap.dedent("""
    import os, sys, time
    from tracker import create_app
    from tracker.extensions import db
    from tracker.exports.building import build_folder
    from tracker.exports.workbook import build_workbook
    from datetime import date

    app = create_app({"TESTING": True, "APP_ENV": "testing", "SECRET_KEY": "x", "DATABASE_URL": os.environ["DATABASE_URL"],
                      "EXPORT_DIR": os.environ["EXPORT_DIR"]})

    def stuck(done, total):  # the build is half way through its Entries sheet when it is killed
        open(os.environ["EXPORT_DIR"] + "/../half-way", "w").close()
        time.sleep(600)

    with app.app_context(), build_folder(app.config["EXPORT_DIR"]) as work_dir:
        build_workbook(db.session, month=date.fromisoformat(sys.argv[1]), team_ids=None, path=work_dir.parent.parent / "x.xlsx",
                       scope_label="All teams", progress=stuck, work_dir=work_dir)
""")


def test_what_a_killed_build_left_is_cleared_at_the_next_start(app, db, make_app, export_dir, world, tmp_path):
    export_dir.mkdir()
    system_temp = tmp_path / "system-temp"  # the builder's temp folder (TMPDIR), where openpyxl used to write
    system_temp.mkdir()
    proc = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, world.month.isoformat()], cwd=ROOT,
                            env=flask_env(app, TMPDIR=str(system_temp)), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while not (export_dir.parent / "half-way").exists():
            assert proc.poll() is None and time.monotonic() < deadline, proc.stderr.read()
            time.sleep(0.05)
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    left = list((export_dir / BUILDING).rglob("*"))
    assert [p for p in left if p.name.startswith("openpyxl.")]  # the dead build's sheet files, in its folder
    assert openpyxl_files_in(system_temp) == []  # and nothing in the system temp folder

    make_app(EXPORT_DIR=str(export_dir))  # any process starting: a web worker, the scheduler, a command
    assert not (export_dir / BUILDING).exists()


def test_a_live_build_of_another_process_is_left_alone(tmp_path):
    root = tmp_path / BUILDING
    live = root / f"{socket.gethostname()}.{os.getppid()}.abc123"  # our parent: alive
    dead = root / f"{socket.gethostname()}.999999999.def456"
    elsewhere = root / "other-host.123.ghi789"  # another machine's: kept until a day old
    for folder in (live, dead, elsewhere):
        folder.mkdir(parents=True)
        (folder / "openpyxl.x").write_text("sheet")
    removed = clear_dead_builds(tmp_path)
    assert removed == [dead]
    assert live.exists() and elsewhere.exists()
    old = time.time() - 2 * 24 * 3600
    os.utime(elsewhere, (old, old))
    assert clear_dead_builds(tmp_path) == [elsewhere]


# ---- heartbeat and take-over ---------------------------------------------------------------


def test_a_live_build_renews_its_heartbeat(app, db, export_dir, world, monkeypatch):
    app.config["EXPORT_HEARTBEAT_SECONDS"] = 0.05
    settings = settings_of(app)
    run = claim_run(db.session, world.month, None, "schedule", settings)
    started = run.heartbeat_at
    release = threading.Event()
    from tracker.exports import runs as runs_module

    real_build = runs_module.build_workbook

    def long_build(*args, **kwargs):  # a build busy for a while in one step (a big month)
        release.wait(30)
        return real_build(*args, **kwargs)

    monkeypatch.setattr(runs_module, "build_workbook", long_build)
    builder = threading.Thread(target=lambda: _build_in_own_context(app, run.id, settings))
    builder.start()
    try:
        deadline = time.monotonic() + 10
        beats = set()
        while len(beats) < 3 and time.monotonic() < deadline:
            db.session.expire_all()
            beats.add(db.session.get(ExportRun, run.id).heartbeat_at)
            time.sleep(0.05)
        assert len(beats - {started}) >= 2, beats
    finally:
        release.set()
        builder.join(timeout=60)
    db.session.expire_all()
    assert db.session.get(ExportRun, run.id).status == "succeeded"


def _build_in_own_context(app, run_id, settings):
    from tracker.extensions import db

    with app.app_context():
        try:
            build_run(db.session, db.session.get(ExportRun, run_id), settings)
        finally:
            db.session.remove()


def test_a_claim_whose_heartbeat_is_a_few_minutes_old_is_taken_over(app, db, export_dir, world):
    settings = settings_of(app)
    assert settings.stale_after <= timedelta(minutes=10) and settings.heartbeat_every * 4 < settings.stale_after.total_seconds()
    run = claim_run(db.session, world.month, None, "schedule", settings)
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(heartbeat_at=utcnow() - timedelta(minutes=2)))
    db.session.commit()
    assert retry_failed(db.session, settings) == []  # two minutes: still alive
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(heartbeat_at=utcnow() - settings.stale_after - timedelta(seconds=5)))
    db.session.commit()
    made = retry_failed(db.session, settings)
    assert [r.id for r in made] == [run.id] and made[0].status == "succeeded" and made[0].attempts == 2


def test_the_heartbeat_stops_with_the_build_and_never_touches_a_lost_claim(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, None, "schedule", settings)
    with ClaimHeartbeat(db.engine, run.id, "someone-else", every=0.02):
        time.sleep(0.15)
    db.session.expire_all()
    assert db.session.get(ExportRun, run.id).heartbeat_at == run.heartbeat_at
