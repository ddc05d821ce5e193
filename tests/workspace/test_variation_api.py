"""Variation between teams and the teams' methods over the API: the worked example's figures, and a
manager who never learns another team's id or name."""
from __future__ import annotations

import pytest

from tests.variation_support import expected_saving_cost
from tracker.api.serialise import pounds


def test_a_commissioner_reads_every_teams_figures(db, api_for, variation_example):
    ex = variation_example
    body = api_for(ex.commissioner).get(f"/api/v1/requests/{ex.request.id}/variation").get_json()
    teams = {t["team_id"]: t for t in body["teams"]}
    assert {t.id: teams[t.id]["hours_per_response"] for t in ex.teams} == {ex.a.id: 1, ex.b.id: 2, ex.c.id: 4, ex.d.id: 1.5}
    assert body["median_hours_per_response"] == 1.75
    assert [teams[t.id]["flagged"] for t in ex.teams] == [False, False, True, False]
    assert [teams[t.id]["responses"] for t in ex.teams] == [10, 10, 5, 8]
    assert teams[ex.c.id]["ratio_to_median"] == pytest.approx(4 / 1.75, abs=1e-4)
    assert body["variation_saving_hours"] == 13.75
    assert body["variation_saving_cost"] == pounds(expected_saving_cost(db, ex.today))
    assert body["scope"] == "all_teams"


def test_the_ranked_list_sorts_by_the_variation_saving(db, api_for, variation_example, make_request):
    ex = variation_example
    make_request("Nobody logs this")
    body = api_for(ex.commissioner).get("/api/v1/requests?sort=-variation_saving_hours").get_json()
    first = body["items"][0]
    assert first["id"] == ex.request.id and first["variation_saving_hours"] == 13.75
    assert first["variation_saving_cost"] == pounds(expected_saving_cost(db, ex.today))
    assert all(item["variation_saving_hours"] is None for item in body["items"][1:])


def test_a_manager_sees_their_team_and_only_positions_of_the_others(db, api_for, variation_example):
    ex = variation_example
    response = api_for(ex.manager_c).get(f"/api/v1/requests/{ex.request.id}/variation")
    body = response.get_json()
    assert [t["label"] for t in body["teams"]] == ["Team 1 of 4", "Team 2 of 4", "Team 3 of 4", ex.c.name]
    assert [t["team_id"] for t in body["teams"]] == [None, None, None, ex.c.id]
    assert [t["hours_per_response"] for t in body["teams"]] == [1, 1.5, 2, 4]
    assert all(t["hours"] is None and t["responses"] is None for t in body["teams"][:3])
    assert body["scope"] == "your_teams" and body["variation_saving_hours"] == 11.25  # its own saving only
    text = response.get_data(as_text=True)
    for other in (ex.a, ex.b, ex.d):
        assert other.name not in text and f'"team_id": {other.id}' not in text.replace('":', '": ')


def test_methods_through_the_api(db, api_for, variation_example):
    ex = variation_example
    writer = api_for(ex.manager_c)
    created = writer.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": "By hand"},
                                headers=writer._headers())
    assert created.status_code == 201 and created.get_json()["hours_per_response"] == 4
    etag = created.headers["ETag"]
    changed = writer.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": "By macro"},
                                headers=writer._headers({"If-Match": etag}))
    assert changed.status_code == 200 and changed.get_json()["version"] == 2
    stale = writer.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": "Old copy"},
                              headers=writer._headers({"If-Match": etag}))
    assert stale.status_code == 412
    assert writer.get(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}").get_json()["text"] == "By macro"
    bad = writer.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": 5}, headers=writer._headers())
    assert bad.status_code == 400 and "text" in bad.get_json()["errors"]
    empty = writer.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": " "}, headers=writer._headers())
    assert empty.status_code == 400 and "text" in empty.get_json()["errors"]
    other = api_for(ex.manager_a)
    assert other.get(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}").status_code == 404
    assert other.client.put(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}", json={"text": "x"},
                            headers=other._headers()).status_code == 404
    listed = other.get(f"/api/v1/requests/{ex.request.id}/methods").get_json()["items"]
    assert listed == [{"team_id": None, "label": "Team 4 of 4", "hours_per_response": 4, "text": "By macro",
                       "updated_at": listed[0]["updated_at"]}]
    assert api_for(ex.commissioner).get(f"/api/v1/requests/{ex.request.id}/methods/{ex.c.id}").get_json()["team"] == ex.c.name
