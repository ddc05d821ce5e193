"""`flask --app tracker export --month YYYY-MM [--team NAME] [--out FILE]`."""
from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook

from tracker.exports.workbook import SHEET_NAMES
from tracker.shared.timeutil import add_months, month_start

ROOT = Path(__file__).resolve().parents[2]


def london_today():
    return datetime.now(ZoneInfo("Europe/London")).date()


LAST_MONTH = add_months(month_start(london_today()), -1)


@pytest.fixture
def export_dir(tmp_path):
    return tmp_path / "exports"


@pytest.fixture
def cli(make_app, export_dir):
    app = make_app(EXPORT_DIR=str(export_dir))
    runner = app.test_cli_runner()

    def run(*args):
        with app.app_context():  # the command runs in this app, not the test's own
            return runner.invoke(args=["export", *args])

    return run


@pytest.fixture
def logged(db, team, other_team, make_user, make_request, make_entry):
    user = make_user("manager", [team, other_team], name="=Mina Manager")
    request = make_request(title="+Weekly sitrep")
    make_entry(user, team, request, occurred_on=LAST_MONTH.replace(day=3), minutes=90, notes="@note")
    make_entry(user, other_team, request, occurred_on=LAST_MONTH.replace(day=4), minutes=30)
    return user


def entries(path):
    rows = list(load_workbook(path)["Entries"].iter_rows(values_only=True))
    return rows[0], rows[1:]


def test_export_writes_the_region_workbook_and_prints_its_path(cli, export_dir, logged):
    result = cli("--month", f"{LAST_MONTH:%Y-%m}")
    assert result.exit_code == 0, result.output
    path = export_dir / f"burden-{LAST_MONTH:%Y-%m}.xlsx"
    assert result.stdout.strip() == str(path)
    assert "entries" in result.stderr and "100%" in result.stderr  # the progress bar, on stderr only
    assert "entries" not in result.stdout
    assert load_workbook(path).sheetnames == list(SHEET_NAMES)
    header, rows = entries(path)
    assert sorted(r[1] for r in rows) == ["Adult Social Care East", "Community Nursing North"]
    assert [r[header.index("Logged by")] for r in rows] == ["=Mina Manager"] * 2
    assert os.listdir(export_dir) == [path.name]


@pytest.mark.parametrize("name", ["Community Nursing North", "community nursing NORTH", "community-nursing-north"])
def test_export_one_team_by_name_or_slug(cli, export_dir, logged, team, name):
    result = cli("--month", f"{LAST_MONTH:%Y-%m}", "--team", name)
    assert result.exit_code == 0, result.output
    path = export_dir / f"burden-{LAST_MONTH:%Y-%m}-team-community-nursing-north.xlsx"
    assert result.stdout.strip() == str(path)
    _, rows = entries(path)
    assert [r[1] for r in rows] == ["Community Nursing North"]
    summary = {r[0]: r[1] for r in load_workbook(path)["Summary"].iter_rows(values_only=True) if r[0]}
    assert summary["Scope"] == "Community Nursing North" and summary["Entries"] == 1


def test_export_to_a_chosen_file_or_folder(cli, tmp_path, logged):
    target = tmp_path / "mine.xlsx"
    result = cli("--month", f"{LAST_MONTH:%Y-%m}", "--out", str(target))
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() == str(target) and len(entries(target)[1]) == 2
    folder = tmp_path / "elsewhere"
    folder.mkdir()
    result = cli("--month", f"{LAST_MONTH:%Y-%m}", "--out", str(folder))
    assert result.exit_code == 0, result.output
    assert os.listdir(folder) == [f"burden-{LAST_MONTH:%Y-%m}.xlsx"]


def test_a_month_with_no_entries_is_exported_and_says_so(cli, export_dir, db):
    result = cli("--month", "2024-02")
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(export_dir / "burden-2024-02.xlsx")["Summary"].iter_rows(values_only=True))
    assert ("No entries were logged for this period",) == tuple(v for v in rows[7] if v is not None)


