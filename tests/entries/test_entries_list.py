"""The entries list: filters, totals, paging, and one answer for the page, the API and the workbook."""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

import pytest

from tests.entries.test_entries import TODAY, cell, count, error_by_field, listed_ids, log_form, sitrep, text_of  # noqa: F401
from tracker.burden.default_rates import default_hourly_cost
from tracker.template_helpers import money


# ---- the list --------------------------------------------------------------


@pytest.fixture
def logged(manager_client, make_entry, make_request, make_source, team, other_team, make_user):
    """Three entries in the manager's team (two sources) and one in another team."""
    nhse = make_source("NHS England", kind="national_body")
    icb = make_source("Northshire ICB", kind="commissioner")
    sitrep = make_request(title="Weekly sitrep", source=nhse)
    deep_dive = make_request(title="Delays deep dive", source=icb)
    user = manager_client.user
    entries = {
        "sitrep_b5": make_entry(user, team, sitrep, occurred_on=date(2026, 3, 2), minutes=90, band="5"),
        "sitrep_b7": make_entry(user, team, sitrep, occurred_on=date(2026, 3, 9), minutes=30, band="7"),
        "dive_b6": make_entry(user, team, deep_dive, occurred_on=date(2026, 4, 15), minutes=60, band="6"),
    }
    stranger = make_user("manager", [other_team])
    entries["other_team"] = make_entry(stranger, other_team, sitrep, occurred_on=date(2026, 3, 3), minutes=600, band="9")
    return {"entries": entries, "sitrep": sitrep, "deep_dive": deep_dive, "nhse": nhse, "icb": icb}


def cost(*parts) -> Decimal:
    return sum((Decimal(minutes) / 60 * default_hourly_cost(band) for minutes, band in parts), Decimal(0))


def test_list_shows_the_team_newest_first_with_totals(manager_client, logged):
    html = text_of(manager_client.get("/"))
    e = logged["entries"]
    assert listed_ids(html) == [e["dive_b6"].id, e["sitrep_b7"].id, e["sitrep_b5"].id]
    assert cell(html, "total-entries") == "3"
    assert cell(html, "total-hours") == "3.00"
    assert cell(html, "total-cost") == money(cost((90, "5"), (30, "7"), (60, "6")))
    assert "Weekly sitrep" in html and "NHS England" in html and "1h 30m" in html and "Band 7" in html
    assert "Log reporting work" in html


def test_list_filtered_by_source(manager_client, logged):
    html = text_of(manager_client.get(f"/?source={logged['nhse'].id}"))
    e = logged["entries"]
    assert listed_ids(html) == [e["sitrep_b7"].id, e["sitrep_b5"].id]
    assert cell(html, "total-entries") == "2"
    assert cell(html, "total-hours") == "2.00"
    # 90 min at band 5 + 30 min at band 7, from the default rates
    expected = Decimal(90) / 60 * default_hourly_cost("5") + Decimal(30) / 60 * default_hourly_cost("7")
    assert cell(html, "total-cost") == money(expected)
    # and by hand: band 5 = (31,049 + 37,796) / 2 / 1,955.4 × 1.28 = £22.532883 an hour,
    # band 7 = (47,810 + 54,710) / 2 / 1,955.4 × 1.28 = £33.554669 an hour;
    # 1.5 h × 22.532883 + 0.5 h × 33.554669 = 33.7993245 + 16.7773345 = £50.576659
    assert cell(html, "total-cost") == "£50.58"


def test_list_filtered_by_request_and_dates(manager_client, logged):
    e = logged["entries"]
    html = text_of(manager_client.get(f"/?request={logged['deep_dive'].id}"))
    assert listed_ids(html) == [e["dive_b6"].id]
    assert cell(html, "total-cost") == money(cost((60, "6")))
    html = text_of(manager_client.get("/?from=2026-03-05&to=2026-04-30"))
    assert listed_ids(html) == [e["dive_b6"].id, e["sitrep_b7"].id]
    assert cell(html, "total-hours") == "1.50"
    html = text_of(manager_client.get("/?from=2026-03-01&to=2026-03-02"))
    assert listed_ids(html) == [e["sitrep_b5"].id]
    assert 'value="2026-03-01"' in html  # the filter keeps its value


def test_list_filtered_by_team(client, auth, make_user, team, other_team, logged):
    user = make_user("lead", [team, other_team])
    auth.login(user.email)
    e = logged["entries"]
    html = text_of(client.get("/"))
    assert set(listed_ids(html)) == {entry.id for entry in e.values()}
    html = text_of(client.get(f"/?team={other_team.id}"))
    assert listed_ids(html) == [e["other_team"].id]
    assert cell(html, "total-cost") == money(cost((600, "9")))


