"""The monthly workbook, read back with openpyxl: layout and figures (user text and faults: test_workbook_files.py)."""
from __future__ import annotations

import re
import zipfile
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from tracker.burden.default_rates import default_hourly_cost
from tracker.models.burden import Rate
from tracker.burden.services import BurdenFilter, burden
from tracker.exports import entries_sheet
from tracker.exports.sheets import NO_ENTRIES
from tracker.exports.workbook import SHEET_NAMES, build_workbook, workbook_filename

MARCH = date(2026, 3, 1)
PENNY = 0.005

HEADERS = {
    "By team": ["Team", "Organisation", "Sector", "Entries", "Hours", "Cost (£)", "FTE", "Requests",
                "Change in hours vs previous month", "Available hours", "Share of management time"],
    "By source": ["Source", "Kind", "Requests", "Teams", "Entries", "Hours", "Cost (£)", "Share of hours"],
    "By request": ["Request", "Source", "Frequency", "Obligation", "Teams", "Entries", "Hours", "Cost (£)",
                   "Hours per entry", "Cumulative share of hours", "Duplicated elsewhere (share)", "Used (share)"],
    "Entries": ["Date", "Team", "Source", "Request", "Band", "Minutes", "Hours", "Cost (£)", "Logged by",
                "Duplicated elsewhere", "Used", "Notes"],
}


# ---- helpers -----------------------------------------------------------------


def build(db, tmp_path, month=MARCH, team_ids=None, name="burden.xlsx", **kwargs):
    kwargs.setdefault("scope_label", "All teams")
    return build_workbook(db.session, month=month, team_ids=team_ids, path=tmp_path / name, **kwargs)


def table(ws):
    """(header, data rows without the Total row) of a sheet whose first row is its header."""
    rows = [list(r) for r in ws.iter_rows(values_only=True)]
    header, body = rows[0], rows[1:]
    body = [r for r in body if any(v is not None for v in r)]
    data = [r for r in body if r[0] != "Total"]
    totals = [r for r in body if r[0] == "Total"]
    return header, data, (totals[0] if totals else None)


def column(header, rows, name):
    i = header.index(name)
    return [r[i] for r in rows]


def summary(ws) -> dict:
    """Summary sheet: label in column A -> value in column B (first occurrence)."""
    out = {}
    for row in ws.iter_rows(values_only=True):
        if row and row[0] is not None and row[0] not in out:
            out[row[0]] = row[1] if len(row) > 1 else None
    return out


def money(value) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"))


def penny(value: Decimal) -> Decimal:
    return value.quantize(Decimal("0.01"))


# ---- data --------------------------------------------------------------------


