"""Variation between teams in a real browser (Debian's chromium through Playwright): the log form's hint
to a flagged team follows the request chosen, and the request page fits a phone."""
from __future__ import annotations

import pytest

from tests.app.test_browser import browser_page  # noqa: F401  (the fixture)
from tests.licences.test_licences_browser import sign_in


@pytest.mark.browser
def test_a_flagged_team_is_told_how_many_answer_in_under_half_its_time(live_server, browser_page, db, variation_example,  # noqa: F811
                                                                       make_request):
    from playwright.sync_api import expect

    ex = variation_example
    other = make_request("Monthly bed census")
    page = browser_page
    sign_in(page, live_server, ex.manager_c.email)
    page.goto(f"{live_server}/entries/new")
    hint = page.locator("[data-testid=method-hint]")
    expect(hint).to_be_hidden()
    page.locator("input#request_id").fill("winter sitrep")
    page.get_by_role("option", name=f"{ex.request.title} ({ex.request.source.name})").click()
    expect(hint).to_be_visible()
    expect(hint).to_contain_text("2 teams answer this in under half your time")
    expect(hint.get_by_role("link", name="see how they do it")).to_have_attribute(
        "href", f"/catalogue/requests/{ex.request.id}#methods")
    page.locator("input#request_id").fill("bed census")
    page.get_by_role("option", name=f"{other.title} ({other.source.name})").click()
    expect(hint).to_be_hidden()


@pytest.mark.browser
def test_the_request_page_with_its_dot_plot_fits_a_phone(live_server, browser_page, db, variation_example):  # noqa: F811
    ex = variation_example
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, live_server, ex.manager_c.email)
    page.goto(f"{live_server}/catalogue/requests/{ex.request.id}")
    assert page.locator("#chart-variation").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
