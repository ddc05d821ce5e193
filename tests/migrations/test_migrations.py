"""Migrations: from empty to head, down to nothing, up again, and in step with the models.

Always on a fresh SQLite file; also on PostgreSQL when TEST_DATABASE_URL is set,
in a throwaway schema of that database (never the shared `public` schema the
rest of the suite uses), dropped afterwards. An unreachable PostgreSQL fails
these tests; it never skips them."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid
from contextlib import contextmanager
from decimal import Decimal
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from flask_migrate import downgrade, upgrade
from sqlalchemy import create_engine, inspect, select, text

from tests.conftest import base_config
from tracker import create_app
from tracker.burden.default_rates import DEFAULT_ONCOST, DEFAULTS_EFFECTIVE_FROM, default_rates
from tracker.entries.partitions import leave_out_partitions, partitions
from tracker.models.burden import Rate
from tracker.shared.choices import BANDS
from tracker.extensions import db

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(ROOT / "migrations")
POSTGRES_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if POSTGRES_URL else [])


@contextmanager
def postgresql_schema(url: str):
    """A schema of our own in the test database; the app's connections see only it."""
    schema = f"migtest_{uuid.uuid4().hex[:12]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:  # an unreachable server raises here: the test fails
            conn.execute(text(f'CREATE SCHEMA "{schema}"'))
        yield {"connect_args": {"options": f"-csearch_path={schema}"}, "pool_pre_ping": True}
    finally:
        try:
            with admin.connect() as conn:
                conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            admin.dispose()


@pytest.fixture(params=BACKENDS)
def empty_app(request, tmp_path):
    """An app on an empty database of its own, inside an app context."""
    if request.param == "sqlite":
        config = base_config(f"sqlite:///{tmp_path / 'migrations.sqlite'}", str(tmp_path))
        app = create_app(config)
        with app.app_context():
            yield app
            db.session.remove()
            db.engine.dispose()
        return
    with postgresql_schema(POSTGRES_URL) as engine_options:
        config = base_config(POSTGRES_URL, str(tmp_path))
        config["SQLALCHEMY_ENGINE_OPTIONS"] = engine_options
        app = create_app(config)
        with app.app_context():
            try:
                yield app
            finally:
                db.session.remove()
                db.engine.dispose()


def table_names() -> set[str]:
    """The tables, but the entry table's partitions on PostgreSQL (the inspector lists them as tables)."""
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names()) - set(partitions(conn))


def model_differences() -> list:
    """What Alembic's autogenerate would write to make the database match the models.

    The entry table's month partitions (PostgreSQL) are left out, as `flask db migrate` leaves them
    out (migrations/env.py): they are made by the migration and the scheduler, not declared by the
    models; the partitioned `entry` itself, its columns and its partitioned indexes are compared."""
    with db.engine.connect() as conn:
        opts = {"compare_type": True, "include_name": leave_out_partitions(conn)}
        context = MigrationContext.configure(conn, opts=opts)
        return compare_metadata(context, db.metadata)


def assert_default_rates() -> None:
    oncost = Decimal(os.environ.get("EMPLOYER_ONCOST") or DEFAULT_ONCOST)
    rates = db.session.scalars(select(Rate)).all()
    assert len(rates) == 11
    assert {r.band for r in rates} == set(BANDS) - {"other"}
    assert all(r.effective_from == DEFAULTS_EFFECTIVE_FROM for r in rates)
    assert {r.band: r.hourly_cost for r in rates} == default_rates(oncost)
    db.session.remove()


def test_upgrade_from_empty_downgrade_to_nothing_and_upgrade_again(empty_app):
    assert table_names() == set()

    upgrade(directory=MIGRATIONS, revision="head")
    model_tables = set(db.metadata.tables)
    assert table_names() == model_tables | {"alembic_version"}
    assert_default_rates()
    assert model_differences() == []

    downgrade(directory=MIGRATIONS, revision="base")
    assert table_names() <= {"alembic_version"}  # Alembic keeps its own bookkeeping table, emptied
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM alembic_version")).scalar() == 0

    upgrade(directory=MIGRATIONS, revision="head")
    assert table_names() == model_tables | {"alembic_version"}
    assert_default_rates()
    assert model_differences() == []


def test_each_step_downgrades_and_upgrades_again(empty_app):
    """Every revision on its own: up one, down one, up one, until head."""
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(MIGRATIONS)
    revisions = [r.revision for r in reversed(list(script.walk_revisions()))]
    assert revisions[0] == "0001"
    previous = "base"
    for revision in revisions:
        upgrade(directory=MIGRATIONS, revision=revision)
        after_upgrade = table_names()
        downgrade(directory=MIGRATIONS, revision=previous)
        upgrade(directory=MIGRATIONS, revision=revision)
        assert table_names() == after_upgrade, revision
        previous = revision
    assert model_differences() == []
    assert_default_rates()