@pytest.fixture
def month_data(db, make_team, make_user, make_source, make_request, make_entry):
    """Two teams in March 2026 with a rate change mid-month, band other, a deleted
    entry, entries the month before and months earlier (trend), and a team with
    no entries at all."""
    north = make_team("Community Nursing North")
    east = make_team("Adult Social Care East", sector="local_authority", organisation="Eastshire County Council")
    quiet = make_team("Quiet Team", sector="voluntary", organisation="Helping Hands")
    user = make_user("manager", [north, east, quiet], name="Mina Manager")
    nhse = make_source("NHS England (Midlands)", kind="national_body")
    cqc = make_source("Care Quality Commission", kind="regulator")
    sitrep = make_request("Weekly sitrep", nhse, frequency="weekly", obligation="statutory")
    return_ = make_request("Monthly performance return", nhse, frequency="monthly")
    assurance = make_request("Quarterly assurance", cqc, frequency="quarterly", obligation="statutory")
    db.session.add(Rate(band="5", hourly_cost=Decimal("30.000000"), effective_from=date(2026, 3, 15)))
    db.session.commit()

    make_entry(user, north, sitrep, occurred_on=date(2026, 3, 2), minutes=90, band="5", duplicated_elsewhere="yes")
    make_entry(user, north, sitrep, occurred_on=date(2026, 3, 16), minutes=30, band="5", used="no")
    make_entry(user, north, assurance, occurred_on=date(2026, 3, 20), minutes=125, band="8a")
    make_entry(user, east, return_, occurred_on=date(2026, 3, 2), minutes=45, band="other", used="unknown")
    make_entry(user, east, sitrep, occurred_on=date(2026, 3, 31), minutes=61, band="7", notes="late, as usual")
    make_entry(user, east, assurance, occurred_on=date(2026, 3, 9), minutes=7, band="3")
    gone = make_entry(user, east, return_, occurred_on=date(2026, 3, 10), minutes=600, band="9")
    from tracker.entries.services import delete_entry

    delete_entry(user, gone)
    db.session.commit()
    make_entry(user, north, sitrep, occurred_on=date(2026, 2, 27), minutes=60, band="5")  # previous month
    make_entry(user, east, sitrep, occurred_on=date(2026, 2, 1), minutes=200, band="5")
    make_entry(user, north, return_, occurred_on=date(2025, 4, 1), minutes=30, band="5")  # first trend month
    make_entry(user, north, return_, occurred_on=date(2025, 3, 31), minutes=999, band="5")  # outside the trend
    make_entry(user, north, return_, occurred_on=date(2026, 4, 1), minutes=999, band="5")  # next month
    return {"north": north, "east": east, "quiet": quiet, "user": user, "nhse": nhse, "cqc": cqc}


# ---- layout ------------------------------------------------------------------


def test_spec_sheets_in_order_with_spec_headers(db, tmp_path, month_data):
    wb = load_workbook(build(db, tmp_path).path)
    assert wb.sheetnames == list(SHEET_NAMES) == [
        "Summary", "By team", "By source", "By request", "Team x Source", "Trend", "Entries", "Unlicensed"]
    for name, header in HEADERS.items():
        first = [c.value for c in wb[name][1]]
        assert first == header, name
        assert all(c.font.bold for c in wb[name][1]), name
    assert [c.value for c in wb["Team x Source"][1]] == ["Team", "NHS England (Midlands)", "Care Quality Commission",
                                                           "Total"]
    trend_header = [c.value for c in wb["Trend"][1]]
    assert trend_header[0] == "Team" and trend_header[-1] == "Total (12 months)"
    assert [d.date() for d in trend_header[1:-1]] == [date(2025, m, 1) for m in range(4, 13)] + [
        date(2026, m, 1) for m in range(1, 4)]


def test_entries_sheet_is_frozen_filtered_ordered_and_excludes_deleted(db, tmp_path, month_data):
    result = build(db, tmp_path)
    ws = load_workbook(result.path)["Entries"]
    header, rows, _ = table(ws)
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == f"A1:L{len(rows) + 1}"
    assert len(rows) == result.rows == 6  # the deleted 600 minutes are not there
    assert 600 not in column(header, rows, "Minutes")
    keys = [(r[0], r[1]) for r in rows]
    assert keys == sorted(keys)  # by date, then team
    assert all(ws.column_dimensions[letter].width >= 8 for letter in "ABCDEFGHIJKL")
    assert ws.column_dimensions["L"].width >= 30  # notes get room


def test_numbers_are_numbers_and_dates_are_dates_with_formats(db, tmp_path, month_data):
    wb = load_workbook(build(db, tmp_path).path)
    entries = wb["Entries"]
    date_cell, minutes, hours, cost = entries["A2"], entries["F2"], entries["G2"], entries["H2"]
    assert date_cell.is_date and date_cell.number_format in ("yyyy-mm-dd", "dd/mm/yyyy")
    assert date_cell.value.date() == date(2026, 3, 2)
    assert minutes.data_type == "n" and isinstance(minutes.value, int)
    assert hours.data_type == "n" and hours.number_format == "0.00"
    assert cost.data_type == "n" and cost.number_format == "£#,##0.00"
    by_team = wb["By team"]
    assert by_team["E2"].number_format == "0.00" and by_team["F2"].number_format == "£#,##0.00"
    assert by_team["I2"].data_type == "n"
    by_request = wb["By request"]
    assert by_request["J2"].number_format == "0.0%" and by_request["K2"].number_format == "0.0%"
    assert wb["Summary"]["B4"].is_date  # From
    assert wb["Summary"]["B6"].is_date  # Generated at
    for ws in wb:
        for row in ws.iter_rows(min_row=2):
            for cell in row:
                if isinstance(cell.value, str):
                    assert not re.fullmatch(r"-?[\d,.]+%?|£[\d,.]+", cell.value), (ws.title, cell.coordinate)


