"""Hotspots: teams whose share of management time over the last three whole months is at least
HOTSPOT_SHARE, on the commissioner's dashboard, in the workspace, in the review digest and the API."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from fractions import Fraction

import pytest

from tests.capacity_support import record
from tracker.burden.hotspots import find_hotspots, hotspot_window
from tracker.config import ConfigError
from tracker.shared.timeutil import local_today


@pytest.fixture
def hot(db, team, other_team, make_user, make_request, make_entry):
    """`team`: 1 FTE, 120 hours over the window (a hotspot); `other_team`: 10 FTE, 10 hours (not one)."""
    admin = make_user("admin")
    start, end = hotspot_window(local_today())
    record(db, admin, team, "1", start - timedelta(days=400))
    record(db, admin, other_team, "10", start - timedelta(days=400))
    requests = [make_request(f"Return {n}") for n in range(4)]
    for n, minutes in enumerate((3000, 2400, 1200, 600)):  # 50 + 40 + 20 + 10 = 120 hours
        make_entry(admin, team, requests[n], occurred_on=start + timedelta(days=n), minutes=minutes)
    make_entry(admin, other_team, requests[0], occurred_on=end, minutes=600)
    make_entry(admin, team, requests[3], occurred_on=end + timedelta(days=1), minutes=6000)  # this month: outside
    days = (end - start).days + 1
    return {"team": team, "other": other_team, "requests": requests, "share": Fraction(120) / (Fraction(75, 14) * days)}


def test_a_team_at_or_over_the_threshold_is_a_hotspot_with_its_costliest_requests(app, hot):
    found = find_hotspots(local_today())
    assert [h.team_id for h in found.teams] == [hot["team"].id]
    spot = found.teams[0]
    assert spot.share.ratio == hot["share"] and spot.share.hours == 120
    assert [row.key[1] for row in spot.top_requests] == [r.id for r in hot["requests"][:3]]
    assert len(spot.trend) == 12 and spot.trend[-1][0] == f"{hotspot_window(local_today())[1]:%Y-%m}"
    assert sum(s.minutes for _, _, s in spot.trend) == 120 * 60
    assert find_hotspots(local_today(), threshold=Decimal("0.9")).teams == []
    assert find_hotspots(local_today(), threshold=Decimal("0.2461")).teams  # 16/65 = 0.24615…
    assert not find_hotspots(local_today(), threshold=Decimal("0.2462")).teams


def test_the_commissioners_dashboard_and_the_workspace_list_them(hot, commissioner_client):
    for url in ("/burden/", "/workspace/"):
        page = commissioner_client.get(url)
        assert page.status_code == 200
        section = page.text.split('data-testid="hotspots-section"')[1].split("</section>")[0]
        assert hot["team"].name in section and hot["other"].name not in section
        assert "Return 0" in section and "Return 3" not in section.split('data-testid="hotspot-trend"')[0]


def test_a_managers_dashboard_shows_no_other_teams_hotspot(hot, make_user, app):
    from tests.conftest import AuthActions

    manager = make_user("manager", [hot["other"]])
    client = app.test_client()
    AuthActions(client).login(manager.email)
    page = client.get("/burden/")
    assert page.status_code == 200 and hot["team"].name not in page.text


def test_the_review_digest_names_the_hotspots(app, hot, make_user):
    from tracker.workspace.digest import digest_message

    reader = make_user("commissioner", name="Cora Commissioner")
    body = digest_message(reader, local_today().replace(day=1), [], "burden@example.nhs.uk").get_content()
    section = body.split("Hotspots:")[1]
    assert f"- {hot['team'].name}: {float(hot['share']) * 100:.1f}%" in section
    assert "Return 0 (50.0 hours" in section and hot["other"].name not in section


def test_the_threshold_is_a_setting(make_app, hot):
    app = make_app(HOTSPOT_SHARE="0.9")
    with app.app_context():
        assert app.config["HOTSPOT_SHARE"] == Decimal("0.9") and find_hotspots(local_today()).teams == []
    for bad in ("0", "1.5", "lots"):
        with pytest.raises(ConfigError, match="HOTSPOT_SHARE"):
            make_app(HOTSPOT_SHARE=bad)
