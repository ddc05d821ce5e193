"""Files as time trackers and spreadsheets write them, the values people have, and hostile files."""
from __future__ import annotations

import io
import zipfile
from datetime import date, time, timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from tests.import_support import TRACKER_HEADERS, invoke, write_csv, write_xlsx
from tracker.imports.formats import FORMATS, UnknownFormat, detect
from tracker.imports.reading import FileRefused, Limits, open_table
from tracker.imports.values import HOURS, MINUTES, SECONDS, BadValue, parse_answer, parse_band, parse_date, parse_duration
from tracker.models import Entry, ImportBatch


@pytest.fixture
def setup(db, team, make_user, make_source, make_request):
    manager = make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager")
    source = make_source("NHS England")
    return {"manager": manager, "team": team, "source": source, "request": make_request("Monthly SitRep", source=source),
            "task": make_request("Data quality check", source=source)}


def entries(db):
    return db.session.execute(
        select(Entry.occurred_on, Entry.minutes, Entry.notes).where(Entry.deleted_at.is_(None)).order_by(Entry.occurred_on, Entry.minutes)
    ).all()


def nothing_written(db):
    return db.session.scalar(select(func.count()).select_from(Entry)) == 0 and \
        db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


# ---- each time tracker's own detailed report ---------------------------------

TOGGL = [["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
          "End date", "End time", "Duration", "Tags", "Amount (GBP)"],
         ["Mina", "manager@example.nhs.uk", "NHS England", "Monthly SitRep", "", "Toggl row", "No", "2026-03-02",
          "09:00:00", "2026-03-02", "10:30:00", "01:30:00", "", ""],
         ["Mina", "manager@example.nhs.uk", "NHS England", "", "Data quality check", "no project", "No", "2026-03-03",
          "09:00:00", "2026-03-03", "09:18:25", "00:18:25", "", ""]]
CLOCKIFY = [["Project", "Client", "Description", "Task", "User", "Group", "Email", "Tags", "Billable", "Start Date",
             "Start Time", "End Date", "End Time", "Duration (h)", "Duration (decimal)", "Billable Rate (GBP)", "Billable Amount (GBP)"],
            ["Monthly SitRep", "NHS England", "Clockify row", "", "Mina", "", "manager@example.nhs.uk", "", "No",
             "02/03/2026", "09:00:00", "02/03/2026", "10:30:00", "01:30:00", "1,50", "0,00", "0,00"]]
HARVEST = [["Date", "Client", "Project", "Project Code", "Task", "Notes", "Hours", "Hours Rounded", "Billable?",
            "Invoiced?", "First Name", "Last Name", "Roles", "Employee?", "Billable Rate", "Billable Amount"],
           ["2026-03-02", "NHS England", "Monthly SitRep", "", "Admin", "Harvest row", "0.25", "0.25", "No", "No",
            "Mina", "Manager", "", "Yes", "0", "0"]]
KIMAI = [["Date", "From", "To", "Duration", "Rate", "User", "Customer", "Project", "Activity", "Description", "Exported"],
         ["2026-03-02", "09:00", "10:30", "5400", "0", "manager@example.nhs.uk", "NHS England", "Monthly SitRep",
          "Reporting", "Kimai row", "No"],
         ["2026-03-03", "09:00", "10:30", "18:25 min", "0", "mina", "NHS England", "", "Data quality check", "Kimai clock", "No"]]


@pytest.mark.parametrize("name, rows, expected", [
    ("toggl", TOGGL, [(date(2026, 3, 2), 90, "Toggl row"), (date(2026, 3, 3), 18, "no project")]),
    ("clockify", CLOCKIFY, [(date(2026, 3, 2), 90, "Clockify row")]),
    ("harvest", HARVEST, [(date(2026, 3, 2), 15, "Harvest row")]),
    ("kimai", KIMAI, [(date(2026, 3, 2), 90, "Kimai row"), (date(2026, 3, 3), 1105, "Kimai clock")]),
])
def test_time_tracker_reports_are_recognised_and_imported(app, db, setup, tmp_path, name, rows, expected):
    path = write_csv(tmp_path / f"{name}.csv", rows, bom=name == "clockify")
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--band", "6")
    assert result.exit_code == 0, result.output
    assert f"Format: {FORMATS[name].label}" in result.output
    assert entries(db) == expected


