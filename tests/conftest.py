"""Fixtures: one place knows how to make the app, the database, users and data, and how to log in.

The database is a real SQLite file by default; set TEST_DATABASE_URL (CI does:
postgresql+psycopg://postgres@127.0.0.1:5432/test) to run the whole suite on
PostgreSQL. If that database cannot be reached the run fails, it never skips."""
from __future__ import annotations

import itertools
import os
from datetime import date

import pytest
from jinja2 import BytecodeCache
from sqlalchemy import text

from tracker import create_app
from tracker.extensions import db as _db

PASSWORD = "correct horse battery"



def pytest_collection_modifyitems(config, items):
    """The slow kinds carry a marker, so `make test-fast` (-m "not browser and not server and not
    schemathesis") leaves them out while working; `make test` and CI run everything.

    Tests marked `postgresql` are of PostgreSQL alone: the SQLite run leaves them out (deselected,
    not skipped); the PostgreSQL run (TEST_DATABASE_URL) runs them and fails if it cannot connect."""
    postgresql_run = bool(os.environ.get("TEST_DATABASE_URL"))
    kept, left_out = [], []
    for item in items:
        if "gunicorn" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.server)
        if item.path.name == "test_schemathesis.py":
            item.add_marker(pytest.mark.schemathesis)
        (left_out if item.get_closest_marker("postgresql") and not postgresql_run else kept).append(item)
    if left_out:
        config.hook.pytest_deselected(items=left_out)
        items[:] = kept


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
        "EMAIL_BACKOFF_MINUTES": 0,  # a failed email is tried again at the next tick (tests/shared/test_sending.py checks the back-off)
        "LOG_REQUESTS": False,  # tests/operations/test_operations.py turns the access log on where it checks it
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
            if table.name == "rate":  # the migration's default rates stay; any a test (or Schemathesis) added goes
                conn.execute(table.delete().where(
                    (table.c.effective_from != DEFAULTS_EFFECTIVE_FROM) | table.c.created_by_id.is_not(None)
                ))
            elif table.name == "request":
                conn.execute(table.update().values(merged_into_id=None))
                conn.execute(table.delete())
            else:
                conn.execute(table.delete())


class TemplateCodeCache(BytecodeCache):
    """Compiled templates kept in memory for the whole run. Each test builds a fresh app (and so a
    fresh Jinja environment); without this every test compiled the layout and the NHS.UK macros again,
    about a quarter of a second a page."""

    def __init__(self):
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket):
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket):
        self._code[bucket.key] = bucket.bytecode_to_string()


TEMPLATE_CODE = TemplateCodeCache()


def _fresh_g_for_each_request():
    from flask import g

    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def make_app(_database):
    """Build an app on the test database with extra settings (for SMTP, export folders...)."""
    url, instance = _database
    apps = []

    def factory(**overrides):
        config = base_config(url, instance)
        config.update(overrides)
        app = create_app(config)
        # The `app` fixture keeps one app context for the whole test, and `g` lives
        # there: without this, Flask-Login's cached user (and g.auth_by_token) would
        # leak from one test client's request into another's. In production every
        # request has a fresh g; so does every test request.
        app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g_for_each_request)
        app.jinja_env.bytecode_cache = TEMPLATE_CODE
        apps.append(app)
        return app

    yield factory
    # Each app has its own engine and connection pool: close them, or a long run on PostgreSQL
    # runs out of connections ("too many clients") long before it ends.
    for built in apps:
        with built.app_context():
            _db.session.remove()
            _db.engine.dispose()


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
        from tracker.models.catalogue import Team
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
        from tracker.models.catalogue import Source

        source = Source(name=name or f"Source {next(_counter)}", kind=kind)
        db.session.add(source)
        db.session.commit()
        return source

    return build


@pytest.fixture
def make_request(db, make_source):
    def build(title=None, source=None, frequency="monthly", obligation="contractual", status="active"):
        from tracker.models.catalogue import Request

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


# ---- the JSON API with a real bearer token ----------------------------------


