"""Sign-in, sessions, throttling, CSRF, safe redirects and the config guard."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tracker import create_app
from tracker.models.auth import User
from tracker.config import ConfigError
from tests.conftest import PASSWORD, AuthActions


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


# ---- sessions end on sign-out, a password change and deactivation ------------------


def signed_in(app, user, password=PASSWORD):
    client = app.test_client()
    assert AuthActions(client).login(user.email, password).status_code == 302
    return client


def copy_of(app, client):
    """Another browser holding the same session cookie (as a thief with a copied cookie would)."""
    thief = app.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    assert thief.get("/").status_code == 200
    return thief


def test_a_copied_cookie_stops_working_after_sign_out(app, make_user, team):
    user = make_user("manager", [team])
    client = signed_in(app, user)
    thief = copy_of(app, client)
    assert client.post("/logout").status_code == 302
    assert client.get("/").status_code == 302
    assert thief.get("/").status_code == 302
    assert thief.get("/api/v1/teams").status_code == 401
    # Signing in again makes a session that works.
    assert signed_in(app, user).get("/").status_code == 200


def test_sign_out_ends_the_users_other_sessions_too(app, make_user, team):
    user = make_user("manager", [team])
    laptop, phone = signed_in(app, user), signed_in(app, user)
    laptop.post("/logout")
    assert phone.get("/").status_code == 302


def test_a_password_reset_by_an_admin_ends_every_session_of_that_user(app, admin_client, db, make_user, team):
    user = make_user("manager", [team], name="Pat Reset")
    sessions = [signed_in(app, user), signed_in(app, user)]
    thief = copy_of(app, sessions[0])
    response = admin_client.post(
        f"/admin/users/{user.id}", data={"name": "Pat Reset", "role": "manager", f"team_roles-{team.id}": "manager", "password": "a new long password"}
    )
    assert response.status_code == 302
    for client in sessions + [thief]:
        assert client.get("/").status_code == 302
    assert AuthActions(app.test_client()).login(user.email).status_code == 401  # the old password
    assert signed_in(app, user, "a new long password").get("/").status_code == 200
    assert admin_client.get("/admin/").status_code == 200  # the admin's own session is untouched


def test_an_admin_who_changes_their_own_password_stays_signed_in(app, admin_client, db):
    me = admin_client.user
    other_session = signed_in(app, me)
    response = admin_client.post(f"/admin/users/{me.id}", data={"name": me.name, "role": "admin", "password": "my brand new password"})
    assert response.status_code == 302
    assert admin_client.get("/admin/").status_code == 200
    assert other_session.get("/admin/").status_code == 302


def test_a_password_set_from_the_command_line_ends_the_users_sessions(app, make_user, team):
    user = make_user("manager", [team])
    client = signed_in(app, user)
    result = app.test_cli_runner().invoke(
        args=["create-user", user.email, "--role", "manager", "--password-stdin"], input="another long password\n"
    )
    assert result.exit_code == 0, result.output
    assert client.get("/").status_code == 302


def test_deactivation_ends_sessions_for_good_even_after_reactivation(app, admin_client, make_user, team):
    user = make_user("manager", [team])
    client = signed_in(app, user)
    thief = copy_of(app, client)
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    admin_client.post(f"/admin/users/{user.id}/reactivate")
    assert client.get("/").status_code == 302 and thief.get("/").status_code == 302
    assert signed_in(app, user).get("/").status_code == 200


def test_a_cookie_without_a_session_version_is_not_signed_in(app, make_user, team):
    user = make_user("manager", [team])
    client = app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = str(user.id)  # what a cookie from before session versions held
        session["_fresh"] = True
    assert client.get("/").status_code == 302


# ---- the sign-in throttle counts failures only; timing does not reveal accounts ----------


def test_successful_sign_ins_do_not_count_towards_the_limit(app, make_user, team):
    user = make_user("manager", [team])
    for _ in range(app.config["LOGIN_ATTEMPTS_PER_MINUTE"] + 5):
        client = app.test_client()
        assert AuthActions(client).login(user.email).status_code == 302
        client.post("/logout")


def test_failures_count_even_when_the_account_signs_in_between(client, auth, make_user):
    user = make_user("manager")
    for _ in range(5):
        auth.login(user.email, "wrong")
    assert auth.login(user.email).status_code == 302
    auth.logout()
    for _ in range(5):
        auth.login(user.email, "wrong")
    assert auth.login(user.email).status_code == 429


def median_seconds_each(calls: dict, rounds=7) -> dict:
    """The median time of each call, taken in turns so a busy moment on the machine hits all alike."""
    import statistics
    import time

    spent = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            started = time.perf_counter()
            call()
            spent[name].append(time.perf_counter() - started)
    return {name: statistics.median(times) for name, times in spent.items()}


def test_a_wrong_password_takes_as_long_whether_or_not_the_account_exists(make_app, make_user):
    # A hash slow enough to measure (the suite's usual one is a single round).
    app = make_app(PASSWORD_HASH_METHOD="pbkdf2:sha256:60000", LOGIN_ATTEMPTS_PER_MINUTE=1000)
    user = make_user("manager")
    leaver = make_user("manager")
    leaver.active = False
    from tracker.extensions import db

    db.session.commit()
    client = app.test_client()

    def wrong(email):
        return lambda: client.post("/login", data={"email": email, "password": "not the password"})

    wrong("warm-up@example.nhs.uk")()
    times = median_seconds_each(
        {"real": wrong(user.email), "unknown": wrong("nobody-here@example.nhs.uk"), "deactivated": wrong(leaver.email)}
    )
    assert times["real"] > 0.005, "the hash is too quick to measure"
    assert 0.6 < times["unknown"] / times["real"] < 1.6, times
    assert 0.6 < times["deactivated"] / times["real"] < 1.6, times