def test_kimai_xlsx_with_real_dates_and_time_cells(app, db, setup, tmp_path):
    rows = [KIMAI[0], [date(2026, 3, 4), time(9), time(10), time(1, 15), 0, "mina", "NHS England", "Monthly SitRep", "", "xlsx", "No"],
            [date(2026, 3, 5), time(9), time(10), timedelta(hours=1), 0, "mina", "NHS England", "Monthly SitRep", "", "seconds", "No"]]
    path = write_xlsx(tmp_path / "kimai.xlsx", rows, formats={0: "dd/mm/yyyy", 3: "[h]:mm"})
    assert invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--band", "6").exit_code == 0
    assert entries(db) == [(date(2026, 3, 4), 75, "xlsx"), (date(2026, 3, 5), 60, "seconds")]


def test_windows_1252_semicolons_and_a_chosen_format(app, db, setup, tmp_path):
    rows = [["date", "  TEAM ", "source", "request", "band", "minutes", "Notes", "Extra"],
            ["02/03/2026", "", "NHS England", "Monthly SitRep", "5", "30", "Café £5 – réunion", "x"]]
    path = write_csv(tmp_path / "excel.csv", rows, encoding="cp1252", delimiter=";")
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--format", "tracker")
    assert result.exit_code == 0, result.output
    assert "Ignored columns: Extra" in result.output
    assert entries(db) == [(date(2026, 3, 2), 30, "Café £5 – réunion")]
    wrong = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--format", "harvest")
    assert wrong.exit_code != 0 and "not a Harvest detailed time report" in wrong.output


def test_excel_unicode_text_utf16_with_tabs(app, db, setup, tmp_path):
    rows = [TRACKER_HEADERS, ["02/03/2026", "", "NHS England", "Monthly SitRep", "5", "30", "", "", "Zoë’s note"]]
    path = write_csv(tmp_path / "unicode.txt", rows, encoding="utf-16", delimiter="\t")
    assert path.read_bytes()[:2] == b"\xff\xfe"
    assert invoke(app, "import", path, "--user", "manager@example.nhs.uk").exit_code == 0
    assert entries(db) == [(date(2026, 3, 2), 30, "Zoë’s note")]
    assert {"import", "import-catalogue"} <= set(app.cli.commands)


def test_the_downloadable_template_imports_back(app, db, setup, tmp_path):
    from tracker.imports.template import HEADERS, build_template

    build_template(["Community Nursing North"], tmp_path / "template.xlsx")
    wb = load_workbook(tmp_path / "template.xlsx")
    ws = wb["Entries"]
    assert tuple(c.value for c in ws[1]) == tuple(TRACKER_HEADERS) == HEADERS
    validations = {str(v.sqref).split(":")[0]: v.formula1 for v in ws.data_validations.dataValidation}
    assert validations["B2"].startswith("=Lists!$A$2") and validations["E2"].startswith("=Lists!$B$2")
    assert validations["G2"].startswith("=Lists!$C$2") and validations["H2"].startswith("=Lists!$C$2")
    assert [c.value for c in wb["Lists"]["C"]][1:4] == ["Yes", "No", "Don't know"]
    for column, value in zip("ABCDEFGHI", (date(2026, 3, 2), "Community Nursing North", "NHS England", "Monthly SitRep",
                                           "Band 5", 30, "Don't know", "Yes", "from the template")):
        ws[f"{column}2"] = value
    wb.save(tmp_path / "filled.xlsx")
    assert invoke(app, "import", tmp_path / "filled.xlsx", "--user", "manager@example.nhs.uk").exit_code == 0
    assert entries(db) == [(date(2026, 3, 2), 30, "from the template")]


# ---- values ----------------------------------------------------------------------


