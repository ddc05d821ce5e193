"""The whole sign-in through a real OpenID provider (npm's certified `oidc-provider`), driven in Chromium.

First sign-in matched by email, the next by subject (the email changed in between), an
allowed-domain newcomer waiting for a team (and listed for admins), a deactivated user refused,
sign-out here and at the provider."""
from __future__ import annotations

import threading

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS
from tests.auth.oidc_support import RealProvider, free_port, settings
from tests.conftest import PASSWORD, empty_tables
from tracker.extensions import db
from tracker.models.auth import User

ACCOUNTS = {  # by subject, which is also what is typed as the login name on the provider's page
    "entra-0001": {"email": "mina@trust.nhs.uk", "email_verified": True, "name": "Mina Manager"},
    "entra-0002": {"email": "newbie@newtrust.nhs.uk", "email_verified": True, "name": "Nia Newcomer"},
    "entra-0003": {"email": "gone@trust.nhs.uk", "email_verified": True, "name": "Gus Gone"},
}


@pytest.fixture
def served(make_app):
    """The app on a free port (its address is the provider's redirect URI), with a real provider beside it."""
    port = free_port()
    app_url = f"http://127.0.0.1:{port}"
    provider = RealProvider(app_url, ACCOUNTS)
    app = make_app(**settings(provider.issuer, OIDC_ALLOWED_DOMAINS="newtrust.nhs.uk", SERVER_NAME=f"127.0.0.1:{port}"))
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    with app.app_context():
        try:
            yield app, app_url
        finally:
            server.shutdown()
            server.server_close()
            provider.stop()
            db.session.remove()
            empty_tables()


@pytest.fixture
def page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 900})
            tab = context.new_page()
            tab.set_default_timeout(20_000)
            yield tab
        finally:
            browser.close()


def sign_in_at_provider(page, app_url, login):
    page.goto(f"{app_url}/login")
    page.get_by_role("link", name="Sign in with your organisation account").click()
    page.locator("input[name=login]").fill(login)
    page.locator("input[name=password]").fill("anything")
    page.locator("button[type=submit]").click()
    # The provider asks for consent the first time this person signs in to this app.
    for _ in range(100):
        if page.url.startswith(app_url):
            break
        consent = page.get_by_role("button", name="Continue")
        if consent.count():
            consent.click()
        page.wait_for_timeout(200)
    if not page.url.startswith(app_url):
        page.screenshot(path="/tmp/oidc-stuck.png")
        raise AssertionError(f"stuck at {page.url}: {page.content()[:1500]}")


def sign_out(page, app_url):
    page.get_by_role("button", name="Sign out").click()
    # The provider asks whether to sign out there too, then sends the browser back to the app.
    page.wait_for_url(lambda url: not url.startswith(app_url))
    page.get_by_role("button", name="Yes, sign me out").click()
    page.wait_for_url(f"{app_url}/login**")


@pytest.mark.browser
def test_the_whole_flow_in_a_browser(served, page, make_user, team):
    from playwright.sync_api import expect

    app, app_url = served
    mina = make_user("manager", [team], email="mina@trust.nhs.uk", name="Mina Manager")
    gone = make_user("manager", [team], email="gone@trust.nhs.uk")
    gone.active = False
    admin = make_user("admin", email="admin@trust.nhs.uk")
    db.session.commit()

    # First sign-in: matched by the verified email, the provider's subject stored.
    sign_in_at_provider(page, app_url, "entra-0001")
    expect(page.get_by_role("heading", name="Reporting work logged")).to_be_visible()
    db.session.expire_all()
    assert db.session.get(User, mina.id).oidc_subject == "entra-0001"

    sign_out(page, app_url)
    expect(page.get_by_text("You have signed out.")).to_be_visible()
    assert page.get_by_role("heading", name="Reporting work logged").count() == 0

    # The next sign-in is matched by subject: the email on the account no longer matches.
    db.session.get(User, mina.id).email = "mina.manager@trust.nhs.uk"
    db.session.commit()
    sign_in_at_provider(page, app_url, "entra-0001")
    expect(page.get_by_role("heading", name="Reporting work logged")).to_be_visible()
    sign_out(page, app_url)

    # A newcomer from an allowed domain: a manager on no team, told to wait, listed for admins.
    sign_in_at_provider(page, app_url, "entra-0002")
    expect(page.get_by_role("heading", name="An admin needs to add you to a team")).to_be_visible()
    newbie = db.session.scalar(select(User).where(User.email == "newbie@newtrust.nhs.uk"))
    assert newbie is not None and newbie.role == "manager" and newbie.memberships == []
    sign_out(page, app_url)
    page.goto(f"{app_url}/login")
    page.get_by_label("Email address").fill(admin.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.goto(f"{app_url}/admin/users")
    expect(page.get_by_test_id("waiting")).to_contain_text("newbie@newtrust.nhs.uk")
    page.get_by_role("button", name="Sign out").click()

    # A deactivated user is refused, whatever the provider says.
    sign_in_at_provider(page, app_url, "entra-0003")
    expect(page.get_by_role("heading", name="You were not signed in")).to_be_visible()
    expect(page.get_by_test_id("refusal")).to_contain_text("deactivated")
    assert db.session.get(User, gone.id).oidc_subject is None