def test_charts_are_native_bar_and_line(db, tmp_path, month_data):
    path = build(db, tmp_path).path
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        assert "xl/charts/chart1.xml" in names and "xl/charts/chart2.xml" in names
        bar, line = z.read("xl/charts/chart1.xml").decode(), z.read("xl/charts/chart2.xml").decode()
    assert "<barChart>" in bar and "'By team'!$E$2:$E$4" in bar and "'By team'!$A$2:$A$4" in bar
    assert "<lineChart>" in line and line.count("<ser>") == 3
    wb = load_workbook(path)
    assert len(wb["Summary"]._charts) == 1 and len(wb["Trend"]._charts) == 1


# ---- figures -----------------------------------------------------------------


def test_every_sheet_agrees_with_the_burden_service_and_each_other(db, tmp_path, month_data):
    db.session.commit()  # no open transaction: on PostgreSQL the export reads one snapshot
    result = build(db, tmp_path)
    service = burden(BurdenFilter(date(2026, 3, 1), date(2026, 3, 31)), ("team",), with_counts=True)
    total = service.totals
    assert (total.entries, total.minutes) == (6, 358)
    wb = load_workbook(result.path)

    s = summary(wb["Summary"])
    assert s["Entries"] == 6 and s["Hours"] == pytest.approx(358 / 60)
    assert money(s["Cost (£)"]) == penny(total.cost)
    assert s["FTE"] == pytest.approx(float(total.hours / (Decimal("37.5") * 31 / 7)))

    header, teams, team_total = table(wb["By team"])
    assert column(header, teams, "Team") == ["Community Nursing North", "Adult Social Care East", "Quiet Team"]
    assert sum(column(header, teams, "Entries")) == 6
    assert sum(column(header, teams, "Hours")) == pytest.approx(358 / 60)
    assert abs(sum(column(header, teams, "Cost (£)")) - float(total.cost)) < PENNY
    assert money(team_total[header.index("Cost (£)")]) == penny(total.cost)
    for row in service.rows:
        line = teams[column(header, teams, "Team").index(row.label[0])]
        assert line[header.index("Hours")] == pytest.approx(float(row.hours))
        assert money(line[header.index("Cost (£)")]) == penny(row.cost)
        assert line[header.index("Requests")] == row.requests
    change = dict(zip(column(header, teams, "Team"), column(header, teams, "Change in hours vs previous month")))
    assert change["Community Nursing North"] == pytest.approx(245 / 60 - 1)
    assert change["Adult Social Care East"] == pytest.approx(113 / 60 - 200 / 60)
    assert change["Quiet Team"] == 0

    header, sources, _ = table(wb["By source"])
    assert sum(column(header, sources, "Hours")) == pytest.approx(358 / 60)
    assert abs(sum(column(header, sources, "Cost (£)")) - float(total.cost)) < PENNY
    assert sum(column(header, sources, "Share of hours")) == pytest.approx(1)
    assert dict(zip(column(header, sources, "Source"), column(header, sources, "Kind")))[
        "Care Quality Commission"] == "Regulator"

    header, requests, _ = table(wb["By request"])
    hours = column(header, requests, "Hours")
    assert hours == sorted(hours, reverse=True)
    assert sum(hours) == pytest.approx(358 / 60)
    assert abs(sum(column(header, requests, "Cost (£)")) - float(total.cost)) < PENNY
    cumulative = column(header, requests, "Cumulative share of hours")
    assert cumulative[-1] == pytest.approx(1) and cumulative == sorted(cumulative)
    sitrep = requests[column(header, requests, "Request").index("Weekly sitrep")]
    assert sitrep[header.index("Teams")] == 2 and sitrep[header.index("Entries")] == 3
    assert sitrep[header.index("Duplicated elsewhere (share)")] == pytest.approx(90 / 181)
    assert sitrep[header.index("Used (share)")] == pytest.approx(151 / 181)
    assert sitrep[header.index("Hours per entry")] == pytest.approx(181 / 60 / 3)
    assert sitrep[header.index("Frequency")] == "Weekly" and sitrep[header.index("Obligation")] == "Statutory"

    header, grid, grid_total = table(wb["Team x Source"])
    assert sum(v or 0 for r in grid for v in r[1:-1]) == pytest.approx(358 / 60)
    assert grid_total[-1] == pytest.approx(358 / 60)
    for r in grid:
        assert sum(v or 0 for v in r[1:-1]) == pytest.approx(r[-1])

    header, trend, trend_total = table(wb["Trend"])
    assert [r[0] for r in trend] == ["Community Nursing North", "Adult Social Care East", "Quiet Team"]
    assert sum(r[-2] for r in trend) == pytest.approx(358 / 60)  # March column
    assert trend_total[-2] == pytest.approx(358 / 60)
    assert trend[0][1] == pytest.approx(0.5)  # April 2025, the first month shown
    assert trend[1][-3] == pytest.approx(200 / 60)  # February 2026

    header, entries, _ = table(wb["Entries"])
    assert sum(column(header, entries, "Minutes")) == 358
    assert sum(column(header, entries, "Hours")) == pytest.approx(358 / 60)
    assert abs(sum(column(header, entries, "Cost (£)")) - float(total.cost)) < PENNY
    assert result.figures["entries_cost"] == total.cost  # priced once on both sides: equal to the last digit
    assert result.figures["cost"] == total.cost and result.figures["entries"] == result.rows == 6


