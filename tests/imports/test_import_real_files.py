"""Files people really have (issue 16), written the way each tool writes them: a US-format Clockify export
with AM/PM times and no day above 12, a Toggl export with no clients, a Kimai export with multi-line
descriptions, a solidtime time-entries file and a plain sheet imported by --map; rows, minutes and dates
exactly as the tool meant them; a second import adds nothing and records no batch; the exit statuses."""
from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from tests.import_support import invoke, write_csv
from tracker.imports.dates import decide_order
from tracker.models import Entry, ImportBatch, Request, Source
from tracker.models.imports import ImportMapping

USER = "manager@example.nhs.uk"
CLOCKIFY = ["Project", "Client", "Description", "Task", "User", "Group", "Email", "Tags", "Billable",
            "Start Date", "Start Time", "End Date", "End Time", "Duration (h)", "Duration (decimal)",
            "Billable Rate (USD)", "Billable Amount (USD)"]
TOGGL = ["User", "Email", "Client", "Project", "Task", "Description", "Billable", "Start date", "Start time",
         "End date", "End time", "Duration", "Tags", "Amount ()"]
KIMAI = ["Date", "From", "To", "Duration", "Currency", "Price", "Internal price", "Hourly price", "Fixed price",
         "Name", "User", "E-mail", "Customer", "Project", "Activity", "Description", "Exported", "Billable", "Tags"]
SOLIDTIME = ["Description", "Task", "Project", "Client", "Billable", "Start", "End", "Duration", "Tags", "User"]


@pytest.fixture
def setup(db, team, make_user, make_source, make_request):
    manager = make_user("manager", [team], email=USER, name="Mina Manager")
    request = make_request("Monthly SitRep", source=make_source("NHS England"))
    return {"manager": manager, "team": team, "request": request}


def live(db):
    return db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None)).order_by(Entry.occurred_on, Entry.id)).all()


def batches(db) -> int:
    return db.session.scalar(select(func.count()).select_from(ImportBatch))


def clockify_row(day, start, end, exact, decimal, client="NHS England", project="Monthly SitRep", text="sitrep"):
    return [project, client, text, "", "Mina Manager", "", USER, "", "No", day, start, day, end, exact, decimal, "0.00", "0.00"]


def test_a_us_clockify_export_is_read_month_first_with_exact_minutes(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "Clockify_Time_Report_Detailed.csv", [
        CLOCKIFY,
        clockify_row("03/04/2024", "01:30:00 PM", "02:28:12 PM", "0:58:12", "0.97"),
        clockify_row("03/05/2024", "09:00:00 AM", "09:29:31 AM", "0:29:31", "0.49"),  # 29.52 min: 30, not 29
        clockify_row("03/05/2024", "10:00:00 AM", "10:00:02 AM", "0:00:02", "0.00"),  # a timer started by mistake
        clockify_row("12/11/2024", "11:00:00 AM", "11:00:40 AM", "0:00:40", "0.01"),  # 40 s: one minute
        clockify_row("01/02/2025", "04:00:00 PM", "05:30:00 PM", "1:30:00", "1.50", client="Admin, Aviki"),
    ])
    dry = invoke(app, "import", path, "--user", USER, "--band", "6", "--dry-run")
    assert dry.exit_code == 1  # 'Admin, Aviki' is new: refused until --create-missing
    out = dry.output
    assert "Dates are read month first (MM/DD/YYYY): times such as '01:30:00 PM' in 'Start Time' use AM/PM" in out
    assert "03/04/2024 → 4 March 2024" in out and "12/11/2024 → 11 December 2024" in out
    assert "Sources not in the catalogue: 'Admin, Aviki'" in out
    assert "Skipped 1 row(s) under 30 seconds (4)" in out
    assert "use --create-missing for 1 row" in out
    done = invoke(app, "import", path, "--user", USER, "--band", "6", "--create-missing")
    assert done.exit_code == 0, done.output
    assert [(e.occurred_on, e.minutes, e.band) for e in live(db)] == [
        (date(2024, 3, 4), 58, "6"), (date(2024, 3, 5), 30, "6"), (date(2024, 12, 11), 1, "6"), (date(2025, 1, 2), 90, "6")]
    aviki = db.session.scalar(select(Request).join(Source).where(Source.name == "Admin, Aviki"))
    assert aviki is not None and aviki.details_to_confirm
    # the same file again: nothing to do, exit 0, and no second (empty) batch
    again = invoke(app, "import", path, "--user", USER, "--band", "6", "--create-missing")
    assert again.exit_code == 0 and "Nothing to import: of 5 rows, 4 already imported, 1 under 30 seconds." in again.output
    assert batches(db) == 1 and len(live(db)) == 4


