"""The monthly workbook, read back with openpyxl: user text stays text, file names, and faults while writing."""
from __future__ import annotations

import hashlib
import os
import re
import subprocess
import zipfile
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from tests.exports.test_workbook import MARCH, build, month_data, summary, table  # noqa: F401  (month_data: the fixture)
from tracker.exports.workbook import SHEET_NAMES, workbook_filename
from tracker.shared.names import tidy_name
from tracker.shared.xlsx.text import csv_safe, text_cell


# ---- user text ---------------------------------------------------------------

TRICKY = ["=HYPERLINK(\"http://evil.example\",\"click\")", "+44 Regional", "-minus", "@SUM(A1:A2)",
          "\tTabbed", "\rCarriage", "#N/A", "=1+1"]


def test_formula_looking_user_text_stays_text(db, tmp_path, make_team, make_user, make_source, make_request,
                                              make_entry):
    team = make_team("=cmd|' /C calc'!A0")
    user = make_user("manager", [team], name="@Mallory")
    source = make_source("+Source")
    requests = [make_request(title=t, source=source) for t in TRICKY]
    for i, (request, note) in enumerate(zip(requests, TRICKY)):
        make_entry(user, team, request, occurred_on=date(2026, 3, 1 + i), minutes=10, notes=note)
    path = build(db, tmp_path, scope_label="-scope").path

    wb = load_workbook(path)
    header, rows, _ = table(wb["Entries"])
    for row, text in zip(rows, TRICKY):
        # A title is stored tidied (tracker/shared/names.py: trimmed, inner white space made one space).
        for name, expected in (("Request", tidy_name(text)), ("Notes", text), ("Team", team.name), ("Source", "+Source"),
                               ("Logged by", "@Mallory")):
            assert row[header.index(name)] == expected, name
    for ws in wb:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str):
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
    _, requests_sheet, _ = table(wb["By request"])
    assert sorted(r[0] for r in requests_sheet) == sorted(tidy_name(text) for text in TRICKY)
    assert summary(wb["Summary"])["Scope"] == "-scope"
    assert wb["Team x Source"]["B1"].value == "+Source" and wb["Team x Source"]["A2"].value == team.name

    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert len(sheets) == len(SHEET_NAMES)
        for name in sheets:
            xml = z.read(name).decode()
            assert "<f>" not in xml and "<f " not in xml, name
        entries_xml = z.read(f"xl/worksheets/sheet{SHEET_NAMES.index('Entries') + 1}.xml").decode()
    assert '<is><t>=HYPERLINK("http://evil.example","click")</t></is>' in entries_xml.replace("&quot;", '"')


def test_text_cell_and_csv_safe():
    from openpyxl import Workbook

    ws = Workbook(write_only=True).create_sheet("x")
    for text in TRICKY + ["plain", "="]:
        cell = text_cell(ws, text)
        assert cell.value == text and cell.data_type == "s"
    assert text_cell(ws, "a\x01b\x1fc").value == "abc"  # XML cannot hold these; dropped rather than failing
    for text in ("=1+1", "+1", "-1", "@x", "\tx", "\rx"):
        assert csv_safe(text) == "'" + text
    assert csv_safe("Weekly sitrep") == "Weekly sitrep" and csv_safe(None) == ""


def test_workbook_filenames(make_team):
    team = make_team("Adult Social Care (East) & Co")
    assert workbook_filename(date(2026, 3, 1)) == "burden-2026-03.xlsx"
    assert workbook_filename(date(2026, 3, 17), team) == f"burden-2026-03-team-{team.slug}.xlsx"
    assert workbook_filename(date(2026, 12, 1), "adult-social-care") == "burden-2026-12-team-adult-social-care.xlsx"
    assert re.fullmatch(r"burden-2026-03-team-[a-z0-9-]+\.xlsx", workbook_filename(date(2026, 3, 1), team))


# ---- files -------------------------------------------------------------------


def test_result_describes_the_file(db, tmp_path, month_data):
    result = build(db, tmp_path)
    data = result.path.read_bytes()
    assert result.size == len(data) and result.sha256 == hashlib.sha256(data).hexdigest()
    assert sorted(os.listdir(tmp_path)) == ["burden.xlsx"]


def _make_unwritable(folder):
    """chmod does not stop root, the immutable attribute does."""
    if os.geteuid() == 0:
        subprocess.run(["chattr", "+i", str(folder)], check=True)
    else:
        folder.chmod(0o500)


def _make_writable(folder):
    if os.geteuid() == 0:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
    else:
        folder.chmod(0o700)


def test_an_unwritable_folder_fails_and_leaves_nothing(db, tmp_path, month_data):
    folder = tmp_path / "locked"
    folder.mkdir()
    temp_files = set(ALL_TEMP_FILES)
    _make_unwritable(folder)
    try:
        with pytest.raises(PermissionError):
            build(db, folder)
        assert os.listdir(folder) == []
    finally:
        _make_writable(folder)
    assert set(ALL_TEMP_FILES) == temp_files


def test_a_failure_mid_write_leaves_no_partial_file_and_keeps_the_old_one(db, tmp_path, month_data):
    final = tmp_path / "burden.xlsx"
    final.write_bytes(b"the previous workbook")
    temp_files = set(ALL_TEMP_FILES)

    def fail_after_first_batch(done, total):
        if done:
            raise RuntimeError("disk went away")

    with pytest.raises(RuntimeError, match="disk went away"):
        build(db, tmp_path, progress=fail_after_first_batch)
    assert final.read_bytes() == b"the previous workbook"
    assert sorted(os.listdir(tmp_path)) == ["burden.xlsx"]
    leaked = set(ALL_TEMP_FILES) - temp_files
    assert not leaked and not [f for f in leaked if os.path.exists(f)]


def test_a_full_disk_while_saving_removes_the_part_file(db, tmp_path, month_data):
    """A real write error from the kernel (file size limit: EFBIG, as a full disk gives ENOSPC)
    while the zip goes into the .part file: the sheets (each under the limit) are done, the
    whole file is not."""
    import resource
    import signal

    limit = 9000
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, previous_limit[1]))
    try:
        with pytest.raises(OSError) as failure:
            build(db, tmp_path)
    finally:
        resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
        signal.signal(signal.SIGXFSZ, previous_handler)
    assert failure.value.errno == 27  # EFBIG: "File too large"
    assert os.listdir(tmp_path) == []
    assert build(db, tmp_path).size > limit  # the same workbook, with room, is bigger than the limit


@pytest.mark.parametrize("zone", ["Asia/Tokyo", "America/New_York"])
def test_times_are_shown_in_the_configured_time_zone(make_app, db, tmp_path, zone):
    """Regression: the Summary's 'generated at' was always Europe/London whatever TIMEZONE said."""
    from zoneinfo import ZoneInfo

    app = make_app(TIMEZONE=zone)
    with app.app_context():
        before = datetime.now(ZoneInfo(zone)).replace(tzinfo=None, microsecond=0)
        path = build(db, tmp_path).path
        after = datetime.now(ZoneInfo(zone)).replace(tzinfo=None)
    summary = {row[0]: row[1] for row in load_workbook(path)["Summary"].iter_rows(values_only=True) if row and row[0]}
    generated = summary[f"Generated at ({zone} time)"]
    assert before <= generated <= after
