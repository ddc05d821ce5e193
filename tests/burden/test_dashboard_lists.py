"""The dashboards at many teams: each shows the first few teams with a link to the full, paged list,
and the tables folded from one grouped query keep the burden service's figures exactly."""
from __future__ import annotations

from datetime import date, timedelta

import re

import pytest

from tests.burden.test_burden_pages import cell
from tests.capacity_support import record
from tracker.burden import hotspots, views
from tracker.burden.dashboards import commissioner_dashboard, team_dashboard
from tracker.burden.filters import parse_burden_query
from tracker.burden.hotspots import find_hotspots, hotspot_window
from tracker.burden.regroup import regroup
from tracker.burden.services import BurdenFilter, burden, burden_direct
from tracker.burden.shares import management_shares, share_text
from tracker.licences.unlicensed import unlicensed_burden
from tracker.shared.timeutil import local_today

PERIOD = {"from": "2026-02-10", "to": "2026-03-20"}  # part of February, all of nothing, part of March


def figures(table):
    return [(row.key, row.label, row.entries, row.minutes, row.cost, row.duplicated_minutes, row.used_minutes)
            for row in table.rows]


@pytest.fixture
def spread(db, make_user, make_team, make_source, make_request, make_entry):
    """Three teams in two sectors, three requests of two sources of two kinds, entries inside and outside PERIOD."""
    admin = make_user("admin")
    teams = [make_team("North ward", sector="nhs_trust"), make_team("South ward", sector="nhs_trust"),
             make_team("County team", sector="local_authority")]
    regulator = make_source("Care Quality Commission", kind="regulator")
    council = make_source("County council", kind="local_authority")
    requests = [make_request("Inspection", source=regulator), make_request("Census", source=council),
                make_request("Survey", source=council)]
    day = date(2026, 1, 25)
    for n in range(40):  # one entry every two days, January to April, every band and rate
        make_entry(admin, teams[n % 3], requests[n % 5 % 3], occurred_on=day + timedelta(days=2 * n),
                   minutes=15 * (n % 7 + 1), band=("5", "6", "8a")[n % 3], duplicated_elsewhere=("yes", "no")[n % 2],
                   used=("yes", "no", "unknown")[n % 3])
    return {"admin": admin, "teams": teams, "requests": requests}


def query_for(user, args=PERIOD):
    query, errors = parse_burden_query(args, user, local_today())
    assert not errors
    return query


def test_folded_tables_are_the_services_own_groupings(app, spread, make_user):
    query = query_for(make_user("commissioner"))
    board = commissioner_dashboard(query)
    flt = query.burden_filter()
    for folded, name in ((board.by_sector, "sector"), (board.by_source, "source"), (board.by_source_kind, "source_kind")):
        assert figures(folded) == figures(burden(flt, (name,))) == figures(burden_direct(flt, (name,)))
        assert (folded.totals.minutes, folded.totals.cost) == (board.totals.minutes, board.totals.cost)
    counted = burden(flt, (), with_counts=True).totals
    assert (board.totals.teams, board.totals.requests) == (counted.teams, counted.requests) == (3, 3)
    by_month = regroup(burden(flt, ("team", "month")), "month", lambda key: key[1])
    assert figures(by_month) == figures(burden(flt, ("month",)))


def test_a_teams_dashboard_folds_the_same_figures(app, spread, make_user):
    lead = make_user("lead", spread["teams"][:2])
    query = query_for(lead, {"to": "2026-03-20"})
    board = team_dashboard(query)
    flt = query.burden_filter()
    assert figures(board.period) == figures(burden(flt, ("team",)))
    assert figures(board.sources) == figures(burden(flt, ("source",)))
    assert figures(board.requests) == figures(burden(flt, ("request",)))
    months = {row.key[0]: row.minutes for row in burden(query.burden_filter(date(2025, 4, 1), flt.end), ("month",)).rows}
    assert {row.key[0]: row.minutes for _, row in board.trend if row.minutes} == months
    assert board.months.this.row.cost == burden(query.burden_filter(date(2026, 3, 1), flt.end)).totals.cost


