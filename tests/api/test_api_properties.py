"""Property-based: whatever JSON or query string a client sends, the API answers with a 2xx it
documents or a 4xx in its error shape, and never a 5xx (issue 12, item 4).

Hypothesis draws bodies from the hostile corners found by probing (huge and
negative numbers, Unicode digits, lone surrogates, NUL, nested values, odd
dates) as well as plain values, and checks every answer; what is stored is
checked against the rules (tests/api/test_schemathesis.py checks the answers
against the OpenAPI document)."""
from __future__ import annotations

from urllib.parse import quote_from_bytes

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st
from sqlalchemy import func, select

from tracker.models.entries import Entry
from tracker.shared.choices import MAX_ENTRY_MINUTES

HOSTILE_TEXT = [
    "٣٠", "1_000", "+30", " 30", "2026-1-1", "٢٠٢٦-٠١-٠١", "2147483648", "9223372036854775808", "9" * 40,
    "-1", "0", "\x00", "\ud800", "x\udfffy", "=1+1", "<script>", "null", "", " ", "1e309", "NaN",
]
scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.text(alphabet=st.characters(categories=["Cs", "Nd", "Cc"]), max_size=5),
    st.sampled_from(HOSTILE_TEXT),
)
values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)

ENTRY_FIELDS = ("request_id", "team_id", "occurred_on", "minutes", "band", "duplicated_elsewhere", "used", "notes")
SETTINGS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def plausible(field, good):
    """A good value, or one from the hostile corners: most examples break one field, some none."""
    return st.one_of(st.just(good), values) if good is not None else values


def assert_error_shape(response):
    body = response.get_json()
    if response.status_code == 400:
        assert set(body) == {"errors"} and body["errors"]
        for field, messages in body["errors"].items():
            assert isinstance(field, str) and messages and all(isinstance(m, str) and m for m in messages)
    else:
        assert set(body) == {"message"} and body["message"]


@pytest.fixture
def api(admin_client, team, make_request):
    admin_client.request_id = make_request().id
    admin_client.team_id = team.id
    return admin_client


def test_any_entry_body_is_stored_valid_or_refused_by_field(api, db):
    good = {"request_id": api.request_id, "team_id": api.team_id, "occurred_on": "2026-01-10", "minutes": 30, "band": "5"}

    @SETTINGS
    @given(st.fixed_dictionaries({}, optional={f: plausible(f, good.get(f)) for f in ENTRY_FIELDS}), st.dictionaries(st.text(max_size=6), values, max_size=2))
    def check(body, extra):
        before = db.session.scalar(select(func.count()).select_from(Entry))
        response = api.post("/api/v1/entries", json={**extra, **body})
        assert response.status_code in (201, 400), (body, response.status_code, response.get_data(as_text=True))
        after = db.session.scalar(select(func.count()).select_from(Entry))
        if response.status_code == 201:
            entry = response.get_json()
            assert after == before + 1
            assert 1 <= entry["minutes"] <= MAX_ENTRY_MINUTES and entry["team_id"] == api.team_id
        else:
            assert_error_shape(response)
            assert after == before

    check()


def test_any_patch_of_an_entry_keeps_it_valid_or_is_refused(api, db, make_entry, team, make_request):
    entry = make_entry(api.user, team, make_request())

    @SETTINGS
    @given(st.dictionaries(st.sampled_from(ENTRY_FIELDS), values, max_size=3))
    def check(body):
        response = api.patch(f"/api/v1/entries/{entry.id}", json=body)
        assert response.status_code in (200, 400), (body, response.status_code)
        if response.status_code == 400:
            assert_error_shape(response)
        else:
            assert 1 <= response.get_json()["minutes"] <= MAX_ENTRY_MINUTES

    check()


@pytest.mark.parametrize("path, fields", [
    ("/api/v1/sources", ("name", "kind")),
    ("/api/v1/requests", ("title", "source_id", "frequency", "obligation", "description")),
    ("/api/v1/rates", ("band", "hourly_cost", "effective_from", "note")),
])
def test_any_catalogue_or_rate_body_is_created_or_refused(api, path, fields):
    @SETTINGS
    @given(st.dictionaries(st.sampled_from(fields), values, max_size=len(fields)))
    def check(body):
        response = api.post(path, json=body)
        assert response.status_code in (201, 400, 409), (body, response.status_code)
        if response.status_code != 201:
            assert_error_shape(response)

    check()


def test_any_raw_body_is_answered_in_the_error_shape(api):
    @SETTINGS
    @given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode), st.sampled_from(["application/json", "text/plain", "application/json; charset=utf-16"]))
    def check(raw, content_type):
        response = api.post("/api/v1/sources", data=raw, content_type=content_type)
        assert response.status_code in (201, 400), (raw, response.status_code)
        if response.status_code == 400:
            assert_error_shape(response)

    check()


LIST_PATHS = ["/api/v1/entries", "/api/v1/teams", "/api/v1/sources", "/api/v1/requests", "/api/v1/rates", "/api/v1/burden"]
QUERY_NAMES = ["page", "team_id", "request_id", "source_id", "from", "to", "group_by", "kind", "status", "band", "q"]


def query_value(value) -> bytes:
    """Any text or bytes as a query value: a URL carries bytes, so a surrogate arrives as the
    (invalid) UTF-8 bytes a client would have sent for it."""
    raw = value if isinstance(value, bytes) else value.encode("utf-8", "surrogatepass")
    return quote_from_bytes(raw).encode()


def test_any_query_string_is_answered_or_refused_by_name(api):
    @SETTINGS
    @given(
        st.sampled_from(LIST_PATHS),
        st.dictionaries(st.sampled_from(QUERY_NAMES), st.one_of(st.text(max_size=20), st.sampled_from(HOSTILE_TEXT), st.binary(max_size=12)), max_size=4),
    )
    def check(path, query):
        query_string = b"&".join(name.encode() + b"=" + query_value(value) for name, value in query.items())
        response = api.get(path, query_string=query_string.decode("ascii"))
        assert response.status_code in (200, 400, 404), (path, query, response.status_code)
        if response.status_code != 200:
            assert_error_shape(response)

    check()
