"""The ranked workspace page in a real browser (Debian's chromium through Playwright): sort, open a request, decide."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tracker.models.workspace import Decision
from tracker.shared.timeutil import local_today


@pytest.fixture
def ranked_world(db, make_user, make_team, make_source, make_request, make_entry):
    today = local_today()
    admin = make_user("admin", email="browser.admin@example.nhs.uk")
    commissioner = make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")
    north, south = make_team("North"), make_team("South")
    nhse, icb = make_source("NHS England"), make_source("Integrated Care Board", kind="commissioner")
    sitrep = make_request("Weekly winter sitrep", source=nhse, frequency="weekly")
    make_request("Winter situation report", source=icb, frequency="weekly")
    plan = make_request("Annual operational plan", source=nhse, frequency="annual")
    for days, team in ((10, north), (17, north), (24, south)):
        make_entry(admin, team, sitrep, occurred_on=today - timedelta(days=days), minutes=60)
    make_entry(admin, north, plan, occurred_on=today - timedelta(days=30), minutes=900)  # more hours, less projected
    return {"commissioner": commissioner, "sitrep": sitrep, "plan": plan}


def rows(page) -> list[str]:
    return page.locator("table[data-testid=ranking] tbody tr th a").all_inner_texts()


@pytest.mark.browser
def test_a_commissioner_ranks_opens_and_decides(live_server, browser, ranked_world, db):
    from playwright.sync_api import expect

    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.set_default_timeout(15_000)
    page.goto(f"{live_server}/login")
    page.get_by_label("Email address").fill(ranked_world["commissioner"].email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_role("link", name="Workspace").first.click()
    expect(page.get_by_role("heading", name="Commissioner's workspace")).to_be_visible()

    # most hours first: the plan's 15 hours (83% of 18), then the sitrep's 3
    assert rows(page) == ["Annual operational plan", "Weekly winter sitrep", "Winter situation report"]
    expect(page.locator("[data-testid=pareto]")).to_contain_text("1 of the 2 requests with entries make 80% of the hours")
    page.locator("a[data-sort=projected_annual_hours]").click()  # largest first: the sitrep, 1 h × 52 × 2 teams
    expect(page.locator("th[aria-sort=descending]")).to_contain_text("Projected hours a year")
    assert rows(page) == ["Weekly winter sitrep", "Annual operational plan", "Winter situation report"]
    sitrep_row = page.locator(f"tr[data-key='{ranked_world['sitrep'].id}']")
    expect(sitrep_row.locator("[data-field=projected-hours]")).to_contain_text("104.0")
    page.locator("a[data-sort=projected_annual_hours]").click()  # again: smallest first
    expect(page.locator("th[aria-sort=ascending]")).to_contain_text("Projected hours a year")  # the new page is in
    assert rows(page)[0] == "Annual operational plan" and rows(page)[-1] == "Winter situation report"
    page.screenshot(path="/tmp/workspace-ranked.png", full_page=True)

    page.get_by_role("link", name="Weekly winter sitrep").click()
    expect(page.get_by_role("heading", name="Weekly winter sitrep")).to_be_visible()
    expect(page.locator("[data-field=projected-hours]")).to_have_text("104.0")
    page.get_by_label("Retire").check()
    page.get_by_label("Why").fill("The ICB's winter report asks the same")
    page.get_by_role("button", name="Record the decision").click()
    page.get_by_role("button", name="Yes, retire it").click()  # a contractual request: asked again
    expect(page.get_by_text("Decision recorded: retire from")).to_be_visible()
    expect(page.locator("[data-testid=decisions]")).to_contain_text("Too early to tell")
    decision = db.session.scalar(select(Decision))
    assert decision.kind == "retire" and decision.expected_saving_hours == 104

    # on a 390-pixel phone the ranked table stacks into readable cards: nothing wider than the screen
    phone = browser.new_page(viewport={"width": 390, "height": 844})
    phone.context.add_cookies(page.context.cookies())
    phone.goto(f"{live_server}/workspace/")
    width = phone.evaluate("document.documentElement.scrollWidth")
    phone.screenshot(path="/tmp/workspace-phone.png", full_page=True)
    assert width <= 390
