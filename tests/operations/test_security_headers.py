"""Security headers on every response, and pages the Content-Security-Policy does not break (issue 12, item 6).

Every page of the app is fetched as an admin (and the sign-in page and a
static file anonymously); each answer must carry the headers, and no page
may hold an inline script, a <style> element or a style= attribute (the
policy would block them). A real browser then checks the policy blocks
nothing the app needs."""
from __future__ import annotations

import re

import pytest

from tests.conftest import PASSWORD

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ELEMENT = re.compile(r"<style[\s>]", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"\sstyle\s*=", re.IGNORECASE)
EVENT_ATTRIBUTE = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)


def csp_directives(response) -> dict[str, list[str]]:
    header = response.headers.get("Content-Security-Policy", "")
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


def assert_secure_headers(response, where: str) -> None:
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, (where, name, response.headers.get(name))
    assert response.headers.get("Strict-Transport-Security", "").startswith("max-age=31536000"), where
    directives = csp_directives(response)
    assert directives.get("default-src") == ["'self'"], where
    assert directives.get("script-src") == ["'self'"] and directives.get("style-src") == ["'self'"], where
    assert directives.get("frame-ancestors") == ["'none'"] and directives.get("object-src") == ["'none'"], where
    for sources in directives.values():  # nothing from outside, nothing inline, nothing evaluated
        assert not [s for s in sources if s not in ("'self'", "'none'")], (where, sources)


def assert_nothing_inline(html: str, where: str) -> None:
    assert not INLINE_SCRIPT.search(html), (where, INLINE_SCRIPT.search(html).group(0))
    assert not STYLE_ELEMENT.search(html), where
    assert not STYLE_ATTRIBUTE.search(html), (where, html[STYLE_ATTRIBUTE.search(html).start() - 80:][:160])
    assert not EVENT_ATTRIBUTE.search(html), where


def every_page(app, ids: dict[str, int]):
    """Every GET route but the API and static files, its id parts filled from `ids` (1 otherwise)."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        path = rule.rule
        for name in rule.arguments:
            value = {"month": "2026-01", "name": "burden-2026-01.xlsx", "action": "deactivate"}.get(name, ids.get(name, 1))
            path = re.sub(rf"<(?:[a-z]+(?:\([^)]*\))?:)?{name}>", str(value), path)
        yield path


def test_every_response_carries_the_security_headers(app, db, world, export_dir):
    from tests.exports_support import login, settings_of
    from tracker.exports.monthly import make_period
    from tracker.models.entries import Entry
    from tracker.signoff.services import sign_off

    run = make_period(db.session, world.month, "manual", settings_of(app))[0]
    signoff = sign_off(db.session, world.lead, world.team, world.month)
    db.session.commit()
    entry = db.session.query(Entry).first()
    ids = {"entry_id": entry.id, "request_id": world.request.id, "user_id": world.manager.id, "team_id": world.team.id,
           "source_id": world.request.source_id, "run_id": run.id, "signoff_id": signoff.id}
    client = login(app, world.admin)
    pages = list(every_page(app, ids))
    assert len(pages) >= 20
    for path in pages:
        response = client.get(path)
        assert response.status_code < 500, (path, response.status_code)
        assert_secure_headers(response, path)
        if response.mimetype == "text/html":
            assert_nothing_inline(response.get_data(as_text=True), path)
    # Also: signed out, an unknown page, a static file, the API, a redirect.
    anonymous = app.test_client()
    for path in ("/login", "/no-such-page", "/static/app.js", "/api/v1/teams", "/", "/healthz"):
        response = anonymous.get(path)
        assert_secure_headers(response, path)
        if response.mimetype == "text/html":
            assert_nothing_inline(response.get_data(as_text=True), path)
    for path in ("/api/v1/teams", "/api/v1/openapi.json"):
        assert_secure_headers(client.get(path), path)


def test_hsts_is_off_in_development_and_can_be_set(make_app):
    assert "Strict-Transport-Security" not in make_app(APP_ENV="development").test_client().get("/login").headers
    assert make_app(HSTS_SECONDS=600).test_client().get("/login").headers["Strict-Transport-Security"] == "max-age=600; includeSubDomains"


def test_templates_hold_no_inline_script_or_style():
    """The templates themselves, including ones no test above happens to render."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2] / "templates"
    for template in root.rglob("*.html"):
        text = template.read_text()
        assert_nothing_inline(text, str(template))


@pytest.mark.browser
def test_the_policy_blocks_nothing_the_pages_need(live_server, db, make_user, make_request, team):
    """In chromium: the log form's type-ahead and the design system's script run, and the
    browser reports no Content-Security-Policy violation on the way."""
    from playwright.sync_api import expect, sync_playwright

    from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS

    manager = make_user("manager", [team], email="mina@example.nhs.uk")
    make_request(title="Weekly winter sitrep")
    violations = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 390, "height": 844})
            page.on("console", lambda message: violations.append(message.text) if "Content Security Policy" in message.text else None)
            page.goto(f"{live_server}/login")
            page.get_by_label("Email address").fill(manager.email)
            page.get_by_label("Password").fill(PASSWORD)
            page.get_by_role("button", name="Sign in").click()
            page.goto(f"{live_server}/entries/new")
            expect(page.locator("body.js-enabled")).to_have_count(1)  # tracker/static/js-enabled.js ran
            expect(page.locator("select#request_id-select")).to_be_hidden()  # the type-ahead replaced the select
            for path in ("/", "/burden/", "/catalogue/requests", "/exports/"):
                page.goto(f"{live_server}{path}")
        finally:
            browser.close()
    assert violations == []
