"""What the export, scheduler, email and sign-off tests share: a month of data, settings, logging in."""
from __future__ import annotations

import os
import subprocess
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from sqlalchemy import select

from tracker.models.exports import ExportRun
from tracker.exports.runs import ExportSettings
from tracker.shared.timeutil import add_months, month_start

LONDON = ZoneInfo("Europe/London")
# The month before is due from midnight on the 1st, so "last month" is always due in tests.
CRON_AT_MIDNIGHT = "0 0 1 * *"
PASSWORD = "correct horse battery"  # tests/conftest.py's


def last_month() -> date:
    return add_months(month_start(datetime.now(LONDON).date()), -1)


def day_in(month: date, day: int = 10) -> date:
    return month.replace(day=day)


def login(app, user):
    """Sign in as `user` (world's users get their password only when they first sign in: hashing is slow)."""
    from tracker.extensions import db

    if not user.password_hash:
        user.set_password(PASSWORD)
        db.session.commit()
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code in (302, 303), "login failed"
    client.user = user
    return client


def settings_of(app) -> ExportSettings:
    return ExportSettings.from_config(app.config)


def runs(db) -> list[ExportRun]:
    db.session.expire_all()
    return list(db.session.scalars(select(ExportRun).order_by(ExportRun.period, ExportRun.scope)))


@dataclass
class World:
    team: object
    other_team: object
    lead: object
    manager: object
    other_lead: object
    other_manager: object
    commissioner: object
    admin: object
    request: object
    month: date


def use_export_dir(app, tmp_path) -> Path:
    """Each test writes its workbooks to its own folder; last month is always due (the
    `export_dir` fixture in tests/conftest.py)."""
    folder = tmp_path / "exports"
    app.config["EXPORT_DIR"] = str(folder)
    app.config["EXPORT_CRON"] = CRON_AT_MIDNIGHT
    app.config["EXPORT_CATCH_UP_MONTHS"] = 1
    return folder


def build_world(team, other_team, make_user, make_request, make_entry) -> World:
    """Two teams, each with a lead and a manager, and entries last month in both (the `world` fixture)."""
    lead = make_user("lead", [team], email="lead@example.nhs.uk", name="Lee Lead", password=None)
    manager = make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager", password=None)
    other_lead = make_user("lead", [other_team], email="other.lead@example.gov.uk", name="Olu Otherlead", password=None)
    other_manager = make_user("manager", [other_team], email="other.manager@example.gov.uk", name="Omar Othermanager", password=None)
    commissioner = make_user("commissioner", email="commissioner@example.nhs.uk", name="Cora Commissioner", password=None)
    admin = make_user("admin", email="admin@example.nhs.uk", name="Ada Admin", password=None)
    request = make_request(title="Monthly performance return")
    month = last_month()
    for day, minutes in ((3, 90), (10, 45), (20, 30)):
        make_entry(manager, team, request, occurred_on=day_in(month, day), minutes=minutes, notes="=SUM(A1:A2)")
    make_entry(other_manager, other_team, request, occurred_on=day_in(month, 5), minutes=120)
    return World(team, other_team, lead, manager, other_lead, other_manager, commissioner, admin, request, month)


@contextmanager
def unwritable(folder: Path):
    """Make a folder refuse new files, even for root (tests may run as root, which ignores
    permission bits): the immutable attribute for root, read-only permissions otherwise."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
        try:
            yield
        finally:
            subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o500)
        try:
            yield
        finally:
            folder.chmod(0o700)


def flask_env(app, **extra) -> dict:
    """Environment for a real `flask --app tracker ...` process on the test database."""
    env = {k: v for k, v in os.environ.items() if k not in ("SMTP_URL", "DATABASE_URL", "EXPORT_DIR")}
    env.update(
        APP_ENV="testing",
        SECRET_KEY="test-secret",
        DATABASE_URL=app.config["DATABASE_URL"],
        EXPORT_DIR=app.config["EXPORT_DIR"],
        EXPORT_CRON=app.config["EXPORT_CRON"],
        SCHEDULER_ENABLED="0",
        PYTHONUNBUFFERED="1",
    )
    env.update(extra)
    return env
