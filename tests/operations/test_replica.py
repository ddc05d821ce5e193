"""Reads on a streaming replica (issue 17, part 3), against a real one the suite starts itself.

The app here works on the `streaming_replica` fixture's own primary, with its
hot standby as DATABASE_REPLICA_URL. Routing is proved by pausing the
standby's replay: what is written meanwhile is on the primary only, so a page
that shows it read the primary and a page that does not read the replica.
PostgreSQL only (the `postgresql` marker: deselected in the SQLite run, failing
in the PostgreSQL run when the replica cannot start)."""
from __future__ import annotations

import re
import time
from datetime import date

import psycopg
import pytest
from sqlalchemy import func, select

from tests.conftest import AuthActions, empty_tables
from tracker.extensions import db as _db
from tracker.models.auth import User
from tracker.models.catalogue import Team
from tracker.models.entries import Entry
from tracker.operations.replica import PRIMARY_COOKIE
from tracker.replica import route_reads

pytestmark = [pytest.mark.postgresql, pytest.mark.server]


@pytest.fixture(scope="module")
def _database(streaming_replica, tmp_path_factory):
    """conftest's `app`, builders and clients work on the streaming pair's primary in this module."""
    return streaming_replica.primary_url, str(tmp_path_factory.mktemp("replica-app"))


@pytest.fixture
def make_replica_app(make_app, streaming_replica):
    def build(**overrides):
        # The replica's verdict asked at every request (DATABASE_CHECK_SECONDS=0), unless a test says otherwise.
        settings = {"DATABASE_REPLICA_URL": streaming_replica.replica_url, "DATABASE_CHECK_SECONDS": 0, **overrides}
        return make_app(**settings)

    return build


@pytest.fixture
def app(make_replica_app):
    app = make_replica_app()
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()


@pytest.fixture(autouse=True)
def replica_in_step(streaming_replica):
    """Each test starts, and leaves, with the replica running, replaying, and caught up."""
    def in_step():
        if not streaming_replica.replica_running():
            streaming_replica.start_replica()
        streaming_replica.resume_replay()
        streaming_replica.wait_caught_up()

    in_step()
    yield
    in_step()


@pytest.fixture
def return_form(make_request):
    return make_request(title="Monthly sitrep")


def log_form(request, team, notes: str, day: date | None = None) -> dict:
    return {"request_id": str(request.id), "team_id": str(team.id), "occurred_on": (day or date.today()).isoformat(),
            "time_hours": "1", "time_minutes": "30", "band": "5", "duplicated_elsewhere": "no", "used": "yes",
            "notes": notes}


def listed_ids(response) -> set[int]:
    assert response.status_code == 200, response.status_code
    return {int(i) for i in re.findall(r'data-entry-id="(\d+)"', response.get_data(as_text=True))}


def ids_on_primary() -> set[int]:
    _db.session.expire_all()
    return set(_db.session.scalars(select(Entry.id)))


def signed_in(app, user):
    """A client of this app (not the `app` fixture's) signed in as the user."""
    client = app.test_client()
    AuthActions(client).login(user.email)
    return client


def long_after_own_write(client):
    """The client's own last write was long ago: its read-your-writes window has passed."""
    client.delete_cookie(PRIMARY_COOKIE)
    return client


def test_a_write_through_the_app_is_read_on_the_replica(manager_client, team, return_form, streaming_replica):
    response = manager_client.post("/entries/new", data=log_form(return_form, team, "written on the primary"))
    assert response.status_code == 302
    streaming_replica.wait_caught_up()
    assert streaming_replica.on_replica("SELECT minutes, notes FROM entry") == [(90, "written on the primary")]
    assert streaming_replica.on_replica("SELECT pg_is_in_recovery()") == [(True,)]
    with pytest.raises(psycopg.errors.ReadOnlySqlTransaction):  # it really is a standby
        streaming_replica.on_replica("DELETE FROM entry")


