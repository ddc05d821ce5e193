"""seed-demo: realistic, deterministic demo data, loaded in bulk."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone

import pytest
from flask_migrate import upgrade
from sqlalchemy import func, inspect, select

from tests.conftest import base_config, empty_tables
from tracker.demo.workspace import LOOKALIKES
from tracker.models.workspace import Decision
from tracker import create_app
from tracker.shared import choices
from tracker.models.audit import AuditEvent
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Request, Source, Team
from tracker.demo import bulk, data
from tracker.demo.seed import plan_people, plan_team_work, plan_teams, seed_demo
from tracker.models.entries import Entry
from tracker.extensions import db as _db
from tracker.shared.timeutil import add_months, month_start

SMALL = ["--teams", "3", "--months", "2", "--entries", "500"]
LOGINS = re.compile(r"Demo logins \(every demo user's password is (\S+)\):\n((?:  \w+ +\S+\n)+)")


def printed_logins(stdout: str) -> tuple[dict, str]:
    """({role: email}, password) as seed-demo prints them: one login for each role."""
    found = LOGINS.search(stdout)
    assert found, stdout
    return dict(line.split() for line in found.group(2).splitlines()), found.group(1)


def seed_cli(app, *args):
    result = app.test_cli_runner().invoke(args=["seed-demo", *args])
    assert result.exit_code == 0, result.output + repr(result.exception)
    return result


def entry_tuples(session):
    """Every entry by what it means (ids differ between databases that were not empty)."""
    query = (
        select(Team.name, Request.title, User.email, Entry.occurred_on, Entry.minutes, Entry.band,
               Entry.duplicated_elsewhere, Entry.used, Entry.notes)
        .join(Team, Entry.team_id == Team.id)
        .join(Request, Entry.request_id == Request.id)
        .join(User, Entry.logged_by_id == User.id)
        .order_by(Entry.id)
    )
    return [tuple(row) for row in session.execute(query)]


def count(session, model) -> int:
    return session.scalar(select(func.count()).select_from(model))


# ---- the vocabulary ----------------------------------------------------------


def test_vocabulary_uses_only_valid_values():
    kinds = dict(data.SOURCES)
    assert set(kinds.values()) <= set(choices.SOURCE_KINDS)
    assert len(data.REQUESTS) >= 30
    for spec in data.REQUESTS:
        assert spec.source in kinds, spec.title
        assert spec.frequency in choices.FREQUENCIES
        assert spec.obligation in choices.OBLIGATIONS
        assert set(spec.sectors) <= set(choices.SECTORS)
        lo, mode, hi = spec.minutes
        assert 1 <= lo <= mode <= hi <= choices.MAX_ENTRY_MINUTES
        assert 0 <= spec.duplicated <= 1 and 0 <= spec.used <= 1
        assert not spec.months or set(spec.months) <= set(range(1, 13))
    assert len({(s.source, s.title) for s in data.REQUESTS}) == len(data.REQUESTS)
    assert set(data.UNDER_REVIEW) <= {s.title for s in data.REQUESTS}
    for sector, bands in data.SECTOR_BANDS.items():
        assert sector in choices.SECTORS and set(bands) <= set(choices.BANDS)
    assert set(data.ORGANISATIONS) == set(data.TEAM_FUNCTIONS) == set(data.ALL_SECTORS)
    # Every sector has enough requests for a team to answer 10 or more.
    for sector in data.ALL_SECTORS:
        assert sum(sector in spec.sectors for spec in data.REQUESTS) >= 10, sector


def test_the_brief_s_sources_and_requests_are_there():
    kinds = dict(data.SOURCES)
    assert kinds["NHS England – North West regional team"] == "national_body"
    assert kinds["Care Quality Commission"] == "regulator"
    assert kinds["Integrated Care Board"] == "commissioner"
    assert kinds["County council – adult social care"] == "local_authority"
    assert kinds["Urgent and emergency care programme office"] == "programme_office"
    assert kinds["Trust board"] == "internal"
    by_title = {spec.title: spec for spec in data.REQUESTS}
    assert by_title["Weekly winter sitrep"].frequency == "weekly"
    assert by_title["Monthly performance return"].frequency == "monthly"
    assert by_title["Quarterly assurance report"].frequency == "quarterly"
    assert by_title["Ad hoc information request: workforce"].frequency == "ad_hoc"
    assert by_title["Annual data security return"].frequency == "annual"


def test_demo_text_is_safe_for_copy_text_format():
    texts = list(data.NOTES) + [s.title for s in data.REQUESTS] + [name for name, _ in data.SOURCES]
    for text in texts:
        assert not set(text) & {"\t", "\n", "\r", "\\"}, text


def test_many_teams_get_one_lead_and_one_manager_and_every_sector():
    import random

    plans = plan_teams(random.Random(42), 200)
    plan_people(random.Random(1), plans)
    plan_team_work(random.Random(2), plans)
    assert len({p.name for p in plans}) == 200
    assert {p.sector for p in plans} == set(data.ALL_SECTORS)
    assert all(sorted(role for _e, _n, role in p.people) == ["lead", "manager"] for p in plans)
    emails = [email for p in plans for email, _n, _r in p.people]
    assert len(set(emails)) == len(emails) == 400
    for plan in plans:
        assert 10 <= len(plan.requests) <= 20
        assert 2 <= len(plan.bands) <= 4
        assert {spec_index for spec_index, _w in plan.requests} <= {
            i for i, spec in enumerate(data.REQUESTS) if plan.sector in spec.sectors
        }


# ---- the command -------------------------------------------------------------


def test_counts_match_the_options(app, db):
    result = seed_cli(app, *SMALL)
    assert count(db.session, Team) == 3
    assert count(db.session, Entry) == 500
    assert count(db.session, Source) == len(data.SOURCES)
    assert count(db.session, Request) == len(data.REQUESTS) + len(LOOKALIKES)  # the workspace's look-alikes
    teams = db.session.scalars(select(Team)).all()
    for team in teams:
        roles = sorted(db.session.scalars(select(Membership.role).where(Membership.team_id == team.id)))
        assert roles in (["lead", "manager"], ["lead", "manager", "manager"])
        used_requests = db.session.scalar(
            select(func.count(func.distinct(Entry.request_id))).where(Entry.team_id == team.id))
        assert 3 <= used_requests <= 20
        bands = db.session.scalar(select(func.count(func.distinct(Entry.band))).where(Entry.team_id == team.id))
        assert 1 <= bands <= 4
    users = count(db.session, User)
    assert 2 + 3 * 2 <= users <= 2 + 3 * 3
    assert db.session.scalar(select(User.role).where(User.email == data.ADMIN_EMAIL)) == "admin"
    assert db.session.scalar(select(User.role).where(User.email == data.COMMISSIONER_EMAIL)) == "commissioner"
    assert "500 entries" in result.stdout


def test_dates_cover_the_months_and_never_the_future(app, db):
    seed_cli(app, *SMALL)
    first, last = db.session.execute(select(func.min(Entry.occurred_on), func.max(Entry.occurred_on))).one()
    today = date.today()
    assert first >= add_months(month_start(today), -1)
    assert first < month_start(today)  # the earlier month is used, not only this one
    assert last <= today
    newest_log = db.session.scalar(select(func.max(Entry.created_at)))
    assert newest_log <= datetime.now(timezone.utc)


def test_every_value_is_valid(app, db):
    seed_cli(app, *SMALL)
    session = db.session

    def values(column):
        return set(session.scalars(select(column).distinct()))

    assert values(Entry.band) <= set(choices.BANDS)
    assert values(Entry.duplicated_elsewhere) == set(choices.ANSWERS)
    assert values(Entry.used) == set(choices.ANSWERS)
    assert values(Team.sector) <= set(choices.SECTORS)
    assert values(Source.kind) <= set(choices.SOURCE_KINDS)
    assert values(Request.frequency) <= set(choices.FREQUENCIES)
    assert values(Request.obligation) <= set(choices.OBLIGATIONS)
    assert values(Request.status) <= set(choices.REQUEST_STATUSES)
    assert values(User.role) == set(choices.ROLES)
    assert values(Membership.role) == set(choices.TEAM_ROLES)
    lo, hi = session.execute(select(func.min(Entry.minutes), func.max(Entry.minutes))).one()
    assert 1 <= lo and hi <= choices.MAX_ENTRY_MINUTES
    assert values(Entry.notes) - {""} <= set(data.NOTES)
    assert 0 < session.scalar(select(func.count()).where(Entry.notes != "")) < 100
    # Nobody logs for a team they do not belong to.
    strays = session.scalar(
        select(func.count()).select_from(Entry).outerjoin(
            Membership, (Membership.user_id == Entry.logged_by_id) & (Membership.team_id == Entry.team_id)
        ).where(Membership.id.is_(None))
    )
    assert strays == 0


def test_minutes_follow_the_request_s_frequency(app, db):
    seed_cli(app, "--teams", "6", "--months", "12", "--entries", "3000")
    average = dict(db.session.execute(
        select(Request.frequency, func.avg(Entry.minutes)).join(Request).group_by(Request.frequency)
    ).all())
    assert 25 <= average["weekly"] <= 100
    assert average["weekly"] < average["monthly"] < average["quarterly"] < average["annual"]
    sitrep = db.session.execute(
        select(func.min(Entry.minutes), func.max(Entry.minutes)).join(Request)
        .where(Request.title == "Weekly winter sitrep")
    ).one()
    if sitrep[0] is not None:
        assert 20 <= sitrep[0] and sitrep[1] <= 120
    # Winter sitreps only in winter.
    months = {d.month for d in db.session.scalars(
        select(Entry.occurred_on).join(Request).where(Request.title == "Weekly winter sitrep"))}
    assert months <= {11, 12, 1, 2, 3}


def test_same_seed_same_entries_other_seed_other_entries(app, db):
    seed_cli(app, *SMALL, "--seed", "7")
    first = entry_tuples(db.session)
    db.session.remove()
    empty_tables()
    seed_cli(app, *SMALL, "--seed", "7")
    again = entry_tuples(db.session)
    db.session.remove()
    empty_tables()
    seed_cli(app, *SMALL, "--seed", "8")
    other = entry_tuples(db.session)
    assert len(first) == 500
    assert first == again
    assert other != first


def test_ids_are_the_same_on_an_empty_database(tmp_path):
    """Two fresh databases, the same seed: the same rows, ids included."""
    day = date(2025, 3, 14)

    def load(name):
        app = create_app(base_config(f"sqlite:///{tmp_path / name}", str(tmp_path)))
        with app.app_context():
            upgrade()
            seed_demo(_db.session, teams=3, months=2, entries=400, seed=11, today=day)
            rows = [tuple(r) for r in _db.session.execute(
                select(Entry.id, Entry.request_id, Entry.team_id, Entry.logged_by_id, Entry.occurred_on,
                       Entry.minutes, Entry.band, Entry.duplicated_elsewhere, Entry.used, Entry.notes)
                .order_by(Entry.id))]
            teams = [tuple(r) for r in _db.session.execute(select(Team.id, Team.name).order_by(Team.id))]
            users = [tuple(r) for r in _db.session.execute(select(User.id, User.email).order_by(User.id))]
            _db.session.remove()
            _db.engine.dispose()
        return rows, teams, users

    first, second = load("one.sqlite"), load("two.sqlite")
    assert first == second
    rows = first[0]
    assert [r[0] for r in rows] == list(range(1, 401))
    assert max(r[4] for r in rows) <= day
    assert min(r[4] for r in rows) >= date(2025, 2, 1)
    # Ids rise with the date, as they would if each entry was logged on its day.
    assert [r[4] for r in rows] == sorted(r[4] for r in rows)


def test_if_empty_does_nothing_on_a_database_with_a_team(app, db, make_team):
    make_team("Existing Team")
    result = seed_cli(app, *SMALL, "--if-empty")
    assert "Database already has data; demo not loaded" in result.stdout
    assert "No demo logins: this database was not loaded by seed-demo." in result.stdout
    assert count(db.session, Team) == 1
    assert count(db.session, Entry) == 0
    assert count(db.session, Source) == 0


def test_if_empty_loads_an_empty_database(app, db):
    result = seed_cli(app, *SMALL, "--if-empty")
    assert "demo not loaded" not in result.stdout
    assert count(db.session, Entry) == 500


def test_printed_admin_login_works(app, db):
    result = seed_cli(app, *SMALL)
    logins, password = printed_logins(result.stdout)
    email = logins["admin"]
    assert email == "admin@demo.nhs.uk"
    client = app.test_client()
    response = client.post("/login", data={"email": email, "password": password})
    assert response.status_code == 302
    page = client.get("/", follow_redirects=True)
    assert page.status_code == 200
    assert b"Demo Administrator" in page.data
    # And a wrong password does not.
    assert app.test_client().post("/login", data={"email": email, "password": password + "x"}).status_code == 401


def test_one_printed_login_for_each_role_and_each_works(app, db):
    result = seed_cli(app, *SMALL)
    logins, password = printed_logins(result.stdout)
    assert logins == {"manager": "manager@demo.nhs.uk", "lead": "lead@demo.nhs.uk",
                      "commissioner": "commissioner@demo.nhs.uk", "admin": "admin@demo.nhs.uk"}
    for role, email in logins.items():
        user = db.session.scalar(select(User).where(User.email == email))
        assert user.role == role
        response = app.test_client().post("/login", data={"email": email, "password": password})
        assert response.status_code == 302, role
    lead = db.session.scalar(select(User).where(User.email == "lead@demo.nhs.uk"))
    manager = db.session.scalar(select(User).where(User.email == "manager@demo.nhs.uk"))
    assert [m.role for m in lead.memberships] == ["lead"] and [m.role for m in manager.memberships] == ["manager"]
    assert lead.memberships[0].team_id == manager.memberships[0].team_id  # the same team: the lead signs off the manager's work


def test_one_audit_event_for_the_whole_run(app, db):
    seed_cli(app, *SMALL, "--seed", "5")
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "entry")).all()
    assert len(events) == 1
    # the rest: the demo commissioner's three decisions for the workspace and the licences' estimates and
    # decisions (issue 18), audited as any are (and each team's capacity, recorded by the demo admin)
    others = db.session.scalars(select(AuditEvent).where(AuditEvent.entity.not_in(("entry", "team_capacity")))).all()
    assert {e.entity for e in others} == {"decision", "request", "estimate", "licence_decision"}
    assert {e.user.email for e in others} == {data.COMMISSIONER_EMAIL}
    event = events[0]
    assert (event.action, event.entity, event.new) == ("seed", "entry", {"entries": 500, "seed": 5})
    assert event.user.email == data.ADMIN_EMAIL


def test_a_second_run_adds_to_the_first(app, db):
    seed_cli(app, *SMALL, "--seed", "1")
    seed_cli(app, *SMALL, "--seed", "2")
    assert count(db.session, Entry) == 1000
    assert count(db.session, Source) == len(data.SOURCES)
    assert count(db.session, Request) == len(data.REQUESTS) + len(LOOKALIKES)  # the workspace's look-alikes
    assert len(db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "entry")).all()) == 2
    assert count(db.session, Decision) == 3  # the demo's decisions, made once


def test_zero_entries_loads_the_catalogue_and_people(app, db):
    result = seed_cli(app, "--teams", "2", "--entries", "0")
    assert count(db.session, Entry) == 0
    assert count(db.session, Team) == 2
    assert printed_logins(result.stdout)[0]["lead"] == "lead@demo.nhs.uk"


def test_rollups_agree_with_the_entries(app, db):
    from tracker.burden import rollup

    seed_cli(app, *SMALL)
    assert rollup.differences(db.session) == {}


# ---- the bulk path -----------------------------------------------------------


def _index_names(session):
    return {ix["name"] for ix in inspect(session.connection()).get_indexes("entry")}


def _fk_names(session):
    return {fk["name"] for fk in inspect(session.connection()).get_foreign_keys("entry")}


def test_a_large_load_rebuilds_indexes_and_keys(app, db, monkeypatch):
    indexes, keys = _index_names(db.session), _fk_names(db.session)
    db.session.commit()
    assert {"ix_entry_team_occurred", "ix_entry_occurred"} <= indexes
    monkeypatch.setattr(bulk, "LARGE_LOAD", 100)
    seed_cli(app, *SMALL)
    assert count(db.session, Entry) == 500
    assert _index_names(db.session) == indexes
    assert _fk_names(db.session) == keys


def _rows(session, n, day="2025-01-06"):
    request_id = session.scalar(select(Request.id).limit(1))
    team_id, user_id = session.execute(select(Membership.team_id, Membership.user_id).limit(1)).one()
    stamp = f"{day} 16:00:00.000000"
    return [(request_id, team_id, user_id, day, 30, "5", "no", "unknown", "", stamp, stamp)] * n


def test_a_failed_large_load_leaves_nothing_behind(app, db, monkeypatch):
    seed_demo(db.session, teams=1, months=1, entries=0, seed=3)
    indexes, keys = _index_names(db.session), _fk_names(db.session)
    db.session.commit()
    monkeypatch.setattr(bulk, "LARGE_LOAD", 10)
    monkeypatch.setattr(bulk, "BATCH", 20)
    good = _rows(db.session, 50)

    def months():
        yield good
        raise RuntimeError("the generator broke")

    with pytest.raises(RuntimeError):
        bulk.write_entries(db.session, months(), expected=100)
    assert count(db.session, Entry) == 0
    assert _index_names(db.session) == indexes
    assert _fk_names(db.session) == keys


def test_a_large_load_that_breaks_a_check_constraint_writes_nothing(app, db, monkeypatch):
    """SQLite's large load checks CHECK constraints once, after the rows; PostgreSQL checks each row."""
    import psycopg
    from sqlalchemy.exc import IntegrityError

    seed_demo(db.session, teams=1, months=1, entries=0, seed=3)
    indexes = _index_names(db.session)
    db.session.commit()
    monkeypatch.setattr(bulk, "LARGE_LOAD", 10)
    good = _rows(db.session, 30)
    bad = [good[0][:5] + ("band 99",) + good[0][6:]]

    with pytest.raises((bulk.CheckViolation, IntegrityError, psycopg.errors.CheckViolation)):
        bulk.write_entries(db.session, iter([good, bad]), expected=31)
    assert count(db.session, Entry) == 0
    assert _index_names(db.session) == indexes
    # The connection checks constraints again afterwards.
    db.session.rollback()
    with pytest.raises((IntegrityError, psycopg.errors.CheckViolation)):
        bulk.write_entries(db.session, iter([bad]), expected=1)
    db.session.rollback()
    assert count(db.session, Entry) == 0