def test_work_logged_during_an_export_does_not_split_the_figures(db, make_app, tmp_path, month_data):
    """An entry committed by someone else after the summary figures were read and
    before the Entries sheet is streamed: every sheet still shows the same snapshot."""
    from tracker.entries.services import create_entry
    from tracker.extensions import db as other_db

    ids = {k: month_data[k].id for k in ("north", "user")}
    request_id = burden(BurdenFilter(MARCH, date(2026, 3, 31)), ("request",)).rows[0].key[0]
    other_app = make_app()
    db.session.commit()  # the export starts with no transaction of ours open

    def someone_logs_work(done, total):
        if done == 0:
            with other_app.app_context():
                from tracker.models.auth import User

                create_entry(other_db.session.get(User, ids["user"]), {
                    "request_id": request_id, "team_id": ids["north"], "occurred_on": date(2026, 3, 12),
                    "minutes": 480, "band": "5", "duplicated_elsewhere": "no", "used": "yes", "notes": ""})
                other_db.session.commit()

    result = build(db, tmp_path, progress=someone_logs_work)
    assert result.rows == result.figures["entries"] == 6
    assert burden(BurdenFilter(MARCH, date(2026, 3, 31))).totals.entries == 7  # it did land
    wb = load_workbook(result.path)
    header, entries, _ = table(wb["Entries"])
    assert sum(column(header, entries, "Minutes")) == 358 == summary(wb["Summary"])["Hours"] * 60


