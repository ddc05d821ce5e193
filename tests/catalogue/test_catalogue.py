"""Catalogue pages: reading, searching and adding requests and sources, and a commissioner's status changes."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.catalogue import Request, Source
from tracker.extensions import db as _db
from tests.conftest import PASSWORD

ROLE_CLIENTS = ("manager_client", "lead_client", "commissioner_client", "admin_client")


def count(db, model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def events(db, entity, entity_id=None, action=None) -> list[AuditEvent]:
    query = select(AuditEvent).where(AuditEvent.entity == entity).order_by(AuditEvent.id)
    if entity_id is not None:
        query = query.where(AuditEvent.entity_id == entity_id)
    if action is not None:
        query = query.where(AuditEvent.action == action)
    return list(db.session.scalars(query))


def reload(db, obj):
    db.session.expire_all()
    return db.session.get(type(obj), obj.id)


# ---- reading ------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
def test_every_role_reads_the_catalogue(request, client_name, make_source, make_request):
    client = request.getfixturevalue(client_name)
    cqc = make_source("Care Quality Commission", kind="regulator")
    target = make_request("Monthly performance return", source=cqc, frequency="monthly", obligation="statutory")
    make_request("Old sitrep", source=cqc, frequency="weekly", status="merged").merged_into = target
    _db.session.commit()

    page = client.get("/catalogue/requests")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Monthly performance return" in html and "Old sitrep" in html
    assert "Care Quality Commission" in html
    assert "Statutory" in html and "Weekly" in html and "Merged" in html
    # the merged request links to the one that replaced it
    assert f'/catalogue/requests/{target.id}"' in html

    detail = client.get(f"/catalogue/requests/{target.id}")
    assert detail.status_code == 200
    assert "Monthly performance return" in detail.get_data(as_text=True)
    assert client.get("/catalogue/sources").status_code == 200
    assert client.get("/catalogue/requests/new").status_code == 200
    assert client.get("/catalogue/sources/new").status_code == 200


def test_unknown_request_is_404(manager_client):
    assert manager_client.get("/catalogue/requests/999999").status_code == 404


def test_catalogue_needs_login(client):
    response = client.get("/catalogue/requests")
    assert response.status_code == 302
    assert "/login" in response.location


def test_search_and_filters_come_from_the_query_string(manager_client, make_source, make_request):
    icb = make_source("Northshire ICB", kind="commissioner")
    council = make_source("Eastshire County Council", kind="local_authority")
    make_request("Weekly discharge sitrep", source=icb, frequency="weekly")
    make_request("Care home vacancies", source=council)
    make_request("Retired winter return", source=icb, status="retired")

    html = manager_client.get("/catalogue/requests?q=sitrep").get_data(as_text=True)
    assert "Weekly discharge sitrep" in html and "Care home vacancies" not in html

    # the search also matches the source's name, case-insensitively
    html = manager_client.get("/catalogue/requests?q=EASTSHIRE").get_data(as_text=True)
    assert "Care home vacancies" in html and "Weekly discharge sitrep" not in html

    html = manager_client.get(f"/catalogue/requests?source={icb.id}").get_data(as_text=True)
    assert "Weekly discharge sitrep" in html and "Retired winter return" in html and "Care home vacancies" not in html

    html = manager_client.get(f"/catalogue/requests?source={icb.id}&status=retired").get_data(as_text=True)
    assert "Retired winter return" in html and "Weekly discharge sitrep" not in html

    html = manager_client.get("/catalogue/requests?q=nothing+like+this").get_data(as_text=True)
    assert "No requests match" in html


def test_search_treats_wildcards_as_text(manager_client, make_request):
    make_request("100% complete return")
    make_request("Ordinary return")
    html = manager_client.get("/catalogue/requests?q=%25").get_data(as_text=True)
    assert "100% complete return" in html and "Ordinary return" not in html


def test_bad_filters_are_400_with_a_message(manager_client, make_request):
    make_request("Anything")
    response = manager_client.get("/catalogue/requests?status=abolished")
    assert response.status_code == 400
    assert "Choose a status from the list" in response.get_data(as_text=True)
    response = manager_client.get("/catalogue/requests?source=99999")
    assert response.status_code == 400
    assert "Choose a source from the list" in response.get_data(as_text=True)


def test_catalogue_is_paged(manager_client, make_source, make_request):
    source = make_source("Programme office")
    for n in range(55):
        make_request(f"Return {n:02d}", source=source)
    first = manager_client.get("/catalogue/requests").get_data(as_text=True)
    assert "Return 00" in first and "Return 49" in first and "Return 50" not in first
    assert "Page 1 of 2 (55 requests)" in first
    second = manager_client.get("/catalogue/requests?page=2").get_data(as_text=True)
    assert "Return 54" in second and "Return 49" not in second
    # a page past the end shows the last; rubbish shows the first
    assert "Return 54" in manager_client.get("/catalogue/requests?page=9").get_data(as_text=True)
    assert "Return 00" in manager_client.get("/catalogue/requests?page=x").get_data(as_text=True)
    # the page links keep the filters
    filtered = manager_client.get(f"/catalogue/requests?source={source.id}").get_data(as_text=True)
    assert f"source={source.id}" in filtered and "page=2" in filtered


# ---- adding -------------------------------------------------------------------


@pytest.mark.parametrize("client_name", ROLE_CLIENTS)
def test_any_role_adds_a_request_and_it_is_audited(request, db, client_name, make_source):
    client = request.getfixturevalue(client_name)
    source = make_source("NHS England regional team")
    response = client.post(
        "/catalogue/requests/new",
        data={
            "title": "  Quarterly assurance report ",
            "source_id": str(source.id),
            "frequency": "quarterly",
            "obligation": "contractual",
            "description": "Board assurance",
        },
    )
    assert response.status_code == 302
    created = db.session.scalar(select(Request).where(Request.title == "Quarterly assurance report"))
    assert created is not None and created.status == "active" and created.created_by_id == client.user.id
    assert response.location.endswith(f"/catalogue/requests/{created.id}")
    [event] = events(db, "request", created.id)
    assert event.action == "create" and event.user_id == client.user.id
    assert event.new["title"] == "Quarterly assurance report" and event.new["frequency"] == "quarterly"


def test_bad_request_form_says_why_and_writes_nothing(manager_client, db, make_source, make_request):
    source = make_source("The ICB")
    make_request("Monthly contract return", source=source)
    before_requests, before_events = count(db, Request), count(db, AuditEvent)

    response = manager_client.post(
        "/catalogue/requests/new", data={"title": "", "source_id": "", "frequency": "hourly", "obligation": ""}
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "There is a problem" in html
    assert "Enter the title of the request" in html
    assert "Choose who asks for it" in html or "Choose a source from the catalogue" in html
    assert "Choose how often it is asked for" in html
    assert 'href="#title"' in html  # the summary links to the field

    duplicate = manager_client.post(
        "/catalogue/requests/new",
        data={"title": "MONTHLY contract return", "source_id": str(source.id), "frequency": "monthly", "obligation": "statutory"},
    )
    assert duplicate.status_code == 400
    assert "already in the catalogue" in duplicate.get_data(as_text=True)
    assert count(db, Request) == before_requests and count(db, AuditEvent) == before_events


def test_add_a_source_then_its_request(lead_client, db):
    response = lead_client.post("/catalogue/sources/new?then=request", data={"name": "Trust board", "kind": "internal"})
    source = db.session.scalar(select(Source).where(Source.name == "Trust board"))
    assert source is not None and source.kind == "internal"
    assert response.status_code == 302 and f"source_id={source.id}" in response.location
    form = lead_client.get(response.location).get_data(as_text=True)
    assert f'value="{source.id}" selected' in form
    assert events(db, "source", source.id)[0].action == "create"
    listing = lead_client.get("/catalogue/sources").get_data(as_text=True)
    assert "Trust board" in listing and "Internal (own board)" in listing


def test_bad_source_form_says_why(manager_client, db, make_source):
    make_source("Care Quality Commission")
    before = count(db, Source)
    response = manager_client.post("/catalogue/sources/new", data={"name": "care quality commission", "kind": "regulator"})
    assert response.status_code == 400
    assert "already exists" in response.get_data(as_text=True)
    response = manager_client.post("/catalogue/sources/new", data={"name": "", "kind": "gossip"})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Enter the name of the body that asks" in html and "Choose the kind of source" in html
    assert count(db, Source) == before


# ---- status and merging ---------------------------------------------------------


@pytest.mark.parametrize("client_name", ("manager_client", "lead_client"))
def test_managers_and_leads_see_no_status_controls_and_cannot_post(request, db, client_name, make_request):
    client = request.getfixturevalue(client_name)
    item = make_request("Weekly sitrep")
    other = make_request("Monthly return")
    html = client.get(f"/catalogue/requests/{item.id}").get_data(as_text=True)
    assert "Change the status" not in html and "status-form" not in html
    assert client.post(f"/catalogue/requests/{item.id}/status", data={"status": "retired"}).status_code == 404
    response = client.post(
        f"/catalogue/requests/{item.id}/status", data={"status": "merged", "merged_into_id": str(other.id)}
    )
    assert response.status_code == 404
    item = reload(db, item)
    assert item.status == "active" and item.merged_into_id is None
    assert events(db, "request", item.id) == []


@pytest.mark.parametrize("client_name", ("commissioner_client", "admin_client"))
def test_commissioners_and_admins_change_status_audited(request, db, client_name, make_request):
    client = request.getfixturevalue(client_name)
    item = make_request("Annual staff survey return")
    assert "Change the status" in client.get(f"/catalogue/requests/{item.id}").get_data(as_text=True)

    response = client.post(f"/catalogue/requests/{item.id}/status", data={"status": "retired", "merged_into_id": ""})
    assert response.status_code == 302
    assert reload(db, item).status == "retired"
    [event] = events(db, "request", item.id)
    assert event.action == "update" and event.user_id == client.user.id
    assert event.old == {"status": "active"} and event.new == {"status": "retired"}

    page = client.get(f"/catalogue/requests/{item.id}").get_data(as_text=True)
    assert "Retired" in page


def test_merge_into_another_request(commissioner_client, db, make_request):
    old = make_request("Weekly community sitrep")
    new = make_request("Daily community sitrep")
    response = commissioner_client.post(
        f"/catalogue/requests/{old.id}/status", data={"status": "merged", "merged_into_id": str(new.id)}
    )
    assert response.status_code == 302
    old = reload(db, old)
    assert old.status == "merged" and old.merged_into_id == new.id
    [event] = events(db, "request", old.id)
    assert event.old == {"status": "active", "merged_into_id": None}
    assert event.new == {"status": "merged", "merged_into_id": new.id}
    html = commissioner_client.get(f"/catalogue/requests/{old.id}").get_data(as_text=True)
    assert "Daily community sitrep" in html and 'data-testid="merged-into"' in html
    assert "Weekly community sitrep" in commissioner_client.get(f"/catalogue/requests/{new.id}").get_data(as_text=True)

    # making it active again clears the merge
    commissioner_client.post(f"/catalogue/requests/{old.id}/status", data={"status": "active", "merged_into_id": str(new.id)})
    old = reload(db, old)
    assert old.status == "active" and old.merged_into_id is None


def _refused(client, db, item, data, message):
    before = count(db, AuditEvent)
    response = client.post(f"/catalogue/requests/{item.id}/status", data=data)
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert message in html and "There is a problem" in html
    assert count(db, AuditEvent) == before
    return reload(db, item)


def test_merge_rules(commissioner_client, db, make_request):
    item = make_request("Sitrep A")
    retired = make_request("Retired return", status="retired")
    merged = make_request("Merged return", status="merged")

    item = _refused(commissioner_client, db, item, {"status": "merged", "merged_into_id": str(item.id)}, "cannot be merged into itself")
    item = _refused(commissioner_client, db, item, {"status": "merged", "merged_into_id": str(retired.id)}, "That request is retired")
    item = _refused(commissioner_client, db, item, {"status": "merged", "merged_into_id": str(merged.id)}, "That request is merged")
    item = _refused(commissioner_client, db, item, {"status": "merged", "merged_into_id": ""}, "Choose the request this one is merged into")
    item = _refused(commissioner_client, db, item, {"status": "merged", "merged_into_id": "424242"}, "Choose a request from the catalogue")
    item = _refused(commissioner_client, db, item, {"status": "abolished"}, "Choose a status from")
    assert item.status == "active" and item.merged_into_id is None


def test_merge_refuses_a_loop(commissioner_client, db, make_request):
    first = make_request("First")
    second = make_request("Second")
    # Data that pre-dates the rules: 'second' still points at 'first' while under review.
    second.status, second.merged_into_id = "under_review", first.id
    db.session.commit()
    first = _refused(
        commissioner_client, db, first, {"status": "merged", "merged_into_id": str(second.id)}, "That would make a loop"
    )
    assert first.status == "active"


def test_merging_a_merge_target_moves_its_merged_requests_along(commissioner_client, db, make_request):
    a, b, c = make_request("A return"), make_request("B return"), make_request("C return")
    commissioner_client.post(f"/catalogue/requests/{a.id}/status", data={"status": "merged", "merged_into_id": str(b.id)})
    commissioner_client.post(f"/catalogue/requests/{b.id}/status", data={"status": "merged", "merged_into_id": str(c.id)})
    a, b = reload(db, a), reload(db, b)
    assert b.merged_into_id == c.id
    assert a.status == "merged" and a.merged_into_id == c.id  # never a chain through a merged request
    moved = events(db, "request", a.id)[-1]
    assert moved.old == {"merged_into_id": b.id} and moved.new == {"merged_into_id": c.id}


def csrf_token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"', html).group(1) or ""


def test_status_form_needs_csrf(make_app, make_user, make_request):
    app = make_app(WTF_CSRF_ENABLED=True)
    with app.app_context():
        user = make_user("commissioner")
        item = make_request("Protected")
        client = app.test_client()
        login_page = client.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', login_page).group(1)
        assert client.post("/login", data={"email": user.email, "password": PASSWORD, "csrf_token": token}).status_code == 302

        response = client.post(f"/catalogue/requests/{item.id}/status", data={"status": "retired"})
        assert response.status_code == 400
        _db.session.expire_all()
        assert _db.session.get(Request, item.id).status == "active"

        page = client.get(f"/catalogue/requests/{item.id}").get_data(as_text=True)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
        response = client.post(f"/catalogue/requests/{item.id}/status", data={"status": "retired", "csrf_token": token})
        assert response.status_code == 302
        _db.session.expire_all()
        assert _db.session.get(Request, item.id).status == "retired"
