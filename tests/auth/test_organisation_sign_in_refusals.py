"""Each way a sign-in through the organisation's provider is refused: a clear page, an audit event,
a log line, and nothing half-created. The ID tokens here are forged by the test's own provider
(tests/auth/oidc_support.py); the app checks them as it would Microsoft Entra ID's."""
from __future__ import annotations

import logging
from urllib.parse import parse_qs, urlsplit

import pytest
from joserfc.jwk import RSAKey
from sqlalchemy import func, select

from tests.auth.oidc_support import ForgingProvider, settings
from tests.conftest import empty_tables
from tests.server_support import free_port
from tracker.extensions import db
from tracker.models.audit import AuditEvent
from tracker.models.auth import User


@pytest.fixture
def forging():
    provider = ForgingProvider()
    yield provider
    provider.stop()


@pytest.fixture
def oidc_app(make_app, forging):
    app = make_app(**settings(forging.issuer, OIDC_ALLOWED_DOMAINS="newtrust.nhs.uk"))
    with app.app_context():
        yield app
        db.session.remove()
        empty_tables()


def sign_in(client, forging):
    """Start at the app, follow the provider straight back, and land on the app's callback."""
    start = client.get("/login/organisation/")
    assert start.status_code == 302 and start.location.startswith(forging.issuer)
    query = {k: v[0] for k, v in parse_qs(urlsplit(start.location).query).items()}
    assert query["code_challenge_method"] == "S256" and query["code_challenge"] and query["nonce"] and query["state"]
    back = urlsplit(_follow_provider(start.location))
    return client.get(f"{back.path}?{back.query}")


def _follow_provider(url):
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        opener.open(url)
    except urllib.error.HTTPError as redirect:
        return redirect.headers["Location"]
    raise AssertionError("the provider did not redirect back")


def refusals(db):
    return db.session.scalars(select(AuditEvent).where(AuditEvent.action == "sign_in_refused")).all()


def users(db):
    return db.session.scalar(select(func.count()).select_from(User))


def test_a_good_token_signs_in_and_links_the_subject(oidc_app, forging, make_user, team):
    user = make_user("manager", [team], email="mina@trust.nhs.uk")
    forging.claims = {"sub": "subject-1", "email": "mina@trust.nhs.uk", "email_verified": True}
    client = oidc_app.test_client()
    answer = sign_in(client, forging)
    assert answer.status_code == 302 and answer.location == "/"
    db.session.expire_all()
    assert (user.oidc_issuer, user.oidc_subject) == (forging.issuer, "subject-1")


@pytest.mark.parametrize("forge, reason", [
    ({"audience": "another-app"}, "id_token"),
    ({"nonce": "not-the-one-sent"}, "id_token"),
    ({"expired": True}, "id_token"),
    ({"signing_key": RSAKey.generate_key(2048, parameters={"kid": "unknown"})}, "id_token"),
    ({"signing_key": RSAKey.generate_key(2048, parameters={"kid": "published"})}, "id_token"),
])
def test_a_forged_id_token_is_refused(oidc_app, forging, make_user, team, forge, reason, caplog):
    make_user("manager", [team], email="mina@trust.nhs.uk")
    forging.claims = {"sub": "subject-1", "email": "mina@trust.nhs.uk", "email_verified": True}
    forging.forge = forge
    before = users(db)
    with caplog.at_level(logging.WARNING):
        answer = sign_in(oidc_app.test_client(), forging)
    assert answer.status_code == 400
    assert "could not be checked" in answer.get_data(as_text=True)
    db.session.expire_all()
    assert users(db) == before
    assert db.session.scalar(select(User.oidc_subject).where(User.email == "mina@trust.nhs.uk")) is None
    assert [event.new["reason"].split(":")[0] for event in refusals(db)] == [reason]
    assert any("refused" in record.getMessage() for record in caplog.records)


def test_a_wrong_state_is_refused(oidc_app, forging):
    client = oidc_app.test_client()
    client.get("/login/organisation/")
    answer = client.get("/login/organisation/callback?code=code-1&state=guessed")
    assert answer.status_code == 400 and "not started here" in answer.get_data(as_text=True)
    assert [event.new["reason"] for event in refusals(db)] == ["state"]


def test_a_replayed_code_is_refused_by_the_provider(oidc_app, forging, make_user, team):
    """The callback of a finished sign-in sent again with a new sign-in's state: the provider refuses the code."""
    make_user("manager", [team], email="mina@trust.nhs.uk")
    forging.claims = {"sub": "subject-1", "email": "mina@trust.nhs.uk", "email_verified": True}
    first = oidc_app.test_client()
    assert sign_in(first, forging).status_code == 302
    replay = oidc_app.test_client()
    start = replay.get("/login/organisation/")
    state = parse_qs(urlsplit(start.location).query)["state"][0]
    answer = replay.get(f"/login/organisation/callback?code=code-1&state={state}")
    assert answer.status_code == 400 and "did not accept" in answer.get_data(as_text=True)
    assert [event.new["reason"] for event in refusals(db)] == ["provider:invalid_grant"]


@pytest.mark.parametrize("claims, words, reason", [
    ({"sub": "s-2", "email": "mina@trust.nhs.uk", "email_verified": False}, "not verified", "unverified_email"),
    ({"sub": "s-3", "email": "stranger@elsewhere.org", "email_verified": True}, "no account for", "unknown_person"),
    ({"sub": "s-4", "email_verified": True}, "did not give your email", "no_email"),
])
def test_people_the_app_will_not_sign_in_are_refused_and_nothing_is_made(oidc_app, forging, make_user, team, claims,
                                                                        words, reason):
    make_user("manager", [team], email="mina@trust.nhs.uk")
    forging.claims = claims
    before = users(db)
    answer = sign_in(oidc_app.test_client(), forging)
    assert answer.status_code == 403 and words in answer.get_data(as_text=True)
    assert users(db) == before
    assert [event.new["reason"] for event in refusals(db)] == [reason]


def test_a_deactivated_user_is_refused_whatever_the_provider_says(oidc_app, forging, make_user, team):
    user = make_user("manager", [team], email="gone@trust.nhs.uk")
    user.active = False
    db.session.commit()
    forging.claims = {"sub": "s-9", "email": "gone@trust.nhs.uk", "email_verified": True}
    answer = sign_in(oidc_app.test_client(), forging)
    assert answer.status_code == 403 and "deactivated" in answer.get_data(as_text=True)


def test_a_provider_that_is_away_gets_a_503_page_that_still_offers_the_password(make_app):
    app = make_app(**settings(f"http://127.0.0.1:{free_port()}"))
    with app.app_context():
        answer = app.test_client().get("/login/organisation/")
        page = answer.get_data(as_text=True)
        assert answer.status_code == 503 and "not answering" in page and "sign in with your email address and password" in page
        assert [event.new["reason"] for event in refusals(db)] == ["provider_away"]
        db.session.remove()
        empty_tables()


def test_without_an_issuer_nothing_changes(client):
    page = client.get("/login").get_data(as_text=True)
    assert "organisation account" not in page and 'name="password"' in page
    assert client.get("/login/organisation/").status_code == 404
