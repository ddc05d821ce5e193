"""The import pages: upload, check and change the mapping, confirm unknown names, download bad rows,
import, undo; the register of collections; who may see what; the upload size limit (413)."""
from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.import_support import TRACKER_HEADERS, write_csv
from tracker.burden.rollup import differences
from tracker.models import Entry, ImportBatch, Request, Source


@pytest.fixture
def catalogue(db, make_source, make_request):
    source = make_source("NHS England")
    return make_request("Monthly SitRep", source=source)


def csv_bytes(tmp_path, rows, name="upload.csv"):
    return write_csv(tmp_path / name, rows).read_bytes()


def upload(client, data: bytes, name="upload.csv", **fields):
    form = {"file": (io.BytesIO(data), name), "file_format": "auto", "team": "", "band": "", **fields}
    return client.post("/imports/", data=form, content_type="multipart/form-data")


def live(db):
    return db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None))).all()


ROW = ["2026-03-02", "", "NHS England", "Monthly SitRep", "5", "30", "yes", "", "from the page"]


def test_upload_check_and_import(manager_client, db, catalogue, tmp_path):
    page = manager_client.get("/imports/")
    assert page.status_code == 200 and b"Upload and check" in page.data and b"import template" in page.data
    response = upload(manager_client, csv_bytes(tmp_path, [TRACKER_HEADERS + ["Comment"], ROW + ["ignored"]]))
    assert response.status_code == 302
    check = manager_client.get(response.headers["Location"])
    html = check.get_data(as_text=True)
    assert check.status_code == 200 and "This tracker (Entries sheet or template)" in html
    assert 'data-testid="to-add">1<' in html and "Ignored columns: Comment" in html
    assert live(db) == []  # checking writes nothing
    done = manager_client.post(response.headers["Location"], data={"format": "tracker"})
    assert done.status_code == 302 and "/imports/batches/" in done.headers["Location"]
    assert [(e.minutes, e.duplicated_elsewhere, e.notes) for e in live(db)] == [(30, "yes", "from the page")]
    listing = manager_client.get("/")
    assert "Monthly SitRep" in listing.get_data(as_text=True) and "30m" in listing.get_data(as_text=True)
    again = manager_client.get(upload(manager_client, csv_bytes(tmp_path, [TRACKER_HEADERS, ROW])).headers["Location"])
    assert 'data-testid="skipped">1<' in again.get_data(as_text=True)
    assert b"All 1 rows were already imported: nothing to do" in again.data


def test_the_mapping_can_be_changed_before_anything_is_written(manager_client, db, catalogue, tmp_path):
    rows = [["When", "Who asked", "What", "Time (hours)", "Grade"], ["02/03/2026", "NHS England", "Monthly SitRep", "1,5", "6"]]
    location = upload(manager_client, csv_bytes(tmp_path, rows)).headers["Location"]
    unknown = manager_client.get(location)  # a layout we do not know: its columns are chosen on the page
    assert unknown.status_code == 200 and b"The header row is not one we know" in unknown.data
    assert b"A file read by the columns you chose" in unknown.data
    # a known format with its columns named differently: map them by hand
    rows = [["Date", "Client", "Project", "Hours", "Grade"], ["02/03/2026", "NHS England", "Monthly SitRep", "1,5", "6"]]
    location = upload(manager_client, csv_bytes(tmp_path, rows)).headers["Location"].split("?")[0]
    first = manager_client.get(location).get_data(as_text=True)
    assert "Harvest detailed time report" in first and "Ignored columns: Grade" in first
    changed = manager_client.get(location, query_string={"format": "harvest", "col_band": "Grade", "unit": "hours"})
    assert 'data-testid="to-add">1<' in changed.get_data(as_text=True)
    assert manager_client.post(location, data={"format": "harvest", "col_band": "Grade", "unit": "hours"}).status_code == 302
    assert [(e.minutes, e.band) for e in live(db)] == [(90, "6")]