def test_costs_follow_the_rate_on_each_entry_date(db, tmp_path, month_data):
    wb = load_workbook(build(db, tmp_path).path)
    header, rows, _ = table(wb["Entries"])
    cost = {(r[0].day, r[1], r[5]): r[header.index("Cost (£)")] for r in rows}
    assert cost[(2, "Community Nursing North", 90)] == pytest.approx(float(90 * default_hourly_cost("5") / 60))
    assert cost[(16, "Community Nursing North", 30)] == pytest.approx(15.0)  # £30 an hour from the 15th
    assert cost[(2, "Adult Social Care East", 45)] == pytest.approx(float(45 * default_hourly_cost("7") / 60))
    band = dict(zip(column(header, rows, "Minutes"), column(header, rows, "Band")))
    assert band[45] == "Other" and band[125] == "Band 8a"


def test_per_team_workbook_holds_only_that_team(db, tmp_path, month_data):
    east = month_data["east"]
    result = build(db, tmp_path, team_ids=[east.id], scope_label=east.name,
                   name=workbook_filename(MARCH, east))
    assert result.path.name == "burden-2026-03-team-adult-social-care-east.xlsx"
    wb = load_workbook(result.path)
    service = burden(BurdenFilter(date(2026, 3, 1), date(2026, 3, 31), [east.id]))
    header, entries, _ = table(wb["Entries"])
    assert set(column(header, entries, "Team")) == {"Adult Social Care East"} and len(entries) == 3
    header, teams, _ = table(wb["By team"])
    assert column(header, teams, "Team") == ["Adult Social Care East"]
    assert money(teams[0][header.index("Cost (£)")]) == penny(service.totals.cost)
    assert summary(wb["Summary"])["Scope"] == "Adult Social Care East"
    _, grid, _ = table(wb["Team x Source"])
    assert [r[0] for r in grid] == ["Adult Social Care East"]
    _, trend, _ = table(wb["Trend"])
    assert [r[0] for r in trend] == ["Adult Social Care East"]
    text = " ".join(str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v)
    assert "Community Nursing North" not in text and "Quiet Team" not in text


def test_summary_says_who_signed_off_each_team(db, tmp_path, month_data):
    north, east = month_data["north"], month_data["east"]
    at = datetime(2026, 4, 2, 9, 30, tzinfo=timezone.utc)  # 10:30 in London (BST)
    wb = load_workbook(build(db, tmp_path, signoffs={north.id: {"by": "Lee Lead", "at": at}}).path)
    rows = [r for r in wb["Summary"].iter_rows(values_only=True)]
    start = [i for i, r in enumerate(rows) if r[0] == "Sign-off"][0]
    signoff = {r[0]: r[1:4] for r in rows[start + 2:] if r[0]}
    assert signoff["Community Nursing North"] == ("Signed off", "Lee Lead", datetime(2026, 4, 2, 10, 30))
    assert signoff[east.name][0] == "Not signed off" and signoff["Quiet Team"][0] == "Not signed off"


def test_top_sources_and_requests_on_the_summary(db, tmp_path, month_data):
    rows = list(load_workbook(build(db, tmp_path).path)["Summary"].iter_rows(values_only=True))
    labels = [r[0] for r in rows]
    top_sources = rows[labels.index("Top 5 sources by hours") + 2]
    top_requests = rows[labels.index("Top 5 requests by hours") + 2]
    assert top_sources[0] == "NHS England (Midlands)" and top_sources[2] == pytest.approx(226 / 60)
    assert top_requests[:2] == ("Weekly sitrep", "NHS England (Midlands)")


def test_a_month_with_no_entries_still_gives_every_sheet(db, tmp_path, month_data):
    result = build(db, tmp_path, month=date(2025, 1, 1))
    assert result.rows == 0 and result.figures["entries"] == 0
    wb = load_workbook(result.path)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert NO_ENTRIES in [r[0] for r in wb["Summary"].iter_rows(values_only=True)]
    for name, header in HEADERS.items():
        assert [c.value for c in wb[name][1]] == header
    assert wb["Entries"].max_row == 1
    s = summary(wb["Summary"])
    assert s["Entries"] == 0 and s["Hours"] == 0 and s["Cost (£)"] == 0
    with zipfile.ZipFile(result.path) as z:
        assert {"xl/charts/chart1.xml", "xl/charts/chart2.xml"} <= set(z.namelist())


