"""The week view (issue 23): rows, copy last week, all-or-nothing save, locks, and the typed time."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from tracker.burden import rollup
from tracker.entries.week import monday_of
from tracker.models.audit import AuditEvent
from tracker.models.entries import Entry
from tracker.shared.durations import TYPED_TIME_MESSAGE, typed_minutes, typed_text
from tracker.shared.timeutil import add_months, local_today, month_start
from tracker.signoff.services import sign_off

THIS_WEEK = monday_of(local_today())
LAST_WEEK = THIS_WEEK - timedelta(days=7)


@pytest.mark.parametrize("typed, minutes", [
    ("90", 90), ("90m", 90), ("90 min", 90), (" 45 ", 45), ("1:30", 90), ("0:05", 5), ("1.5h", 90),
    ("1,5 h", 90), ("2h", 120), ("1.33h", 80), ("1h30", 90), ("1h 30m", 90), ("2 hours", 120), ("0", 0),
])
def test_time_is_read_as_people_type_it(typed, minutes):
    assert typed_minutes(typed) == minutes


@pytest.mark.parametrize("typed", ["", "abc", "-5", "1:75", "90.5", "1.5", "h", "1h 75m", "٣٠"])
def test_what_is_not_a_time_is_refused_with_the_ways_to_write_one(typed):
    with pytest.raises(ValueError, match=re.escape(TYPED_TIME_MESSAGE)):
        typed_minutes(typed)


def test_a_copied_time_reads_back_as_the_same_minutes():
    for minutes in (1, 45, 60, 90, 615):
        assert typed_minutes(typed_text(minutes)) == minutes


@pytest.fixture
def returns(db, manager_client, team, make_request, make_entry):
    """Five returns the team logged last week (Monday sitrep twice, so copying sums a day)."""
    titles = ["Monday sitrep", "Flow dashboard", "Workforce return", "Care home census", "Bed state"]
    requests = [make_request(title) for title in titles]
    user = manager_client.user
    for offset, request in enumerate(requests):
        make_entry(user, team, request, occurred_on=LAST_WEEK + timedelta(days=offset), minutes=30 + offset * 15, band="6",
                   duplicated_elsewhere="yes", used="no")
    return requests


def grid_form(page: str) -> dict:
    """The week form's fields as a browser would post them (inputs and the selected options)."""
    form = page[page.index('data-testid="week-form"'):]
    form = form[:form.index("</form>")]
    fields = {}
    for name, value in re.findall(r'<input[^>]*?name="([^"]+)"[^>]*?value="([^"]*)"', form):
        if name != "day":
            fields[name] = value
    for name, body in re.findall(r'<select[^>]*name="([^"]+)"[^>]*>(.*?)</select>', form, re.S):
        chosen = re.search(r'<option value="([^"]*)" selected', body)
        fields[name] = chosen[1] if chosen else ""
    return fields


def post(client, fields: dict, action: str):
    return client.post("/entries/week", data={**fields, "action": action})


def live_count(db) -> int:
    return db.session.scalar(select(func.count()).select_from(Entry).where(Entry.deleted_at.is_(None)))


def test_the_week_shows_a_row_for_each_request_of_the_last_four_weeks_with_its_usual_values(manager_client, returns):
    page = manager_client.get("/entries/week").get_data(as_text=True)
    assert "Week of " + f"{THIS_WEEK:%-d %B %Y}" in page
    for request in returns:
        assert request.title in page
    fields = grid_form(page)
    assert fields["r0-band"] == "6" and fields["r0-duplicated_elsewhere"] == "yes" and fields["r0-used"] == "no"
    assert all(fields[f"r0-d{d}"] == "" for d in range(7))
    assert 'scope="col"' in page and 'scope="row"' in page


def test_copy_fills_a_draft_and_saving_writes_all_audited_with_exact_rollups(db, manager_client, returns):
    before_audit = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "create"))
    copied = post(manager_client, grid_form(manager_client.get("/entries/week").get_data(as_text=True)), "copy")
    assert copied.status_code == 200
    page = copied.get_data(as_text=True)
    assert "Copied 5 days from last week" in page
    assert live_count(db) == 5  # a draft only
    response = post(manager_client, grid_form(page), "save")
    assert response.status_code == 302
    db.session.expire_all()
    this_week = db.session.scalars(select(Entry).where(Entry.occurred_on >= THIS_WEEK).order_by(Entry.occurred_on)).all()
    assert [(e.occurred_on, e.minutes, e.band, e.duplicated_elsewhere, e.used) for e in this_week] == [
        (THIS_WEEK + timedelta(days=i), 30 + i * 15, "6", "yes", "no") for i in range(5)]
    audits = db.session.scalar(select(func.count()).select_from(AuditEvent).where(AuditEvent.action == "create"))
    assert audits - before_audit == 5
    assert rollup.differences(db.session) == {}

    again = manager_client.get(response.headers["Location"]).get_data(as_text=True)
    assert again.count('data-testid="logged"') == 5
    recopied = post(manager_client, grid_form(again), "copy").get_data(as_text=True)
    assert "5 already logged this week, so not copied again" in recopied
    resaved = post(manager_client, grid_form(recopied), "save")
    assert resaved.status_code == 200 and "Nothing new to save" in resaved.get_data(as_text=True)
    assert live_count(db) == 10


def test_one_bad_cell_writes_nothing_and_is_marked_by_row_and_day(db, manager_client, returns):
    fields = grid_form(manager_client.get("/entries/week").get_data(as_text=True))
    fields.update({"r0-d0": "90", "r1-d1": "1:30", "r2-d2": "banana", "r3-d3": "20000"})
    response = post(manager_client, fields, "save")
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "nothing was saved" in page
    assert TYPED_TIME_MESSAGE in page and 'href="#r2-d2"' in page  # the parser's message by the day
    assert "Minutes must be a whole number from 1 to 14400" in page and 'href="#r3-d3"' in page  # the entry rule's
    assert 'value="1:30"' in page  # what was typed is kept
    assert live_count(db) == 5


