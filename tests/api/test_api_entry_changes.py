"""The JSON API: changing and deleting entries, and optimistic concurrency (ETag / If-Match)."""
from __future__ import annotations

import pytest

from tests.api_support import (  # noqa: F401  (fixtures, with the ones they use)
    manager, colleague, other_manager, manager_api, lead_api, commissioner_api,
    admin_api, other_api, sitrep, own_entry, other_entry,
)
from tests.api_support import BAD_ENTRY_FIELDS, row_counts, audit_events, entry_payload, assert_field_error
from tracker.models.entries import Entry


# ---- entries: changing -------------------------------------------------------


def test_manager_changes_their_entry_audited(db, manager_api, own_entry):
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 120, "used": "no"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["minutes"], body["hours"], body["used"], body["notes"]) == (120, 2.0, "no", "mine")
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).minutes == 120
    [event] = audit_events(db, "entry", own_entry.id, "update")
    assert (event.old, event.new) == ({"minutes": 90, "used": "yes"}, {"minutes": 120, "used": "no"})
    assert event.user_id == manager_api.user.id


def test_an_entry_keeps_its_request_after_the_request_is_retired(db, manager_api, own_entry, sitrep):
    sitrep.status = "retired"
    db.session.commit()
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"notes": "late correction"})
    assert response.status_code == 200 and response.get_json()["request_id"] == sitrep.id


@pytest.mark.parametrize("overrides, field", [o for o in BAD_ENTRY_FIELDS if None not in o[0].values()])
def test_bad_change_is_400_and_the_entry_is_unchanged(db, manager_api, own_entry, overrides, field):
    before = row_counts(db)
    assert_field_error(manager_api.patch(f"/api/v1/entries/{own_entry.id}", overrides), field)
    db.session.expire_all()
    assert row_counts(db) == before
    entry = db.session.get(Entry, own_entry.id)
    assert (entry.minutes, entry.band, entry.notes) == (90, "5", "mine")


def test_a_manager_cannot_move_an_entry_to_another_team(db, manager_api, own_entry, other_team):
    assert manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"team_id": other_team.id}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).team_id == own_entry.team_id


def assert_neither_changed_nor_deleted(db, api, entry, minutes):
    """PATCH and DELETE both answer 404 and the entry stays as it was."""
    url = f"/api/v1/entries/{entry.id}"
    assert api.patch(url, {"minutes": minutes + 1}).status_code == 404
    assert api.delete(url).status_code == 404
    db.session.expire_all()
    found = db.session.get(Entry, entry.id)
    assert found.minutes == minutes and found.deleted_at is None


def test_a_colleagues_entry_is_readable_but_not_changeable_by_a_manager(db, make_entry, manager_api, colleague, team, sitrep):
    theirs = make_entry(colleague, team, sitrep, minutes=15)
    url = f"/api/v1/entries/{theirs.id}"
    assert manager_api.get(url).status_code == 200
    assert_neither_changed_nor_deleted(db, manager_api, theirs, minutes=15)


def test_a_lead_changes_any_entry_of_their_team(lead_api, own_entry):
    response = lead_api.patch(f"/api/v1/entries/{own_entry.id}", {"notes": "checked by lead"})
    assert response.status_code == 200 and response.get_json()["notes"] == "checked by lead"


def test_commissioner_can_neither_change_nor_delete(db, commissioner_api, own_entry):
    assert_neither_changed_nor_deleted(db, commissioner_api, own_entry, minutes=90)


def test_admin_changes_any_entry(admin_api, other_entry):
    assert admin_api.patch(f"/api/v1/entries/{other_entry.id}", {"band": "7"}).get_json()["band"] == "7"


def test_patch_with_a_body_that_is_not_json_is_400(manager_api, own_entry):
    assert_field_error(manager_api.patch(f"/api/v1/entries/{own_entry.id}", data="minutes=5"), "body")


# ---- entries: deleting -------------------------------------------------------


