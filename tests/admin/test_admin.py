"""Admin pages: only admins; users, teams and sources changed with an audit event each, never deleted; the audit trail."""
from __future__ import annotations

import json

import pytest
from flask import url_for
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.auth.access import loggable_teams
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Source, Team
from tests.conftest import PASSWORD, AuthActions

NEW_PASSWORD = "a much longer passphrase"


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events(db, entity, entity_id=None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    return list(db.session.scalars(query))


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


def user_by_email(db, email) -> User | None:
    db.session.expire_all()
    return db.session.scalar(select(User).where(User.email == email))


def admin_paths(team_id, user_id, source_id):
    return [
        "/admin/",
        "/admin/users",
        "/admin/users/new",
        f"/admin/users/{user_id}",
        "/admin/teams",
        "/admin/teams/new",
        f"/admin/teams/{team_id}",
        "/admin/sources",
        f"/admin/sources/{source_id}",
        "/admin/audit",
    ]


# ---- who may see the admin pages ---------------------------------------------------


def test_admin_sees_every_admin_page(admin_client, team, make_source):
    source = make_source()
    for path in admin_paths(team.id, admin_client.user.id, source.id):
        response = admin_client.get(path)
        assert response.status_code == 200, path


@pytest.mark.parametrize("client_name", ("manager_client", "lead_client", "commissioner_client"))
def test_admin_pages_do_not_exist_for_other_roles(request, db, client_name, team, make_source):
    client = request.getfixturevalue(client_name)
    source = make_source("Untouched source")
    for path in admin_paths(team.id, client.user.id, source.id):
        assert client.get(path).status_code == 404, path
    before = count(db, AuditEvent)
    posts = [
        ("/admin/users/new", {"email": "sneaky@example.nhs.uk", "name": "Sneaky", "role": "admin", "password": NEW_PASSWORD}),
        (f"/admin/users/{client.user.id}", {"name": "Promoted", "role": "admin"}),
        (f"/admin/users/{client.user.id}/deactivate", {}),
        ("/admin/teams/new", {"name": "Rogue team", "organisation": "Rogue", "sector": "other"}),
        (f"/admin/teams/{team.id}", {"name": "Renamed", "organisation": "X", "sector": "other"}),
        (f"/admin/teams/{team.id}/deactivate", {}),
        (f"/admin/sources/{source.id}", {"name": "Renamed source", "kind": "other"}),
    ]
    for path, data in posts:
        assert client.post(path, data=data).status_code == 404, path
    assert count(db, AuditEvent) == before
    assert user_by_email(db, "sneaky@example.nhs.uk") is None
    assert reload(db, client.user).role != "admin"
    assert reload(db, team).name == "Community Nursing North" and reload(db, team).active
    assert reload(db, source).name == "Untouched source"


def test_admin_link_only_in_the_admin_header(admin_client, manager_client):
    assert 'href="/admin/"' in admin_client.get("/catalogue/requests").get_data(as_text=True)
    assert 'href="/admin/"' not in manager_client.get("/catalogue/requests").get_data(as_text=True)


def test_index_links_to_everything(app, admin_client):
    html = admin_client.get("/admin/").get_data(as_text=True)
    with app.test_request_context():
        rates = url_for("burden.rates") if "burden.rates" in app.view_functions else "/admin/rates"
    for path in ("/admin/users", "/admin/teams", "/admin/sources", "/admin/audit", rates, "/catalogue/requests"):
        assert f'href="{path}' in html, path


# ---- users ----------------------------------------------------------------------


def test_create_user_with_team_roles(admin_client, db, team, other_team):
    response = admin_client.post(
        "/admin/users/new",
        data={
            "email": "Nina.Nurse@Example.NHS.uk",
            "name": "Nina Nurse",
            "role": "lead",
            "password": NEW_PASSWORD,
            f"team_roles-{team.id}": "lead",
            f"team_roles-{other_team.id}": "manager",
        },
    )
    assert response.status_code == 302
    user = user_by_email(db, "nina.nurse@example.nhs.uk")
    assert user is not None and user.role == "lead" and user.active
    assert {m.team_id: m.role for m in user.memberships} == {team.id: "lead", other_team.id: "manager"}

    [event] = events(db, "user", user.id)
    assert event.action == "create" and event.user_id == admin_client.user.id
    assert event.new["email"] == "nina.nurse@example.nhs.uk" and event.new["role"] == "lead"
    assert event.new["memberships"] == {team.name: "lead", other_team.name: "manager"}
    assert event.new["password"] == "(changed)"
    assert "password_hash" not in event.new and user.password_hash not in json.dumps(event.new)

    listing = admin_client.get("/admin/users").get_data(as_text=True)
    assert "Nina Nurse" in listing and "Community Nursing North (lead)" in listing

    # the new account works
    fresh = admin_client.application.test_client()
    assert AuthActions(fresh).login("nina.nurse@example.nhs.uk", NEW_PASSWORD).status_code == 302


@pytest.mark.parametrize(
    "changes, field, message",
    [
        ({"email": "ADMIN@example.nhs.uk"}, "email", "A user with that email address already exists"),
        ({"email": "not-an-email"}, "email", "Enter an email address like name@example.nhs.uk"),
        ({"email": ""}, "email", "Enter the person&#39;s email address"),
        ({"name": "   "}, "name", "Enter the person&#39;s name"),
        ({"password": "short"}, "password", "The password must be at least 10 characters"),
        ({"password": ""}, "password", "Enter a password of at least 10 characters"),
        ({"role": "superuser"}, "role", "Choose a role"),
        ({"team_roles-TEAM": ""}, "team_roles", "A manager needs a role on at least one team"),
        ({"team_roles-TEAM": "owner"}, "team_roles", "For each team choose no role, manager or lead"),
        ({"team_roles-999999": "manager"}, "team_roles", "Choose roles only on the teams listed"),
    ],
)
def test_bad_user_input_says_why_and_writes_nothing(admin_client, db, team, changes, field, message):
    data = {"email": "new.person@example.nhs.uk", "name": "New Person", "role": "manager", "password": NEW_PASSWORD, f"team_roles-{team.id}": "manager"}
    for key, value in changes.items():
        data[key.replace("TEAM", str(team.id))] = value
    users, audits = count(db, User), count(db, AuditEvent)
    response = admin_client.post("/admin/users/new", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html and f'href="#{field}"' in html
    assert html.count(message) >= 2  # in the summary and by the field
    assert count(db, User) == users and count(db, AuditEvent) == audits
    assert NEW_PASSWORD not in html  # a typed password is never echoed back


def test_edit_user_records_old_and_new(admin_client, db, make_user, team, other_team):
    user = make_user("manager", [team], email="mo@example.nhs.uk", name="Mo Manager")
    old_hash = user.password_hash
    response = admin_client.post(
        f"/admin/users/{user.id}",
        data={"name": "Mo Lead", "role": "lead", f"team_roles-{team.id}": "", f"team_roles-{other_team.id}": "lead", "password": NEW_PASSWORD},
    )
    assert response.status_code == 302
    user = reload(db, user)
    assert user.name == "Mo Lead" and user.role == "lead"
    assert {m.team_id: m.role for m in user.memberships} == {other_team.id: "lead"}
    assert user.check_password(NEW_PASSWORD) and user.email == "mo@example.nhs.uk"

    [event] = events(db, "user", user.id)
    assert event.action == "update"
    assert event.old == {"name": "Mo Manager", "role": "manager", "memberships": {team.name: "manager"}, "password": "(changed)"}
    assert event.new == {"name": "Mo Lead", "role": "lead", "memberships": {other_team.name: "lead"}, "password": "(changed)"}
    trail = json.dumps([e.old for e in events(db, "user")] + [e.new for e in events(db, "user")])
    assert old_hash not in trail and user.password_hash not in trail

    # the audit trail page reads as a change
    html = admin_client.get("/admin/audit?entity=user").get_data(as_text=True)
    assert "Mo Manager → Mo Lead" in html and "Manager → Lead" in html


def test_saving_without_changes_writes_no_event(admin_client, db, make_user, team):
    user = make_user("manager", [team], name="Steady State")
    admin_client.post(f"/admin/users/{user.id}", data={"name": "Steady State", "role": "manager", f"team_roles-{team.id}": "manager", "password": ""})
    assert events(db, "user", user.id) == []
    assert reload(db, user).check_password(PASSWORD)  # a blank password keeps the old one


def test_edit_user_validation(admin_client, db, make_user, team):
    user = make_user("manager", [team], name="Val Id")
    response = admin_client.post(f"/admin/users/{user.id}", data={"name": "", "role": "manager", f"team_roles-{team.id}": "manager", "password": "tiny"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the person&#39;s name" in html and "The password must be at least 10 characters" in html
    assert reload(db, user).name == "Val Id" and events(db, "user", user.id) == []


def test_admin_cannot_lock_themselves_out(admin_client, db):
    me = admin_client.user
    response = admin_client.post(f"/admin/users/{me.id}", data={"name": "Ada Admin", "role": "commissioner"})
    assert response.status_code == 400
    assert "You cannot change your own role" in response.get_data(as_text=True)
    admin_client.post(f"/admin/users/{me.id}/deactivate")
    me = reload(db, me)
    assert me.role == "admin" and me.active
    assert events(db, "user", me.id) == []


def test_deactivated_user_cannot_sign_in_and_is_never_deleted(app, admin_client, db, make_user, team):
    user = make_user("manager", [team], email="leaver@example.nhs.uk")
    their_client = app.test_client()
    assert AuthActions(their_client).login(user.email).status_code == 302
    assert their_client.get("/catalogue/requests").status_code == 200

    assert admin_client.post(f"/admin/users/{user.id}/deactivate").status_code == 302
    user = reload(db, user)
    assert user is not None and user.active is False  # still there
    assert count(db, Membership) >= 1
    [event] = events(db, "user", user.id)
    assert (event.action, event.old, event.new) == ("deactivate", {"active": True}, {"active": False})

    # the open session ends and signing in again is refused
    assert their_client.get("/catalogue/requests").status_code == 302
    response = AuthActions(app.test_client()).login(user.email)
    assert response.status_code == 401
    assert "Deactivated" in admin_client.get("/admin/users").get_data(as_text=True)

    admin_client.post(f"/admin/users/{user.id}/reactivate")
    assert reload(db, user).active
    assert events(db, "user", user.id)[-1].action == "reactivate"
    assert AuthActions(app.test_client()).login(user.email).status_code == 302


def test_deactivated_user_token_stops_working(admin_client, db, make_user, team):
    from tracker.auth.commands import new_api_token

    user = make_user("manager", [team])
    token = new_api_token(user)
    db.session.commit()
    api = admin_client.application.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/catalogue/requests", headers=headers).status_code == 200
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    assert api.get("/catalogue/requests", headers=headers).status_code == 302


# ---- a user's API tokens and sessions --------------------------------------------------


def bearer(app, token):
    client = app.test_client()
    return lambda: client.get("/api/v1/teams", headers={"Authorization": f"Bearer {token}"}).status_code


def test_deactivation_revokes_the_users_tokens_for_good(app, admin_client, db, make_user, team):
    from tracker.auth.tokens import new_api_token

    user = make_user("manager", [team])
    tokens = [new_api_token(user), new_api_token(user)]
    db.session.commit()
    calls = [bearer(app, token) for token in tokens]
    assert [call() for call in calls] == [200, 200]
    admin_client.post(f"/admin/users/{user.id}/deactivate")
    [event] = events(db, "user", user.id)
    assert event.new == {"active": False, "api_tokens_revoked": 2}
    admin_client.post(f"/admin/users/{user.id}/reactivate")
    assert [call() for call in calls] == [401, 401]  # reactivation does not bring them back
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert html.count("Revoked ") == 2


def test_admin_lists_a_users_tokens_and_revokes_one(app, admin_client, db, make_user, team):
    from tracker.auth.tokens import new_api_token
    from tracker.models.auth import ApiToken

    user = make_user("manager", [team], name="Tok En")
    kept, lost = new_api_token(user), new_api_token(user)
    db.session.commit()
    keep_call, lose_call = bearer(app, kept), bearer(app, lost)
    assert keep_call() == 200
    lost_id = db.session.scalar(select(ApiToken.id).where(ApiToken.token_hash == ApiToken.hash(lost)))
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert 'data-testid="api-tokens"' in html and html.count("Revoke<span") == 2
    assert "Never" in html  # the lost token was never used
    assert kept not in html and lost not in html  # only ids are shown, never a token

    response = admin_client.post(f"/admin/users/{user.id}/tokens/{lost_id}/revoke")
    assert response.status_code == 302
    assert (keep_call(), lose_call()) == (200, 401)
    [event] = events(db, "user", user.id)
    assert (event.action, event.new, event.user_id) == ("revoke_token", {"api_token": lost_id}, admin_client.user.id)
    html = admin_client.get(f"/admin/users/{user.id}").get_data(as_text=True)
    assert html.count("Revoke<span") == 1 and "Revoked " in html
    # Revoking again changes nothing; a token of another user, or none, is 404.
    assert admin_client.post(f"/admin/users/{user.id}/tokens/{lost_id}/revoke").status_code == 302
    assert len(events(db, "user", user.id)) == 1
    other = make_user("manager", [team])
    assert admin_client.post(f"/admin/users/{other.id}/tokens/{lost_id}/revoke").status_code == 404
    assert admin_client.post(f"/admin/users/{user.id}/tokens/987654/revoke").status_code == 404


def test_only_admins_revoke_tokens_or_end_sessions(app, manager_client, db, make_user, team):
    from tracker.auth.tokens import new_api_token
    from tracker.models.auth import ApiToken

    user = make_user("manager", [team])
    token = new_api_token(user)
    db.session.commit()
    token_id = db.session.scalar(select(ApiToken.id).where(ApiToken.user_id == user.id))
    assert manager_client.post(f"/admin/users/{user.id}/tokens/{token_id}/revoke").status_code == 404
    assert manager_client.post(f"/admin/users/{user.id}/end-sessions").status_code == 404
    assert bearer(app, token)() == 200


def test_admin_signs_a_user_out_everywhere(app, admin_client, db, make_user, team):
    user = make_user("manager", [team])
    client = app.test_client()
    assert AuthActions(client).login(user.email).status_code == 302
    assert admin_client.post(f"/admin/users/{user.id}/end-sessions").status_code == 302
    assert client.get("/").status_code == 302
    assert events(db, "user", user.id)[-1].action == "end_sessions"
    # Not offered for the admin's own account (they sign out instead).
    me = admin_client.user
    assert "Sign out everywhere" not in admin_client.get(f"/admin/users/{me.id}").get_data(as_text=True)
    assert admin_client.post(f"/admin/users/{me.id}/end-sessions").status_code == 400


def test_unknown_user_is_404(admin_client):
    assert admin_client.get("/admin/users/999999").status_code == 404
    assert admin_client.post("/admin/users/999999/deactivate").status_code == 404


# ---- teams ----------------------------------------------------------------------


def test_create_edit_and_deactivate_a_team(admin_client, db, make_user):
    response = admin_client.post(
        "/admin/teams/new", data={"name": "Primary Care Network West", "organisation": "West PCN", "sector": "primary_care"}
    )
    assert response.status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Primary Care Network West"))
    assert team.slug == "primary-care-network-west" and team.active
    [created] = events(db, "team", team.id)
    assert created.action == "create" and created.new["sector"] == "primary_care"

    response = admin_client.post(
        f"/admin/teams/{team.id}", data={"name": "PCN West", "organisation": "West PCN", "sector": "voluntary"}
    )
    assert response.status_code == 302
    team = reload(db, team)
    assert team.name == "PCN West" and team.sector == "voluntary"
    assert team.slug == "primary-care-network-west"  # file names and links keep working
    updated = events(db, "team", team.id)[-1]
    assert updated.old == {"name": "Primary Care Network West", "sector": "primary_care"}
    assert updated.new == {"name": "PCN West", "sector": "voluntary"}

    manager = make_user("manager", [team])
    assert team.id in {t.id for t in loggable_teams(manager)}
    assert admin_client.post(f"/admin/teams/{team.id}/deactivate").status_code == 302
    team = reload(db, team)
    assert team is not None and team.active is False
    assert events(db, "team", team.id)[-1].new == {"active": False}
    assert team.id not in {t.id for t in loggable_teams(reload(db, manager))}
    assert "Deactivated" in admin_client.get("/admin/teams").get_data(as_text=True)

    admin_client.post(f"/admin/teams/{team.id}/reactivate")
    assert reload(db, team).active


def test_team_validation(admin_client, db, team):
    teams, audits = count(db, Team), count(db, AuditEvent)
    response = admin_client.post("/admin/teams/new", data={"name": "community nursing NORTH", "organisation": "X", "sector": "nhs_trust"})
    assert response.status_code == 400
    assert "A team called &#39;Community Nursing North&#39; already exists" in response.get_data(as_text=True)
    response = admin_client.post("/admin/teams/new", data={"name": "", "organisation": "", "sector": "space"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the team&#39;s name" in html and "Enter the organisation the team belongs to" in html
    assert "Choose the team&#39;s sector" in html
    assert count(db, Team) == teams and count(db, AuditEvent) == audits

    # editing a team may keep its own name, not take another's
    other = Team(name="Other Team", slug="other-team", organisation="O", sector="other")
    db.session.add(other)
    db.session.commit()
    same = admin_client.post(f"/admin/teams/{team.id}", data={"name": "Community Nursing North", "organisation": "New org", "sector": "nhs_trust"})
    assert same.status_code == 302
    clash = admin_client.post(f"/admin/teams/{team.id}", data={"name": "Other Team", "organisation": "New org", "sector": "nhs_trust"})
    assert clash.status_code == 400
    assert reload(db, team).name == "Community Nursing North"


# ---- sources ----------------------------------------------------------------------


def test_edit_a_source(admin_client, db, make_source):
    source = make_source("Regional team", kind="other")
    make_source("Care Quality Commission", kind="regulator")
    assert "Regional team" in admin_client.get("/admin/sources").get_data(as_text=True)

    response = admin_client.post(f"/admin/sources/{source.id}", data={"name": "NHS England regional team", "kind": "national_body"})
    assert response.status_code == 302
    source = reload(db, source)
    assert (source.name, source.kind) == ("NHS England regional team", "national_body")
    [event] = events(db, "source", source.id)
    assert event.old == {"name": "Regional team", "kind": "other"}
    assert event.new == {"name": "NHS England regional team", "kind": "national_body"}

    clash = admin_client.post(f"/admin/sources/{source.id}", data={"name": " care  quality commission", "kind": "regulator"})
    assert clash.status_code == 400
    assert "A source called &#39;Care Quality Commission&#39; already exists" in clash.get_data(as_text=True)
    bad_kind = admin_client.post(f"/admin/sources/{source.id}", data={"name": "Anything", "kind": "rumour"})
    assert bad_kind.status_code == 400 and "Choose the kind of source" in bad_kind.get_data(as_text=True)
    assert reload(db, source).name == "NHS England regional team" and len(events(db, "source", source.id)) == 1


# ---- audit trail -------------------------------------------------------------------


def test_audit_trail_newest_first_with_filters(admin_client, commissioner_client, db, make_request, make_source):
    source = make_source("Trail source")
    item = make_request("Trail request", source=source)
    commissioner_client.post(f"/catalogue/requests/{item.id}/status", data={"status": "under_review"})
    admin_client.post(f"/admin/sources/{source.id}", data={"name": "Renamed trail source", "kind": "national_body"})

    html = admin_client.get("/admin/audit").get_data(as_text=True)
    assert html.index("Renamed trail source") < html.index("Under review")  # newest first
    assert "Trail source → Renamed trail source" in html
    assert "Active → Under review" in html
    assert "Cora Commissioner" in html and "Ada Admin" in html

    by_entity = admin_client.get("/admin/audit?entity=request").get_data(as_text=True)
    assert "Under review" in by_entity and "Renamed trail source" not in by_entity

    by_user = admin_client.get(f"/admin/audit?user_id={admin_client.user.id}").get_data(as_text=True)
    assert "Renamed trail source" in by_user and "Under review" not in by_user


def audit_table(html: str) -> str:
    """The trail itself, without the flashed messages above it."""
    return html[html.index('data-testid="audit"'):]


def test_audit_trail_is_paged(admin_client, db, make_source):
    for n in range(55):
        admin_client.post("/admin/teams/new", data={"name": f"Paged team {n:02d}", "organisation": "Org", "sector": "other"})
    first = audit_table(admin_client.get("/admin/audit?entity=team").get_data(as_text=True))
    assert "Page 1 of 2 (55 events)" in first
    assert "Paged team 54" in first and "Paged team 04" not in first
    second = audit_table(admin_client.get("/admin/audit?entity=team&page=2").get_data(as_text=True))
    assert "Paged team 04" in second and "Paged team 54" not in second


def test_audit_filters_are_checked(admin_client):
    response = admin_client.get("/admin/audit?entity=secrets")
    assert response.status_code == 400
    assert "Choose a kind of record from the list" in response.get_data(as_text=True)
    response = admin_client.get("/admin/audit?user_id=abc")
    assert response.status_code == 400
    assert "Choose a user from the list" in response.get_data(as_text=True)


def test_audit_trail_names_what_ids_point_at(admin_client, make_user, make_request, make_entry, team):
    manager = make_user("manager", [team], email="namer@example.nhs.uk")
    item = make_request("Weekly discharge sitrep")
    make_entry(manager, team, item, minutes=45, band="8a", notes="")
    rows = audit_table(admin_client.get("/admin/audit?entity=entry").get_data(as_text=True))
    assert "Weekly discharge sitrep (#" in rows and "Community Nursing North (#" in rows
    assert "Band 8a" in rows and "namer@example.nhs.uk" in rows
    assert "Notes" not in rows and "Updated at" not in rows  # empty fields and timestamps of a new record are left out
