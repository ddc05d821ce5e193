"""Issue 18 in Debian's chromium: every page for every role on a 390-pixel phone and a desktop (none
wider than the screen, axe's serious and critical findings none), the commissioner's pages short
enough to read on a phone, and the guard rails (a licence without an estimate, retiring a statutory
request, the decision form's reveal with and without JavaScript).

axe-core comes from npm (package.json; `make assets` installs it) and is injected into each page."""
from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path
from urllib.parse import urljoin, urlsplit

import pytest
from sqlalchemy import select

from tests.conftest import PASSWORD
from tests.demo.test_demo import seed_cli
from tracker.demo import data
from tracker.models.licences import LicenceDecision
from tracker.models.workspace import Decision
from tracker.shared.timeutil import local_today

pytestmark = pytest.mark.browser

AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
MOST_PHONE_HEIGHT = 6000
# Links that are files, not pages, or that leave the pages.
NOT_PAGES = re.compile(r"\.(xlsx|csv|json)$|/download$|/files/|/bad-rows|/healthz|^/api/|^/static/|/logout")
DEMO_ROLES = {"manager": "manager@demo.nhs.uk", "lead": "lead@demo.nhs.uk",
              "commissioner": data.COMMISSIONER_EMAIL, "admin": data.ADMIN_EMAIL}


def pattern(path: str) -> str:
    """One page per kind: /licences/requests/12 and /licences/requests/40 are the same page."""
    return re.sub(r"/\d+(?=/|$)", "/<id>", path)


def axe_findings(page) -> list[str]:
    """axe's serious and critical findings on the page as it is laid out now."""
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # Evaluated through the browser's protocol: the app's Content-Security-Policy refuses inline scripts.
        page.evaluate(AXE.read_text() + "\n;true")
    results = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations")
    return [f"{v['id']} ({v['impact']}): {v['nodes'][0]['target']}" for v in results if v["impact"] in ("serious", "critical")]


def crawl(page, base: str, start: str = "/") -> dict[str, str]:
    """Every page reachable by links from `start` for the signed-in user: {pattern: first path found}."""
    found, queue = {}, [start]
    while queue:
        path = queue.pop(0)
        if pattern(path) in found:
            continue
        found[pattern(path)] = path
        page.goto(base + path)
        for href in page.eval_on_selector_all("a[href]", "links => links.map(a => a.getAttribute('href'))"):
            parts = urlsplit(urljoin(base + path, href))
            if f"{parts.scheme}://{parts.netloc}" != base or NOT_PAGES.search(parts.path):
                continue
            if pattern(parts.path) not in found:
                queue.append(parts.path)
    return found


def sign_in(browser, base: str, email: str, password: str, viewport=PHONE, javascript=True):
    context = browser.new_context(viewport=viewport, java_script_enabled=javascript)
    page = context.new_page()
    page.set_default_timeout(30_000)
    page.goto(f"{base}/login")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    return page


def test_every_page_for_every_role_fits_a_phone_and_passes_axe(app, db, live_server, browser):
    assert AXE.exists(), "axe-core is missing: run `make assets` (npm ci)"
    seed_cli(app)  # the demo as `make run` loads it: its data is what the heights are measured on
    problems, visited = [], 0
    for role, email in DEMO_ROLES.items():
        page = sign_in(browser, live_server, email, data.DEMO_PASSWORD)
        pages = crawl(page, live_server)
        assert len(pages) >= 5, (role, pages)
        for kind, path in sorted(pages.items()):
            page.set_viewport_size(PHONE)
            page.goto(live_server + path)
            visited += 1
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > PHONE["width"]:
                problems.append(f"{role} {path}: {width} px wide on a phone")
            problems += [f"{role} {path} phone: {finding}" for finding in axe_findings(page)]
            if role == "commissioner" and kind in ("/burden/", "/workspace/"):
                height = page.evaluate("document.documentElement.scrollHeight")
                if height > MOST_PHONE_HEIGHT:
                    problems.append(f"{role} {path}: {height} px tall on a phone")
                headline = page.locator("[data-testid=headline]")
                if not headline.count() or headline.first.bounding_box()["y"] + 40 > PHONE["height"]:
                    problems.append(f"{role} {path}: the key figures are not in the first screen")
            page.set_viewport_size(DESKTOP)
            problems += [f"{role} {path} desktop: {finding}" for finding in axe_findings(page)]
        page.context.close()
    assert visited >= 40
    assert problems == []