def test_iso_dates_need_no_order_whatever_the_times_say():
    found = decide_order(["Start date", "Start time"], [(2, ("2024-03-04", "01:30:00 PM"))], 0)
    assert (found.order, found.note, found.examples) == ("dmy", "", [])


def test_a_date_order_that_nothing_decides_is_said_and_can_be_chosen(app, db, setup, tmp_path):
    rows = [["Date", "Source", "Request", "Minutes", "Band"], ["03/04/2024", "NHS England", "Monthly SitRep", "30", "5"]]
    path = write_csv(tmp_path / "plain.csv", rows)
    said = invoke(app, "import", path, "--user", USER, "--dry-run")
    assert said.exit_code == 0
    assert "could be either way round and nothing in the file says which: they are read day first" in said.output
    assert "03/04/2024 → 3 April 2024" in said.output and "--date-order mdy" in said.output
    chosen = invoke(app, "import", path, "--user", USER, "--date-order", "mdy")
    assert chosen.exit_code == 0 and "as you chose" in chosen.output
    assert [e.occurred_on for e in live(db)] == [date(2024, 3, 4)]


def test_a_toggl_export_with_no_clients(app, db, setup, tmp_path):
    def toggl(project, task, text, day, duration):
        return ["Mina Manager", USER, "", project, task, text, "No", day, "09:00:00", day, "10:00:00", duration, "", ""]

    path = write_csv(tmp_path / "Toggl_time_entries_2024-03-01_to_2024-03-31.csv", [
        TOGGL,
        toggl("NHS England", "Monthly SitRep", "march return", "2024-03-04", "00:58:12"),
        toggl("NHS England", "", "Monthly SitRep", "2024-03-05", "01:00:00"),  # no task: the description
        toggl("ICB", "Winter plan", "", "2024-03-06", "00:15:29"),
    ])
    blank = invoke(app, "import", path, "--user", USER, "--band", "5")
    assert blank.exit_code == 1
    assert "3 rows (2–4), Client: No source (who asked for the work) (--source NAME (or --map project-is-source))" in blank.output
    assert "use --source NAME (or --map project-is-source) for 3 rows" in blank.output and batches(db) == 0
    # one source for the whole file: the Project stays the request
    fixed = invoke(app, "import", path, "--user", USER, "--band", "5", "--source", "NHS England", "--dry-run")
    assert fixed.exit_code == 1 and "'ICB' from 'NHS England' is not in the catalogue yet" in fixed.output
    # Project is the source, Task (else Description) the request
    done = invoke(app, "import", path, "--user", USER, "--band", "5", "--map", "project-is-source", "--create-missing")
    assert done.exit_code == 0, done.output
    got = [(e.occurred_on, e.minutes, e.request_id) for e in live(db)]
    winter = db.session.scalar(select(Request).where(Request.title == "Winter plan"))
    assert got == [(date(2024, 3, 4), 58, setup["request"].id), (date(2024, 3, 5), 60, setup["request"].id),
                   (date(2024, 3, 6), 15, winter.id)]
    assert winter.source.name == "ICB" and winter.details_to_confirm


def test_a_kimai_export_with_multi_line_descriptions(app, db, setup, tmp_path):
    def kimai(day, start, end, seconds, activity, text):
        return [day, start, end, seconds, "GBP", "0", "0", "0", "", "Mina Manager", "mina", USER,
                "NHS England", "Monthly SitRep", activity, text, "", "1", ""]

    path = write_csv(tmp_path / "kimai-export.csv", [
        KIMAI,
        kimai("2024-03-04", "13:30", "14:28", "3492", "Data", "Pulled the figures\nfrom three systems\n- checked twice"),
        kimai("2024-03-05", "09:00", "09:30", "1800", "Sign-off", "Sent, with a note:\n\"late, sorry\""),
    ], newline="\n")
    result = invoke(app, "import", path, "--user", USER, "--band", "7")
    assert result.exit_code == 0, result.output
    assert [(e.occurred_on, e.minutes, e.notes) for e in live(db)] == [
        (date(2024, 3, 4), 58, "Pulled the figures\nfrom three systems\n- checked twice"),
        (date(2024, 3, 5), 30, "Sent, with a note:\n\"late, sorry\"")]


