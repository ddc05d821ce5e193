"""Concurrent changes to one entry, through real gunicorn worker processes, on SQLite and PostgreSQL.

Each round fires PATCH/DELETE pairs at the same entry at the same moment; afterwards
the monthly rollups must equal a fresh count of the entries exactly
(tracker.burden.rollup.differences), a second DELETE must answer 404, and a PATCH
sent with a stale If-Match must answer 412."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from tests.server_support import call
from tracker.auth.commands import new_api_token
from tracker.burden import rollup
from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.shared.timeutil import month_start

ROUNDS = 6
ENTRIES_PER_ROUND = 4  # pairs in flight at once, each at its own entry


@pytest.fixture
def setting(db, make_user, make_request, make_entry, team):
    """A manager with a token, two requests and a supply of entries in this month and last."""
    manager = make_user("manager", [team])
    requests = [make_request(), make_request()]
    token = new_api_token(manager)
    db.session.commit()
    this_month = month_start(date.today())
    last_month = this_month - timedelta(days=1)

    def entries(count):
        made = [
            make_entry(manager, team, requests[n % 2], occurred_on=(this_month if n % 2 else last_month), minutes=30 + n, band="5")
            for n in range(count)
        ]
        return [entry.id for entry in made]

    return {"token": token, "entries": entries, "requests": [r.id for r in requests], "days": (this_month, last_month)}


def fire_at_once(calls):
    """Run every call at the same moment (a barrier releases them together); answers in order."""
    barrier = threading.Barrier(len(calls))

    def run(job):
        barrier.wait(timeout=30)
        return job()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def patch(base, token, entry_id, values, if_match=None):
    headers = {"If-Match": if_match} if if_match else {}
    return lambda: call("PATCH", f"{base}/api/v1/entries/{entry_id}", token=token, payload=values, headers=headers)


def delete(base, token, entry_id, if_match=None):
    headers = {"If-Match": if_match} if if_match else {}
    return lambda: call("DELETE", f"{base}/api/v1/entries/{entry_id}", token=token, headers=headers)


def moves(setting, n):
    """A change that moves the entry to another month, request and band (every rollup level changes)."""
    this_month, last_month = setting["days"]
    return {
        "minutes": 200 + n,
        "band": "7" if n % 2 else "6",
        "occurred_on": (last_month if n % 2 else this_month).isoformat(),
        "request_id": setting["requests"][(n + 1) % 2],
        "duplicated_elsewhere": "yes",
        "used": "no",
    }


def assert_rollups_exact(db):
    db.session.rollback()
    db.session.expire_all()
    assert rollup.differences(db.session) == {}


def test_concurrent_deletes_of_one_entry_delete_it_once(db, setting, gunicorn):
    token, base = setting["token"], gunicorn.url
    for _ in range(ROUNDS):
        ids = setting["entries"](ENTRIES_PER_ROUND)
        answers = fire_at_once([delete(base, token, i) for i in ids for _ in range(2)])
        for pair in zip(answers[::2], answers[1::2]):
            assert sorted(a.status for a in pair) == [204, 404], [(a.status, a.body) for a in pair]
    assert_rollups_exact(db)
    # One deletion recorded per entry, never two.
    deletions = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "delete"))
    assert deletions == ROUNDS * ENTRIES_PER_ROUND


def test_concurrent_patch_and_delete_keep_the_rollups_exact(db, setting, gunicorn):
    token, base = setting["token"], gunicorn.url
    for n in range(ROUNDS):
        ids = setting["entries"](ENTRIES_PER_ROUND)
        calls = []
        for k, entry_id in enumerate(ids):
            if k % 2:
                calls += [patch(base, token, entry_id, moves(setting, n + k)), delete(base, token, entry_id)]
            else:
                calls += [patch(base, token, entry_id, moves(setting, n + k)), patch(base, token, entry_id, moves(setting, n + k + 1))]
        answers = fire_at_once(calls)
        assert all(a.status in (200, 204, 404) for a in answers), [(a.status, a.body[:200]) for a in answers]
        for k in range(1, ENTRIES_PER_ROUND, 2):
            patched, deleted = answers[2 * k], answers[2 * k + 1]
            assert deleted.status == 204
            assert patched.status in (200, 404)  # 404: the delete came first
    assert_rollups_exact(db)
    # Every entry still live holds the values of the last PATCH that answered 200.
    live = db.session.scalar(select(func.count()).select_from(Entry).where(Entry.deleted_at.is_(None)))
    assert live == ROUNDS * ENTRIES_PER_ROUND // 2


def test_concurrent_patches_of_different_fields_both_stick(db, setting, gunicorn):
    token, base = setting["token"], gunicorn.url
    ids = []
    for n in range(ROUNDS):
        batch = setting["entries"](ENTRIES_PER_ROUND)
        ids += batch
        calls = []
        for entry_id in batch:
            calls += [patch(base, token, entry_id, {"minutes": 333}), patch(base, token, entry_id, {"notes": f"note {n}"})]
        assert [a.status for a in fire_at_once(calls)] == [200] * len(calls)
    assert_rollups_exact(db)
    stored = db.session.execute(select(Entry.minutes, Entry.notes).where(Entry.id.in_(ids))).all()
    assert all(minutes == 333 and notes.startswith("note ") for minutes, notes in stored), stored


def test_a_stale_if_match_answers_412_and_changes_nothing(db, setting, gunicorn):
    token, base = setting["token"], gunicorn.url
    for n in range(ROUNDS):
        ids = setting["entries"](ENTRIES_PER_ROUND)
        tags = {i: call("GET", f"{base}/api/v1/entries/{i}", token=token).headers["ETag"] for i in ids}
        calls = []
        for entry_id in ids:
            calls += [
                patch(base, token, entry_id, moves(setting, n), if_match=tags[entry_id]),
                patch(base, token, entry_id, moves(setting, n + 1), if_match=tags[entry_id]),
            ]
        answers = fire_at_once(calls)
        for pair in zip(answers[::2], answers[1::2]):
            assert sorted(a.status for a in pair) == [200, 412], [(a.status, a.body) for a in pair]
            loser = next(a for a in pair if a.status == 412)
            assert set(loser.json()) == {"message"}
    assert_rollups_exact(db)


# ---- sign-in guesses at once ----------------------------------------------------------


def login_form_session(base):
    """GET /login as a browser does: the session cookie and the form's CSRF token."""
    import re

    page = call("GET", f"{base}/login")
    cookie = page.headers["Set-Cookie"].split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page.body.decode()).group(1)
    return cookie, token


def guess(base, email, password):
    from urllib.parse import urlencode

    cookie, token = login_form_session(base)
    body = urlencode({"csrf_token": token, "email": email, "password": password}).encode()
    headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
    return lambda: call("POST", f"{base}/login", data=body, headers=headers)


def test_thirty_guesses_at_once_get_at_most_ten_answers(db, app, make_user, gunicorn):
    from werkzeug.security import generate_password_hash

    user = make_user("manager")
    # A production-strength hash: the check takes long enough for guesses to overlap.
    user.password_hash = generate_password_hash("the real password", method="pbkdf2:sha256:200000")
    db.session.commit()
    limit = app.config["LOGIN_ATTEMPTS_PER_MINUTE"]
    answers = fire_at_once([guess(gunicorn.url, user.email, f"guess {n}") for n in range(30)])
    statuses = sorted(a.status for a in answers)
    assert statuses == [401] * limit + [429] * (30 - limit), statuses
