"""Issue 8 as a new user meets it, in Debian's chromium: status tags, the phone, landing pages,
locked entries, confirmation, and how many interactions logging takes."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.app.test_browser import CHROMIUM, CHROMIUM_ARGS
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.shared.timeutil import add_months, month_label, month_start

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
LONG_SOURCE = "NHS England – North East and Yorkshire regional urgent and emergency care data collections team"
LONG_TITLE = "Weekly winter resilience, discharge and bed occupancy situation report with escalation levels"


class Browser:
    """One chromium for the test; pages that record every request leaving the app."""

    def __init__(self, playwright, base: str):
        self.base = base
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        self.outside: list[str] = []

    def page(self, viewport=DESKTOP):
        from playwright.sync_api import Page  # noqa: F401

        context = self.browser.new_context(viewport=viewport)
        page = context.new_page()
        page.set_default_timeout(15_000)
        page.on("request", lambda r: None if r.url.startswith((self.base, "data:")) else self.outside.append(r.url))
        return page

    def signed_in(self, user, viewport=DESKTOP):
        page = self.page(viewport)
        page.goto(f"{self.base}/login")
        page.get_by_label("Email address").fill(user.email)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        return page


@pytest.fixture
def chromium(live_server):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = Browser(p, live_server)
        try:
            yield browser
        finally:
            browser.browser.close()


class Counted:
    """Counts what a person does on a page: each click, fill, choice or tick is one interaction."""

    def __init__(self, page):
        self.page = page
        self.count = 0

    def click(self, locator):
        self.count += 1
        locator.click()

    def fill(self, locator, text):
        self.count += 1
        locator.fill(text)

    def select(self, locator, value=None, label=None):
        self.count += 1
        locator.select_option(value=value, label=label)


@pytest.fixture
def people(make_user, team):
    return {
        "manager": make_user("manager", [team], email="mina@example.nhs.uk", name="Mina Manager"),
        "lead": make_user("lead", [team], email="lee@example.nhs.uk", name="Lee Lead"),
        "commissioner": make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner"),
        "admin": make_user("admin", email="ada@example.nhs.uk", name="Ada Admin"),
    }


@pytest.fixture
def year_of_work(people, team, other_team, make_source, make_request, make_entry):
    """A year of entries with long names, the kind that used to be cut off or push the page sideways."""
    source = make_source(LONG_SOURCE)
    long_request = make_request(LONG_TITLE, source=source, frequency="weekly")
    short = make_request("Care home census", source=make_source("Eastshire County Council", kind="local_authority"))
    today = date.today()
    for months_back in range(12):
        day = add_months(today, -months_back).replace(day=min(today.day, 28))
        make_entry(people["manager"], team, long_request, occurred_on=day, minutes=90 + months_back * 7, band="6")
        make_entry(people["admin"], other_team, short, occurred_on=day, minutes=45, band="8a")
    return long_request


# ---- 1. status tags ---------------------------------------------------------------


@pytest.mark.browser
def test_status_tags_read_their_label_and_colour(chromium, people, make_request):
    from playwright.sync_api import expect

    make_request("Quarterly assurance", status="under_review")
    page = chromium.signed_in(people["manager"])
    page.goto(f"{chromium.base}/catalogue/requests")
    tag = page.locator("table[data-testid=requests] .nhsuk-tag").first
    expect(tag).to_have_text("Under review")
    assert "nhsuk-tag--yellow" in tag.get_attribute("class")
    page.get_by_role("link", name="Quarterly assurance").click()
    expect(page.locator("[data-testid=status] .nhsuk-tag")).to_have_text("Under review")


# ---- 3 and 9. the phone: nothing scrolls sideways, charts stay legible, nothing from outside ----

PAGES = {
    "manager": ["/", "/entries/new", "/burden/", "/catalogue/requests", "/exports/"],
    "lead": ["/burden/", "/exports/"],
    "commissioner": ["/burden/", "/burden/requests", "/burden/teams", "/burden/hotspots", "/burden/per-request",
                     "/licences/unlicensed", "/catalogue/requests", "/", "/workspace/", "/workspace/value",
                     "/workspace/duplicates", "/workspace/decisions"],
    "admin": ["/admin/", "/admin/users", "/admin/audit", "/burden/rates"],
}

OVERFLOW = """() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]"""
CHART_TEXT = """() => Array.from(document.querySelectorAll('svg.app-chart')).flatMap(svg => {
  const box = svg.getBoundingClientRect();
  const scale = box.width / svg.viewBox.baseVal.width;
  return Array.from(svg.querySelectorAll('text')).map(t => {
    const r = t.getBoundingClientRect();
    return {chart: svg.id, text: t.textContent, px: parseFloat(t.getAttribute('font-size')) * scale,
            inside: r.left >= box.left - 1 && r.right <= box.right + 1 && r.top >= box.top - 1 && r.bottom <= box.bottom + 1};
  });
})"""


@pytest.mark.browser
def test_on_a_phone_no_page_scrolls_sideways_and_charts_stay_legible(chromium, people, year_of_work):
    charts_seen = 0
    for role, paths in PAGES.items():
        page = chromium.signed_in(people[role], PHONE)
        for path in paths:
            response = page.goto(f"{chromium.base}{path}")
            assert response.status == 200, (role, path)
            scroll_width, client_width = page.evaluate(OVERFLOW)
            assert scroll_width <= client_width, f"{role} {path}: {scroll_width} px wide on a {client_width} px screen"
            for text in page.evaluate(CHART_TEXT):
                charts_seen += 1
                assert text["px"] >= 12, (role, path, text)
                assert text["inside"], (role, path, text)  # not cut off at the chart's edge
        page.context.close()
    assert charts_seen > 50
    assert chromium.outside == []  # no font, script or image from outside the app (an intranet has no internet)


@pytest.mark.browser
def test_long_names_are_shortened_on_charts_with_the_full_name_kept(chromium, people, year_of_work):
    page = chromium.signed_in(people["manager"], PHONE)
    page.goto(f"{chromium.base}/burden/")
    chart = page.locator("svg#chart-requests")
    assert LONG_TITLE in chart.locator("title").all_text_contents()
    drawn = chart.locator("text").all_text_contents()
    assert any(t.endswith("…") for t in drawn)
    assert "Hours" in drawn  # the axis names its unit


# ---- 4. each role lands where its work is ---------------------------------------------


@pytest.mark.browser
@pytest.mark.parametrize("role, path, heading", [
    ("manager", "/", "Reporting work logged"),
    ("commissioner", "/burden/", "Burden of reporting across all teams"),
    ("admin", "/admin/", "Admin"),
])
def test_signing_in_lands_where_the_work_is(chromium, people, role, path, heading):
    from playwright.sync_api import expect

    page = chromium.signed_in(people[role])
    assert page.url == f"{chromium.base}{path}"
    expect(page.get_by_role("heading", level=1)).to_contain_text(heading)


# ---- 4 and 5. sign-off: waiting, confirmation, and entries that look locked ----------------


@pytest.mark.browser
def test_a_lead_confirms_a_sign_off_and_its_entries_then_look_locked(chromium, db, people, team, make_request, make_entry):
    from playwright.sync_api import expect

    last_month = add_months(month_start(date.today()), -1)
    census = make_request("Care home census")
    make_entry(people["manager"], team, census, occurred_on=last_month.replace(day=12), minutes=50)

    lead = chromium.signed_in(people["lead"])
    expect(lead.locator("[data-testid=nav-signoff-count]").first).to_have_text("1 to sign off")
    lead.goto(f"{chromium.base}/burden/")
    waiting = lead.locator("[data-testid=signoff-waiting]")
    expect(waiting).to_contain_text(f"{team.name}, {month_label(last_month)}")
    waiting.get_by_role("link").click()
    expect(lead.get_by_role("heading", level=1)).to_have_text(f"Sign off {month_label(last_month)}?")
    expect(lead.locator("[data-testid=signoff-locks]")).to_contain_text("locks the 1 entry")
    expect(lead.get_by_text("Nobody can add, change or delete an entry")).to_be_visible()
    lead.get_by_role("button", name=f"Yes, sign off {month_label(last_month)}").click()
    expect(lead.get_by_text("is signed off")).to_be_visible()
    expect(lead.locator("[data-testid=nav-signoff-count]")).to_have_count(0)

    manager = chromium.signed_in(people["manager"])
    row = manager.locator("table[data-testid=entries] tbody tr").first
    expect(row.locator("[data-testid=locked]")).to_contain_text("Signed off by Lee Lead on")
    expect(row.get_by_role("link", name="Edit")).to_have_count(0)
    expect(row.get_by_role("link", name="Delete")).to_have_count(0)

    # The log form says so as soon as a date in that month is chosen, before saving.
    manager.get_by_role("button", name="Log reporting work").click()
    note = manager.locator("[data-testid=date-locked]")
    expect(note).to_be_hidden()
    manager.locator("#occurred_on").fill(last_month.replace(day=20).isoformat())
    expect(note).to_be_visible()
    expect(note).to_contain_text(f"{month_label(last_month)} were signed off by Lee Lead")
    manager.locator("#occurred_on").fill(date.today().isoformat())
    expect(note).to_be_hidden()


# ---- 6. how many interactions logging takes ------------------------------------------------


@pytest.mark.browser
def test_logging_an_existing_request_takes_five_interactions(chromium, db, people, team, make_request, make_entry):
    from playwright.sync_api import expect

    sitrep = make_request("Weekly winter sitrep")
    make_entry(people["manager"], team, make_request("Care home census"), minutes=30, band="6")  # the band is remembered
    page = chromium.signed_in(people["manager"])
    person = Counted(page)
    person.click(page.get_by_role("button", name="Log reporting work"))
    person.fill(page.locator("input#request_id"), "winter")
    person.click(page.get_by_role("option", name="Weekly winter sitrep"))
    person.fill(page.locator("#time_minutes"), "40")
    person.click(page.get_by_role("button", name="Log entry"))
    expect(page.get_by_text("Entry logged")).to_be_visible()
    assert person.count == 5
    db.session.expire_all()
    logged = db.session.scalars(select(Entry).where(Entry.request_id == sitrep.id)).one()
    assert (logged.minutes, logged.band, logged.occurred_on) == (40, "6", date.today())


@pytest.mark.browser
def test_logging_a_new_request_from_a_new_source_takes_at_most_ten_interactions(chromium, db, people, team):
    from playwright.sync_api import expect

    page = chromium.signed_in(people["manager"])  # a first entry: nothing remembered yet
    person = Counted(page)
    person.click(page.get_by_role("button", name="Log reporting work"))
    person.fill(page.locator("input#request_id"), "Falls prevention audit")  # nothing matches...
    person.click(page.get_by_text("The request is not in the list"))  # ...so what was typed becomes the title
    expect(page.locator("#new_request_title")).to_have_value("Falls prevention audit")
    person.select(page.locator("#new_request_source_id"), label="Someone else (add a new source)")
    person.fill(page.locator("#new_source_name"), "Northshire ICB")
    person.fill(page.locator("#time_hours"), "2")
    person.select(page.locator("#band"), value="7")
    person.click(page.get_by_role("button", name="Log entry"))
    expect(page.get_by_text("Entry logged")).to_be_visible()
    assert person.count <= 10, person.count

    db.session.expire_all()
    added = db.session.scalars(select(Request).where(Request.title == "Falls prevention audit")).one()
    assert (added.frequency, added.obligation, added.source.kind, added.details_to_confirm) == (
        "ad_hoc", "discretionary", "commissioner", True)


@pytest.mark.browser
def test_log_again_takes_two_interactions_and_everything_stays_editable(chromium, db, people, team, make_request, make_entry):
    from playwright.sync_api import expect

    sitrep = make_request("Weekly winter sitrep")
    make_entry(people["manager"], team, sitrep, occurred_on=date.today() - timedelta(days=7), minutes=75, band="6")
    page = chromium.signed_in(people["manager"])
    person = Counted(page)
    person.click(page.locator("table[data-testid=entries] [data-testid=log-again]").first)
    expect(page.locator("[data-testid=repeating]")).to_be_visible()
    expect(page.locator("#occurred_on")).to_have_value(date.today().isoformat())
    expect(page.locator("#time_hours")).to_be_editable()
    person.click(page.get_by_role("button", name="Log entry"))
    expect(page.get_by_text("Entry logged")).to_be_visible()
    assert person.count == 2
    db.session.expire_all()
    again = db.session.scalars(select(Entry).order_by(Entry.id.desc())).first()
    assert (again.request_id, again.minutes, again.band, again.occurred_on) == (sitrep.id, 75, "6", date.today())
