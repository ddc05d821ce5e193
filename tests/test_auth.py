"""Sign-in, sessions, throttling, CSRF, safe redirects and the config guard."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker import create_app
from tracker.models.auth import User
from tracker.config import ConfigError
from tests.conftest import PASSWORD


def test_every_page_needs_login(client):
    response = client.get("/")
    assert response.status_code == 302
    assert "/login" in response.location


def test_api_without_token_is_401_json(client):
    response = client.get("/api/v1/teams")
    assert response.status_code == 401
    assert response.is_json


def test_login_and_logout(client, auth, make_user, team):
    user = make_user("manager", [team])
    response = auth.login(user.email)
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    auth.logout()
    assert client.get("/").status_code == 302


def test_wrong_password_is_refused_with_a_message(client, auth, make_user):
    user = make_user("manager")
    response = auth.login(user.email, "not the password")
    assert b"The email address or password is not right" in response.data
    assert client.get("/").status_code == 302


def test_passwords_are_hashed(db, make_user):
    user = make_user("manager")
    stored = db.session.scalar(select(User.password_hash).where(User.id == user.id))
    assert PASSWORD not in stored
    assert stored.startswith(("scrypt:", "pbkdf2:"))


def test_login_is_throttled_per_account(client, auth, make_user):
    user = make_user("manager")
    for _ in range(10):
        auth.login(user.email, "wrong")
    response = auth.login(user.email)  # even the right password waits
    assert response.status_code == 429
    assert b"Too many sign-in attempts" in response.data


def test_login_is_throttled_per_address(client, auth, make_user):
    for n in range(10):
        auth.login(f"nobody{n}@example.nhs.uk", "wrong")
    user = make_user("manager")
    assert auth.login(user.email).status_code == 429


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_next_never_leaves_the_site(client, make_user, target):
    user = make_user("manager")
    response = client.post(f"/login?next={target}", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 302
    assert response.location == "/"


def test_next_keeps_a_local_path(client, make_user):
    user = make_user("manager")
    response = client.post("/login?next=/burden/", data={"email": user.email, "password": PASSWORD})
    assert response.location == "/burden/"


def test_csrf_is_enforced(make_app, make_user):
    app = make_app(WTF_CSRF_ENABLED=True)
    user = make_user("manager")
    client = app.test_client()
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    assert response.status_code == 400
    assert b"CSRF token is missing" in response.data
    assert client.get("/").status_code == 302  # not signed in


def test_session_cookie_flags(client, make_user):
    user = make_user("manager")
    response = client.post("/login", data={"email": user.email, "password": PASSWORD})
    cookie = response.headers.get("Set-Cookie", "")
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_production_refuses_to_start_without_secret_key(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app()


def test_production_with_secret_key_uses_secure_cookies(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret")
    monkeypatch.setenv("APP_ENV", "production")
    monkeypatch.setenv("INSTANCE_PATH", str(tmp_path))
    app = create_app()
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["DATABASE_URL"].startswith("sqlite:///")


def test_an_unknown_time_zone_is_refused_at_start(make_app):
    with pytest.raises(ConfigError, match="TIMEZONE 'Mars/Olympus'"):
        make_app(TIMEZONE="Mars/Olympus")