def test_unknown_names_need_confirming_and_bad_rows_can_be_downloaded(manager_client, db, catalogue, tmp_path):
    rows = [TRACKER_HEADERS, ROW, ["2026-03-03", "", "Care Quality Commission", "Provider return", "5", "20", "", "", ""],
            ["2026-03-04", "", "NHS England", "Monthly SitRep", "5", "soon", "", "", "=cmd()"]]
    location = upload(manager_client, csv_bytes(tmp_path, rows)).headers["Location"].split("?")[0]
    html = manager_client.get(location).get_data(as_text=True)
    assert "Source: Care Quality Commission" in html and "Request: Provider return (Care Quality Commission)" in html
    assert 'data-testid="refused">2<' in html and "&#39;soon&#39; is not a length of time" in html
    # all or nothing: posting without good_rows_only writes nothing
    assert manager_client.post(location, data={}).status_code == 400 and live(db) == []
    csv_file = manager_client.get(location + "/bad-rows.csv")
    text = csv_file.get_data().decode("utf-8-sig")
    assert csv_file.status_code == 200 and "'=cmd()" in text and "Problem" in text.splitlines()[0]
    xlsx = manager_client.get(location + "/bad-rows.xlsx")
    sheet = load_workbook(io.BytesIO(xlsx.data))["Entries"]
    assert [c.value for c in sheet[3]][8] == "=cmd()" and sheet["I3"].data_type == "s"
    # confirm the new names, then import the good rows only
    confirmed = manager_client.get(location, query_string={"create_missing": "y"}).get_data(as_text=True)
    assert "These will be added to the catalogue" in confirmed and 'data-testid="to-add">2<' in confirmed
    assert manager_client.post(location, data={"create_missing": "y", "good_rows_only": "y"}).status_code == 302
    assert len(live(db)) == 2 and Source.named("care quality commission") is not None
    assert db.session.scalar(select(ImportBatch)).rows_refused == 1
    assert differences(db.session) == {}


def test_undo_from_the_page(manager_client, lead_client, db, catalogue, tmp_path):
    location = upload(manager_client, csv_bytes(tmp_path, [TRACKER_HEADERS, ROW])).headers["Location"]
    batch_page = manager_client.post(location, data={}).headers["Location"]
    page = lead_client.get(batch_page)
    assert page.status_code == 200 and b"Undo this import" in page.data  # a lead of the team may undo it
    batch_id = int(batch_page.rstrip("/").split("/")[-1])
    assert manager_client.post(f"/imports/batches/{batch_id}/undo").status_code == 302
    assert live(db) == [] and b"Undone" in manager_client.get("/imports/").data
    assert differences(db.session) == {}


def test_who_may_import_and_see_imports(app, manager_client, commissioner_client, admin_client, make_user, other_team, db, catalogue, tmp_path):
    from tests.conftest import _client_for

    location = upload(manager_client, csv_bytes(tmp_path, [TRACKER_HEADERS, ROW])).headers["Location"]
    batch_page = manager_client.post(location, data={}).headers["Location"]
    outsider = _client_for(app, make_user("lead", [other_team], email="outsider@example.nhs.uk"))
    assert outsider.get(batch_page).status_code == 404
    assert outsider.post(batch_page + "/undo").status_code == 404
    assert outsider.get(location).status_code == 404  # another user's upload
    assert b"Nothing imported yet" in outsider.get("/imports/").data
    # commissioners never import entries; they see the register upload only
    page = commissioner_client.get("/imports/")
    assert page.status_code == 200 and b"Upload and check" not in page.data and b"register of approved collections" in page.data
    assert upload(commissioner_client, csv_bytes(tmp_path, [TRACKER_HEADERS, ROW])).status_code == 404
    assert commissioner_client.get("/imports/template.xlsx").status_code == 404
    assert commissioner_client.get(batch_page).status_code == 404
    assert admin_client.get(batch_page).status_code == 200
    assert manager_client.get("/imports/catalogue").status_code == 404
    template = manager_client.get("/imports/template.xlsx")
    assert template.status_code == 200 and load_workbook(io.BytesIO(template.data))["Lists"]["A2"].value == "Community Nursing North"