def test_an_unreachable_postgresql_fails_rather_than_skips(tmp_path):
    """Run this module's PostgreSQL case against a port nobody listens on: pytest must report failure."""
    env = dict(os.environ, TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:1/nowhere",
               APP_ENV="testing")
    node = f"{Path(__file__).name}::test_upgrade_from_empty_downgrade_to_nothing_and_upgrade_again"
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/migrations/{node}[postgresql]"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # tests failed (not 5, "no tests collected")
    assert re.search(r"\b1 (failed|error)\b", output), output
    assert "skipped" not in output.lower()
    assert "OperationalError" in output


def test_0004_merges_look_alikes_into_the_oldest_and_keeps_rollups_exact(empty_app, capsys):
    """A database made before the name rule may hold 'Northshire ICB' and 'northshire  icb'."""
    from tracker.burden.rollup import differences
    from tracker.models.audit import AuditEvent
    from tracker.models.catalogue import Request, Source, Team
    from tracker.models.entries import Entry

    upgrade(directory=MIGRATIONS, revision="0003")
    with db.engine.begin() as conn:
        def insert(sql, **values):
            return conn.execute(text(sql), values)

        stamp = "2026-01-01 09:00:00"
        later = "2026-02-01 09:00:00"
        insert("INSERT INTO team (id, name, slug, organisation, sector, active, created_at) "
               "VALUES (1, 'Northshire Team', 'northshire-team', 'Trust', 'nhs_trust', true, :at)", at=stamp)
        insert("INSERT INTO team (id, name, slug, organisation, sector, active, created_at) "
               "VALUES (2, 'northshire  TEAM', 'northshire-team-2', 'Trust', 'nhs_trust', true, :at)", at=later)
        insert("INSERT INTO \"user\" (id, email, name, password_hash, role, active, created_at) "
               "VALUES (1, 'm@example.nhs.uk', 'M', '', 'manager', true, :at)", at=stamp)
        insert("INSERT INTO membership (user_id, team_id, role) VALUES (1, 2, 'manager')")
        insert("INSERT INTO source (id, name, kind, created_at) VALUES (1, 'Northshire ICB', 'commissioner', :at)", at=stamp)
        insert("INSERT INTO source (id, name, kind, created_at) VALUES (2, 'northshire  icb', 'other', :at)", at=later)
        for request_id, source_id, title, at in ((1, 1, "Weekly sitrep", stamp), (2, 2, "weekly SITREP", later),
                                                 (3, 2, "Other return", later)):
            insert("INSERT INTO request (id, title, source_id, description, frequency, obligation, status, created_at) "
                   "VALUES (:id, :title, :source, '', 'weekly', 'statutory', 'active', :at)",
                   id=request_id, title=title, source=source_id, at=at)
        for entry_id, request_id, team_id, minutes in ((1, 1, 1, 30), (2, 2, 2, 45), (3, 3, 2, 60), (4, 2, 1, 15)):
            insert("INSERT INTO entry (id, request_id, team_id, logged_by_id, occurred_on, minutes, band, "
                   "duplicated_elsewhere, used, notes, created_at, updated_at) VALUES (:id, :request, :team, 1, "
                   "'2026-03-05', :minutes, '5', 'yes', 'no', '', :at, :at)",
                   id=entry_id, request=request_id, team=team_id, minutes=minutes, at=later)
    capsys.readouterr()

    upgrade(directory=MIGRATIONS, revision="0004")
    printed = capsys.readouterr().out
    assert "team 'northshire  TEAM' (#2) into 'Northshire Team' (#1)" in printed
    assert "source 'northshire  icb' (#2) into 'Northshire ICB' (#1)" in printed
    assert "request 'weekly SITREP' (#2) into 'Weekly sitrep' (#1)" in printed

    session = db.session
    assert session.scalars(select(Team.id)).all() == [1]
    assert session.scalars(select(Source.name)).all() == ["Northshire ICB"]
    assert sorted(session.execute(select(Request.id, Request.source_id, Request.title_key)).all()) == [
        (1, 1, "weekly sitrep"), (3, 1, "other return")]
    assert sorted(session.execute(select(Entry.id, Entry.request_id, Entry.team_id)).all()) == [
        (1, 1, 1), (2, 1, 1), (3, 3, 1), (4, 1, 1)]
    session.remove()
    # differences() reads every rollup of the head schema (0005 adds burden_rollup_minutes, filled from the
    # entries as 0004 left them); the migrations after 0004 leave the three older rollups alone.
    upgrade(directory=MIGRATIONS, revision="head")
    assert differences(session) == {}
    merges = session.execute(select(AuditEvent.entity, AuditEvent.entity_id).where(AuditEvent.action == "merge")).all()
    assert sorted(merges) == [("request", 2), ("source", 2), ("team", 2)]
    session.remove()
