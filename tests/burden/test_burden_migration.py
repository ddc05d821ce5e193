"""Migration 0002 fills the rollups from entries logged before it, and goes down and up again."""
from __future__ import annotations

from sqlalchemy import create_engine, inspect, text

from tests.conftest import base_config
from tracker import create_app


def test_upgrade_rolls_up_existing_entries_and_downgrade_removes_the_tables(tmp_path):
    url = "sqlite:///" + str(tmp_path / "migrate.sqlite")
    app = create_app(base_config(url, str(tmp_path)))
    from flask_migrate import downgrade, upgrade

    with app.app_context():
        upgrade(revision="0001")
        engine = create_engine(url)
        with engine.begin() as db:
            db.execute(text("INSERT INTO team (id, name, slug, organisation, sector, active, created_at) "
                            "VALUES (1, 'T', 't', 'O', 'nhs_trust', 1, '2026-01-01 00:00:00')"))
            db.execute(text("INSERT INTO source (id, name, kind, created_at) VALUES (1, 'S', 'regulator', '2026-01-01 00:00:00')"))
            db.execute(text("INSERT INTO request (id, title, source_id, description, frequency, obligation, status, created_at) "
                            "VALUES (1, 'R', 1, '', 'monthly', 'statutory', 'active', '2026-01-01 00:00:00')"))
            db.execute(text("INSERT INTO user (id, email, name, password_hash, role, active, created_at) "
                            "VALUES (1, 'a@example.nhs.uk', 'A', '', 'admin', 1, '2026-01-01 00:00:00')"))
            for day, minutes, dup, used, deleted in [
                ("2026-01-05", 30, "yes", "yes", None),
                ("2026-01-20", 45, "no", "unknown", None),
                ("2026-01-21", 600, "no", "yes", "2026-01-22 00:00:00"),  # deleted: counts nowhere
                ("2026-02-01", 15, "no", "yes", None),
            ]:
                db.execute(
                    text("INSERT INTO entry (request_id, team_id, logged_by_id, occurred_on, minutes, band, "
                         "duplicated_elsewhere, used, notes, created_at, updated_at, deleted_at) "
                         "VALUES (1, 1, 1, :day, :minutes, '5', :dup, :used, '', '2026-01-01 00:00:00', "
                         "'2026-01-01 00:00:00', :deleted)"),
                    {"day": day, "minutes": minutes, "dup": dup, "used": used, "deleted": deleted},
                )
        upgrade(revision="0002")
        with engine.connect() as db:
            full = db.execute(text("SELECT month, entries, minutes, duplicated_minutes, used_minutes "
                                   "FROM burden_rollup ORDER BY month")).all()
            assert [tuple(r) for r in full] == [("2026-01-01", 2, 75, 30, 30), ("2026-02-01", 1, 15, 0, 15)]
            assert db.execute(text("SELECT sum(minutes) FROM burden_rollup_team")).scalar() == 90
            assert db.execute(text("SELECT sum(entries) FROM burden_rollup_request")).scalar() == 3
        downgrade(revision="0001")
        tables = set(inspect(engine).get_table_names())
        assert not tables & {"burden_rollup", "burden_rollup_team", "burden_rollup_request"}
        upgrade(revision="0002")
        assert {"burden_rollup", "burden_rollup_team", "burden_rollup_request"} <= set(inspect(create_engine(url)).get_table_names())
        engine.dispose()