def test_durations_dates_answers_and_bands():
    assert [parse_duration(v, HOURS) for v in ("1.5", "1,5", "1:30", "01:30:00", "18:25 min", 1.5, "2h", timedelta(hours=26))] == \
        [90, 90, 90, 90, 1105, 90, 120, 1560]
    assert [parse_duration(v, MINUTES) for v in ("90", 90, 90.0, time(1, 30))] == [90, 90, 90, 90]
    assert [parse_duration(v, SECONDS) for v in ("5400", 5430, "29")] == [90, 91, 0]
    for bad, unit in (("1.5", MINUTES), ("soon", HOURS), ("-1", HOURS), ("", HOURS)):
        with pytest.raises(BadValue):
            parse_duration(bad, unit)
    assert parse_date("2026-03-02") == parse_date("02/03/2026") == parse_date(46083) == date(2026, 3, 2)
    assert parse_date("2/3/2026 09:00") == date(2026, 3, 2) == parse_date("3/2/2026 09:00 AM", order="mdy")
    with pytest.raises(BadValue, match="day first"):
        parse_date("03/15/2026")
    for bad in ("31/02/2026", "02/03/26", "next Tuesday", 0):
        with pytest.raises(BadValue):
            parse_date(bad)
    assert [parse_answer(v) for v in ("Yes", " y ", "TRUE", "no", "N", "false", "unknown", "Don't know", "", None, True)] == \
        ["yes", "yes", "yes", "no", "no", "no", "unknown", "unknown", "unknown", "unknown", "yes"]
    with pytest.raises(BadValue):
        parse_answer("perhaps")
    assert [parse_band(v) for v in ("5", 5, 5.0, "Band 8A", "other")] == ["5", "5", "5", "8a", "other"]


# ---- hostile files ------------------------------------------------------------------


def refused(app, db, path, *extra):
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", *extra)
    assert result.exit_code != 0
    assert "Traceback" not in result.output and nothing_written(db)
    return result.output


def good_workbook(path):
    return write_xlsx(path, [TRACKER_HEADERS, [date(2026, 3, 2), "", "NHS England", "Monthly SitRep", "5", 30, "", "", ""]])


