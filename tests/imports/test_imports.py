"""Importing entries from files (CLI and the plain functions): every format, the values people
have, validation first, never twice, undo, signed-off months; and afterwards the entries list,
the burden figures and the workbook agree."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.import_support import TRACKER_HEADERS, add_saved_value, invoke, write_csv, write_xlsx
from tracker.burden.rollup import differences
from tracker.burden.services import BurdenFilter, burden
from tracker.models import AuditEvent, Entry, ImportBatch, Request, Source

MARCH = date(2026, 3, 1)


@pytest.fixture
def setup(db, team, other_team, make_user, make_source, make_request):
    manager = make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager")
    colleague = make_user("manager", [team], email="colleague@example.nhs.uk", name="Col League")
    lead = make_user("lead", [team], email="lead@example.nhs.uk", name="Lee Lead")
    source = make_source("NHS England")
    request = make_request("Monthly SitRep", source=source)
    return {"manager": manager, "colleague": colleague, "lead": lead, "source": source, "request": request,
            "team": team, "other_team": other_team}


def tracker_rows(*rows):
    return [TRACKER_HEADERS, *rows]


def live_entries(db):
    return db.session.scalars(select(Entry).where(Entry.deleted_at.is_(None)).order_by(Entry.occurred_on, Entry.id)).all()


def march_totals(team):
    return burden(BurdenFilter(MARCH, date(2026, 3, 31), team_ids=[team.id])).totals


def test_tracker_csv_is_imported_and_every_figure_agrees(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "mine.csv", tracker_rows(
        ["2026-03-02", "community  nursing north", "nhs england", "MONTHLY SITREP", "5", "90", "yes", "no", "First"],
        ["03/03/2026", "Community Nursing North", "NHS England", "Monthly SitRep", "Band 6", "45", "n", "Y", ""],
    ))
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert result.exit_code == 0, result.output
    assert "Imported 2 entries" in result.output
    entries = live_entries(db)
    assert [(e.occurred_on, e.minutes, e.band, e.duplicated_elsewhere, e.used, e.notes) for e in entries] == [
        (date(2026, 3, 2), 90, "5", "yes", "no", "First"), (date(2026, 3, 3), 45, "6", "no", "yes", "")]
    assert {e.request_id for e in entries} == {setup["request"].id}
    assert {e.logged_by_id for e in entries} == {setup["manager"].id}
    batch = db.session.scalar(select(ImportBatch))
    assert (batch.rows_added, batch.rows_skipped, batch.rows_refused, batch.file_name) == (2, 0, 0, "mine.csv")
    assert len(batch.sha256) == 64 and batch.size == path.stat().st_size
    assert {e.import_batch_id for e in entries} == {batch.id}
    # one audit event for the batch, not one per row
    events = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "import_batch")).all()
    assert [(e.action, e.new["rows_added"]) for e in events] == [("import", 2)]
    assert differences(db.session) == {}
    totals = march_totals(setup["team"])
    assert (totals.entries, totals.minutes) == (2, 135)


def test_importing_the_same_rows_again_adds_nothing_and_identical_rows_both_stay(app, db, setup, tmp_path):
    same = ["2026-03-02", "Community Nursing North", "NHS England", "Monthly SitRep", "5", "30", "", "", "call"]
    path = write_csv(tmp_path / "twins.csv", tracker_rows(same, same))
    assert invoke(app, "import", path, "--user", "manager@example.nhs.uk").exit_code == 0
    assert len(live_entries(db)) == 2  # identical rows in one file are both kept
    again = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert again.exit_code == 0 and "All 2 rows were already imported: nothing to do" in again.output
    assert db.session.scalar(select(func.count()).select_from(ImportBatch)) == 1  # no empty batch
    # the same rows in another format (an .xlsx with a real date) are the same rows
    xlsx = write_xlsx(tmp_path / "twins.xlsx", tracker_rows(*[[date(2026, 3, 2), *same[1:5], 30, None, None, "call"]] * 3))
    third = invoke(app, "import", xlsx, "--user", "manager@example.nhs.uk")
    assert "Imported 1 entries" in third.output  # only the third copy is new
    assert len(live_entries(db)) == 3
    assert differences(db.session) == {}


def test_any_bad_row_writes_nothing_unless_good_rows_only(app, db, setup, tmp_path):
    good = ["2026-03-02", "Community Nursing North", "NHS England", "Monthly SitRep", "5", "30", "", "", ""]
    bad = ["31/02/2026", "Community Nursing North", "NHS England", "Monthly SitRep", "12", "soon", "maybe", "", "x\x07"]
    path = write_csv(tmp_path / "mixed.csv", tracker_rows(good, bad))
    refused = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert refused.exit_code == 1
    for text in ("Row 3, Date: '31/02/2026' is not a real date", "Row 3, Band: '12' is not a staff band",
                 "Row 3, Minutes: 'soon' is not a length of time", "Row 3, Duplicated elsewhere: 'maybe' is not an answer",
                 "Row 3, Notes: Remove the invisible control characters"):
        assert text in refused.output
    assert live_entries(db) == [] and db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0

    partial = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--good-rows-only")
    assert partial.exit_code == 0 and "Imported 1 entries" in partial.output
    assert db.session.scalar(select(ImportBatch)).rows_refused == 1
    bad_file = tmp_path / "mixed-bad-rows.csv"
    rows = bad_file.read_text(encoding="utf-8-sig").splitlines()
    assert rows[0].endswith(",Problem") and rows[1].startswith("31/02/2026,") and "not a real date" in rows[1]
    # fixed, the bad-rows file imports as it is (its Problem column is ignored)
    bad_file.write_text(bad_file.read_text(encoding="utf-8-sig").replace("31/02/2026", "28/02/2026")
                        .replace(",12,soon,maybe,", ",7,15,no,").replace("x\x07", "fixed"), encoding="utf-8-sig")
    fixed = invoke(app, "import", bad_file, "--user", "manager@example.nhs.uk")
    assert fixed.exit_code == 0, fixed.output
    assert "Ignored columns: Problem" in fixed.output
    assert [(e.occurred_on, e.minutes, e.band) for e in live_entries(db)] == [(date(2026, 2, 28), 15, "7"), (date(2026, 3, 2), 30, "5")]


def test_dry_run_reports_and_writes_nothing(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "a.csv", tracker_rows(["2026-03-02", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""]))
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--dry-run")
    assert result.exit_code == 0 and "to add: 1" in result.output and "Dry run" in result.output
    assert live_entries(db) == [] and db.session.scalar(select(func.count()).select_from(ImportBatch)) == 0


def test_unknown_sources_and_requests_are_listed_then_created_only_when_asked(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "new.csv", tracker_rows(
        ["2026-03-02", "", "Care Quality Commission", "Provider return", "5", "30", "", "", ""],
        ["2026-03-03", "", "nhs england", "Workforce survey", "5", "30", "", "", ""],
    ))
    refused = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert refused.exit_code == 1
    assert "Sources not in the catalogue: 'Care Quality Commission'" in refused.output
    assert "'Workforce survey' ('NHS England')" in refused.output and "--create-missing" in refused.output
    assert db.session.scalar(select(func.count()).select_from(Source)) == 1
    made = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--create-missing")
    assert made.exit_code == 0, made.output
    cqc = Source.named("care quality commission")
    assert cqc is not None and cqc.kind == "regulator"  # guessed from the name, as the log form does
    survey = Request.titled(setup["source"].id, "workforce survey")
    assert (survey.frequency, survey.obligation, survey.details_to_confirm) == ("ad_hoc", "discretionary", True)
    created = db.session.scalars(select(AuditEvent.entity).where(AuditEvent.action == "create")).all()
    assert created.count("source") == 1 and created.count("request") == 2
    assert differences(db.session) == {}


def test_team_band_and_logger_come_from_options_or_a_rows_email(app, db, setup, tmp_path, make_entry):
    path = write_csv(tmp_path / "toggl.csv", [
        ["User", "Email", "Client", "Project", "Task", "Description", "Start date", "Duration"],
        ["Col", "COLLEAGUE@example.nhs.uk", "NHS England", "Monthly SitRep", "", "by a colleague", "2026-03-02", "01:30:00"],
        ["X", "stranger@example.org", "NHS England", "Monthly SitRep", "", "by an outsider", "2026-03-02", "00:20:00"],
    ])
    # two teams: no team for the file, and no band (no entry yet) -> refused with both reasons
    setup["manager"].memberships.append(type(setup["manager"].memberships[0])(team_id=setup["other_team"].id, role="manager"))
    db.session.commit()
    refused = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert "No team" in refused.output and "No staff band" in refused.output and refused.exit_code == 1
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--team", "community nursing north", "--band", "Band 8a")
    assert result.exit_code == 0, result.output
    entries = live_entries(db)
    assert {(e.notes, e.logged_by_id, e.band, e.minutes, e.team_id) for e in entries} == {
        ("by a colleague", setup["colleague"].id, "8a", 90, setup["team"].id),
        ("by an outsider", setup["manager"].id, "8a", 20, setup["team"].id)}
    # without --band the user's last band is never taken silently (issue 18): the file says no band
    make_entry(setup["manager"], setup["team"], setup["request"], occurred_on=date(2026, 3, 9), band="4")
    path2 = write_csv(tmp_path / "toggl2.csv", [["Client", "Project", "Start date", "Duration"],
                                               ["NHS England", "Monthly SitRep", "2026-03-10", "0:45"]])
    no_band = invoke(app, "import", path2, "--user", "manager@example.nhs.uk", "--team", "Community Nursing North")
    assert no_band.exit_code == 1 and "Row 2, Staff band: No staff band" in no_band.output and "--band BAND" in no_band.output


def test_rows_for_a_team_that_is_not_yours_and_retired_requests_are_refused(app, db, setup, tmp_path, make_request):
    retired = make_request("Old return", source=setup["source"], status="retired")
    path = write_csv(tmp_path / "x.csv", tracker_rows(
        ["2026-03-02", "Adult Social Care East", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
        ["2026-03-02", "", "NHS England", retired.title, "5", "30", "", "", ""],
    ))
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert "Row 2, Team: 'Adult Social Care East' is not one of your teams" in result.output
    assert "Row 3, Request: That request is retired: choose the one that replaced it" in result.output
    assert result.exit_code == 1 and live_entries(db) == []


def test_commissioners_never_import_entries(app, db, setup, tmp_path, make_user):
    make_user("commissioner", email="cora@example.nhs.uk", name="Cora Commissioner")
    path = write_csv(tmp_path / "c.csv", tracker_rows(["2026-03-02", "Community Nursing North", "NHS England", "Monthly SitRep", "5", "30", "", "", ""]))
    result = invoke(app, "import", path, "--user", "cora@example.nhs.uk")
    assert result.exit_code == 1 and "Cora Commissioner cannot log entries for any team" in result.output
    assert live_entries(db) == []
    assert invoke(app, "import", path, "--user", "nobody@example.nhs.uk").exit_code == 2


def test_signed_off_months_are_refused_with_the_reason(app, db, setup, tmp_path):
    from tracker.signoff.services import sign_off

    sign_off(db.session, setup["lead"], setup["team"], date(2026, 2, 1), today=date(2026, 4, 1))
    db.session.commit()
    path = write_csv(tmp_path / "feb.csv", tracker_rows(
        ["2026-02-27", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
        ["2026-03-02", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
    ))
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--good-rows-only")
    assert "Row 2, Date: Community Nursing North's entries for February 2026 were signed off by Lee Lead" in result.output
    assert [e.occurred_on for e in live_entries(db)] == [date(2026, 3, 2)]


def test_undo_deletes_the_batch_the_usual_way_and_the_file_can_come_back(app, db, setup, tmp_path):
    from tracker.imports.commit import ImportRefused, undo_batch
    from tracker.signoff.services import sign_off

    path = write_csv(tmp_path / "u.csv", tracker_rows(*[
        [f"2026-03-0{d}", "", "NHS England", "Monthly SitRep", "5", str(10 * d), "", "", ""] for d in range(1, 4)]))
    assert invoke(app, "import", path, "--user", "manager@example.nhs.uk").exit_code == 0
    batch = db.session.scalar(select(ImportBatch))
    assert undo_batch(setup["manager"], batch) == 3
    db.session.commit()
    assert live_entries(db) == [] and batch.is_undone and differences(db.session) == {}
    deletes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "delete", AuditEvent.entity == "entry")).all()
    assert len(deletes) == 3
    assert db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "undo_import")) == 1
    assert march_totals(setup["team"]).entries == 0
    # undone, the same file imports again; a month signed off since stops a second undo, all or nothing
    assert "Imported 3 entries" in invoke(app, "import", path, "--user", "manager@example.nhs.uk").output
    second = db.session.scalars(select(ImportBatch).order_by(ImportBatch.id.desc())).first()
    sign_off(db.session, setup["lead"], setup["team"], MARCH, today=date(2026, 4, 2))
    db.session.commit()
    with pytest.raises(ImportRefused, match="signed off"):
        undo_batch(setup["manager"], second)
    db.session.rollback()
    assert len(live_entries(db)) == 3 and differences(db.session) == {}


def test_month_first_dates_are_read_month_first_and_a_file_that_contradicts_itself_is_refused(app, db, setup, tmp_path):
    path = write_csv(tmp_path / "us.csv", tracker_rows(
        ["03/04/2026", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
        ["03/15/2026", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
    ))
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk")
    assert result.exit_code == 0, result.output
    assert "Dates are read month first (MM/DD/YYYY): '03/15/2026' (row 3) can only be read that way" in result.output
    assert "03/04/2026 → 4 March 2026" in result.output
    assert sorted(e.occurred_on for e in live_entries(db)) == [date(2026, 3, 4), date(2026, 3, 15)]
    both = write_csv(tmp_path / "both.csv", tracker_rows(
        ["03/15/2026", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
        ["16/03/2026", "", "NHS England", "Monthly SitRep", "5", "30", "", "", ""],
    ))
    refused = invoke(app, "import", both, "--user", "manager@example.nhs.uk", "--good-rows-only")
    assert refused.exit_code == 1 and "contradict each other" in refused.output
    assert "Row 2, Date: '03/15/2026' can only be month first" in refused.output
    assert "Row 3, Date: '16/03/2026' can only be day first" in refused.output and len(live_entries(db)) == 2


def test_formulas_use_their_saved_values_and_one_without_is_refused(app, db, setup, tmp_path):
    rows = tracker_rows([date(2026, 3, 2), "", "NHS England", "Monthly SitRep", "5", "=60+30", None, None, None],
                        [date(2026, 3, 3), "", "NHS England", "Monthly SitRep", "5", "=20+20", None, None, None])
    path = add_saved_value(write_xlsx(tmp_path / "f.xlsx", rows), "F2", 90)
    result = invoke(app, "import", path, "--user", "manager@example.nhs.uk", "--good-rows-only")
    assert "Row 3, Minutes: The cell holds a formula that was saved without its result" in result.output
    assert [(e.occurred_on, e.minutes) for e in live_entries(db)] == [(date(2026, 3, 2), 90)]


def test_an_exported_monthly_workbook_imports_back_and_the_figures_agree(app, db, setup, tmp_path, make_entry):
    from tracker.entries.services import delete_entry
    from tracker.exports.workbook import build_workbook

    manager, team, request = setup["manager"], setup["team"], setup["request"]
    for day, minutes, band, dup, used, notes in ((2, 90, "5", "yes", "no", "=SUM(A1)"), (3, 45, "8a", "no", "unknown", ""),
                                                 (3, 45, "8a", "no", "unknown", ""), (31, 600, "other", "unknown", "yes", "long\nnote")):
        make_entry(manager, team, request, occurred_on=date(2026, 3, day), minutes=minutes, band=band,
                   duplicated_elsewhere=dup, used=used, notes=notes)
    before = march_totals(team)
    first = build_workbook(db.session, month=MARCH, team_ids=[team.id], path=tmp_path / "before.xlsx", scope_label=team.name)
    for entry in live_entries(db):
        delete_entry(manager, entry)
    db.session.commit()
    assert march_totals(team).entries == 0

    result = invoke(app, "import", first.path, "--user", "manager@example.nhs.uk")
    assert result.exit_code == 0, result.output
    assert "Ignored columns: Hours, Cost (£), Logged by" in result.output
    after = march_totals(team)
    assert (after.entries, after.minutes, after.cost) == (before.entries, before.minutes, before.cost)
    assert differences(db.session) == {}
    second = build_workbook(db.session, month=MARCH, team_ids=[team.id], path=tmp_path / "after.xlsx", scope_label=team.name)
    assert second.figures == first.figures

    def entries_sheet(path):
        return list(load_workbook(path, read_only=True)["Entries"].iter_rows(values_only=True))

    assert entries_sheet(second.path) == entries_sheet(first.path)
    # and the entries list shows the same total
    from tracker.entries.queries import EntryListFilter, entries_page

    page = entries_page(EntryListFilter(team_ids=[team.id], start=MARCH, end=date(2026, 3, 31)), 1, 50)
    assert page.total == 4 and sum(row.entry.minutes for row in page.rows) == before.minutes
    assert Decimal(page.totals.cost) == before.cost