@pytest.mark.parametrize(
    "query, field_id, message",
    [
        ("from=2026-02-30", "from", "Enter a real date in the form YYYY-MM-DD"),
        ("from=2026-04-01&to=2026-03-01", "to", "The end date must be the same as or after the start date"),
        ("source=99999", "source", "Choose who asked from the list"),
        ("request=abc", "request", "Choose a request from the list"),
    ],
)
def test_bad_filters_are_explained(manager_client, logged, query, field_id, message):
    response = manager_client.get("/?" + query)
    assert response.status_code == 400
    html = text_of(response)
    assert error_by_field(html, field_id) == message
    assert listed_ids(html) == []


def test_another_teams_filter_is_refused(manager_client, logged, other_team):
    response = manager_client.get(f"/?team={other_team.id}")
    assert response.status_code == 404  # as for every route that takes a team (tests/auth/test_team_not_visible.py)
    html = text_of(response)
    assert logged["entries"]["other_team"].id not in listed_ids(html)
    assert other_team.name not in html


def test_paging(app, manager_client, make_entry, team, sitrep):
    app.config["ENTRIES_PER_PAGE"] = 2
    entries = [make_entry(manager_client.user, team, sitrep, occurred_on=date(2026, 1, day), minutes=10 * day) for day in range(1, 6)]
    newest_first = [e.id for e in reversed(entries)]
    page1 = text_of(manager_client.get("/"))
    assert listed_ids(page1) == newest_first[:2]
    assert cell(page1, "page-info") == "Page 1 of 3"
    assert cell(page1, "total-entries") == "5"  # totals cover every page
    assert cell(page1, "total-hours") == "2.50"
    assert 'href="/?page=2"' in page1
    assert listed_ids(text_of(manager_client.get("/?page=2"))) == newest_first[2:4]
    assert listed_ids(text_of(manager_client.get("/?page=3"))) == newest_first[4:]
    assert listed_ids(text_of(manager_client.get("/?page=99"))) == newest_first[4:]  # past the end: the last page
    assert listed_ids(text_of(manager_client.get("/?page=nonsense"))) == newest_first[:2]


def test_paging_keeps_the_filters(app, manager_client, make_entry, team, sitrep):
    app.config["ENTRIES_PER_PAGE"] = 1
    for day in (1, 2, 3):
        make_entry(manager_client.user, team, sitrep, occurred_on=date(2026, 1, day))
    html = text_of(manager_client.get(f"/?request={sitrep.id}&from=2026-01-01"))
    assert f"page=2" in html
    link = re.search(r'href="(/\?[^"]*page=2[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"request={sitrep.id}" in link and "from=2026-01-01" in link


def test_user_text_is_escaped_in_the_list(manager_client, make_request, make_entry, team):
    request = make_request(title="<script>alert(1)</script>")
    make_entry(manager_client.user, team, request)
    html = text_of(manager_client.get("/"))
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_page_the_api_and_the_workbook_list_the_same_entries_for_a_filter(
    app, db, tmp_path, api_for, lead_client, team, make_entry, make_request, make_source
):
    """One query decides which entries count (tracker.entries.queries.live_entries); three readers, one answer."""
    from openpyxl import load_workbook

    from tracker.exports.workbook import build_workbook

    lead = lead_client.user
    asked_by = make_source("Northshire ICB")
    wanted = make_request("Weekly sitrep", source=asked_by)
    other = make_request("Annual return")
    day = date(2026, 3, 10)
    kept = [make_entry(lead, team, wanted, occurred_on=day, minutes=m) for m in (5, 15)]
    make_entry(lead, team, other, occurred_on=day, minutes=25)
    deleted = make_entry(lead, team, wanted, occurred_on=day, minutes=35)
    lead_client.post(f"/entries/{deleted.id}/delete")
    make_entry(lead, team, wanted, occurred_on=date(2026, 4, 1), minutes=45)  # outside the period

    query = f"from=2026-03-01&to=2026-03-31&source_id={asked_by.id}"
    api_ids = {e["id"] for e in api_for(lead).get(f"/api/v1/entries?{query}").get_json()["items"]}
    page = lead_client.get(f"/?from=2026-03-01&to=2026-03-31&source={asked_by.id}").get_data(as_text=True)
    page_ids = {int(i) for i in re.findall(r'data-entry-id="(\d+)"', page)}
    path = build_workbook(db.session, month=date(2026, 3, 1), team_ids=[team.id], path=tmp_path / "w.xlsx",
                          scope_label=team.name).path
    rows = list(load_workbook(path)["Entries"].iter_rows(min_row=2, values_only=True))
    sheet_minutes = sorted(r[5] for r in rows if r[2] == "Northshire ICB")
    assert api_ids == page_ids == {e.id for e in kept}
    assert sheet_minutes == [5, 15]