class Api:
    """A test client that sends a bearer token (or none) and JSON bodies."""

    def __init__(self, client, token=None, user=None):
        self.client = client
        self.token = token
        self.user = user

    def _headers(self, extra=None):
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        headers.update(extra or {})
        return headers

    def get(self, url, **kwargs):
        return self.client.get(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def post(self, url, payload=None, **kwargs):
        if payload is not None:
            kwargs["json"] = payload
        return self.client.post(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def patch(self, url, payload=None, **kwargs):
        if payload is not None:
            kwargs["json"] = payload
        return self.client.patch(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)

    def delete(self, url, **kwargs):
        return self.client.delete(url, headers=self._headers(kwargs.pop("headers", None)), **kwargs)


@pytest.fixture
def api_for(app, db):
    def build(user):
        from tracker.auth.commands import new_api_token

        token = new_api_token(user)
        db.session.commit()
        return Api(app.test_client(), token, user)

    return build


# ---- a real server for the browser -----------------------------------------


@pytest.fixture
def browser():
    """Debian's chromium through Playwright, for the test (no browser is downloaded)."""
    from playwright.sync_api import sync_playwright

    from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def live_server(app):
    """The test app served over HTTP on a free loopback port (same database as `app`), for Playwright."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=10)
        server.server_close()


# ---- a real SMTP server for email tests --------------------------------------


class SmtpServer:
    """aiosmtpd on a free loopback port, collecting every message it accepts.
    `stop()` then `start()` again reuses the same port (a server that was down comes back)."""

    def __init__(self):
        import socket

        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            self.port = probe.getsockname()[1]
        self.url = f"smtp://127.0.0.1:{self.port}"
        self.messages = []  # email.message.EmailMessage, parsed
        self.envelopes = []  # (mail_from, rcpt_tos)
        self._controller = None

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes
        from email.policy import default

        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        self.messages.append(message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted for delivery"

    def start(self):
        from aiosmtpd.controller import Controller

        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self):
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def smtp_server():
    server = SmtpServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


# ---- exports, scheduler, email and sign-off (helpers in tests/exports_support.py) ----


@pytest.fixture
def export_dir(app, tmp_path):
    """A folder of the test's own for workbooks; EXPORT_CRON set so last month is always due."""
    from tests.exports_support import use_export_dir

    return use_export_dir(app, tmp_path)


@pytest.fixture
def world(db, team, other_team, make_user, make_request, make_entry):
    """Two teams, each with a lead and a manager, a commissioner, an admin, and entries last month."""
    from tests.exports_support import build_world

    return build_world(team, other_team, make_user, make_request, make_entry)


@pytest.fixture
def variation_example(db, make_team, make_user, make_request, make_entry):
    """Issue 15's worked example of variation between teams (tests/variation_support.py)."""
    from tests.variation_support import build_example

    return build_example(db, make_team, make_user, make_request, make_entry)


@pytest.fixture
def client_for(app):
    """A test client signed in as the given user (through the login page)."""
    return lambda user: _client_for(app, user)


# ---- the app under gunicorn, for races between processes ----------------------


@pytest.fixture(scope="module")
def gunicorn(_database):
    """gunicorn with 4 worker processes on the test database (tests/server_support.py), one per test module.

    It serves whatever the tests' `app` fixture commits; stopped when the module's tests end."""
    from tests.server_support import Gunicorn

    url, instance = _database
    server = Gunicorn(url, instance).start()
    try:
        yield server
    finally:
        server.stop()


# ---- workbooks printed by LibreOffice Calc --------------------------------------


@pytest.fixture(scope="session")
def printed_workbooks(_database, tmp_path_factory):
    """Every kind of workbook, built from the demo's data (and a month of bulk entries), converted to PDF by
    LibreOffice Calc once per run and read back (tests/printed_workbooks.py). Fails when LibreOffice or
    poppler is missing: `make test` installs them."""
    from tests.print_support import missing_tools
    from tests.printed_workbooks import print_all

    missing = missing_tools()
    if missing:
        pytest.fail(f"{', '.join(missing)} not found: `make test` installs LibreOffice Calc and poppler-utils "
                    "(apt-get install libreoffice-calc-nogui poppler-utils fonts-crosextra-carlito)")
    url, instance = _database
    return print_all(create_app(base_config(url, instance)), tmp_path_factory.mktemp("printed"))
