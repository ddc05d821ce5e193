"""The exports page: who sees which workbooks, downloads (and 404s), and "make now" in the background."""
from __future__ import annotations

import io
import re

from openpyxl import load_workbook
from sqlalchemy import select

from tests.exports_support import login, runs, settings_of
from tracker.exports.background import wait_for_background_exports
from tracker.models.exports import ExportRun
from tracker.exports.runs import claim_run
from tracker.exports.monthly import make_period
from tracker.shared.timeutil import add_months


def listed_runs(html: str) -> list[int]:
    return [int(i) for i in re.findall(r'data-run-id="(\d+)"', html)]


def made(app, db, world) -> dict[str, ExportRun]:
    make_period(db.session, world.month, "schedule", settings_of(app))
    return {r.scope: r for r in runs(db)}


def test_commissioners_and_admins_see_every_workbook(app, db, export_dir, world):
    by_scope = made(app, db, world)
    for user in (world.commissioner, world.admin):
        page = login(app, user).get("/exports/")
        assert page.status_code == 200
        assert sorted(listed_runs(page.get_data(as_text=True))) == sorted(r.id for r in by_scope.values())


def test_managers_and_leads_see_only_their_teams_workbooks_and_never_the_region(app, db, export_dir, world):
    by_scope = made(app, db, world)
    mine = by_scope[f"team:{world.team.id}"]
    for user in (world.manager, world.lead):
        html = login(app, user).get("/exports/").get_data(as_text=True)
        assert listed_runs(html) == [mine.id]
        assert by_scope["region"].file_name not in html


def test_downloads_by_id_and_by_file_name(app, db, export_dir, world):
    by_scope = made(app, db, world)
    mine, theirs, region = by_scope[f"team:{world.team.id}"], by_scope[f"team:{world.other_team.id}"], by_scope["region"]
    manager = login(app, world.manager)
    month = f"{world.month:%Y-%m}"

    response = manager.get(f"/exports/runs/{mine.id}/download")
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    assert mine.file_name in response.headers["Content-Disposition"]
    assert load_workbook(io.BytesIO(response.data), read_only=True).sheetnames[0] == "Summary"
    by_name = manager.get(f"/exports/files/{month}/{mine.file_name}")
    assert by_name.status_code == 200 and by_name.data == response.data

    # Another team's workbook and the region one do not exist for this manager, by id or by name.
    for run in (theirs, region):
        assert manager.get(f"/exports/runs/{run.id}/download").status_code == 404
        assert manager.get(f"/exports/runs/{run.id}").status_code == 404
        assert manager.get(f"/exports/files/{month}/{run.file_name}").status_code == 404
    # Nor does anything that is not a recorded workbook.
    for path in (
        "/exports/runs/999999/download",
        f"/exports/files/{month}/burden-{month}-team-nobody.xlsx",
        f"/exports/files/{month}/..%2F..%2Fconfig.py",
        "/exports/files/not-a-month/x.xlsx",
        f"/exports/progress?run={theirs.id}",
    ):
        assert manager.get(path).status_code == 404, path

    commissioner = login(app, world.commissioner)
    assert commissioner.get(f"/exports/files/{month}/{region.file_name}").status_code == 200
    assert commissioner.get(f"/exports/runs/{theirs.id}/download").status_code == 200


def test_a_recorded_name_that_would_leave_the_export_folder_is_not_served(app, db, export_dir, world):
    by_scope = made(app, db, world)
    mine = by_scope[f"team:{world.team.id}"]
    secret = export_dir.parent / "secret.xlsx"
    secret.write_bytes(b"not for you")
    mine.file_name = "../../secret.xlsx"
    db.session.commit()
    assert login(app, world.lead).get(f"/exports/runs/{mine.id}/download").status_code == 404