def test_reads_go_to_the_replica_and_the_page_after_your_own_write_to_the_primary(
    app, manager_client, client_for, make_user, team, return_form, streaming_replica, api_for
):
    colleague = long_after_own_write(client_for(make_user("manager", [team])))
    colleague_api = api_for(colleague.user)
    manager_client.post("/entries/new", data=log_form(return_form, team, "before the pause"))
    streaming_replica.wait_caught_up()
    (before,) = ids_on_primary()
    assert listed_ids(colleague.get("/")) == {before}

    streaming_replica.pause_replay()
    after_write = manager_client.post("/entries/new", data=log_form(return_form, team, "while paused"), follow_redirects=True)
    (written,) = ids_on_primary() - {before}
    # The page the writer lands on after saving, and its next pages, read the primary: the entry is there.
    assert PRIMARY_COOKIE in after_write.request.headers.get("Cookie", "")
    assert listed_ids(after_write) == {before, written}
    assert listed_ids(manager_client.get("/")) == {before, written}
    # Everyone else reads the replica, which has not replayed it yet: page and API alike.
    assert listed_ids(colleague.get("/")) == {before}
    api_ids = {item["id"] for item in colleague_api.get("/api/v1/entries").get_json()["items"]}
    assert api_ids == {before}
    # Once the writer's window has passed, it reads the replica too.
    assert listed_ids(long_after_own_write(manager_client).get("/")) == {before}

    streaming_replica.resume_replay()
    streaming_replica.wait_caught_up()
    assert listed_ids(colleague.get("/")) == {before, written}


def test_a_write_in_a_request_that_reads_the_replica_goes_to_the_primary(app, db, streaming_replica, make_user, api_for):
    api = api_for(make_user("commissioner"))
    streaming_replica.wait_caught_up()
    streaming_replica.pause_replay()
    # A GET read on the replica still records the token's use, on the primary (the replica would refuse it).
    assert api.get("/api/v1/teams").status_code == 200
    used = streaming_replica.on_primary("SELECT last_used_at FROM api_token")
    assert used[0][0] is not None
    assert streaming_replica.on_replica("SELECT last_used_at FROM api_token") == [(None,)]

    # The session's own rules: a flush goes to the primary, and so does every read after it...
    assert route_reads(db.session, True)
    db.session.add(Team(name="Written While Reading", slug="written-while-reading", organisation="Trust", sector="nhs_trust"))
    db.session.flush()
    assert db.session.scalar(select(func.count()).select_from(Team).where(Team.slug == "written-while-reading")) == 1
    db.session.commit()
    # ... until the session is routed again: then plain reads go to the (paused) replica.
    assert route_reads(db.session, True)
    assert db.session.scalar(select(func.count()).select_from(Team).where(Team.slug == "written-while-reading")) == 0
    route_reads(db.session, False)
    assert db.session.scalar(select(func.count()).select_from(Team).where(Team.slug == "written-while-reading")) == 1


def test_healthz_reports_a_replica_in_step_even_when_the_primary_is_idle(app, client, streaming_replica):
    streaming_replica.wait_caught_up()
    time.sleep(1.5)  # nothing written meanwhile: now() - the last replayed commit grows, the lag does not
    body = client.get("/healthz").get_json()
    assert body["replica"] == {"status": "ok", "lag_seconds": 0.0, "reads": "replica"}
    assert body["database"] == "ok"


def test_a_stopped_replica_falls_back_to_the_primary_and_healthz_says_so(
    app, manager_client, team, return_form, client, streaming_replica
):
    manager_client.post("/entries/new", data=log_form(return_form, team, "kept on the primary"))
    streaming_replica.stop_replica()
    assert listed_ids(long_after_own_write(manager_client).get("/")) == ids_on_primary() != set()
    response = client.get("/healthz")
    assert response.status_code == 200  # the web can serve: keep it in the balancer's pool
    body = response.get_json()
    assert body["replica"] == {"status": "unavailable", "lag_seconds": None, "reads": "primary"}
    assert body["status"] == "degraded" and body["database"] == "ok"

    streaming_replica.start_replica()
    assert client.get("/healthz").get_json()["replica"]["status"] == "ok"


