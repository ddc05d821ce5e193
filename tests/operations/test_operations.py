"""Operations (issue 12, item 8): /healthz for a load balancer, a structured log line per request
with a request id users can quote, and `backup` for SQLite (pg_dump on PostgreSQL)."""
from __future__ import annotations

import json
import sqlite3
import threading
from datetime import timedelta
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import func, select, update

from tracker.scheduler.jobs import heartbeat
from tracker.models.exports import ExportRun
from tracker.models.operations import SCHEDULER, ServiceHeartbeat
from tracker.shared.timeutil import utcnow

HEALTH_KEYS = {"status", "database", "migrations", "scheduler", "last_export", "replica"}


# ---- /healthz ---------------------------------------------------------------------------


def test_healthz_is_public_and_says_what_a_load_balancer_needs(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200  # no sign-in, no redirect
    body = response.get_json()
    assert set(body) == HEALTH_KEYS
    assert body["database"] == "ok" and body["migrations"] == "current"
    # No scheduler has ever run here: the web is fine, the whole is degraded.
    assert body["scheduler"] == {"status": "never", "heartbeat_age_seconds": None}
    assert body["status"] == "degraded" and body["last_export"] is None
    assert body["replica"] is None  # no DATABASE_REPLICA_URL: everything reads the primary
    assert response.headers["Cache-Control"] == "no-store"
    assert "Set-Cookie" not in response.headers


def test_healthz_reports_the_scheduler_heartbeat_and_the_last_export(app, client, db, export_dir, world):
    from tests.exports_support import settings_of
    from tracker.exports.monthly import make_period

    heartbeat(app, "host:1", utcnow())
    make_period(db.session, world.month, "schedule", settings_of(app))
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok"
    assert body["scheduler"]["status"] == "ok" and 0 <= body["scheduler"]["heartbeat_age_seconds"] < 60
    assert body["last_export"]["status"] == "succeeded" and body["last_export"]["period"] == f"{world.month:%Y-%m}"
    text = client.get("/healthz").get_data(as_text=True)
    for secret in ("host:1", str(export_dir), world.team.name, "burden-"):  # nothing about hosts, paths or teams
        assert secret not in text

    # Three missed beats: late. A failed last export: degraded too.
    db.session.execute(update(ServiceHeartbeat).values(beat_at=utcnow() - timedelta(minutes=10)))
    db.session.commit()
    body = client.get("/healthz").get_json()
    assert body["scheduler"]["status"] == "late" and body["scheduler"]["heartbeat_age_seconds"] >= 600
    assert body["status"] == "degraded"
    assert client.get("/healthz").status_code == 200  # the web itself is fine: keep it in the pool


def test_the_scheduler_heartbeat_updates_one_row(app, db):
    heartbeat(app, "host-a:1", utcnow())
    heartbeat(app, "host-b:2", utcnow())
    assert db.session.scalar(select(func.count()).select_from(ServiceHeartbeat)) == 1
    assert db.session.get(ServiceHeartbeat, SCHEDULER).holder == "host-b:2"


def test_healthz_says_503_when_the_schema_is_behind_the_code(tmp_path, make_app):
    from flask_migrate import downgrade, upgrade

    from tracker.extensions import db

    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'behind.sqlite'}")
    with app.app_context():
        upgrade()
        assert app.test_client().get("/healthz").get_json()["migrations"] == "current"
        downgrade(revision="-1")
        response = app.test_client().get("/healthz")
        assert response.status_code == 503
        assert response.get_json()["migrations"] == "behind" and response.get_json()["status"] == "unavailable"
        db.session.remove()
        db.engine.dispose()


# ---- request ids and the access log --------------------------------------------------------


def log_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().err.splitlines() if line.startswith("{")]


def test_each_request_logs_one_json_line_with_its_request_id(make_app, make_user, capsys):
    from tests.conftest import AuthActions

    app = make_app(LOG_REQUESTS=True)
    user = make_user("admin")
    client = app.test_client()
    AuthActions(client).login(user.email)
    capsys.readouterr()
    response = client.get("/catalogue/requests?q=private+search+text")
    lines = [line for line in log_lines(capsys) if line["logger"] == "tracker.access"]
    assert len(lines) == 1
    line = lines[0]
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert line["method"] == "GET" and line["path"] == "/catalogue/requests" and line["status"] == 200
    assert line["user_id"] == user.id and line["duration_ms"] >= 0 and line["level"] == "INFO"
    assert "private" not in json.dumps(line)  # the query string is not logged


