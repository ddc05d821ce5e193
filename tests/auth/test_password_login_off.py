"""PASSWORD_LOGIN=0: the password form is hidden and refused; an admin's way in is a one-time link
printed by the command line (create-user, or sign-in-link), recorded in the audit trail."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD, empty_tables
from tracker.extensions import db
from tracker.models.audit import AuditEvent


@pytest.fixture
def no_passwords(make_app):
    app = make_app(PASSWORD_LOGIN=False, PUBLIC_URL="https://burden.example.nhs.uk")
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()


def test_the_password_form_is_hidden_and_a_password_is_refused(no_passwords, make_user):
    user = make_user("admin", email="admin@trust.nhs.uk")
    client = no_passwords.test_client()
    assert 'name="password"' not in client.get("/login").get_data(as_text=True)
    refused = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert refused.status_code == 403 and "turned off" in refused.get_data(as_text=True)
    assert client.get("/admin/users").status_code == 302  # still not signed in


def test_create_user_prints_a_one_time_link_that_works_once(no_passwords):
    runner = no_passwords.test_cli_runner()
    done = runner.invoke(args=["create-user", "breakglass@trust.nhs.uk", "--role", "admin"], input="")
    assert done.exit_code == 0, done.output
    link = re.search(r"https://burden\.example\.nhs\.uk(/login/link/\S+)", done.output)
    assert link, done.output
    client = no_passwords.test_client()
    assert client.get(link[1]).status_code == 200  # GET only asks: a link preview does not use it up
    signed_in = client.post(link[1])
    assert signed_in.status_code == 302 and client.get("/admin/users").status_code == 200
    again = no_passwords.test_client().post(link[1])
    assert again.status_code == 400 and "already used" in again.get_data(as_text=True)
    actions = set(db.session.scalars(select(AuditEvent.action)))
    assert {"cli_create_user", "cli_sign_in_link", "sign_in_by_link"} <= actions


def test_sign_in_link_for_an_existing_user_and_an_expired_link(no_passwords, make_user):
    from datetime import timedelta

    from tracker.models.auth import SignInLink

    make_user("admin", email="admin@trust.nhs.uk")
    done = no_passwords.test_cli_runner().invoke(args=["sign-in-link", "admin@trust.nhs.uk"])
    assert done.exit_code == 0
    path = re.search(r"(/login/link/\S+)", done.output)[1]
    link = db.session.scalars(select(SignInLink)).one()
    link.expires_at = link.expires_at - timedelta(hours=1)
    db.session.commit()
    assert no_passwords.test_client().post(path).status_code == 400
    unknown = no_passwords.test_cli_runner().invoke(args=["sign-in-link", "nobody@trust.nhs.uk"])
    assert unknown.exit_code != 0 and "No active user" in unknown.output
