"""What the API tests share: callers of each role with real bearer tokens, a request, entries, helpers."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tracker.models.audit import AuditEvent
from tracker.models.burden import Rate
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry

TODAY = date.today()


@pytest.fixture
def manager(make_user, team):
    return make_user("manager", [team], email="manager@example.nhs.uk", name="Mina Manager")


@pytest.fixture
def colleague(make_user, team):
    return make_user("manager", [team], email="colleague@example.nhs.uk", name="Colin Colleague")


@pytest.fixture
def other_manager(make_user, other_team):
    return make_user("manager", [other_team], email="other@example.nhs.uk", name="Otto Other")


@pytest.fixture
def manager_api(api_for, manager):
    return api_for(manager)


@pytest.fixture
def lead_api(api_for, make_user, team):
    return api_for(make_user("lead", [team], email="lead@example.nhs.uk", name="Lee Lead"))


@pytest.fixture
def commissioner_api(api_for, make_user):
    return api_for(make_user("commissioner", email="commissioner@example.nhs.uk", name="Cora Commissioner"))


@pytest.fixture
def admin_api(api_for, make_user):
    return api_for(make_user("admin", email="admin@example.nhs.uk", name="Ada Admin"))


@pytest.fixture
def other_api(api_for, other_manager):
    return api_for(other_manager)


@pytest.fixture
def sitrep(make_source, make_request):
    return make_request("Weekly sitrep", make_source("NHS England North East", "national_body"), frequency="weekly")


@pytest.fixture
def own_entry(make_entry, manager, team, sitrep):
    return make_entry(manager, team, sitrep, occurred_on=TODAY - timedelta(days=3), minutes=90, band="5", notes="mine")


@pytest.fixture
def other_entry(make_entry, other_manager, other_team, sitrep):
    return make_entry(other_manager, other_team, sitrep, occurred_on=TODAY - timedelta(days=2), minutes=30, band="6")


def row_counts(db) -> dict:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in (Entry, Source, Request, Rate, AuditEvent)
    }


def audit_events(db, entity, entity_id, action):
    return list(
        db.session.scalars(
            select(AuditEvent).where(
                AuditEvent.entity == entity, AuditEvent.entity_id == entity_id, AuditEvent.action == action
            )
        )
    )


def entry_payload(team, request, **overrides):
    payload = {
        "request_id": request.id,
        "team_id": team.id,
        "occurred_on": (TODAY - timedelta(days=1)).isoformat(),
        "minutes": 45,
        "band": "6",
        "duplicated_elsewhere": "yes",
        "used": "no",
        "notes": "Filled in the template again",
    }
    payload.update(overrides)
    return payload


def assert_field_error(response, field):
    assert response.status_code == 400, response.get_data(as_text=True)
    body = response.get_json()
    assert field in body["errors"], body
    assert all(isinstance(m, str) and m for m in body["errors"][field])
    return body["errors"][field]


# Each bad value of an entry and the field its 400 names (logging and changing alike).
BAD_ENTRY_FIELDS = [
    ({"minutes": 0}, "minutes"),
    ({"minutes": -5}, "minutes"),
    ({"minutes": 14401}, "minutes"),
    ({"minutes": 1.5}, "minutes"),
    ({"minutes": "an hour"}, "minutes"),
    ({"minutes": None}, "minutes"),
    ({"occurred_on": "2025-02-30"}, "occurred_on"),
    ({"occurred_on": "yesterday"}, "occurred_on"),
    ({"occurred_on": (TODAY + timedelta(days=400)).isoformat()}, "occurred_on"),
    ({"occurred_on": "1999-12-31"}, "occurred_on"),
    ({"occurred_on": None}, "occurred_on"),
    ({"band": "10"}, "band"),
    ({"band": None}, "band"),
    ({"request_id": 999999}, "request_id"),
    ({"request_id": "abc"}, "request_id"),
    ({"request_id": None}, "request_id"),
    ({"team_id": "abc"}, "team_id"),
    ({"team_id": None}, "team_id"),
    ({"duplicated_elsewhere": "maybe"}, "duplicated_elsewhere"),
    ({"used": "perhaps"}, "used"),
    ({"notes": "n" * 2001}, "notes"),
    ({"notes": ["a", "list"]}, "notes"),
]