def test_make_now_builds_in_the_background_and_the_run_page_follows_it(app, db, export_dir, world):
    lead = login(app, world.lead)
    response = lead.post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": str(world.team.id)})
    assert response.status_code == 302
    run_id = int(re.search(r"/exports/runs/(\d+)$", response.headers["Location"]).group(1))
    wait_for_background_exports(app)

    run = db.session.get(ExportRun, run_id, populate_existing=True)
    assert run.status == "succeeded" and run.trigger == "manual" and run.requested_by_id == world.lead.id
    assert run.team_id == world.team.id and run.rows == 3 and run.progress_rows == 3
    page = lead.get(f"/exports/runs/{run_id}").get_data(as_text=True)
    assert "Your export is ready" in page and 'http-equiv="refresh"' not in page
    download = lead.get(f"/exports/runs/{run_id}/download")
    assert download.status_code == 200
    workbook = load_workbook(io.BytesIO(download.data), read_only=True)
    assert [row[1] for row in workbook["Entries"].iter_rows(min_row=2, values_only=True)] == [world.team.name] * 3

    # Making it again rebuilds the same run (one row per month and team), counting the attempt.
    again = lead.post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": str(world.team.id)})
    assert again.headers["Location"].endswith(f"/exports/runs/{run_id}")
    wait_for_background_exports(app)
    assert db.session.get(ExportRun, run_id, populate_existing=True).attempts == 2
    assert len(runs(db)) == 1


def test_a_run_being_made_shows_progress_and_refreshes_itself(app, db, export_dir, world):
    run = claim_run(db.session, world.month, world.team.id, "manual", settings_of(app), queued=True)
    run.progress_rows = 1234
    db.session.commit()
    page = login(app, world.manager).get(f"/exports/runs/{run.id}").get_data(as_text=True)
    assert "Your export is being made" in page
    assert '<meta http-equiv="refresh"' in page
    assert re.search(r'data-testid="progress">1,234<', page)


def test_make_now_for_all_teams_makes_the_region_workbook_for_commissioners(app, db, export_dir, world):
    response = login(app, world.commissioner).post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": "all"})
    assert response.status_code == 302
    wait_for_background_exports(app)
    [run] = runs(db)
    assert run.scope == "region" and run.status == "succeeded" and run.rows == 4


def test_make_now_for_all_teams_makes_each_of_a_managers_teams(app, db, export_dir, world, make_user):
    both = make_user("manager", [world.team, world.other_team], name="Bo Both", password=None)
    response = login(app, both).post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": "all"})
    assert response.status_code == 302 and "/exports/progress?" in response.headers["Location"]
    wait_for_background_exports(app)
    assert sorted(r.scope for r in runs(db)) == sorted([f"team:{world.team.id}", f"team:{world.other_team.id}"])
    page = login(app, both).get(response.headers["Location"]).get_data(as_text=True)
    assert page.count('data-testid="run"') == 2 and "Your export is ready" in page


def test_make_now_refuses_bad_months_and_other_teams(app, db, export_dir, world):
    manager = login(app, world.manager)
    this_month = add_months(world.month, 1)
    cases = {
        "2026-13": "is not a month",
        "March": "is not a month",
        f"{this_month:%Y-%m}": "has not ended yet",
        "": "Choose the month",
    }
    for month, message in cases.items():
        response = manager.post("/exports/make", data={"month": month, "team": str(world.team.id)})
        assert response.status_code == 400 and message in response.get_data(as_text=True), month
    response = manager.post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": str(world.other_team.id)})
    assert response.status_code == 400 and "Choose one of your teams" in response.get_data(as_text=True)
    assert db.session.scalars(select(ExportRun)).all() == []


def test_make_now_needs_the_csrf_token(make_app, db, export_dir, world):
    from tests.exports_support import PASSWORD

    world.manager.set_password(PASSWORD)
    db.session.commit()
    app = make_app(WTF_CSRF_ENABLED=True, EXPORT_DIR=str(export_dir))
    client = app.test_client()
    html = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', html).group(1)
    signed_in = client.post("/login", data={"email": world.manager.email, "password": PASSWORD, "csrf_token": token})
    assert signed_in.status_code == 302
    page = client.get("/exports/").get_data(as_text=True)
    assert 'name="csrf_token"' in page
    response = client.post("/exports/make", data={"month": f"{world.month:%Y-%m}", "team": str(world.team.id)})
    assert response.status_code == 400
    db.session.expire_all()
    assert db.session.scalars(select(ExportRun)).all() == []


def test_make_now_for_someone_on_no_team_says_so(app, db, export_dir, make_user):
    loner = make_user("manager", [], name="Lone Manager", password=None)
    from tests.exports_support import last_month

    response = login(app, loner).post("/exports/make", data={"month": f"{last_month():%Y-%m}", "team": "all"})
    assert response.status_code == 400 and "not on any team yet" in response.get_data(as_text=True)
