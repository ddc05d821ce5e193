"""What the importer lets a person choose and what it says (issues 16, 18 and 21): the page's preview of
the rows as they will be stored, team and band choices that say what they do, the source and date-order
choices, a file in no known layout mapped on the page; the log form's rule for closed requests; a problem
on every row said once; the bad-rows CSV escaping a formula header; the register's DCB references."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from sqlalchemy import func, select

from tests.import_support import invoke, write_csv
from tests.imports.test_import_pages import admin_register_upload, csv_bytes, live, upload
from tracker.models import ImportBatch, Request
from tracker.models.imports import ImportMapping
from tracker.workspace.decisions import DecisionInput, record_decision
from tracker.shared.timeutil import local_today

USER = "manager@example.nhs.uk"
EVIL = '=HYPERLINK("http://evil.example","hdr")'
TOGGL = ["Client", "Project", "Task", "Description", "Start date", "Duration"]


def test_the_page_previews_rows_as_stored_and_its_choices_say_what_they_do(manager_client, db, make_source, make_request, tmp_path):
    make_request("Monthly SitRep", source=make_source("NHS England"))
    rows = [TOGGL] + [["", "NHS England", "Monthly SitRep", "", f"2024-03-{day:02d}", "00:58:12"] for day in range(1, 26)]
    location = upload(manager_client, csv_bytes(tmp_path, rows)).headers["Location"].split("?")[0]
    html = manager_client.get(location).get_data(as_text=True)
    # no Band column: the band says every row waits for it, with no silent "your last band"
    assert "Choose a band: until then every row is refused" in html and "last entry" not in html
    assert "Use the Team column" not in html  # the file has none; the manager's one team is the only choice
    assert "Client column leaves 25 row(s) without a source" in html and "Project as the source leaves 0" in html
    assert 'data-testid="preview"' not in html  # nothing would be stored yet
    chosen = manager_client.get(location, query_string={"band": "6", "source_mode": "project", "shown_source_mode": "column"})
    text = chosen.get_data(as_text=True)
    assert 'data-testid="to-add">25<' in text
    preview = text.split('data-testid="preview"')[1].split("</table>")[0]
    assert preview.count('<tr role="row" class="nhsuk-table__row">') == 21  # a header and the first 20 rows
    for shown in ("1 March 2024", "NHS England", "Monthly SitRep", ">58<", "Band 6", "20 March 2024"):
        assert shown in preview
    assert "21 March 2024" not in preview
    done = manager_client.post(location, data={"band": "6", "source_mode": "project", "shown_source_mode": "project"})
    assert done.status_code == 302 and len(live(db)) == 25


def test_a_file_in_no_known_layout_is_mapped_on_the_page_and_remembered(manager_client, db, make_source, make_request, tmp_path):
    make_request("Monthly SitRep", source=make_source("NHS England"))
    rows = [["When", "Who asked", "What", "Time"], ["03/04/2024", "NHS England", "Monthly SitRep", "1:30"]]
    location = upload(manager_client, csv_bytes(tmp_path, rows), band="5").headers["Location"].split("?")[0]
    html = manager_client.get(location).get_data(as_text=True)
    assert "The header row is not one we know" in html and "No column gives Date" in html
    columns = {"format": "mapped", "col_date": "When", "col_source": "Who asked", "col_request": "What",
               "col_duration": "Time", "unit": "hours", "band": "5"}
    checked = manager_client.get(location, query_string=columns).get_data(as_text=True)
    assert "could be either way round" in checked and "03/04/2024 → 3 April 2024" in checked
    assert 'data-testid="to-add">1<' in checked
    assert manager_client.post(location, data={**columns, "date_order": "mdy"}).status_code == 302
    assert [(e.occurred_on.isoformat(), e.minutes) for e in live(db)] == [("2024-03-04", 90)]
    saved = db.session.scalar(select(ImportMapping))
    assert (saved.columns["date"], saved.date_order) == ("When", "mdy")
    rows[1][0] = "03/05/2024"
    again = upload(manager_client, csv_bytes(tmp_path, rows, "next.csv"), band="5").headers["Location"]
    text = manager_client.get(again).get_data(as_text=True)
    assert 'data-testid="to-add">1<' in text and "4 May 2024" not in text and "5 March 2024" in text


def test_work_done_before_a_retirement_took_effect_imports(app, db, team, make_user, make_source, make_request, tmp_path):
    manager = make_user("manager", [team], email=USER)
    commissioner = make_user("commissioner", [], email="comm@example.nhs.uk")
    sitrep = make_request("Monthly SitRep", source=make_source("NHS England"))
    today = local_today()
    effective = today - timedelta(days=10)
    record_decision(commissioner, sitrep, DecisionInput(kind="retire", rationale="No longer asked", effective_on=effective), today)
    db.session.commit()
    before, after = effective - timedelta(days=3), effective + timedelta(days=1)
    path = write_csv(tmp_path / "late.csv", [["Date", "Source", "Request", "Minutes", "Band"],
                                              [before.isoformat(), "NHS England", "Monthly SitRep", "30", "5"],
                                              [after.isoformat(), "NHS England", "Monthly SitRep", "45", "5"]])
    result = invoke(app, "import", path, "--user", manager.email, "--good-rows-only")
    assert result.exit_code == 0, result.output
    assert f"Row 3, Request: That request is retired from {effective.day} {effective:%B %Y}" in result.output
    assert [(e.occurred_on, e.minutes) for e in live(db)] == [(before, 30)]


def test_a_problem_on_every_row_is_said_once_and_the_fix_is_named(app, db, team, make_user, make_source, make_request, tmp_path):
    make_user("manager", [team], email=USER)
    make_request("Monthly SitRep", source=make_source("NHS England"))
    rows = [["Client", "Project", "Start date", "Duration"]] + [["NHS England", "Monthly SitRep", f"2024-03-{d:02d}", "0:30"] for d in range(1, 8)]
    result = invoke(app, "import", write_csv(tmp_path / "t.csv", rows), "--user", USER)
    assert result.exit_code == 1
    assert result.output.count("No staff band") == 1
    assert "7 rows (2–8), Staff band: No staff band: fill the Band column or choose a band for the whole file (--band BAND)" in result.output
    assert "Nothing was imported: use --band BAND for 7 rows." in result.output
    assert "Checking: 7 rows" in result.output  # the progress bar counts


def bad_rows_read_back(data: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data)))


def test_the_bad_rows_csv_escapes_a_formula_header_on_the_page_and_from_the_command(app, db, manager_client, make_source, make_request, tmp_path):
    make_request("Monthly SitRep", source=make_source("NHS England"))
    rows = [["Date", "Source", "Request", "Minutes", "Band", EVIL], ["2024-03-04", "NHS England", "Monthly SitRep", "30", "5", "x"],
            ["2024-03-05", "NHS England", "Monthly SitRep", "soon", "5", "-2+3"]]
    path = write_csv(tmp_path / "evil.csv", rows)
    assert invoke(app, "import", path, "--user", USER, "--good-rows-only").exit_code == 0
    from_cli = bad_rows_read_back((tmp_path / "evil-bad-rows.csv").read_text(encoding="utf-8-sig"))
    location = upload(manager_client, csv_bytes(tmp_path, rows, "evil2.csv")).headers["Location"].split("?")[0]
    page = manager_client.get(location + "/bad-rows.csv")
    from_page = bad_rows_read_back(page.get_data().decode("utf-8-sig"))
    for found in (from_cli, from_page):
        assert found[0] == ["Date", "Source", "Request", "Minutes", "Band", "'" + EVIL, "Problem"]
        assert found[1][5] == "'-2+3" and found[1][3] == "soon"


def test_the_register_takes_dcb_references_and_marks_defaulted_details_to_confirm(admin_client, db, tmp_path):
    rows = [["DCB number", "Title", "Owning organisation", "Frequency", "Obligation"],
            ["DCB0160", "Clinical risk return", "NHS England", "Monthly", "Statutory"],
            ["DCB2050", "Waiting list return", "NHS England", "", ""]]
    location = admin_register_upload(admin_client, csv_bytes(tmp_path, rows, "register.csv")).headers["Location"]
    assert admin_client.post(location, data={"create_missing": "y"}).status_code == 302
    made = {r.reference: r for r in db.session.scalars(select(Request))}
    assert (made["DCB0160"].frequency, made["DCB0160"].obligation, made["DCB0160"].details_to_confirm) == ("monthly", "statutory", False)
    waiting = made["DCB2050"]
    assert (waiting.frequency, waiting.obligation, waiting.details_to_confirm) == ("ad_hoc", "discretionary", True)
    listing = admin_client.get("/catalogue/requests").get_data(as_text=True)
    assert "Waiting list return" in listing and "Details to confirm" in listing
    cleared = admin_client.post(f"/catalogue/requests/{waiting.id}/details",
                                data={"frequency": "quarterly", "obligation": "contractual", "source_kind": "national_body"})
    assert cleared.status_code == 302
    db.session.refresh(waiting)
    assert (waiting.frequency, waiting.details_to_confirm) == ("quarterly", False)
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1


def test_an_entries_file_with_a_dcb_column_gives_new_requests_their_reference(app, db, team, make_user, make_source, tmp_path):
    make_user("manager", [team], email=USER)
    make_source("NHS England")
    rows = [["Date", "Source", "Request", "Minutes", "Band", "DCB reference", "Frequency", "Obligation"],
            ["2024-03-04", "NHS England", "Cancer waits", "30", "5", "DCB0147", "Monthly", "Mandatory"]]
    result = invoke(app, "import", write_csv(tmp_path / "dcb.csv", rows), "--user", USER, "--create-missing")
    assert result.exit_code == 0, result.output
    made = db.session.scalar(select(Request).where(Request.title == "Cancer waits"))
    assert (made.reference, made.frequency, made.obligation, made.details_to_confirm) == ("DCB0147", "monthly", "statutory", True)
