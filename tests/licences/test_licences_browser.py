"""Licences in a real browser (Debian's chromium through Playwright): the log form's quiet hint follows the
type-ahead, and the burden statement prints on A4 without the site's navigation."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.conftest import PASSWORD
from tests.app.test_browser import browser_page  # noqa: F401  (the fixture)
from tracker.licences.licensing import decide_licence
from tracker.shared.timeutil import local_today


def sign_in(page, live_server, email):
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()


@pytest.mark.browser
def test_the_no_current_licence_hint_follows_the_request_chosen(live_server, browser_page, db, make_user, make_source,  # noqa: F811
                                                               make_request, team):
    from playwright.sync_api import expect

    make_user("manager", [team], email="mina@example.nhs.uk")
    boss = make_user("commissioner", email="cora@example.nhs.uk")
    nhse = make_source("NHS England", kind="national_body")
    licensed = make_request("Licensed winter sitrep", nhse, frequency="weekly")
    make_request("Unlicensed bed census", nhse)
    decide_licence(boss, licensed, "approve", without_estimate=True, reasons="No estimate in this test", today=local_today(), reference="W-1")
    db.session.commit()
    page = browser_page
    sign_in(page, live_server, "mina@example.nhs.uk")
    page.goto(f"{live_server}/entries/new")
    hint = page.locator("[data-testid=licence-hint]")
    expect(hint).to_be_hidden()

    page.locator("input#request_id").fill("bed census")
    page.get_by_role("option", name="Unlicensed bed census (NHS England)").click()
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("No current licence")

    page.locator("input#request_id").fill("winter")
    page.get_by_role("option", name="Licensed winter sitrep (NHS England)").click()
    expect(hint).to_be_hidden()


@pytest.mark.browser
def test_the_burden_statement_prints_on_a4_without_the_navigation(live_server, browser_page, db, make_user,  # noqa: F811
                                                                  make_source, make_request, make_entry, team):
    from playwright.sync_api import expect

    manager = make_user("manager", [team], email="mina@example.nhs.uk")
    make_user("commissioner", email="cora@example.nhs.uk")
    source = make_source("Integrated Care Board", kind="commissioner")
    today = local_today()
    for i in range(40):  # enough rows for a second page
        request = make_request(f"Board report number {i:02d}", source)
        make_entry(manager, team, request, occurred_on=today - timedelta(days=i % 20), minutes=30 + i)
    page = browser_page
    sign_in(page, live_server, "cora@example.nhs.uk")
    page.goto(f"{live_server}/licences/sources/{source.id}/statement?from={(today - timedelta(days=30)).isoformat()}"
              f"&to={today.isoformat()}")
    expect(page.get_by_role("heading", name="Integrated Care Board")).to_be_visible()
    expect(page.locator(".nhsuk-header")).to_be_visible()

    page.emulate_media(media="print")
    expect(page.locator(".nhsuk-header")).to_be_hidden()
    expect(page.locator("[data-testid=period-form]")).to_be_hidden()
    expect(page.locator("[data-testid=statement-burden]")).to_be_visible()
    pdf = page.pdf(prefer_css_page_size=True)
    sizes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(sizes) >= 2  # several A4 pages
    for width, height in sizes:  # A4 is 595 × 842 points
        assert abs(float(width) - 595) < 2 and abs(float(height) - 842) < 2, (width, height)


@pytest.mark.browser
def test_the_statement_fits_a_phone(live_server, browser_page, db, make_user, make_source, make_request):  # noqa: F811
    make_user("commissioner", email="cora@example.nhs.uk")
    source = make_source("Integrated Care Board", kind="commissioner")
    request = make_request("A request with quite a long title about winter pressures", source)
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, "cora@example.nhs.uk")
    for url in ("/licences/", f"/licences/sources/{source.id}/statement", "/licences/statements", "/licences/accuracy",
                f"/licences/requests/{request.id}", f"/licences/requests/{request.id}/estimates/new"):
        page.goto(f"{live_server}{url}")
        overflow = page.evaluate("document.documentElement.scrollWidth")
        assert overflow <= 390, (url, overflow)