def test_not_a_spreadsheet(app, db, setup, tmp_path):
    png = tmp_path / "picture.xlsx"
    png.write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 10)
    assert "is not a real .xlsx workbook" in refused(app, db, png)
    renamed = tmp_path / "picture.csv"
    renamed.write_bytes(png.read_bytes())
    assert "is not a spreadsheet" in refused(app, db, renamed)
    pdf = tmp_path / "report.csv"
    pdf.write_bytes(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")
    assert "is not a spreadsheet" in refused(app, db, pdf)
    document = tmp_path / "letter.xlsx"
    with zipfile.ZipFile(document, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    assert "is not a spreadsheet" in refused(app, db, document)


def test_corrupt_workbooks(app, db, setup, tmp_path):
    whole = good_workbook(tmp_path / "whole.xlsx").read_bytes()
    truncated = tmp_path / "truncated.xlsx"
    truncated.write_bytes(whole[: len(whole) // 2])
    assert "is damaged" in refused(app, db, truncated)
    broken_xml = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(tmp_path / "whole.xlsx") as source, zipfile.ZipFile(broken_xml, "w") as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "xl/worksheets/sheet1.xml":
                data = data[: len(data) // 2]
            target.writestr(info.filename, data)
    assert "is damaged" in refused(app, db, broken_xml)
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    assert "The file is empty" in refused(app, db, empty)


def test_password_protected_and_old_format_workbooks(app, db, setup, tmp_path):
    from msoffcrypto.format.ooxml import OOXMLFile

    plain = good_workbook(tmp_path / "plain.xlsx")
    locked = tmp_path / "locked.xlsx"
    with open(plain, "rb") as source, open(locked, "wb") as target:
        OOXMLFile(source).encrypt("Secret123", target)
    assert "protected with a password" in refused(app, db, locked)
    old = tmp_path / "old.xls"
    old.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "Workbook".encode("utf-16-le") + b"\x00" * 1000)
    assert "old Excel 97-2003 workbook" in refused(app, db, old)


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, db, setup, tmp_path):
    bomb = tmp_path / "bomb.xlsx"
    limit = Limits().max_unpacked
    with zipfile.ZipFile(good_workbook(tmp_path / "base.xlsx")) as source, zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            if info.filename != "xl/worksheets/sheet1.xml":
                target.writestr(info.filename, source.read(info.filename))
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            chunk = b" " * (1 << 20)
            for _ in range(limit // len(chunk) + 1):
                sheet.write(chunk)
    assert bomb.stat().st_size < 1 << 20  # small on disk
    assert "would unpack to" in refused(app, db, bomb)


def test_too_many_rows_and_too_large_files(app, db, setup, tmp_path):
    assert Limits.from_config(app.config) == Limits(20 * 1024 * 1024, 100_000, 200 * 1024 * 1024)
    row = ["2026-03-02", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""]
    path = write_csv(tmp_path / "long.csv", [TRACKER_HEADERS] + [row] * 6)
    app.config["IMPORT_MAX_ROWS"] = 5
    assert "more than 5 rows" in refused(app, db, path)
    xlsx = write_xlsx(tmp_path / "long.xlsx", [TRACKER_HEADERS] + [[date(2026, 3, 2), *row[1:]]] * 6)
    assert "more than 5 rows" in refused(app, db, xlsx)
    app.config["IMPORT_MAX_ROWS"] = 100_000
    app.config["IMPORT_MAX_BYTES"] = 100
    assert "the most we take is" in refused(app, db, path)


def test_missing_columns_and_control_characters(app, db, setup, tmp_path):
    no_minutes = write_csv(tmp_path / "short.csv", [["Date", "Team", "Source", "Request"], ["2026-03-02", "", "NHS England", "Monthly SitRep"]])
    output = refused(app, db, no_minutes)
    assert "needs 'Minutes' column." in output and "--map" in output and "The tracker's own columns are" in output
    with pytest.raises(UnknownFormat):
        detect(["Name", "Address"])
    controls = write_csv(tmp_path / "controls.csv", [TRACKER_HEADERS, ["2026-03-02", "", "NHS\x1bEngland", "Monthly\x07SitRep", "5", "30", "", "", ""]])
    output = refused(app, db, controls)
    assert "Row 2, Source: Remove the invisible control characters" in output


def test_reading_keeps_row_numbers_and_skips_blank_rows(tmp_path):
    path = write_csv(tmp_path / "gaps.csv", [[], ["Date", "Minutes"], ["2026-03-02", "5"], ["", ""], ["2026-03-03", "6", "extra"]])
    table = open_table(path, path.name, Limits())
    assert table.headers == ("Date", "Minutes") and table.header_row == 2
    assert list(table.rows()) == [(3, ("2026-03-02", "5")), (5, ("2026-03-03", "6"))]
    with pytest.raises(FileRefused, match="no header row"):
        open_table(write_csv(tmp_path / "blank.csv", [[""], [" "]]), "blank.csv", Limits())


def test_a_workbook_with_an_error_cell(app, db, setup, tmp_path):
    wb = Workbook()
    ws = wb.active
    ws.append(TRACKER_HEADERS)
    ws.append([date(2026, 3, 2), "", "NHS England", "Monthly SitRep", "5", 30, "", "", ""])
    out = io.BytesIO()
    wb.save(out)
    path = tmp_path / "errors.xlsx"
    path.write_bytes(out.getvalue())
    with zipfile.ZipFile(path) as archive:
        parts = {i.filename: archive.read(i.filename) for i in archive.infolist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode().replace('<c r="F2" t="n"><v>30</v></c>', '<c r="F2" t="e"><v>#N/A</v></c>')
    assert "#N/A" in sheet
    parts["xl/worksheets/sheet1.xml"] = sheet.encode()
    with zipfile.ZipFile(path, "w") as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    assert "Row 2, Minutes: The cell holds the error #N/A" in refused(app, db, path)


def test_the_sheet_reader_gives_what_openpyxl_gives(app, db, setup, tmp_path, make_entry):
    """tracker/imports/sheet.py against openpyxl's read-only, data-only values, on an exported workbook
    (inline strings, styles, dates) and on a workbook as Excel saves one (shared strings, times, booleans)."""
    from datetime import datetime

    from tracker.exports.workbook import build_workbook
    from tracker.imports.sheet import open_workbook, sheet_rows

    make_entry(setup["manager"], setup["team"], setup["request"], occurred_on=date(2026, 3, 2), notes="=1+1 ünïcödé  spaced ")
    exported = build_workbook(db.session, month=date(2026, 3, 1), team_ids=None, path=tmp_path / "e.xlsx", scope_label="All").path
    saved = write_xlsx(tmp_path / "s.xlsx", [["a", "b", "c", "d", "e"], [datetime(2026, 3, 2, 9, 30), time(1, 30), True, 1.25, "x"],
                                             [None, timedelta(hours=30), False, 7, None]], formats={1: "[h]:mm"})
    for path, sheet in ((exported, "Entries"), (exported, "By team"), (saved, "Sheet1")):
        ours = [(n, tuple(v)) for n, v in sheet_rows(open_workbook(path), sheet)]
        theirs = list(load_workbook(path, read_only=True, data_only=True)[sheet].iter_rows(values_only=True))
        assert len(ours) == len([r for r in theirs])
        for (number, values), expected in zip(ours, theirs):
            expected = list(expected)
            while expected and expected[-1] is None:
                expected.pop()
            assert list(values) == expected, (path.name, sheet, number)