def test_a_solidtime_file_comes_in_by_a_mapping_remembered_for_the_next(app, db, setup, tmp_path):
    rows = [SOLIDTIME,
            ["weekly sitrep", "", "Monthly SitRep", "NHS England", "false", "2024-03-04 13:30:00", "2024-03-04 14:28:12",
             "00:58:12", "", "Mina Manager"]]
    path = write_csv(tmp_path / "time-entries.csv", rows)
    unknown = invoke(app, "import", path, "--user", USER, "--band", "5")
    assert unknown.exit_code == 1 and "The header row is not one we know" in unknown.output
    # the hint names the format the file shares most columns with, and what it lacks
    assert "The nearest is the Toggl Track detailed report, which also needs 'Start date' column" in unknown.output
    no_client = write_csv(tmp_path / "clockify-no-client.csv", [[h for h in CLOCKIFY if h != "Client"]])
    hint = invoke(app, "import", no_client, "--user", USER).output
    assert "The nearest is the Clockify detailed report, which also needs 'Client' column" in hint
    bad_map = invoke(app, "import", path, "--user", USER, "--map", "date=Begin")
    assert bad_map.exit_code == 2 and "The file has no column 'Begin'" in bad_map.output
    done = invoke(app, "import", path, "--user", USER, "--band", "5", "--map",
                  "date=Start,duration=Duration,source=Client,request=Project,notes=Description")
    assert done.exit_code == 0, done.output
    assert [(e.occurred_on, e.minutes, e.notes) for e in live(db)] == [(date(2024, 3, 4), 58, "weekly sitrep")]
    assert db.session.scalar(select(ImportMapping.columns)) == {
        "date": "Start", "duration": "Duration", "source": "Client", "request": "Project", "notes": "Description"}
    # the next file with the same headers needs no --map
    rows[1][5] = "2024-03-11 10:00:00"
    later = invoke(app, "import", write_csv(tmp_path / "time-entries-2.csv", rows), "--user", USER, "--band", "5")
    assert later.exit_code == 0 and "Using the columns you chose before" in later.output
    assert [e.occurred_on for e in live(db)] == [date(2024, 3, 4), date(2024, 3, 11)]


def test_a_plain_date_and_hours_sheet_by_a_mapping_with_one_source(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "hours.csv", [["Date", "Hours", "What"], ["04/03/2024", "1.5", "Monthly SitRep"],
                                               ["05/03/2024", "0,25", "Monthly SitRep"]])
    result = invoke(app, "import", path, "--user", USER, "--band", "5", "--source", "NHS England",
                    "--map", "date=Date,hours=Hours,request=What")
    assert result.exit_code == 0, result.output
    assert [(e.occurred_on, e.minutes) for e in live(db)] == [(date(2024, 3, 4), 90), (date(2024, 3, 5), 15)]


def test_exit_statuses_and_no_empty_batches(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "all-bad.csv", [["Date", "Source", "Request", "Minutes", "Band"],
                                                 ["2024-03-04", "NHS England", "Monthly SitRep", "soon", "5"]])
    refused = invoke(app, "import", path, "--user", USER, "--good-rows-only")
    assert refused.exit_code == 1 and "Nothing to import: of 1 rows, 1 refused." in refused.output
    assert batches(db) == 0 and not (tmp_path / "all-bad-bad-rows.csv").exists()
    short = write_csv(tmp_path / "short.csv", [["Date", "Source", "Request", "Minutes", "Band"],
                                               ["2024-03-04", "NHS England", "Monthly SitRep", "0", "5"]])
    nothing = invoke(app, "import", short, "--user", USER)
    assert nothing.exit_code == 0 and "1 under 30 seconds" in nothing.output and batches(db) == 0
