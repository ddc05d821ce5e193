"""Migrations both ways on a seeded database (seed-demo, small), on SQLite and PostgreSQL (when set).

From head with demo data, each revision in turn is undone and done again: the
downgrade must succeed with rows in every table (SQLite's batch rebuilds once
failed on `DROP TABLE user` with foreign keys enforced), and the upgrade must
keep every row the database held below it, column for column. At the base,
up to head again matches the models. No migration imports the app."""
from __future__ import annotations

import re
from pathlib import Path

from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.migrations.test_migrations import MIGRATIONS, empty_app, model_differences, table_names  # noqa: F401
from tracker.extensions import db

SMALL_DEMO = ["seed-demo", "--teams", "2", "--months", "2", "--entries", "200", "--seed", "7"]


def chain() -> list[str]:
    """Every revision, oldest first (the order migrations/README writes down)."""
    return [r.revision for r in reversed(list(ScriptDirectory(MIGRATIONS).walk_revisions()))]


def snapshot() -> dict[str, tuple[list[str], list[tuple]]]:
    """Every table's columns and rows (as text, sorted), but Alembic's own."""
    db.session.remove()
    tables = {}
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        for table in inspector.get_table_names():
            if table == "alembic_version":
                continue
            columns = [c["name"] for c in inspector.get_columns(table)]
            quoted = ", ".join(f'"{c}"' for c in columns)
            rows = conn.execute(text(f'SELECT {quoted} FROM "{table}"')).all()
            tables[table] = (columns, sorted(tuple("" if v is None else str(v) for v in row) for row in rows))
    return tables


def kept(below: dict, above: dict) -> list[str]:
    """Tables of `below` whose rows `above` does not hold the same, on the columns both have."""
    changed = []
    for table, (columns, rows) in below.items():
        if table not in above:
            changed.append(f"{table}: gone")
            continue
        above_columns, above_rows = above[table]
        common = [c for c in columns if c in above_columns]
        project = lambda cols, rs: sorted(tuple(r[cols.index(c)] for c in common) for r in rs)  # noqa: E731
        if project(columns, rows) != project(above_columns, above_rows):
            changed.append(table)
    return changed


def test_a_seeded_database_goes_down_to_the_base_and_up_again_losing_nothing_on_the_way_up(empty_app):
    upgrade(directory=MIGRATIONS, revision="head")
    seeded = empty_app.test_cli_runner().invoke(args=SMALL_DEMO)
    assert seeded.exit_code == 0, seeded.output
    at_head = snapshot()
    assert len(at_head["entry"][1]) == 200 and at_head["decision"][1] and at_head["user"][1]

    revisions = chain()
    for index in range(len(revisions) - 1, 0, -1):
        revision, below_it = revisions[index], revisions[index - 1]
        downgrade(directory=MIGRATIONS, revision=below_it)
        below = snapshot()
        assert below["entry"][1], f"entries lost going down to {below_it}"
        upgrade(directory=MIGRATIONS, revision=revision)
        assert kept(below, snapshot()) == [], f"rows lost by the upgrade {below_it} → {revision}"
        downgrade(directory=MIGRATIONS, revision=below_it)

    downgrade(directory=MIGRATIONS, revision="base")
    assert table_names() <= {"alembic_version"}
    upgrade(directory=MIGRATIONS, revision="head")
    assert model_differences() == []


def test_the_order_is_written_down_and_no_migration_imports_the_app():
    readme = (Path(MIGRATIONS) / "README").read_text()
    written = re.findall(r"^\s*\d+\.\s+(\S+)", readme, re.M)
    assert written == chain()
    for script in Path(MIGRATIONS, "versions").glob("*.py"):
        source = script.read_text()
        assert not re.search(r"^\s*(from|import)\s+tracker\b", source, re.M), script.name
