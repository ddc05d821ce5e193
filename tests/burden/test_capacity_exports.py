"""Share of management time in the monthly workbook, through the CLI export too, and seed-demo's capacities.

A capacity that changes mid-April (2 FTE, then 4 FTE from the 16th) gives 482.14 available hours and
a share of 0.0996 (48 hours) in every place; a team's own workbook names no other team."""
from __future__ import annotations

from datetime import date

from openpyxl import load_workbook
from sqlalchemy import func, select

from tests.capacity_support import mid_month_change, record
from tracker.exports.workbook import build_workbook
from tracker.models.capacity import TeamCapacity
from tracker.models.catalogue import Team


def _by_team(path) -> dict:
    rows = list(load_workbook(path)["By team"].iter_rows(values_only=True))
    header = rows[0]
    return {row[0]: dict(zip(header, row)) for row in rows[1:]}


def _summary(path) -> dict:
    return {row[0]: row[1:] for row in load_workbook(path)["Summary"].iter_rows(values_only=True) if row and row[0]}


def test_the_cli_export_gives_the_exact_share_of_a_mid_month_change(app, db, team, other_team, make_user, make_entry, make_request, tmp_path):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 5), minutes=300)
    out = tmp_path / "april.xlsx"
    result = app.test_cli_runner().invoke(args=["export", "--month", "2026-04", "--out", str(out)])
    assert result.exit_code == 0, result.output
    rows = _by_team(out)
    ours = rows[team.name]
    assert ours["Hours"] == 48 and round(ours["Available hours"], 6) == round(3375 / 7, 6)
    assert ours["Share of management time"] == 0.0996
    assert rows[other_team.name]["Available hours"] == "capacity not recorded"
    assert rows[other_team.name]["Share of management time"] == "capacity not recorded"
    assert rows["Total"]["Share of management time"] == 0.0996  # only the team with a capacity counts
    summary = _summary(out)
    assert summary["Share of management time"][0] == 0.0996
    assert summary["Teams with a capacity recorded"][:2] == (1, "of 2")
    number_formats = {c.value: c.number_format for c in load_workbook(out)["By team"][2]}
    assert "0.0%" in number_formats.values()


def test_a_teams_workbook_shows_nothing_of_another_team(app, db, team, other_team, make_user, make_entry, make_request, tmp_path):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    record(db, admin, other_team, "3", date(2026, 1, 1))
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 5), minutes=4321)
    path = tmp_path / "ours.xlsx"
    build_workbook(db.session, month=date(2026, 4, 1), team_ids=[team.id], path=path, scope_label=team.name)
    rows = _by_team(path)
    assert set(rows) == {team.name, "Total"}
    assert rows["Total"]["Share of management time"] == 0.0996 and rows["Total"]["Hours"] == 48
    for sheet in load_workbook(path).worksheets:
        for row in sheet.iter_rows(values_only=True):
            assert other_team.name not in [v for v in row if isinstance(v, str)]
            assert 4321 not in row and round(4321 / 60, 2) not in [round(v, 2) for v in row if isinstance(v, float)]


def test_seed_demo_gives_every_team_a_capacity_and_one_change(app, db):
    result = app.test_cli_runner().invoke(args=["seed-demo", "--teams", "4", "--months", "6", "--entries", "800"])
    assert result.exit_code == 0, result.output
    teams = db.session.scalar(select(func.count()).select_from(Team))
    per_team = dict(db.session.execute(
        select(TeamCapacity.team_id, func.count()).group_by(TeamCapacity.team_id)
    ).all())
    assert len(per_team) == teams == 4
    assert all(n == 2 for n in per_team.values())  # the first capacity and one change
    firsts = db.session.scalars(select(func.min(TeamCapacity.effective_from)).group_by(TeamCapacity.team_id)).all()
    assert all(day.day == 1 for day in firsts)