@pytest.mark.parametrize("grouping", [("request",), ("team", "request")])
def test_unlicensed_work_read_from_the_dashboards_table_is_the_same(app, db, spread, grouping):
    flt = BurdenFilter(date(2026, 2, 10), date(2026, 3, 20))
    full = unlicensed_burden(db.session, flt)
    shared = unlicensed_burden(db.session, flt, burden(flt, grouping))
    assert (shared.totals.entries, shared.totals.minutes, shared.totals.cost) == (
        full.totals.entries, full.totals.minutes, full.totals.cost)
    assert [(r.key, r.label, r.minutes, r.cost) for r in shared.by_source] == [
        (r.key, r.label, r.minutes, r.cost) for r in full.by_source]
    assert shared.teams_listed == ("team" in grouping)
    if shared.teams_listed:
        assert [(r.key, r.minutes, r.cost) for r in shared.by_team] == [(r.key, r.minutes, r.cost) for r in full.by_team]
    with pytest.raises(ValueError):
        unlicensed_burden(db.session, flt, burden(BurdenFilter(flt.start, date(2026, 3, 21)), grouping))


def test_the_dashboard_shows_the_first_teams_and_links_to_every_one(app, db, spread, commissioner_client, monkeypatch):
    monkeypatch.setattr(views, "SHOWN", 2)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    admin, teams = spread["admin"], spread["teams"]
    for team in teams:
        record(db, admin, team, "1", date(2025, 1, 1))
    args = "from=2026-02-10&to=2026-03-20"
    html = commissioner_client.get(f"/burden/?{args}").text
    shown = html.split('data-testid="team-shares"')[1].split("</table>")[0]
    by_team = burden(BurdenFilter(date(2026, 2, 10), date(2026, 3, 20)), ("team",))
    assert [t for t in (row.key[0] for row in by_team.rows) if f'data-key="{t}"' in shown] == [r.key[0] for r in by_team.rows[:2]]
    assert f'href="/burden/teams?{args}"' in html.replace("&amp;", "&")

    shares = management_shares(by_team.filter, table=by_team)
    listed = {}
    for number in (1, 2):
        page = commissioner_client.get(f"/burden/teams?{args}&page={number}")
        assert page.status_code == 200
        for row in by_team.rows:
            if f'data-key="{row.key[0]}"' in page.text:
                listed[row.key[0]] = cell(page.text, "team-shares", row.key[0], "share")
    assert listed == {row.key[0]: share_text(shares.of(row.key[0])) for row in by_team.rows}
    assert 'data-testid="page-info">Page 2 of 2 (3 teams)' in commissioner_client.get(f"/burden/teams?{args}&page=9").text


def test_lists_behind_the_dashboard_are_for_commissioners_and_admins(manager_client, admin_client):
    for url in ("/burden/teams", "/burden/hotspots", "/burden/per-request", "/licences/unlicensed"):
        assert manager_client.get(url).status_code == 404
        assert admin_client.get(url).status_code == 200
        assert admin_client.get(url + "?from=2026-03-31&to=2026-03-01").status_code == 400


def test_hotspots_beyond_the_first_are_on_their_own_pages(app, db, spread, make_entry, commissioner_client, monkeypatch):
    """Three teams of 0.1 FTE, each well over 20 % of it: the dashboard shows one, the list all three, in order."""
    monkeypatch.setattr(hotspots, "FIRST_SHOWN", 1)
    monkeypatch.setattr(views, "PER_PAGE", 2)
    admin, teams, requests = spread["admin"], spread["teams"], spread["requests"]
    start, _ = hotspot_window(local_today())
    for n, team in enumerate(teams):
        record(db, admin, team, "0.1", start - timedelta(days=400))
        for request in requests:
            make_entry(admin, team, request, occurred_on=start + timedelta(days=n), minutes=600 * (n + 1))
    everyone = find_hotspots(local_today())
    assert everyone.count == 3 and [h.team for h in everyone.teams] == ["County team", "South ward", "North ward"]
    first = find_hotspots(local_today(), shown=slice(0, 1))
    assert first.count == 3 and first.more == 2 and [h.team_id for h in first.teams] == [everyone.teams[0].team_id]
    assert first.teams[0].top_requests == everyone.teams[0].top_requests and first.teams[0].trend == everyone.teams[0].trend
    html = commissioner_client.get("/burden/").text
    assert html.count('data-testid="hotspot"') == 1 and 'data-testid="hotspots-link"' in html
    workspace = commissioner_client.get("/workspace/").text  # folds the same first hotspots under its ranking
    assert workspace.count('data-testid="hotspot"') == 1 and 'data-testid="hotspots-link"' in workspace
    assert "Hotspots: 3 teams" in workspace
    pages = [commissioner_client.get(f"/burden/hotspots?page={n}").text for n in (1, 2, 3)]
    listed = [int(t) for page in pages[:2] for t in re.findall(r'data-testid="hotspot" data-team-id="(\d+)"', page)]
    assert listed == [h.team_id for h in everyone.teams]
    assert pages[2].count('data-testid="hotspot"') == 1  # past the end: the last page
