"""Two changes to one request's licence or decisions at the same moment, through real gunicorn workers.

Approving checks that no licence is in force and then writes; before the
request's row was held in between, two approvals sent together both won. Here
each of 30 requests gets two approvals fired at once (and, after, an approval
and a renewal): exactly one approval wins every time, and the other is told
why (400 by the field), on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date

from sqlalchemy import func, select

from tests.licences_support import as_json, estimate_values
from tests.server_support import call
from tests.entries.test_concurrency import fire_at_once
from tracker.auth.commands import new_api_token
from tracker.licences.estimates import record_estimate
from tracker.models.licences import LicenceDecision
from tracker.models.workspace import Decision

PAIRS = 30


def approve(base, token, request_id, reference):
    payload = {"action": "approve", "reference": reference}
    return lambda: call("POST", f"{base}/api/v1/requests/{request_id}/licence", token=token, payload=payload)


def licensed_requests(db, make_request, commissioner, count):
    """Requests ready to be licensed: each has an estimate (an approval needs one)."""
    made = [make_request(title=f"Race return {n}") for n in range(count)]
    for request in made:
        record_estimate(commissioner, request, estimate_values(), date.today())
    db.session.commit()
    return [request.id for request in made]


def decisions_of(db, request_id, action=None):
    query = select(func.count()).select_from(LicenceDecision).where(LicenceDecision.request_id == request_id)
    if action:
        query = query.where(LicenceDecision.action == action)
    return db.session.scalar(query)


def test_two_approvals_at_once_license_the_request_once(db, make_user, make_request, gunicorn):
    commissioner = make_user("commissioner")
    token = new_api_token(commissioner)
    ids = licensed_requests(db, make_request, commissioner, PAIRS)
    calls = [approve(gunicorn.url, token, request_id, f"ROCR/OR/{request_id:04d}/{n}") for request_id in ids for n in (1, 2)]
    answers = fire_at_once(calls)
    db.session.rollback()
    for request_id, pair in zip(ids, zip(answers[::2], answers[1::2])):
        assert sorted(a.status for a in pair) == [201, 400], [(a.status, a.body) for a in pair]
        refused = next(a for a in pair if a.status == 400)
        assert "already has a licence" in refused.json()["errors"]["action"][0]
        assert decisions_of(db, request_id) == 1


def test_two_decisions_at_once_record_one(db, make_user, make_request, gunicorn):
    """Two retire decisions sent together for one request: one is recorded and applied, the other
    refused because the request already has a live decision."""
    commissioner = make_user("commissioner")
    token = new_api_token(commissioner)
    ids = [make_request(title=f"Decided return {n}", obligation="discretionary").id for n in range(10)]
    db.session.commit()
    today = date.today().isoformat()

    def retire(request_id):
        payload = {"decision": "retire", "rationale": "Nobody uses it", "effective_date": today}
        return lambda: call("POST", f"{gunicorn.url}/api/v1/requests/{request_id}/decisions", token=token, payload=payload)

    answers = fire_at_once([retire(request_id) for request_id in ids for _ in range(2)])
    db.session.rollback()
    for request_id, pair in zip(ids, zip(answers[::2], answers[1::2])):
        assert sorted(a.status for a in pair) == [201, 400], [(a.status, a.body) for a in pair]
        recorded = db.session.scalar(select(func.count()).select_from(Decision).where(Decision.request_id == request_id))
        assert recorded == 1
