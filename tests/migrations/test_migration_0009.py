"""Migration 0009: a request's "details to confirm" flag, on SQLite (and PostgreSQL when set)."""
from __future__ import annotations

from flask_migrate import downgrade, upgrade
from sqlalchemy import inspect, text

from tests.migrations.test_migrations import MIGRATIONS, empty_app, model_differences  # noqa: F401  (fixture)
from tracker.extensions import db


def request_columns() -> set[str]:
    with db.engine.connect() as conn:
        return {column["name"] for column in inspect(conn).get_columns("request")}


def test_existing_requests_are_not_marked_and_the_flag_comes_off_again(empty_app):
    upgrade(directory=MIGRATIONS, revision="0003")  # before the name keys (0004), which fill them in
    with db.engine.begin() as conn:
        conn.execute(text("INSERT INTO source (id, name, kind, created_at) VALUES (1, 'Care Quality Commission', 'regulator', CURRENT_TIMESTAMP)"))
        conn.execute(text(
            "INSERT INTO request (id, title, source_id, description, frequency, obligation, status, created_at) "
            "VALUES (1, 'Quarterly assurance', 1, '', 'quarterly', 'statutory', 'active', CURRENT_TIMESTAMP)"
        ))
        # An entry pointing at the request: the migration must not rebuild the table under it.
        conn.execute(text(
            "INSERT INTO team (id, name, slug, organisation, sector, active, created_at) "
            "VALUES (1, 'Community Nursing North', 'community-nursing-north', 'Northshire', 'nhs_trust', true, CURRENT_TIMESTAMP)"
        ))
        conn.execute(text(
            "INSERT INTO \"user\" (id, email, name, password_hash, role, active, created_at) "
            "VALUES (1, 'mina@example.nhs.uk', 'Mina Manager', '', 'manager', true, CURRENT_TIMESTAMP)"
        ))
        conn.execute(text(
            "INSERT INTO entry (id, request_id, team_id, logged_by_id, occurred_on, minutes, band, duplicated_elsewhere, "
            "used, notes, created_at, updated_at) VALUES (1, 1, 1, 1, '2026-03-02', 60, '5', 'no', 'yes', '', "
            "CURRENT_TIMESTAMP, CURRENT_TIMESTAMP)"
        ))

    upgrade(directory=MIGRATIONS, revision="0009")
    assert "details_to_confirm" in request_columns()
    with db.engine.begin() as conn:
        assert conn.execute(text("SELECT details_to_confirm FROM request WHERE id = 1")).scalar() in (False, 0)
        # A new row without the column takes the database's default: not marked.
        conn.execute(text(
            "INSERT INTO request (id, title, title_key, source_id, description, frequency, obligation, status, created_at) "
            "VALUES (2, 'Monthly return', 'monthly return', 1, '', 'monthly', 'contractual', 'active', CURRENT_TIMESTAMP)"
        ))
        assert conn.execute(text("SELECT details_to_confirm FROM request WHERE id = 2")).scalar() in (False, 0)

    downgrade(directory=MIGRATIONS, revision="0004")
    assert "details_to_confirm" not in request_columns()
    with db.engine.connect() as conn:  # nothing else lost on the way down
        assert conn.execute(text("SELECT count(*) FROM request")).scalar() == 2
        assert conn.execute(text("SELECT request_id FROM entry")).scalar() == 1

    upgrade(directory=MIGRATIONS, revision="head")
    assert model_differences() == []
