"""Schemathesis against the app's own OpenAPI document (issue 12, item 4).

In process (WSGI), so it is fast and bounded: for every operation of
/api/v1/openapi.json Schemathesis generates requests that fit the document
(positive) and requests that break it (negative), sends them, and checks
every answer with its own checks: no 5xx; a status, content type, headers
and body the document describes; bad input refused, good input accepted.
Signed in as an admin with a bearer token, with a little data in place so
ids can exist. (Schemathesis's pytest fixture loader needs a private
attribute pytest 9 no longer has, so the operations are driven with
`as_strategy` and Hypothesis here.)"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode

from tracker.auth.commands import new_api_token

EXAMPLES_PER_OPERATION = 30


@pytest.fixture
def api_token(db, world):
    token = new_api_token(world.admin)
    db.session.commit()
    return token


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
            case.call_and_validate(headers=auth)  # every check Schemathesis has (`--checks all`)

        answers_as_documented()
