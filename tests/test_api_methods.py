"""405 always says which methods a path has (RFC 9110 15.5.6), for every method, TRACE too."""
from __future__ import annotations

import pytest


@pytest.fixture
def admin_api(api_for, make_user):
    return api_for(make_user("admin", []))


@pytest.mark.parametrize("method", ["TRACE", "PUT", "CONNECT", "PATCH"])
@pytest.mark.parametrize("url, allowed", [
    ("/api/v1/entries", {"GET", "HEAD", "OPTIONS", "POST"}),
    ("/api/v1/openapi.json", {"GET", "HEAD", "OPTIONS"}),
    ("/api/v1/decisions", {"GET", "HEAD", "OPTIONS"}),
])
def test_a_method_a_path_does_not_have_is_405_with_allow(admin_api, method, url, allowed):
    response = admin_api.client.open(url, method=method, headers=admin_api._headers())
    assert response.status_code == 405
    assert set(response.get_json()) == {"message"}
    assert {m.strip() for m in response.headers["Allow"].split(",")} == allowed


def test_trace_on_one_entry_lists_its_methods(admin_api):
    response = admin_api.client.open("/api/v1/entries/1", method="TRACE", headers=admin_api._headers())
    assert response.status_code == 405
    assert {m.strip() for m in response.headers["Allow"].split(",")} == {"GET", "HEAD", "OPTIONS", "PATCH", "DELETE"}


def test_a_page_answers_405_with_allow_too(admin_client):
    response = admin_client.open("/burden/", method="TRACE")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]