def test_a_bad_band_is_refused_by_the_row_with_the_entry_rule(db, manager_client, returns):
    fields = grid_form(manager_client.get("/entries/week").get_data(as_text=True))
    fields.update({"r0-d0": "90", "r0-band": "99"})
    page = post(manager_client, fields, "save").get_data(as_text=True)
    assert "Choose a band from:" in page and 'href="#r0-band"' in page
    assert live_count(db) == 5


def test_a_retired_request_is_refused_with_the_rule_s_reason(db, manager_client, returns):
    returns[0].status = "retired"
    db.session.commit()
    fields = grid_form(manager_client.get("/entries/week").get_data(as_text=True))
    assert returns[0].title not in {v for v in fields.values()}
    n = sum(name.endswith("-request") for name in fields)  # a stale page that still had the row
    fields.update({f"r{n}-request": str(returns[0].id), f"r{n}-band": "6", f"r{n}-d0": "30"})
    page = post(manager_client, fields, "save").get_data(as_text=True)
    assert "That request is retired" in page
    assert live_count(db) == 5


def test_days_of_a_signed_off_month_are_locked_not_copied_and_refused(db, manager_client, make_user, team, returns):
    lead = make_user("lead", [team])
    sign_off(db.session, lead, team, THIS_WEEK, today=add_months(THIS_WEEK, 2))
    db.session.commit()
    page = manager_client.get("/entries/week").get_data(as_text=True)
    assert "Days in a signed-off month are locked" in page and "were signed off by" in page
    assert 'name="r0-d0"' not in page  # Monday is in the signed-off month
    copied = post(manager_client, grid_form(page), "copy").get_data(as_text=True)
    assert "fall in a signed-off month" in copied
    fields = grid_form(copied)
    fields["r0-d0"] = "30"  # a stale page that still offered the day
    response = post(manager_client, fields, "save")
    assert response.status_code == 400 and "ask a lead to reopen the month" in response.get_data(as_text=True)
    assert live_count(db) == 5


def test_a_row_can_be_added_and_saved(db, manager_client, make_request, returns):
    extra = make_request("Quarterly audit")
    fields = grid_form(manager_client.get("/entries/week").get_data(as_text=True))
    page = post(manager_client, {**fields, "add_request": str(extra.id)}, "add").get_data(as_text=True)
    fields = grid_form(page)
    row = next(name[:-len("-request")] for name, value in fields.items() if name.endswith("-request") and value == str(extra.id))
    fields[f"{row}-d2"] = "1.5h"
    assert post(manager_client, fields, "save").status_code == 302
    db.session.expire_all()
    entry = db.session.scalars(select(Entry).where(Entry.request_id == extra.id)).one()
    assert (entry.occurred_on, entry.minutes, entry.band) == (THIS_WEEK + timedelta(days=2), 90, "6")  # the team's usual band
    assert post(manager_client, {**fields, "add_request": "999999"}, "add").status_code == 400


def test_weeks_move_by_start_and_refuse_what_is_not_a_week(manager_client, returns):
    page = manager_client.get(f"/entries/week?start={(LAST_WEEK + timedelta(days=3)).isoformat()}").get_data(as_text=True)
    assert f"Week of {LAST_WEEK:%-d %B %Y}" in page
    assert page.count('data-testid="logged"') == 5
    assert f"start={(LAST_WEEK - timedelta(days=7)).isoformat()}" in page
    for bad in ("2026-02-30", "tomorrow", "9999-12-31", "1999-01-01"):
        response = manager_client.get(f"/entries/week?start={bad}")
        assert response.status_code == 400, bad


def test_other_teams_and_commissioners_get_404(manager_client, commissioner_client, other_team, returns):
    assert manager_client.get(f"/entries/week?team={other_team.id}").status_code == 404
    assert manager_client.get("/entries/week?team=abc").status_code == 404
    assert commissioner_client.get("/entries/week").status_code == 404


def test_the_entries_page_links_the_week_view(manager_client):
    assert 'href="/entries/week"' in manager_client.get("/").get_data(as_text=True)


def test_two_saves_of_one_week_at_once_write_it_once(db, live_server, manager_client, returns):
    """Both pages show the days empty; the team lock makes the second save see the first's entries."""
    import http.cookiejar
    import threading
    import urllib.parse
    import urllib.request

    from tests.conftest import PASSWORD

    fields = grid_form(manager_client.get("/entries/week").get_data(as_text=True))
    fields.update({f"r{i}-d{i}": "45" for i in range(5)})
    body = urllib.parse.urlencode({**fields, "action": "save"}).encode()

    class Keep(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    def browser():
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()), Keep())
        login = urllib.parse.urlencode({"email": manager_client.user.email, "password": PASSWORD}).encode()
        try:
            opener.open(f"{live_server}/login", login)
        except urllib.error.HTTPError:  # the 302 after signing in
            pass
        return opener

    openers, answers = [browser(), browser()], []
    barrier = threading.Barrier(2)

    def save(opener):
        barrier.wait(timeout=30)
        try:
            answers.append(opener.open(f"{live_server}/entries/week", body, timeout=60).status)
        except urllib.error.HTTPError as answer:
            answers.append(answer.code)

    threads = [threading.Thread(target=save, args=(opener,)) for opener in openers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=90)
    assert sorted(answers) == [302, 400]
    db.session.rollback()
    assert live_count(db) == 10
    assert rollup.differences(db.session) == {}
