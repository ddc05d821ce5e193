"""DATABASE_REPLICA_URL and REPLICA_MAX_LAG_SECONDS as settings (both backends; the replica itself:
tests/operations/test_replica.py, PostgreSQL only)."""
from __future__ import annotations

import pytest

from tracker.config import ConfigError


def test_without_a_replica_everything_reads_the_primary(app, db):
    from tracker.replica import replica_state, route_reads

    assert app.config["REPLICA_MAX_LAG_SECONDS"] == 30
    assert "replica" not in app.config.get("SQLALCHEMY_BINDS", {})
    assert replica_state(db.session) is None
    assert route_reads(db.session, True) is False


def test_a_replica_url_is_taken_as_psycopg_with_its_own_engine_options(make_app):
    app = make_app(DATABASE_URL="postgres://tracker@db.example/tracker", DATABASE_REPLICA_URL="postgresql://tracker@replica.example/tracker",
                   REPLICA_MAX_LAG_SECONDS="12.5", DATABASE_CONNECT_TIMEOUT=3)
    bind = app.config["SQLALCHEMY_BINDS"]["replica"]
    assert bind["url"] == app.config["DATABASE_REPLICA_URL"] == "postgresql+psycopg://tracker@replica.example/tracker"
    assert bind["pool_pre_ping"] is True and bind["connect_args"] == {"connect_timeout": 3}
    assert app.config["REPLICA_MAX_LAG_SECONDS"] == 12.5


@pytest.mark.parametrize("settings, says", [
    ({"DATABASE_URL": "sqlite:///x.sqlite", "DATABASE_REPLICA_URL": "postgresql://replica.example/tracker"}, "needs PostgreSQL"),
    ({"DATABASE_URL": "postgresql://db.example/tracker", "DATABASE_REPLICA_URL": "sqlite:///replica.sqlite"}, "needs PostgreSQL"),
    ({"REPLICA_MAX_LAG_SECONDS": "soon"}, "REPLICA_MAX_LAG_SECONDS 'soon'"),
    ({"REPLICA_MAX_LAG_SECONDS": "-1"}, "0 or more"),
    ({"REPLICA_MAX_LAG_SECONDS": "nan"}, "0 or more"),
])
def test_a_replica_setting_that_cannot_work_stops_the_start_and_says_why(make_app, settings, says):
    with pytest.raises(ConfigError, match=says):
        make_app(**settings)
