"""The name rule: team and source names, and request titles within their source, are the
same name when they differ only in case and spacing. One rule (tracker/shared/names.py),
one validator (tracker/catalogue/names.py), held by the database's unique key indexes."""
from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from tracker.models.catalogue import Request, Source, Team
from tracker.shared.names import name_key, tidy_name


@pytest.mark.parametrize(
    "a, b",
    [
        ("Northshire ICB", "northshire icb"),
        ("  Northshire   ICB ", "NORTHSHIRE ICB"),
        ("Northshire\tICB", "Northshire\u00a0ICB"),  # a tab and a non-breaking space are spacing too
        ("Straße Trust", "STRASSE trust"),  # case-folded, not just lower-cased
    ],
)
def test_look_alikes_share_a_key(a, b):
    assert name_key(a) == name_key(b)


def test_different_names_have_different_keys():
    assert name_key("Northshire ICB") != name_key("Southshire ICB")
    assert tidy_name("  Weekly   sitrep \n") == "Weekly sitrep"


def test_the_database_refuses_a_look_alike_whoever_writes_it(db, make_source):
    make_source("Northshire ICB")
    db.session.add(Source(name="northshire  icb", kind="other"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_names_are_stored_tidy_with_their_key(db, make_team):
    team = make_team("  Community   Nursing North ")
    assert (team.name, team.name_key) == ("Community Nursing North", "community nursing north")
    assert Team.named("COMMUNITY nursing  north").id == team.id


def test_a_request_title_is_unique_within_its_source_only(db, make_source, make_request):
    one, two = make_source("Northshire ICB"), make_source("Care Quality Commission")
    sitrep = make_request("Weekly sitrep", source=one)
    assert Request.titled(one.id, "weekly  SITREP").id == sitrep.id
    assert Request.titled(two.id, "weekly sitrep") is None
    make_request("weekly sitrep", source=two)  # another source may ask the same
    db.session.add(Request(title="WEEKLY SITREP", source=one, frequency="weekly", obligation="statutory", description=""))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_the_catalogue_page_refuses_a_look_alike_source(manager_client, db, make_source):
    make_source("Northshire ICB")
    response = manager_client.post("/catalogue/sources/new", data={"name": "northshire   icb", "kind": "commissioner"})
    assert response.status_code == 400
    assert "A source called &#39;Northshire ICB&#39; already exists" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Source)) == 1


def test_the_api_refuses_look_alikes_by_the_field(api_for, make_user, team, db, make_source, make_request):
    api = api_for(make_user("manager", [team]))
    icb = make_source("Northshire ICB")
    make_request("Weekly sitrep", source=icb)
    source = api.post("/api/v1/sources", {"name": " NORTHSHIRE icb", "kind": "commissioner"})
    assert source.status_code == 400 and "already exists" in source.get_json()["errors"]["name"][0]
    request = api.post("/api/v1/requests", {"title": "weekly   Sitrep", "source_id": icb.id, "frequency": "weekly",
                                            "obligation": "statutory"})
    assert request.status_code == 400 and "already in the catalogue" in request.get_json()["errors"]["title"][0]
    assert db.session.scalar(select(func.count()).select_from(Request)) == 1


def test_admin_may_keep_a_teams_own_name_in_another_case(admin_client, db, make_team):
    team = make_team("Community Nursing North")
    response = admin_client.post(
        f"/admin/teams/{team.id}", data={"name": "community nursing NORTH", "organisation": "X", "sector": "nhs_trust"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Team, team.id).name == "community nursing NORTH"


def test_create_user_finds_a_team_by_its_look_alike(app, db, make_team):
    from tracker.auth.commands import create_user

    team = make_team("Community Nursing North")
    user = create_user("new@example.nhs.uk", "manager", ["community  nursing north"], "a long password")
    assert [m.team_id for m in user.memberships] == [team.id]
