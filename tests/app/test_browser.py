"""The log form in a real browser: Debian's chromium driven by Playwright against the app served over HTTP."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.models.entries import Entry

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = "/tmp/log-form.png"


@pytest.fixture
def browser_page():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.set_default_timeout(15_000)
            yield page
        finally:
            browser.close()


@pytest.mark.browser
def test_manager_logs_work_through_the_type_ahead_and_sees_it_listed(
    live_server, browser_page, db, make_user, make_source, make_request, team
):
    from playwright.sync_api import expect

    manager = make_user("manager", [team], email="mina@example.nhs.uk", name="Mina Manager")
    nhse = make_source("NHS England North East and Yorkshire", kind="national_body")
    sitrep = make_request(title="Weekly winter sitrep", source=nhse, frequency="weekly")
    make_request(title="Quarterly assurance report", source=make_source("Care Quality Commission", kind="regulator"))
    page = browser_page

    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(manager.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Reporting work logged")).to_be_visible()

    page.get_by_role("button", name="Log reporting work").click()
    expect(page.get_by_role("heading", name="Log reporting work")).to_be_visible()
    # NHS.UK styling loaded (the header is the brand blue), and the select became a type-ahead.
    header_colour = page.locator(".nhsuk-header").evaluate("el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(0, 94, 184)"
    expect(page.locator("select#request_id-select")).to_be_hidden()
    page.screenshot(path=SCREENSHOT, full_page=True)

    type_ahead = page.locator("input#request_id")
    type_ahead.fill("winter")
    option = page.get_by_role("option", name="Weekly winter sitrep (NHS England North East and Yorkshire)")
    expect(option).to_be_visible()
    expect(page.get_by_role("option", name="Quarterly assurance report (Care Quality Commission)")).to_have_count(0)
    option.click()
    assert page.locator("select#request_id-select").input_value() == str(sitrep.id)

    expect(page.locator("select#team_id")).to_have_value(str(team.id))  # the only team, preselected
    page.locator("#time_hours").fill("1")
    page.locator("#time_minutes").fill("15")
    page.locator("select#band").select_option("6")
    page.locator('input[name="duplicated_elsewhere"][value="yes"]').check()
    page.locator('input[name="used"][value="no"]').check()
    page.locator("#notes").fill("Bed state figures for the region")
    page.get_by_role("button", name="Log entry").click()

    expect(page.get_by_text("Entry logged")).to_be_visible()
    row = page.locator("table[data-testid=entries] tbody tr").first
    expect(row).to_contain_text("Weekly winter sitrep")
    expect(row).to_contain_text("NHS England North East and Yorkshire")
    expect(row).to_contain_text("1h 15m")
    expect(row).to_contain_text("Band 6")
    expect(row).to_contain_text("Mina Manager")
    expect(page.locator("[data-testid=total-hours]")).to_have_text("1.25")

    db.session.expire_all()
    entry = db.session.scalars(select(Entry)).one()
    assert (entry.request_id, entry.team_id, entry.minutes, entry.band) == (sitrep.id, team.id, 75, "6")
    assert (entry.duplicated_elsewhere, entry.used, entry.notes) == ("yes", "no", "Bed state figures for the region")