def test_error_pages_and_app_log_lines_carry_the_request_id(make_app, make_user, capsys):
    from tests.conftest import AuthActions

    app = make_app(LOG_REQUESTS=True)

    @app.route("/_boom")
    def boom():
        app.logger.warning("about to fail")
        raise RuntimeError("boom")

    app.config["PROPAGATE_EXCEPTIONS"] = False
    client = app.test_client()
    AuthActions(client).login(make_user("admin").email)
    capsys.readouterr()
    page = client.get("/_boom")
    assert page.status_code == 500
    rid = page.headers["X-Request-ID"]
    assert rid in page.get_data(as_text=True)
    lines = log_lines(capsys)
    assert {line["message"] for line in lines if line.get("request_id") == rid} >= {"about to fail", "GET /_boom 500"}
    assert any(line.get("request_id") == rid and "RuntimeError: boom" in line.get("error", "") for line in lines)

    api = client.get("/api/v1/nothing-here")
    assert api.headers["X-Request-ID"] and api.get_json() == {"message": api.get_json()["message"]}


def test_a_sane_request_id_from_the_proxy_is_kept_and_anything_else_replaced(client):
    assert client.get("/login", headers={"X-Request-ID": "proxy-abc-12345"}).headers["X-Request-ID"] == "proxy-abc-12345"
    for bad in ("x", "a" * 200, "<script>alert(1)</script>", "has spaces in it"):
        rid = client.get("/login", headers={"X-Request-ID": bad}).headers["X-Request-ID"]
        assert rid != bad and len(rid) == 32


# ---- backup ---------------------------------------------------------------------------------


def test_backup_takes_a_consistent_copy_of_a_live_sqlite_database(make_app, tmp_path):
    from flask_migrate import upgrade

    from tracker.extensions import db

    source = tmp_path / "live.sqlite"
    app = make_app(DATABASE_URL=f"sqlite:///{source}")
    with app.app_context():
        upgrade()
        db.session.remove()
    stop = threading.Event()
    written = []

    def keep_writing():  # another process's writes, on their own connection, while the backup runs
        connection = sqlite3.connect(source, timeout=30)
        while not stop.is_set():
            connection.execute("INSERT INTO source (name, name_key, kind, created_at) VALUES (?, ?, 'other', '2026-01-01 00:00:00')",
                               (f"S{len(written)}", f"s{len(written)}"))
            connection.commit()
            written.append(1)
        connection.close()

    writer = threading.Thread(target=keep_writing)
    writer.start()
    while len(written) < 20:
        threading.Event().wait(0.01)
    try:
        with app.app_context():
            result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "copy.sqlite")])
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "copy.sqlite") in result.output
    copy = sqlite3.connect(tmp_path / "copy.sqlite")
    assert copy.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    copied = copy.execute("SELECT count(*) FROM source").fetchone()[0]
    assert 0 < copied <= len(written)
    head = sqlite3.connect(source).execute("SELECT version_num FROM alembic_version").fetchone()[0]
    assert copy.execute("SELECT version_num FROM alembic_version").fetchone()[0] == head
    assert copy.execute("PRAGMA journal_mode").fetchone()[0] == "delete"  # one self-contained file
    copy.close()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(("copy", ".copy"))) == ["copy.sqlite"]


def test_backup_into_a_folder_names_the_file_by_date(make_app, tmp_path):
    from flask_migrate import upgrade

    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'x.sqlite'}")
    (tmp_path / "backups").mkdir()
    with app.app_context():
        upgrade()
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "backups")])
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "backups").glob("tracker-*.sqlite"))) == 1


def test_backup_on_postgresql_says_to_use_pg_dump(make_app, tmp_path):
    app = make_app(DATABASE_URL="postgresql+psycopg://tracker:secret-password@db.example/tracker")
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / "x")])
    assert result.exit_code == 1
    assert "pg_dump" in result.output and "postgresql://tracker:***@db.example/tracker" in result.output
    assert "secret-password" not in result.output and not (tmp_path / "x").exists()


@pytest.mark.parametrize("where", ["missing/folder/x.sqlite"])
def test_backup_to_a_folder_that_does_not_exist_is_refused(make_app, tmp_path, where):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'y.sqlite'}")
    (tmp_path / "y.sqlite").touch()
    with app.app_context():
        result = app.test_cli_runner().invoke(args=["backup", str(tmp_path / where)])
    assert result.exit_code == 1 and "does not exist" in result.output


def test_behind_a_proxy_the_client_address_comes_from_x_forwarded_for(make_app, capsys):
    headers = {"X-Forwarded-For": "203.0.113.7", "X-Forwarded-Proto": "https"}
    for hops, expected in ((0, "127.0.0.1"), (1, "203.0.113.7")):
        app = make_app(LOG_REQUESTS=True, PROXY_HOPS=hops)
        capsys.readouterr()
        app.test_client().get("/login", headers=headers)
        access = [line for line in log_lines(capsys) if line["logger"] == "tracker.access"]
        assert access[-1]["remote_addr"] == expected



def migration_head() -> str:
    """The newest migration's id (several branches add migrations: not a fixed one)."""
    from pathlib import Path

    from alembic.script import ScriptDirectory

    return ScriptDirectory(str(Path(__file__).resolve().parent.parent / "migrations")).get_current_head()
