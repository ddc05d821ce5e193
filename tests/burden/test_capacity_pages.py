"""Capacity and share of management time on the pages: recording it, the dashboards, and nobody
seeing another team's capacity or share."""
from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from tests.capacity_support import mid_month_change, record
from tracker.models.capacity import TeamCapacity


def _field(html: str, testid: str) -> str:
    match = re.search(rf'data-testid="{testid}"[^>]*>(.*?)</', html, re.S)
    assert match, testid
    return match.group(1)


def test_a_lead_records_their_teams_capacity_and_a_manager_cannot(db, team, lead_client, manager_client):
    page = lead_client.get(f"/burden/teams/{team.id}/capacity")
    assert page.status_code == 200 and 'data-testid="capacity-form"' in page.text
    bad = lead_client.post(f"/burden/teams/{team.id}/capacity", data={"fte": "0", "effective_from": "2026-03-01"})
    assert bad.status_code == 400 and "more than 0 and at most 1,000" in bad.text
    done = lead_client.post(f"/burden/teams/{team.id}/capacity", data={"fte": "2.5", "effective_from": "2026-03-01"})
    assert done.status_code == 302
    again = lead_client.post(f"/burden/teams/{team.id}/capacity", data={"fte": "3", "effective_from": "2026-03-01"})
    assert again.status_code == 400 and "A capacity is never changed" in again.text
    assert [c.fte for c in db.session.scalars(select(TeamCapacity))] == [2.5]
    shown = manager_client.get(f"/burden/teams/{team.id}/capacity")
    assert shown.status_code == 200 and "2.5" in shown.text and 'data-testid="capacity-form"' not in shown.text
    assert manager_client.post(f"/burden/teams/{team.id}/capacity", data={"fte": "9", "effective_from": "2026-05-01"}).status_code == 404
    assert db.session.scalar(select(TeamCapacity.fte).where(TeamCapacity.effective_from == date(2026, 5, 1))) is None


def test_another_teams_capacity_page_is_not_found(db, team, other_team, lead_client, make_user):
    record(db, make_user("admin"), other_team, "7", date(2026, 1, 1))
    assert lead_client.get(f"/burden/teams/{other_team.id}/capacity").status_code == 404
    assert lead_client.post(f"/burden/teams/{other_team.id}/capacity", data={"fte": "1", "effective_from": "2026-02-01"}).status_code == 404
    assert lead_client.get("/burden/teams/999999/capacity").status_code == 404


def test_the_admin_team_page_has_a_capacity_section_that_records_one(db, team, admin_client):
    page = admin_client.get(f"/admin/teams/{team.id}")
    assert 'data-testid="capacity-section"' in page.text and 'data-testid="capacity-none"' in page.text
    done = admin_client.post(f"/burden/teams/{team.id}/capacity", data={"fte": "4", "effective_from": "2026-04-16", "back": "admin"})
    assert done.status_code == 302 and done.headers["Location"].endswith(f"/admin/teams/{team.id}#capacity")
    page = admin_client.get(f"/admin/teams/{team.id}")
    assert "16 April 2026" in _field(page.text, "capacity-history") or "16 April 2026" in page.text


def test_the_team_dashboard_headline_and_trend_give_the_exact_share(db, team, other_team, lead_client, make_user, make_entry, make_request):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    record(db, admin, other_team, "1", date(2026, 1, 1))
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 7), minutes=5000)
    page = lead_client.get("/burden/?from=2025-05-01&to=2026-04-30")
    assert page.status_code == 200
    headline = re.sub(r"\s+", " ", _field(page.text, "share-headline") + page.text.split('data-testid="share-headline"')[1][:600])
    assert "10.0%" in headline and "0.0%" in headline  # April 48 h of 482.14; March 0 h of 332.14
    trend = page.text.split('data-testid="trend"')[1].split("</table>")[0]
    april = trend.split('data-key="2026-04"')[1].split("</tr>")[0]
    assert 'data-field="share">10.0%' in april
    feb = trend.split('data-key="2026-02"')[1].split("</tr>")[0]
    assert "capacity not recorded" in feb
    assert other_team.name not in page.text and "83.33" not in page.text  # the other team's 5,000 minutes
    assert f"/burden/teams/{team.id}/capacity" in page.text


def test_the_commissioners_dashboard_shows_each_team_and_sector(db, team, other_team, commissioner_client, make_user, make_entry, make_request):
    admin = make_user("admin")
    request = mid_month_change(db, make_entry, make_request, admin, team)
    make_entry(admin, other_team, request, occurred_on=date(2026, 4, 7), minutes=600)
    page = commissioner_client.get("/burden/?from=2026-04-01&to=2026-04-30")
    assert page.status_code == 200
    teams = page.text.split('data-testid="team-shares"')[1].split("</table>")[0]
    ours = teams.split(f'data-key="{team.id}"')[1].split("</tr>")[0]
    assert "482.14" in ours and 'data-field="share">10.0%' in ours
    theirs = teams.split(f'data-key="{other_team.id}"')[1].split("</tr>")[0]
    assert "capacity not recorded" in theirs
    sectors = page.text.split('data-testid="sector-shares"')[1].split("</table>")[0]
    nhs = sectors.split('data-key="nhs_trust"')[1].split("</tr>")[0]
    assert "1 of 1" in nhs and "10.0%" in nhs
    assert "capacity not recorded" in sectors.split('data-key="local_authority"')[1].split("</tr>")[0]
    assert "over 1 of 2 teams" in page.text
