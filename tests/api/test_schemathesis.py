"""Schemathesis against the app's own OpenAPI document (issue 12 item 4, issue 21 item 6).

In process (WSGI), so it is fast and bounded: for every operation of
/api/v1/openapi.json Schemathesis generates requests that fit the document
(positive) and requests that break it (negative), sends them, and checks
every answer with every check it has (`--checks all`): no 5xx; a status,
content type, headers and body the document describes; bad input refused;
and good input accepted.

Good input may still be refused for a rule JSON Schema cannot state (a
request that must exist, `from` not after `to`, a date within a year of
today): each such rule is written in its operation's description, and
`STATED_IN_WORDS` lists the fields a 400 may then name. A 400 naming any
other field fails: the document could have stated that rule.

Signed in as an admin with a bearer token, with a little data in place so
ids can exist. (Schemathesis's pytest fixture loader needs a private
attribute pytest 9 no longer has, so the operations are driven with
`as_strategy` and Hypothesis here.)"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance

from tracker.auth.commands import new_api_token

EXAMPLES_PER_OPERATION = 30

# Rules no schema can state, each written in the operation's description: the fields a 400 may name.
STATED_IN_WORDS = {
    ("GET", "/api/v1/burden"): {"to"},  # not before from
    ("GET", "/api/v1/unlicensed"): {"to"},
    ("GET", "/api/v1/entries"): {"to"},
    ("GET", "/api/v1/sources/{source_id}/statement"): {"from", "to"},  # both or neither; to not before from
    ("POST", "/api/v1/sources"): {"name"},  # unique, ignoring case
    ("POST", "/api/v1/requests"): {"source_id", "title"},  # a source that exists; unique for its source
    # a request that exists and is open; one of the caller's teams; at most a year from today; a band priced then
    ("POST", "/api/v1/entries"): {"request_id", "team_id", "occurred_on", "band"},
    ("PATCH", "/api/v1/entries/{entry_id}"): {"request_id", "team_id", "occurred_on", "band", "entry"},
    # at most a year from today, one rate a band a day; at most 6 decimal places, and a string's value in range
    ("POST", "/api/v1/rates"): {"effective_from", "hourly_cost"},
    # the request's state (open, live decision), dates around today, the merge target, the median now
    ("POST", "/api/v1/requests/{request_id}/decisions"): {
        "decision", "effective_date", "review_date", "merge_into", "new_frequency", "target_hours_per_entry"},
    # answers a year against the request's frequency; time per response; notes over a working week
    ("POST", "/api/v1/requests/{request_id}/estimates"): {"responses_per_year", "minutes_gathering", "notes"},
    # the licence's state (approve, renew, decline), its reference, reasons and dates
    ("POST", "/api/v1/requests/{request_id}/licence"): {"action", "reference", "approved_on", "expires_on", "reasons"},
    # one capacity a team a day; from 2000-01-01 to a year from today; at most 3 decimal places
    ("POST", "/api/v1/teams/{team_id}/capacity"): {"effective_from", "fte"},
    # plain text, not blank
    ("PUT", "/api/v1/requests/{request_id}/methods/{team_id}"): {"text"},
    # each item as POST /api/v1/entries (a 400 names the item's position, then its fields)
    ("POST", "/api/v1/entries/batch"): {"request_id", "team_id", "occurred_on", "band", "body"},
}
BY_POSITION = {("POST", "/api/v1/entries/batch")}  # {"<index>": {field: [...]}}


@pytest.fixture
def api_token(db, world):
    token = new_api_token(world.admin)
    db.session.commit()
    return token


def assert_accepted_or_refused_in_words(case, response):
    """positive_data_acceptance, less the rules the document states in words."""
    if response.status_code == 400:
        errors = response.json()["errors"]
        if (case.method.upper(), case.path) in BY_POSITION:
            errors = {field: None for key, item in errors.items() for field in (item if isinstance(item, dict) else [key])}
        named = set(errors)
        stated = STATED_IN_WORDS.get((case.method.upper(), case.path), set())
        assert named <= stated, f"{case.method} {case.path}: schema-valid input refused by {named - stated}: {response.text}"


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_the_api_keeps_to_its_openapi_document(app, api_token, mode):
    auth = {"Authorization": f"Bearer {api_token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, headers=auth)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 12

    for operation in operations:

        # The token is given, not generated (a broken one would only test the 401), and sent as the
        # caller's own, so Schemathesis also probes each operation without it and with a wrong one.
        @given(case=operation.as_strategy(mode, headers=auth))
        @settings(max_examples=EXAMPLES_PER_OPERATION, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def answers_as_documented(case):
            response = case.call(headers=auth)
            # Every other check as it is; acceptance of good input with the rules stated in words.
            case.validate_response(response, headers=auth, excluded_checks=[positive_data_acceptance])
            if mode == GenerationMode.POSITIVE:
                assert_accepted_or_refused_in_words(case, response)

        answers_as_documented()