def test_uploads_over_the_import_limit_get_a_readable_413(app, manager_client, db, catalogue):
    app.config["MAX_CONTENT_LENGTH"] = 1024  # an app-wide limit far lower: the import page keeps its own
    rows = "\n".join([",".join(TRACKER_HEADERS)] + [",".join(ROW)] * 2000).encode()
    assert len(rows) > 1024
    assert upload(manager_client, rows).status_code == 302
    for size in (20 * 1024 * 1024 + 1, 21 * 1024 * 1024):  # just over (the file's own size), and over the body's limit
        response = upload(manager_client, b"x" * size, name="big.csv")
        assert response.status_code == 413
        assert b"The file is too large" in response.data and b"Files can be up to 20 MB" in response.data
    big = b"x" * (21 * 1024 * 1024)
    register = admin_register_upload(manager_client, big)
    assert register.status_code == 404  # a manager may not import the register, however big the file


def admin_register_upload(client, data, name="register.csv"):
    return client.post("/imports/catalogue", data={"file": (io.BytesIO(data), name)}, content_type="multipart/form-data")


REGISTER = [["Reference", "Title", "Owning organisation", "Description", "Frequency", "Obligation", "Status", "Licence expiry"],
            ["DCS-001", "Monthly SitRep", "NHS England", "Situation report", "Monthly", "Mandatory", "Approved", "2027-03-31"],
            ["DCS-002", "Workforce census", "NHS England", "Staff in post", "Annually", "Statutory", "Active", ""],
            ["DCS-003", "Provider return", "Care Quality Commission", "", "Quarterly", "Voluntary", "Withdrawn", ""]]


def test_register_of_collections_from_the_page_and_the_command(app, admin_client, commissioner_client, db, catalogue, tmp_path):
    catalogue.details_to_confirm = True  # added from the log form; the register confirms it
    db.session.commit()
    data = csv_bytes(tmp_path, REGISTER, "register.csv")
    location = admin_register_upload(admin_client, data).headers["Location"]
    html = admin_client.get(location).get_data(as_text=True)
    assert "Care Quality Commission" in html and "is not a source in the catalogue yet" in html
    assert "Ignored columns: Licence expiry" in html
    assert admin_client.post(location, data={}).status_code == 400  # bad rows: nothing written
    assert db.session.scalar(select(func.count()).select_from(Request)) == 1
    confirmed = admin_client.get(location, query_string={"create_missing": "y"}).get_data(as_text=True)
    assert 'data-testid="creates">2<' in confirmed and 'data-testid="updates">1<' in confirmed
    assert admin_client.post(location, data={"create_missing": "y"}).status_code == 302
    sitrep = Request.titled(catalogue.source_id, "monthly sitrep")
    assert (sitrep.id, sitrep.reference, sitrep.description, sitrep.obligation) == (catalogue.id, "DCS-001", "Situation report", "statutory")
    assert not sitrep.details_to_confirm
    provider = db.session.scalar(select(Request).where(Request.reference == "DCS-003"))
    assert (provider.source.name, provider.frequency, provider.obligation, provider.status) == (
        "Care Quality Commission", "quarterly", "discretionary", "retired")
    # the same register again changes nothing; a renamed title is matched by its reference
    REGISTER_2 = [REGISTER[0], ["DCS-002", "Workforce  census (annual)", "NHS England", "", "Annual", "", "", ""]]
    path = write_csv(tmp_path / "again.csv", REGISTER_2)
    result = app.test_cli_runner().invoke(args=["import-catalogue", str(path)])
    assert result.exit_code == 0, result.output
    assert "1 changed" in result.output
    assert db.session.scalar(select(Request.title).where(Request.reference == "DCS-002")) == "Workforce census (annual)"
    assert commissioner_client.get("/imports/catalogue").status_code == 200
    bad = write_csv(tmp_path / "bad.csv", [REGISTER[0], ["DCS-9", "", "NHS England", "", "Hourly", "", "Merged", ""]])
    refused = app.test_cli_runner().invoke(args=["import-catalogue", str(bad)])
    assert refused.exit_code == 1
    assert "'Hourly' is not a frequency we know" in refused.output and "Enter the collection's title" in refused.output