def test_a_small_load_commits_batch_by_batch(app, db, monkeypatch):
    seed_demo(db.session, teams=1, months=1, entries=0, seed=3)
    monkeypatch.setattr(bulk, "BATCH", 20)
    seen = []

    def months():
        yield _rows(db.session, 50)
        raise RuntimeError("the generator broke")

    with pytest.raises(RuntimeError):
        bulk.write_entries(db.session, months(), expected=100, progress=seen.append)
    db.session.rollback()
    assert seen == [20, 20, 10]
    assert count(db.session, Entry) == 50  # what was committed stays


def test_entries_of_today_are_logged_no_later_than_now(app, db):
    today = date.today()
    seed_demo(db.session, teams=2, months=1, entries=300, seed=4, today=today)
    latest = db.session.scalar(select(func.max(Entry.created_at)))
    assert latest <= datetime.now(timezone.utc) + timedelta(seconds=1)
    assert db.session.scalar(select(func.max(Entry.occurred_on))) <= today


def test_the_demo_gives_the_workspace_something_to_show(app, db):
    from tracker.workspace.decisions import decision_status
    from tracker.workspace.duplicates import find_duplicates
    from tracker.shared.timeutil import local_today

    today = local_today()
    seed_demo(db.session, teams=8, months=12, entries=4000, seed=3, today=today)
    pairs = {(p.first.title, p.second.title) for p in find_duplicates(today)}
    by_lookalike = {spec.title: spec.original for spec in LOOKALIKES}
    live = {t for t in by_lookalike if db.session.scalar(select(Request.status).where(Request.title == t)) == "active"}
    assert {tuple(sorted(pair)) for pair in pairs} == {tuple(sorted((t, by_lookalike[t]))) for t in live}
    assert len(live) == 2  # the third was merged into its original four months ago
    statuses = {d.kind: decision_status(d, today) for d in db.session.scalars(select(Decision))}
    assert statuses == {"merge": "in_effect", "keep": "review_due", "reduce_frequency": "scheduled"}
    assert count(db.session, Entry) == 4000  # the look-alikes took a share of the entries asked for, not more
