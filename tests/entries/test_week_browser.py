"""The week view in Debian's chromium (issue 23): a week of returns in three actions, a day on a
phone, and axe-core finding nothing serious or critical at either width."""
from __future__ import annotations

import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from tests.app.test_browser_newcomer import DESKTOP, PHONE, Counted, chromium, people  # noqa: F401  (fixtures)
from tracker.entries.week import monday_of
from tracker.models.entries import Entry
from tracker.shared.timeutil import local_today

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
THIS_WEEK = monday_of(local_today())
LAST_WEEK = THIS_WEEK - timedelta(days=7)
RETURNS = ["Monday sitrep", "Wednesday flow dashboard", "Friday workforce return", "Care home census", "Discharge delays"]
DAYS_LOGGED = [0, 2, 4, 1, 3]


def serious_axe_findings(page) -> list[str]:
    """axe-core's serious and critical violations on the page as it stands (the rule and where)."""
    page.evaluate(AXE.read_text())  # evaluated by the browser's devtools, so the page's CSP does not block it
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [f"{v['id']}: {[n['target'] for n in v['nodes']][:3]}"
            for v in result["violations"] if v["impact"] in ("serious", "critical")]


def assert_not_wider_than_the_screen(page) -> None:
    width, client = page.evaluate("() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
    assert width <= client, f"the page is {width} px wide on a {client} px screen"


@pytest.fixture
def last_week(people, team, make_source, make_request, make_entry):
    """The team's five recurring returns, logged last week on their usual days."""
    source = make_source("NHS England North East and Yorkshire")
    requests = [make_request(title, source=source, frequency="weekly") for title in RETURNS]
    for request, day, minutes in zip(requests, DAYS_LOGGED, (90, 45, 120, 30, 75)):
        make_entry(people["manager"], team, request, occurred_on=LAST_WEEK + timedelta(days=day), minutes=minutes, band="6")
    return requests


def this_weeks_entries(db) -> list[tuple]:
    db.session.expire_all()
    return db.session.execute(
        select(Entry.request_id, Entry.occurred_on, Entry.minutes, Entry.band)
        .where(Entry.occurred_on >= THIS_WEEK, Entry.deleted_at.is_(None)).order_by(Entry.request_id)
    ).all()


@pytest.mark.browser
def test_a_week_of_five_returns_is_logged_in_three_actions_and_again_adds_nothing(chromium, db, people, last_week):
    from playwright.sync_api import expect

    page = chromium.signed_in(people["manager"])
    person = Counted(page)
    started = time.perf_counter()
    person.count += 1
    page.goto(f"{chromium.base}/entries/week")  # open the week
    person.click(page.get_by_role("button", name="Copy last week"))
    expect(page.locator("[data-copied=true]")).to_have_count(5)
    person.click(page.get_by_role("button", name="Save the week"))
    expect(page.get_by_text("5 entries saved for the week of")).to_be_visible()
    elapsed = time.perf_counter() - started
    assert person.count == 3
    assert elapsed <= 10, f"{elapsed:.1f} s"
    expected = sorted((r.id, THIS_WEEK + timedelta(days=d), m, "6") for r, d, m in zip(last_week, DAYS_LOGGED, (90, 45, 120, 30, 75)))
    assert this_weeks_entries(db) == expected
    expect(page.locator("[data-testid=logged]")).to_have_count(5)
    expect(page.locator("[data-testid=week-total]")).to_contain_text("6h 0m")
    assert serious_axe_findings(page) == []

    page.get_by_role("button", name="Copy last week").click()
    expect(page.get_by_text("5 already logged this week, so not copied again")).to_be_visible()
    expect(page.locator("[data-copied=true]")).to_have_count(0)
    page.get_by_role("button", name="Save the week").click()
    expect(page.get_by_text("Nothing new to save")).to_be_visible()
    assert this_weeks_entries(db) == expected


@pytest.mark.browser
def test_a_bad_cell_is_shown_by_its_row_and_day_and_axe_finds_nothing_serious(chromium, db, people, last_week):
    from playwright.sync_api import expect

    page = chromium.signed_in(people["manager"])
    page.goto(f"{chromium.base}/entries/week")
    page.get_by_label(f"Time for {RETURNS[0]} on {THIS_WEEK:%A %-d %B}").fill("90")
    page.get_by_label(f"Time for {RETURNS[1]} on {THIS_WEEK + timedelta(days=2):%A %-d %B}").fill("lots")
    page.get_by_role("button", name="Save the week").click()
    summary = page.locator(".nhsuk-error-summary")
    expect(summary).to_contain_text(f"{RETURNS[1]}, {THIS_WEEK + timedelta(days=2):%A %-d %B}: Enter a time like 90")
    assert this_weeks_entries(db) == []
    assert_not_wider_than_the_screen(page)
    assert serious_axe_findings(page) == []
    page.screenshot(path="/tmp/week-desktop.png", full_page=True)


@pytest.mark.browser
def test_on_a_phone_the_week_is_one_day_at_a_time_and_a_day_is_logged(chromium, db, people, last_week):
    from playwright.sync_api import expect

    page = chromium.signed_in(people["manager"], viewport=PHONE)
    page.goto(f"{chromium.base}/")
    page.get_by_role("button", name="Log a week at once").click()
    wednesday = THIS_WEEK + timedelta(days=2)
    page.get_by_label(f"{wednesday:%a %-d %b}", exact=True).check()
    boxes = page.locator("input.app-week-input:visible")
    expect(boxes).to_have_count(len(RETURNS))  # one day: a box a row
    for i in range(len(RETURNS)):
        expect(page.get_by_label(f"Time for {RETURNS[i]} on {wednesday:%A %-d %B}")).to_be_visible()
    expect(page.get_by_label(f"Time for {RETURNS[0]} on {THIS_WEEK:%A %-d %B}")).to_be_hidden()
    assert_not_wider_than_the_screen(page)
    assert serious_axe_findings(page) == []
    page.screenshot(path="/tmp/week-phone.png", full_page=True)

    page.get_by_label(f"Time for {RETURNS[0]} on {wednesday:%A %-d %B}").fill("1:15")
    page.get_by_label(f"Time for {RETURNS[2]} on {wednesday:%A %-d %B}").fill("0.5h")
    page.get_by_role("button", name="Save the week").click()
    expect(page.get_by_text("2 entries saved for the week of")).to_be_visible()
    expect(page.get_by_label(f"{wednesday:%a %-d %b}", exact=True)).to_be_checked()  # the same day stays shown
    assert [(m, d) for _r, d, m, _b in this_weeks_entries(db)] == [(75, wednesday), (30, wednesday)]
    assert chromium.outside == []
