"""Fixtures: one place knows how to make the app, the database, users and data, and how to log in.

The database is a real SQLite file by default; set TEST_DATABASE_URL (CI does:
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the whole suite on
PostgreSQL. If that database cannot be reached the run fails, it never skips."""
from __future__ import annotations

import itertools
import os
from datetime import date

import pytest
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db as _db

PASSWORD = "correct horse battery"



def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return url
    return "sqlite:///" + str(tmp_path_factory.mktemp("db") / "tracker-test.sqlite")


def base_config(url: str, instance: str) -> dict:
    return {
        "TESTING": True,
        "APP_ENV": "testing",
        "SECRET_KEY": "test-secret",
        "DATABASE_URL": url,
        "WTF_CSRF_ENABLED": False,
        "SCHEDULER_ENABLED": False,
        "EXPORT_DIR": os.path.join(instance, "exports"),
        "SMTP_URL": None,
    }


@pytest.fixture(scope="session")
def _database(tmp_path_factory):
    """Build the schema once per run with the real migrations, from empty."""
    url = database_url(tmp_path_factory)
    instance = str(tmp_path_factory.mktemp("instance"))
    app = create_app(base_config(url, instance))
    with app.app_context():
        reset_schema()
        from flask_migrate import upgrade

        upgrade()
    return url, instance


def reset_schema() -> None:
    """Drop everything (a previous run may have left tables in PostgreSQL)."""
    engine = _db.engine
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
        else:
            _db.metadata.drop_all(conn)
            conn.execute(text("DROP TABLE IF EXISTS alembic_version"))


def empty_tables() -> None:
    from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM

    with _db.engine.begin() as conn:
        for table in reversed(_db.metadata.sorted_tables):
            if table.name == "rate":
                conn.execute(table.delete().where(table.c.effective_from != DEFAULTS_EFFECTIVE_FROM))
            elif table.name == "request":
                conn.execute(table.update().values(merged_into_id=None))
                conn.execute(table.delete())
            else:
                conn.execute(table.delete())


@pytest.fixture
def make_app(_database):
    """Build an app on the test database with extra settings (for SMTP, export folders...)."""
    url, instance = _database
    apps = []

    def factory(**overrides):
        config = base_config(url, instance)
        config.update(overrides)
        app = create_app(config)
        apps.append(app)
        return app

    yield factory


@pytest.fixture
def app(make_app):
    app = make_app()
    with app.app_context():
        yield app
        _db.session.remove()
        empty_tables()


@pytest.fixture
def db(app):
    return _db


@pytest.fixture
def client(app):
    return app.test_client()


# ---- builders --------------------------------------------------------------

_counter = itertools.count(1)


@pytest.fixture
def make_team(db):
    def build(name=None, sector="nhs_trust", organisation="Northshire NHS Foundation Trust"):
        from tracker.catalogue.models import Team
        from tracker.catalogue.services import slugify

        n = next(_counter)
        name = name or f"Team {n}"
        team = Team(name=name, slug=slugify(name), organisation=organisation, sector=sector)
        db.session.add(team)
        db.session.commit()
        return team

    return build


@pytest.fixture
def make_user(db):
    def build(role="manager", teams=(), email=None, name=None, password=PASSWORD):
        from tracker.auth.commands import create_user

        email = email or f"{role}{next(_counter)}@example.nhs.uk"
        user = create_user(email, role, [t.name for t in teams], password, name or f"{role.title()} User")
        db.session.commit()
        return user

    return build


@pytest.fixture
def make_source(db):
    def build(name=None, kind="national_body"):
        from tracker.catalogue.models import Source

        source = Source(name=name or f"Source {next(_counter)}", kind=kind)
        db.session.add(source)
        db.session.commit()
        return source

    return build


@pytest.fixture
def make_request(db, make_source):
    def build(title=None, source=None, frequency="monthly", obligation="contractual", status="active"):
        from tracker.catalogue.models import Request

        request = Request(
            title=title or f"Request {next(_counter)}",
            source=source or make_source(),
            frequency=frequency,
            obligation=obligation,
            status=status,
            description="",
        )
        db.session.add(request)
        db.session.commit()
        return request

    return build


@pytest.fixture
def make_entry(db):
    """Entries go through the same service as the form and the API."""

    def build(user, team, request, occurred_on=None, minutes=60, band="5", duplicated_elsewhere="no", used="yes", notes=""):
        from tracker.entries.services import create_entry

        entry = create_entry(
            user,
            {
                "request_id": request.id,
                "team_id": team.id,
                "occurred_on": occurred_on or date.today(),
                "minutes": minutes,
                "band": band,
                "duplicated_elsewhere": duplicated_elsewhere,
                "used": used,
                "notes": notes,
            },
        )
        db.session.commit()
        return entry

    return build


# ---- logging in ------------------------------------------------------------


class AuthActions:
    def __init__(self, client):
        self._client = client

    def login(self, email, password=PASSWORD):
        return self._client.post("/login", data={"email": email, "password": password})

    def logout(self):
        return self._client.post("/logout")


@pytest.fixture
def auth(client):
    return AuthActions(client)


@pytest.fixture
def team(make_team):
    return make_team("Community Nursing North", sector="nhs_trust")


@pytest.fixture
def other_team(make_team):
    return make_team("Adult Social Care East", sector="local_authority", organisation="Eastshire County Council")


def _client_for(app, user):
    client = app.test_client()
    AuthActions(client).login(user.email)
    client.user = user
    return client


@pytest.fixture
def manager_client(app, make_user, team):
    return _client_for(app, make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager"))


@pytest.fixture
def lead_client(app, make_user, team):
    return _client_for(app, make_user("lead", [team], email="lead@example.nhs.uk", name="Lee Lead"))


@pytest.fixture
def commissioner_client(app, make_user):
    return _client_for(app, make_user("commissioner", email="commissioner@example.nhs.uk", name="Cora Commissioner"))


@pytest.fixture
def admin_client(app, make_user):
    return _client_for(app, make_user("admin", email="admin@example.nhs.uk", name="Ada Admin"))