def test_an_empty_database_gives_a_valid_workbook(db, tmp_path):
    result = build(db, tmp_path)
    wb = load_workbook(result.path)
    assert wb.sheetnames == list(SHEET_NAMES)
    assert NO_ENTRIES in [r[0] for r in wb["Summary"].iter_rows(values_only=True)]


def test_trend_chart_shows_the_ten_busiest_of_many_teams(db, tmp_path, make_team, make_user, make_request,
                                                         make_entry):
    teams = [make_team(f"Team {i:02d}") for i in range(12)]
    user = make_user("manager", teams)
    request = make_request()
    for i, team in enumerate(teams):
        make_entry(user, team, request, occurred_on=date(2026, 3, 5), minutes=10 + i)
    path = build(db, tmp_path).path
    with zipfile.ZipFile(path) as z:
        line = z.read("xl/charts/chart2.xml").decode()
    titles = re.findall(r"<f>'Trend'!\$?A\$?(\d+)</f>", line)
    assert line.count("<ser>") == 10 and titles == [str(row) for row in range(2, 12)]
    wb = load_workbook(path)
    _, trend, _ = table(wb["Trend"])
    names = [r[0] for r in trend]
    assert names[:12] == [f"Team {i:02d}" for i in range(11, -1, -1)]
    assert any("10 teams with the most hours" in (n or "") for n in names)


@pytest.fixture
def one_a_day(make_team, make_user, make_request, make_entry):
    """`one_a_day(n)`: one team's entries on 1 to n March 2026, day d taking d minutes."""

    def make(days: int) -> None:
        team = make_team("Daily Team")
        user = make_user("manager", [team])
        request = make_request()
        for day in range(1, days + 1):
            make_entry(user, team, request, occurred_on=date(2026, 3, day), minutes=day)

    return make


def test_entries_stream_in_batches_with_progress(db, tmp_path, monkeypatch, one_a_day):
    one_a_day(23)
    monkeypatch.setattr(entries_sheet, "BATCH", 5)
    calls = []
    result = build(db, tmp_path, progress=lambda done, total: calls.append((done, total)))
    assert calls == [(0, 23), (5, 23), (10, 23), (15, 23), (20, 23), (23, 23)]
    header, rows, _ = table(load_workbook(result.path)["Entries"])
    assert column(header, rows, "Minutes") == list(range(1, 24))


def test_entries_beyond_a_sheet_go_on_to_numbered_sheets(db, tmp_path, monkeypatch, one_a_day):
    """A month with more entries than a sheet holds (Excel: 1,048,575 under the header) goes on into
    "Entries (2)", "Entries (3)"... right after Entries, each a whole Entries sheet; together they are
    every entry, in order. Here a sheet holds 4 and batches are 3, so a batch straddles each sheet's end."""
    one_a_day(10)
    monkeypatch.setattr(entries_sheet, "ROWS_PER_SHEET", 4)
    monkeypatch.setattr(entries_sheet, "BATCH", 3)
    result = build(db, tmp_path)
    wb = load_workbook(result.path)
    assert wb.sheetnames == ["Summary", "By team", "By source", "By request", "Team x Source", "Trend",
                             "Entries", "Entries (2)", "Entries (3)", "Unlicensed"]
    minutes = []
    for name, count in (("Entries", 4), ("Entries (2)", 4), ("Entries (3)", 2)):
        ws = wb[name]
        header, rows, _ = table(ws)
        assert header == HEADERS["Entries"] and all(c.font.bold for c in ws[1])
        assert len(rows) == count and ws.freeze_panes == "A2"
        assert ws.auto_filter.ref == f"A1:L{count + 1}"
        assert ws.print_area.endswith(f"!$A$1:$L${count + 1}") and ws.print_title_rows == "$1:$1"
        minutes += column(header, rows, "Minutes")
    assert minutes == list(range(1, 11)) and result.rows == 10
    assert result.figures["entries_minutes"] == sum(range(1, 11))