@pytest.mark.parametrize("month", ["2026-13", "2026-3", "March", "2026-03-01", "", "26-03", "2026-00"])
def test_a_malformed_month_is_refused(cli, export_dir, month):
    result = cli("--month", month)
    assert result.exit_code != 0
    assert "YYYY-MM" in result.output
    assert not export_dir.exists() or os.listdir(export_dir) == []


@pytest.mark.parametrize("months_ahead", [0, 1, 14])
def test_a_month_not_yet_ended_is_refused(cli, export_dir, logged, months_ahead):
    month = add_months(month_start(london_today()), months_ahead)
    result = cli("--month", f"{month:%Y-%m}")
    assert result.exit_code != 0
    assert "has not ended yet" in result.output and "Europe/London" in result.output
    assert not export_dir.exists() or os.listdir(export_dir) == []


def test_an_unknown_team_is_refused(cli, export_dir, logged):
    result = cli("--month", f"{LAST_MONTH:%Y-%m}", "--team", "Nobody's Team")
    assert result.exit_code != 0
    assert "no team called 'Nobody's Team'" in result.output
    assert not export_dir.exists() or os.listdir(export_dir) == []


def test_an_out_folder_that_does_not_exist_is_refused(cli, tmp_path, logged):
    result = cli("--month", f"{LAST_MONTH:%Y-%m}", "--out", str(tmp_path / "missing" / "x.xlsx"))
    assert result.exit_code != 0 and "does not exist" in result.output
    assert not (tmp_path / "missing").exists()


def test_an_unwritable_export_folder_fails_cleanly(cli, export_dir, logged):
    export_dir.mkdir()
    locked = ["chattr", "+i", str(export_dir)] if os.geteuid() == 0 else None
    if locked:
        subprocess.run(locked, check=True)
    else:
        export_dir.chmod(0o500)
    try:
        result = cli("--month", f"{LAST_MONTH:%Y-%m}")
        assert result.exit_code == 1
        assert "could not write" in result.output and "ermission" in result.output or "not permitted" in result.output
        assert os.listdir(export_dir) == []
    finally:
        if locked:
            subprocess.run(["chattr", "-i", str(export_dir)], check=True)
        else:
            export_dir.chmod(0o700)


def test_the_workbook_says_who_signed_the_month_off(cli, export_dir, db, team, logged, make_user):
    from tracker.signoff.services import sign_off

    lead = make_user("lead", [team], name="Lee Lead")
    sign_off(db.session, lead, team, LAST_MONTH)
    db.session.commit()
    result = cli("--month", f"{LAST_MONTH:%Y-%m}")
    assert result.exit_code == 0, result.output
    rows = list(load_workbook(result.stdout.strip())["Summary"].iter_rows(values_only=True))
    status = {r[0]: r[1:3] for r in rows[[r[0] for r in rows].index("Sign-off") + 2:] if r[0]}
    assert status["Community Nursing North"] == ("Signed off", "Lee Lead")
    assert status["Adult Social Care East"][0] == "Not signed off"


def test_a_full_disk_in_a_real_process_leaves_no_file(app, tmp_path, logged):
    """The real command in its own process, with a file-size limit the workbook cannot fit
    in: the kernel refuses the write (EFBIG, as a full disk refuses with ENOSPC)."""
    folder = tmp_path / "full"
    folder.mkdir()
    env = dict(os.environ, APP_ENV="testing", SECRET_KEY="test", DATABASE_URL=app.config["DATABASE_URL"],
               EXPORT_DIR=str(folder), SCHEDULER_ENABLED="0", INSTANCE_PATH=str(tmp_path / "instance"))

    def small_files():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # get an error, not a killed process
        resource.setrlimit(resource.RLIMIT_FSIZE, (9000, 9000))

    command = [sys.executable, "-m", "flask", "--app", "tracker", "export", "--month", f"{LAST_MONTH:%Y-%m}"]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
                          preexec_fn=small_files)
    assert done.returncode == 1, done.stderr
    assert "could not write" in done.stderr and "File too large" in done.stderr
    assert done.stdout == ""
    assert os.listdir(folder) == []
    again = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert again.returncode == 0, again.stderr
    assert os.listdir(folder) == [f"burden-{LAST_MONTH:%Y-%m}.xlsx"]