# ---- the guard rails ---------------------------------------------------------------------------------


def test_a_licence_without_an_estimate_needs_the_choice_and_a_reason(app, db, live_server, browser, make_user, make_request):
    from playwright.sync_api import expect

    commissioner = make_user("commissioner", email="licence.browser@example.nhs.uk")
    request = make_request("Weekly bed state", frequency="weekly")
    db.session.commit()
    page = sign_in(browser, live_server, commissioner.email, PASSWORD)
    page.goto(f"{live_server}/licences/requests/{request.id}")
    expect(page.get_by_label("Licence reference (required to approve)")).to_be_visible()
    page.get_by_label("Approve: grant a licence").check()
    page.get_by_label("Licence reference (required to approve)").fill("ROCR/OR/0001")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Record a burden estimate before approving")
    assert db.session.scalar(select(LicenceDecision.id)) is None

    page.get_by_role("checkbox", name="Approve without an estimate").check()
    page.get_by_label("Reasons (needed to decline, or to approve without an estimate)").fill("Ministerial direction")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Licence ROCR/OR/0001")
    expect(page.locator("[data-testid=history]")).to_contain_text("Approved without an estimate")
    db.session.expire_all()
    decision = db.session.scalar(select(LicenceDecision))
    assert decision.estimate_id is None and decision.reasons == "Ministerial direction"


def test_retiring_a_statutory_request_is_confirmed_and_the_banner_says_the_saving(app, db, live_server, browser, make_user,
                                                                                  make_request, make_entry, team):
    from playwright.sync_api import expect

    commissioner = make_user("commissioner", email="retire.browser@example.nhs.uk")
    request = make_request("Provider information return", obligation="statutory", frequency="monthly")
    make_entry(make_user("manager", [team]), team, request, occurred_on=local_today() - timedelta(days=15), minutes=180)
    db.session.commit()
    page = sign_in(browser, live_server, commissioner.email, PASSWORD, viewport=PHONE)
    page.goto(f"{live_server}/workspace/requests/{request.id}")
    page.get_by_label("Retire").check()
    page.get_by_label("Why").fill("Nobody reads it")
    page.get_by_role("button", name="Record the decision").click()
    expect(page.get_by_role("heading", name="Are you sure you want to retire a statutory request?")).to_be_visible()
    expect(page.locator("[data-testid=obligation-warning]")).to_contain_text("the law requires teams to answer it")
    expect(page.locator("[data-field=expected-saving]")).to_contain_text("36.0 hours")  # 3 hours × 12 months
    assert db.session.scalar(select(Decision.id)) is None
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    page.get_by_role("button", name="Yes, retire it").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Expected saving: 36.0 hours, £")
    db.session.expire_all()
    assert db.session.scalar(select(Decision.kind)) == "retire"


@pytest.mark.parametrize("javascript", [False, True])
def test_the_decision_form_reveals_its_fields(app, db, live_server, browser, make_user, make_request, javascript):
    from playwright.sync_api import expect

    commissioner = make_user("commissioner", email=f"reveal.{javascript}@example.nhs.uk")
    request = make_request("Quarterly pack", obligation="discretionary", frequency="weekly")
    db.session.commit()
    page = sign_in(browser, live_server, commissioner.email, PASSWORD, javascript=javascript)
    page.goto(f"{live_server}/workspace/requests/{request.id}")
    merge_into, new_frequency = page.get_by_label("Merge into (for a merge)"), page.get_by_label("New frequency (for a reduced frequency)")
    target = page.get_by_label("Target hours per entry (for a simplification)")
    if not javascript:  # every field shows, under its own choice, and the form still works
        for field in (merge_into, new_frequency, target):
            expect(field).to_be_visible()
        page.get_by_label("Reduce frequency").check()
        new_frequency.select_option("monthly")
        page.get_by_label("Why").fill("Monthly is enough")
        page.get_by_role("button", name="Record the decision").click()
        expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Decision recorded: reduce frequency")
        db.session.expire_all()
        assert db.session.scalar(select(Decision.new_frequency)) == "monthly"
        return
    for field in (merge_into, new_frequency, target):
        expect(field).to_be_hidden()
    page.get_by_label("Merge into another request").check()
    expect(merge_into).to_be_visible()
    expect(new_frequency).to_be_hidden()
    page.get_by_label("Simplify").check()
    expect(target).to_be_visible()
    expect(merge_into).to_be_hidden()
