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
from tracker.models.burden import Rate
from tracker.shared.choices import BANDS
from tracker.extensions import db

ROOT = Path(__file__).resolve().parent.parent
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
    with db.engine.connect() as conn:
        return set(inspect(conn).get_table_names())


def model_differences() -> list:
    """What Alembic's autogenerate would write to make the database match the models."""
    with db.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
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
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", f"tests/{node}[postgresql]"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 1, output  # tests failed (not 5, "no tests collected")
    assert re.search(r"\b1 (failed|error)\b", output), output
    assert "skipped" not in output.lower()
    assert "OperationalError" in output
