"""Export runs: the database claim, building and recording a workbook, failures and retries."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import update

from tests.exports_support import last_month, runs, settings_of, unwritable
from tracker.models.exports import ExportRun
from tracker.exports.runs import build_run, claim_run, period_dir, run_file_path
from tracker.exports.monthly import make_period, retry_failed, scopes_for_period
from tracker.shared.timeutil import add_months, utcnow


def test_first_claim_inserts_a_running_row_and_a_second_claim_gets_nothing(app, db, export_dir, world):
    settings = settings_of(app)
    first = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    assert first is not None and first.status == "running" and first.attempts == 1
    assert first.scope == f"team:{world.team.id}"
    assert claim_run(db.session, world.month, world.team.id, "schedule", settings) is None
    # A running claim is not taken over, even by "make now".
    assert claim_run(db.session, world.month, world.team.id, "manual", settings, rebuild=True) is None
    assert len(runs(db)) == 1


def test_the_database_refuses_a_second_row_for_a_period_and_scope(app, db, world):
    from sqlalchemy.exc import IntegrityError

    from tracker.shared.timeutil import utcnow

    for _ in range(2):
        db.session.add(ExportRun(period=world.month, scope="region", team_id=None, status="running", trigger="schedule", claimed_by="x", queued_at=utcnow(), heartbeat_at=utcnow()))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_build_writes_the_workbook_and_records_size_sha256_and_rows(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    run = build_run(db.session, run, settings)
    assert run.status == "succeeded", run.error
    path = period_dir(export_dir, world.month) / run.file_name
    assert path.parent.name == f"{world.month:%Y-%m}"
    assert run.file_name == f"burden-{world.month:%Y-%m}-team-{world.team.slug}.xlsx"
    data = path.read_bytes()
    assert run.size == len(data)
    assert run.sha256 == hashlib.sha256(data).hexdigest()
    assert run.rows == 3 and run.progress_rows == 3
    assert run.finished_at is not None and run.error is None
    workbook = load_workbook(path, read_only=True)
    assert workbook.sheetnames[0] == "Summary" and workbook.sheetnames[6] == "Entries"
    assert run_file_path(export_dir, run) == path.resolve()


def test_a_month_makes_the_region_workbook_and_one_per_team(app, db, export_dir, world, make_team):
    make_team("Dormant team")  # no entries, created after the month: no workbook
    made = make_period(db.session, world.month, "schedule", settings_of(app))
    assert [r.scope for r in made] == ["region", f"team:{world.other_team.id}", f"team:{world.team.id}"]
    assert all(r.status == "succeeded" for r in made)
    files = sorted(p.name for p in period_dir(export_dir, world.month).iterdir())
    assert files == sorted(r.file_name for r in made)
    region = next(r for r in made if r.scope == "region")
    assert region.file_name == f"burden-{world.month:%Y-%m}.xlsx" and region.rows == 4
    # Run again: nothing new, nothing rebuilt.
    assert make_period(db.session, world.month, "schedule", settings_of(app)) == []
    assert all(r.attempts == 1 for r in runs(db))


def test_teams_with_members_that_existed_that_month_get_a_workbook_even_without_entries(app, db, world, make_team, make_user):
    from tracker.models.catalogue import Team

    quiet = make_team("Quiet team")
    make_user("manager", [quiet])
    assert quiet.id not in scopes_for_period(db.session, world.month)
    db.session.execute(update(Team).where(Team.id == quiet.id).values(created_at=utcnow() - timedelta(days=120)))
    db.session.commit()
    assert quiet.id in scopes_for_period(db.session, world.month)
    db.session.execute(update(Team).where(Team.id == quiet.id).values(active=False))
    db.session.commit()
    assert quiet.id not in scopes_for_period(db.session, world.month)


def test_permission_error_leaves_no_partial_file_marks_the_run_failed_and_a_retry_succeeds(app, db, export_dir, world):
    settings = settings_of(app)
    folder = period_dir(export_dir, world.month)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    with unwritable(folder):
        run = build_run(db.session, run, settings)
    assert run.status == "failed"
    assert "PermissionError" in run.error and ("Operation not permitted" in run.error or "Permission denied" in run.error)
    assert run.finished_at is not None and run.file_name is None and run.sha256 is None
    assert list(folder.iterdir()) == []  # no partial workbook, no leftover temporary file

    # The failure is shown on the exports page...
    from tests.exports_support import login

    page = login(app, world.lead).get("/exports/").get_data(as_text=True)
    assert "Failed" in page and "PermissionError" in page

    # ...and the next retry makes it, counting the attempt.
    retried = retry_failed(db.session, settings)
    assert [r.id for r in retried] == [run.id]
    run = db.session.get(ExportRun, run.id, populate_existing=True)
    assert run.status == "succeeded" and run.attempts == 2 and run.error is None
    assert (folder / run.file_name).is_file()


def test_a_failed_run_is_claimed_again_by_exactly_one_caller(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, None, "schedule", settings)
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(status="failed", error="OSError: disk full"))
    db.session.commit()
    again = claim_run(db.session, world.month, None, "schedule", settings)
    assert again is not None and again.id == run.id and again.attempts == 2 and again.error is None
    assert claim_run(db.session, world.month, None, "schedule", settings) is None


def test_failed_runs_stop_being_retried_after_the_maximum_attempts(app, db, export_dir, world):
    app = app
    app.config["EXPORT_MAX_ATTEMPTS"] = 3
    settings = settings_of(app)
    run = claim_run(db.session, world.month, None, "schedule", settings)
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(status="failed", attempts=3, error="x"))
    db.session.commit()
    assert claim_run(db.session, world.month, None, "schedule", settings) is None
    assert retry_failed(db.session, settings) == []
    # A person asking for it again ("make now") may still rebuild it.
    assert claim_run(db.session, world.month, None, "manual", settings, rebuild=True) is not None


def test_a_stale_claim_of_a_dead_process_is_taken_over(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    assert claim_run(db.session, world.month, world.team.id, "schedule", settings) is None
    db.session.execute(
        update(ExportRun).where(ExportRun.id == run.id).values(heartbeat_at=utcnow() - settings.stale_after - timedelta(minutes=1))
    )
    db.session.commit()
    made = retry_failed(db.session, settings)
    assert [r.id for r in made] == [run.id]
    assert made[0].status == "succeeded" and made[0].attempts == 2


def test_the_old_owner_cannot_record_over_a_run_taken_from_it(app, db, export_dir, world):
    settings = settings_of(app)
    run = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    old_token = run.claimed_by
    db.session.execute(update(ExportRun).where(ExportRun.id == run.id).values(heartbeat_at=utcnow() - timedelta(days=1)))
    db.session.commit()
    taken = claim_run(db.session, world.month, world.team.id, "schedule", settings)
    assert taken is not None and taken.claimed_by != old_token
    new_token = taken.claimed_by
    # The slow old owner finishes; its result is not recorded over the new claim.
    stale = db.session.get(ExportRun, run.id)
    db.session.expunge(stale)
    stale.claimed_by = old_token
    build_run(db.session, stale, settings)
    current = db.session.get(ExportRun, run.id, populate_existing=True)
    assert current.status == "running" and current.claimed_by == new_token


def test_a_month_with_no_entries_still_gets_a_valid_region_workbook(app, db, export_dir, world):
    settings = settings_of(app)
    empty_month = add_months(last_month(), -6)
    from sqlalchemy import update as sql_update

    from tracker.models.catalogue import Team

    db.session.execute(sql_update(Team).values(created_at=utcnow() - timedelta(days=400)))
    db.session.commit()
    made = make_period(db.session, empty_month, "schedule", settings)
    region = next(r for r in made if r.scope == "region")
    assert region.status == "succeeded" and region.rows == 0
    assert load_workbook(run_file_path(export_dir, region), read_only=True).sheetnames[0] == "Summary"