def test_delete_is_recorded_not_physical(db, manager_api, manager, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    response = manager_api.delete(url)
    assert response.status_code == 204 and response.data == b""
    db.session.expire_all()
    row = db.session.get(Entry, own_entry.id)
    assert row is not None and row.deleted_at is not None and row.deleted_by_id == manager.id
    [event] = audit_events(db, "entry", own_entry.id, "delete")
    assert event.user_id == manager.id and event.old["minutes"] == 90
    # Gone from every route.
    assert manager_api.get(url).status_code == 404
    assert manager_api.patch(url, {"minutes": 5}).status_code == 404
    assert manager_api.delete(url).status_code == 404
    assert manager_api.get("/api/v1/entries").get_json()["total"] == 0


# ---- entries: optimistic concurrency (ETag / If-Match) -------------------------


def test_every_answer_holding_an_entry_names_its_version(db, manager_api, team, sitrep):
    created = manager_api.post("/api/v1/entries", entry_payload(team, sitrep))
    assert created.status_code == 201 and created.headers["ETag"] == f'"{created.get_json()["id"]}-1"'
    url = f"/api/v1/entries/{created.get_json()['id']}"
    assert manager_api.get(url).headers["ETag"] == created.headers["ETag"]
    changed = manager_api.patch(url, {"minutes": 50})
    assert changed.status_code == 200 and changed.headers["ETag"] != created.headers["ETag"]
    assert manager_api.get(url).headers["ETag"] == changed.headers["ETag"]


def test_a_change_with_the_current_etag_is_made(db, manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 61}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.get_json()["minutes"] == 61


def test_a_change_with_a_stale_etag_is_412_and_nothing_is_written(db, manager_api, lead_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    assert lead_api.patch(url, {"notes": "checked by lead"}).status_code == 200  # someone else saves first
    before = row_counts(db)
    for response in (
        manager_api.patch(url, {"minutes": 5}, headers={"If-Match": etag}),
        manager_api.delete(url, headers={"If-Match": etag}),
    ):
        assert response.status_code == 412
        assert set(response.get_json()) == {"message"} and "ETag" in response.get_json()["message"]
    db.session.expire_all()
    entry = db.session.get(Entry, own_entry.id)
    assert (entry.minutes, entry.notes, entry.deleted_at) == (90, "checked by lead", None)
    assert row_counts(db) == before
    # Read again, then the change goes through.
    fresh = manager_api.get(url).headers["ETag"]
    assert manager_api.delete(url, headers={"If-Match": fresh}).status_code == 204


@pytest.mark.parametrize("if_match", ['W/"{id}-1"', '"{other}-1"', '"nonsense"', '"{id}-99"'])
def test_an_if_match_that_names_no_current_version_is_412(db, manager_api, own_entry, other_entry, if_match):
    header = if_match.format(id=own_entry.id, other=other_entry.id)
    response = manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 5}, headers={"If-Match": header})
    assert response.status_code == 412, response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Entry, own_entry.id).minutes == 90


def test_if_match_star_or_a_list_holding_the_current_etag_is_accepted(manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    assert manager_api.patch(url, {"minutes": 70}, headers={"If-Match": "*"}).status_code == 200
    current = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 71}, headers={"If-Match": f'"{own_entry.id}-1", {current}'})
    assert response.status_code == 200


def test_a_patch_that_changes_nothing_keeps_the_version(manager_api, own_entry):
    url = f"/api/v1/entries/{own_entry.id}"
    etag = manager_api.get(url).headers["ETag"]
    response = manager_api.patch(url, {"minutes": 90}, headers={"If-Match": etag})
    assert response.status_code == 200 and response.headers["ETag"] == etag


def test_the_audit_trail_records_the_change_not_the_version(db, manager_api, own_entry):
    manager_api.patch(f"/api/v1/entries/{own_entry.id}", {"minutes": 91})
    [event] = audit_events(db, "entry", own_entry.id, "update")
    assert (event.old, event.new) == ({"minutes": 90}, {"minutes": 91})
