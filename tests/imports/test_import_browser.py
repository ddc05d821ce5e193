"""The import pages in a real chromium on a phone: upload, confirm new names, import the good rows, undo."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from tests.import_support import TRACKER_HEADERS, write_csv
from tests.app.test_browser_newcomer import OVERFLOW, PHONE, chromium  # noqa: F401 (the fixture)
from tracker.models import Entry, ImportBatch, Source


@pytest.mark.browser
def test_a_manager_imports_a_file_on_a_phone(chromium, db, team, make_user, make_source, make_request, tmp_path):  # noqa: F811
    manager = make_user("manager", [team], email="phone@example.nhs.uk", name="Pat Phone")
    make_request("Monthly SitRep", source=make_source("NHS England"))
    path = write_csv(tmp_path / "my-log.csv", [
        TRACKER_HEADERS,
        ["02/03/2026", "", "NHS England", "Monthly SitRep", "5", "30", "Yes", "", "checked on a phone"],
        ["03/03/2026", "", "Care Quality Commission", "Provider information return", "6", "1:30", "", "", ""],
        ["04/03/2026", "", "NHS England", "Monthly SitRep", "5", "soon", "", "", ""],
    ])
    page = chromium.signed_in(manager, PHONE)

    def fits():
        width, screen = page.evaluate(OVERFLOW)
        assert width <= screen, f"{page.url}: {width} px wide on a {screen} px screen"

    page.goto(f"{chromium.base}/imports/")
    fits()
    page.set_input_files("#file", str(path))
    page.get_by_role("button", name="Upload and check").click()
    page.wait_for_load_state()
    fits()
    assert page.get_by_test_id("refused").inner_text() == "2"  # the bad time, and the names not confirmed yet
    assert "Provider information return (Care Quality Commission)" in page.get_by_test_id("unknown").inner_text()
    assert "is not a length of time" in page.get_by_test_id("problems").inner_text()
    page.get_by_role("button", name="Add them to the catalogue when importing").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("to-add").inner_text() == "2"
    assert page.get_by_test_id("refused").inner_text() == "1"
    fits()
    page.get_by_role("button", name="Import the 2 good rows only").click()
    page.wait_for_load_state()
    fits()
    assert page.get_by_test_id("added").inner_text() == "2"
    assert Source.named("care quality commission") is not None
    assert sorted(m for m, in db.session.execute(select(Entry.minutes).where(Entry.deleted_at.is_(None)))) == [30, 90]
    page.get_by_role("button", name="Undo this import").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("undone").is_visible()
    db.session.expire_all()
    assert db.session.scalar(select(ImportBatch)).is_undone
    assert db.session.execute(select(Entry.id).where(Entry.deleted_at.is_(None))).all() == []
    assert chromium.outside == []
