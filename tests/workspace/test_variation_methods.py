"""How the cheapest teams do it: methods written by a team's members (versioned, audited), read by
every team that answers the request, cheapest first; and the log form's hint to a flagged team."""
from __future__ import annotations

import json
import re

from sqlalchemy import select

from tracker.models.audit import AuditEvent
from tracker.models.workspace import Method


def edit_url(ex, team):
    return f"/methods/requests/{ex.request.id}/teams/{team.id}"


def test_a_member_writes_the_teams_method_and_every_answering_team_reads_it_cheapest_first(
        db, client_for, variation_example):
    ex = variation_example
    writer = client_for(ex.manager_c)
    form = writer.get(edit_url(ex, ex.c)).get_data(as_text=True)
    assert 'name="version"' in form and 'value="0"' in form
    response = writer.post(edit_url(ex, ex.c), data={"text": "We rebuild the sheet by hand.\nThe lead checks it.", "version": "0"})
    assert response.status_code == 302
    client_for(ex.manager_a).post(edit_url(ex, ex.a), data={"text": "=A macro fills it from the ward system", "version": "0"})
    method = db.session.scalar(select(Method).where(Method.team_id == ex.c.id))
    assert method.text == "We rebuild the sheet by hand.\nThe lead checks it." and method.version == 1
    assert db.session.scalar(select(AuditEvent).where(AuditEvent.entity == "request_method", AuditEvent.action == "create")) is not None

    page = writer.get(f"/catalogue/requests/{ex.request.id}").get_data(as_text=True)
    cards = re.findall(r'data-testid="method" data-team="([^"]*)"', page)
    assert cards == ["Team 1 of 4", ex.c.name]  # cheapest first; the other team by position only
    assert ex.a.name not in page and "A macro fills it" in page
    assert "Team 1 of 4: 1.00 hours per response" in page
    commissioner_page = client_for(ex.commissioner).get(f"/catalogue/requests/{ex.request.id}").get_data(as_text=True)
    assert re.findall(r'data-testid="method" data-team="([^"]*)"', commissioner_page) == [ex.a.name, ex.c.name]


def test_two_editors_at_once_the_second_is_told_and_nothing_is_overwritten(db, client_for, variation_example):
    ex = variation_example
    writer = client_for(ex.manager_c)
    writer.post(edit_url(ex, ex.c), data={"text": "First version", "version": "0"})
    assert writer.post(edit_url(ex, ex.c), data={"text": "Mine", "version": "1"}).status_code == 302
    clash = writer.post(edit_url(ex, ex.c), data={"text": "Theirs, read at version 1", "version": "1"})
    assert clash.status_code == 409 and 'data-testid="method-clash"' in clash.get_data(as_text=True)
    db.session.expire_all()
    method = db.session.scalar(select(Method).where(Method.team_id == ex.c.id))
    assert (method.text, method.version) == ("Mine", 2)
    updates = db.session.scalars(select(AuditEvent).where(AuditEvent.entity == "request_method",
                                                          AuditEvent.action == "update")).all()
    assert len(updates) == 1


def test_only_the_teams_members_write_it_and_an_empty_method_is_refused(db, client_for, variation_example, make_user):
    ex = variation_example
    assert client_for(ex.manager_a).get(edit_url(ex, ex.c)).status_code == 404
    assert client_for(ex.commissioner).get(edit_url(ex, ex.c)).status_code == 404
    assert client_for(ex.manager_c).get(f"/methods/requests/999999/teams/{ex.c.id}").status_code == 404
    empty = client_for(ex.manager_c).post(edit_url(ex, ex.c), data={"text": "   ", "version": "0"})
    assert empty.status_code == 400 and "Describe how your team does it" in empty.get_data(as_text=True)
    assert db.session.scalar(select(Method)) is None


def test_a_team_that_does_not_answer_the_request_reads_no_methods(db, client_for, variation_example, make_team, make_user):
    ex = variation_example
    client_for(ex.manager_c).post(edit_url(ex, ex.c), data={"text": "Secret sauce", "version": "0"})
    outsider = make_user("manager", [make_team("Outsiders")])
    page = client_for(outsider).get(f"/catalogue/requests/{ex.request.id}").get_data(as_text=True)
    assert "Secret sauce" not in page and "Once your team logs it" in page
    for team in ex.teams:
        assert team.name not in page


def test_the_log_form_tells_a_flagged_team_how_many_answer_in_under_half_its_time(db, client_for, variation_example):
    ex = variation_example
    page = client_for(ex.manager_c).get("/entries/new").get_data(as_text=True)
    hints = json.loads(re.search(r"data-hints='([^']*)'", page).group(1))
    assert hints == {str(ex.request.id): {str(ex.c.id): 2}}  # A (1 h) and D (1.5 h) take under half of C's 4 h
    chosen = client_for(ex.manager_c).post("/entries/new", data={"request_id": ex.request.id, "team_id": ex.c.id})
    html = chosen.get_data(as_text=True)
    assert "2 teams answer this in under half your time — see how they do it" in re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))
    text = html
    assert f'href="/catalogue/requests/{ex.request.id}#methods">see how they do it' in text
    unflagged = client_for(ex.manager_a).get("/entries/new").get_data(as_text=True)
    assert re.search(r"data-hints='([^']*)'", unflagged).group(1) == "{}"