def test_a_replica_that_stops_between_two_checks_costs_a_redirect_not_an_error(
    make_replica_app, make_user, team, return_form, make_entry, streaming_replica
):
    app = make_replica_app(DATABASE_CHECK_SECONDS=600)  # the verdict "ok" is trusted for ten minutes
    with app.app_context():
        manager = make_user("manager", [team])
        make_entry(manager, team, return_form)
        streaming_replica.wait_caught_up()
        reader = long_after_own_write(signed_in(app, manager))
        assert len(listed_ids(reader.get("/"))) == 1  # read on the replica: its connection is pooled
        streaming_replica.stop_replica()
        response = reader.get("/", follow_redirects=True)
        assert [r.status_code for r in response.history] == [307]
        assert len(listed_ids(response)) == 1  # the same page, read on the primary
        assert app.test_client().get("/healthz").get_json()["replica"]["status"] == "unavailable"
        _db.session.remove()


def test_a_replica_too_far_behind_falls_back_to_the_primary(
    make_replica_app, make_user, team, return_form, streaming_replica
):
    app = make_replica_app(REPLICA_MAX_LAG_SECONDS=1)
    with app.app_context():
        writer = signed_in(app, make_user("manager", [team]))
        reader = long_after_own_write(signed_in(app, make_user("manager", [team])))
        streaming_replica.wait_caught_up()
        streaming_replica.pause_replay()
        writer.post("/entries/new", data=log_form(return_form, team, "the replica is behind"))
        time.sleep(1.5)
        assert listed_ids(reader.get("/")) == ids_on_primary() != set()  # the primary's: the replica has not got it
        body = app.test_client().get("/healthz").get_json()
        assert body["replica"]["status"] == "lagging" and body["replica"]["reads"] == "primary"
        assert body["replica"]["lag_seconds"] > 1 and body["status"] == "degraded"
        _db.session.remove()


def test_a_workbook_build_reads_the_month_on_the_replica_and_records_the_run_on_the_primary(
    app, db, export_dir, world, make_entry, streaming_replica
):
    from tests.exports_support import day_in, settings_of
    from tracker.exports.monthly import make_period

    streaming_replica.wait_caught_up()
    streaming_replica.pause_replay()
    make_entry(world.manager, world.team, world.request, occurred_on=day_in(world.month, 12), minutes=15)
    made = {run.team_id: run for run in make_period(db.session, world.month, "schedule", settings_of(app))}
    every_team = made[None]
    assert every_team.status == "succeeded"
    assert every_team.rows == 4  # the replica's month: the fifth entry, on the primary only, is not in it
    assert db.session.scalar(select(func.count()).select_from(Entry)) == 5
    on_primary = streaming_replica.on_primary("SELECT status, rows FROM export_run WHERE team_id IS NULL")
    assert on_primary == [("succeeded", 4)]


def test_who_is_signed_in_is_read_on_the_primary(app, db, make_user, team, streaming_replica):
    streaming_replica.wait_caught_up()
    streaming_replica.pause_replay()
    newcomer = make_user("manager", [team])  # on the primary only
    newcomer_id = newcomer.id
    client = long_after_own_write(signed_in(app, newcomer))
    db.session.expunge_all()  # the request must look the user up, not find the test's copy
    assert client.get("/").status_code == 200  # not sent to sign in: the replica does not know them yet
    db.session.get(User, newcomer_id).end_sessions()  # "sign out everywhere", on the primary only
    db.session.commit()
    db.session.expunge_all()
    assert client.get("/").status_code == 302  # counts at once, though the replica still has the old version
