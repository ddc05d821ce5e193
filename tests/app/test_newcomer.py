"""What a new user trips on (issue 8), through the pages: landing per role, sign-off waiting and
confirmation, locked entries, log again, a new request's defaults, the audit trail, status tags."""
from __future__ import annotations

import html as html_lib
import json
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from tests.exports_support import login
from tests.entries.test_entries import count, error_by_field, log_form, text_of
from tracker.catalogue.kinds import guess_source_kind
from tracker.demo import data as demo_data
from tracker.models.audit import AuditEvent
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry
from tracker.models.signoff import MonthSignoff
from tracker.shared.timeutil import month_label


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return html_lib.unescape(response.get_data(as_text=True))


def sign_off(app, world):
    response = login(app, world.lead).post(
        "/exports/signoffs", data={"team_id": str(world.team.id), "month": f"{world.month:%Y-%m}", "confirm": "yes"}
    )
    assert response.status_code == 302


# ---- 1. status tags carry their label --------------------------------------------


def test_status_tags_show_their_label_on_the_list_and_the_request(manager_client, make_request):
    item = make_request("Quarterly assurance", status="under_review")
    listing = page(manager_client, "/catalogue/requests")
    assert re.search(r'<strong class="nhsuk-tag nhsuk-tag--yellow"\s*>\s*Under review\s*</strong>', listing)
    detail = page(manager_client, f"/catalogue/requests/{item.id}")
    assert re.search(r'<strong class="nhsuk-tag nhsuk-tag--yellow"\s*>\s*Under review\s*</strong>', detail)
    assert not re.search(r'<strong class="nhsuk-tag[^"]*"[^>]*>\s*</strong>', listing + detail)


# ---- 4. each role lands where its work is ---------------------------------------------


@pytest.mark.parametrize("role, landing", [("manager", "/"), ("lead", "/"), ("commissioner", "/burden/"), ("admin", "/admin/")])
def test_each_role_lands_where_its_work_is(client, make_user, team, role, landing):
    user = make_user(role, [team] if role in ("manager", "lead") else [])
    response = client.post("/login", data={"email": user.email, "password": "correct horse battery"})
    assert response.status_code == 302 and response.location == landing
    home = page(client, landing)
    assert f'class="nhsuk-header__service-name" href="{landing}"' in home or f'href="{landing}"' in home


def test_a_commissioner_is_never_offered_all_your_teams(commissioner_client, manager_client, team):
    for url in ("/burden/", "/"):
        assert "All your teams" not in page(commissioner_client, url)
    assert "All your teams" in page(manager_client, "/")


def test_lead_sees_the_months_waiting_for_sign_off_in_the_menu_and_on_the_dashboard(app, db, export_dir, world):
    lead = login(app, world.lead)
    dashboard = page(lead, "/burden/")
    assert re.search(r'data-testid="nav-signoff-count">1 to sign off<', dashboard)
    waiting = re.search(r'data-testid="signoff-waiting".*?</div>', dashboard, re.S).group(0)
    assert f"Sign off {world.team.name}, {month_label(world.month)}" in waiting
    assert world.other_team.name not in waiting  # not a team this lead leads
    assert 'data-testid="nav-signoff-count"' not in page(login(app, world.manager), "/burden/")  # managers sign nothing off

    sign_off(app, world)
    after = page(lead, "/burden/")
    assert 'data-testid="nav-signoff-count"' not in after and 'data-testid="signoff-waiting"' not in after


def test_signing_off_asks_first_and_says_what_it_locks(app, db, export_dir, world):
    lead = login(app, world.lead)
    form = {"team_id": str(world.team.id), "month": f"{world.month:%Y-%m}"}
    asked = lead.post("/exports/signoffs", data=form)
    assert asked.status_code == 200
    text = html_lib.unescape(asked.get_data(as_text=True))
    assert f"Sign off {month_label(world.month)}?" in text
    # The team's three entries of the month (165 minutes), and what the lock means
    assert re.search(r"locks the 3 entries of Community Nursing North dated 1 \w+ \d{4} to \d+ \w+ \d{4}: 2.75 hours", text)
    assert "Nobody can add, change or delete an entry" in text
    assert 'name="confirm" value="yes"' in text
    assert db.session.scalars(select(MonthSignoff)).all() == []  # nothing signed off yet

    by_link = page(lead, f"/exports/signoffs/confirm?team_id={world.team.id}&month={world.month:%Y-%m}")
    assert f"Sign off {month_label(world.month)}?" in by_link
    assert lead.get(f"/exports/signoffs/confirm?team_id={world.other_team.id}&month={world.month:%Y-%m}").status_code == 404  # a team they may not see: not found
    assert login(app, world.manager).get(f"/exports/signoffs/confirm?team_id={world.team.id}&month={world.month:%Y-%m}").status_code == 404

    assert lead.post("/exports/signoffs", data={**form, "confirm": "yes"}).status_code == 302
    assert len(db.session.scalars(select(MonthSignoff)).all()) == 1


# ---- 5. locked entries look locked ----------------------------------------------------


def test_signed_off_entries_offer_no_edit_or_delete_and_say_who_signed_them_off(app, db, export_dir, world):
    sign_off(app, world)
    manager = login(app, world.manager)
    listing = page(manager, "/")
    locked = re.findall(r'data-testid="locked">([^<]*)<', listing)
    assert len(locked) == 3 and all(note.strip().startswith("Signed off by Lee Lead on ") for note in locked)
    assert "/edit" not in listing and "/delete" not in listing
    # An entry of this month is still open to change.
    entry = manager_and_entry_today(db, world)
    assert f"/entries/{entry.id}/edit" in page(manager, "/")


def manager_and_entry_today(db, world) -> Entry:
    from tracker.entries.services import create_entry

    entry = create_entry(world.manager, {
        "request_id": world.request.id, "team_id": world.team.id, "occurred_on": date.today(), "minutes": 15,
        "band": "5", "duplicated_elsewhere": "no", "used": "yes", "notes": "",
    })
    db.session.commit()
    return entry


def test_the_log_form_knows_which_months_take_no_entries(app, db, export_dir, world):
    sign_off(app, world)
    form = page(login(app, world.manager), "/entries/new")
    locked = json.loads(re.search(r"data-locked-months='([^']*)'", form).group(1))
    assert list(locked) == [str(world.team.id)]
    assert locked[str(world.team.id)][f"{world.month:%Y-%m}"].startswith(
        f"Community Nursing North's entries for {month_label(world.month)} were signed off by Lee Lead")
    assert "A month that a lead has signed off cannot take new entries" in form
    assert 'id="occurred_on-locked"' in form


# ---- 6. log again --------------------------------------------------------------------------


def test_log_again_repeats_an_entry_for_today_in_two_steps(manager_client, db, team, make_request, make_entry):
    sitrep = make_request("Weekly sitrep")
    last_week = make_entry(manager_client.user, team, sitrep, occurred_on=date.today() - timedelta(days=7),
                           minutes=75, band="6", used="no", notes="figures for the region")
    listing = page(manager_client, "/")
    assert f'href="/entries/new?again={last_week.id}"' in listing
    form = page(manager_client, f"/entries/new?again={last_week.id}")  # step 1
    assert 'data-testid="repeating"' in form
    values = dict(re.findall(r'<(?:input|textarea)[^>]*name="(occurred_on|time_hours|time_minutes)"[^>]*value="([^"]*)"', form))
    assert values == {"occurred_on": date.today().isoformat(), "time_hours": "1", "time_minutes": "15"}
    assert re.search(rf'<option value="{sitrep.id}" selected', form)
    assert re.search(r'<option value="6" selected', form)
    assert re.search(rf'<option value="{team.id}" selected', form)
    # Step 2: "Log entry" posts what the form holds.
    posted = {**log_form(sitrep, team), "time_hours": "1", "time_minutes": "15", "band": "6", "used": "no"}
    assert manager_client.post("/entries/new", data=posted).status_code == 302
    again = db.session.scalars(select(Entry).order_by(Entry.id.desc())).first()
    assert (again.request_id, again.team_id, again.minutes, again.band, again.occurred_on) == (
        sitrep.id, team.id, 75, "6", date.today())


def test_the_log_form_lists_recent_entries_once_each(manager_client, team, make_request, make_entry):
    sitrep, census = make_request("Weekly sitrep"), make_request("Care home census")
    for weeks in (3, 2, 1):
        make_entry(manager_client.user, team, sitrep, occurred_on=date.today() - timedelta(weeks=weeks), minutes=60)
    make_entry(manager_client.user, team, census, minutes=30)
    recent = re.search(r'data-testid="recent-entries">(.*?)</ul>', page(manager_client, "/entries/new"), re.S).group(1)
    assert recent.count('data-testid="log-again"') == 2
    assert recent.index("Care home census") < recent.index("Weekly sitrep")  # newest first


def test_log_again_is_only_for_the_users_own_entries(manager_client, lead_client, team, make_request, make_entry, make_user):
    theirs = make_entry(make_user("manager", [team]), team, make_request())
    assert manager_client.get(f"/entries/new?again={theirs.id}").status_code == 404
    assert manager_client.get("/entries/new?again=nonsense").status_code == 404
    assert f"again={theirs.id}" not in page(manager_client, "/")


# ---- 6. a new request's defaults and "details to confirm" -------------------------------


def test_a_new_request_needs_only_a_title_and_who_asked(manager_client, db, team):
    form = page(manager_client, "/entries/new")
    assert re.search(r'<option value="ad_hoc" selected', form)
    assert re.search(r'<option value="discretionary" selected', form)
    posted = log_form(None, team, new_request_title="Discharge delays deep dive", new_request_source_id="new",
                      new_source_name="Northshire ICB", new_source_kind="", new_request_frequency="ad_hoc",
                      new_request_obligation="discretionary")
    assert manager_client.post("/entries/new", data=posted).status_code == 302
    added = db.session.scalars(select(Request)).one()
    assert (added.frequency, added.obligation, added.details_to_confirm) == ("ad_hoc", "discretionary", True)
    assert added.source.kind == "commissioner"  # guessed from "ICB"
    assert count(db, Entry) == 1


def test_a_commissioner_confirms_the_details_and_the_mark_comes_off(manager_client, commissioner_client, db, team):
    posted = log_form(None, team, new_request_title="Falls audit", new_request_source_id="new", new_source_name="Fred's office")
    assert manager_client.post("/entries/new", data=posted).status_code == 302
    added = db.session.scalars(select(Request)).one()
    assert added.source.kind == "other"  # nothing in the name to go on

    listing = page(commissioner_client, "/catalogue/requests")
    assert 'data-testid="details-to-confirm"' in listing and "1 request has details to confirm" in listing
    assert "Falls audit" in page(commissioner_client, "/catalogue/requests?to_confirm=y")
    assert 'data-testid="details-form"' not in page(manager_client, f"/catalogue/requests/{added.id}")
    assert manager_client.post(f"/catalogue/requests/{added.id}/details", data={}).status_code == 404

    bad = commissioner_client.post(f"/catalogue/requests/{added.id}/details",
                                   data={"frequency": "sometimes", "obligation": "statutory", "source_kind": "internal"})
    assert bad.status_code == 400 and error_by_field(text_of(bad), "frequency").startswith("Choose how often from")
    done = commissioner_client.post(f"/catalogue/requests/{added.id}/details",
                                    data={"frequency": "monthly", "obligation": "statutory", "source_kind": "internal"})
    assert done.status_code == 302
    db.session.expire_all()
    added = db.session.get(Request, added.id)
    assert (added.frequency, added.obligation, added.details_to_confirm, added.source.kind) == (
        "monthly", "statutory", False, "internal")
    changes = db.session.scalars(select(AuditEvent).where(AuditEvent.action == "update")).all()
    assert {e.entity for e in changes} == {"request", "source"}
    assert 'data-testid="details-to-confirm"' not in page(commissioner_client, "/catalogue/requests")


@pytest.mark.parametrize("name, kind", [
    ("Care Quality Commission", "regulator"), ("Northshire ICB", "commissioner"), ("Eastshire County Council", "local_authority"),
    ("NHS England – national data collections", "national_body"), ("Cancer alliance programme office", "programme_office"),
    ("Trust board", "internal"), ("Local Healthwatch", "other"), ("", "other"),
])
def test_the_kind_of_a_source_is_guessed_from_its_name(name, kind):
    assert guess_source_kind(name) == kind


def test_the_demo_sources_kinds_are_guessed_right():
    assert all(guess_source_kind(name) == kind for name, kind in demo_data.SOURCES)


# ---- 7. the audit trail says what each event was about ---------------------------------------


def test_audit_trail_says_what_each_event_was_about(app, db, admin_client, export_dir, world):
    from tracker.demo.seed import seed_demo

    sign_off(app, world)
    seed_demo(db.session, teams=1, months=1, entries=3, seed=1, today=date.today())
    trail = page(admin_client, "/admin/audit")
    assert "#None" not in trail
    records = [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html_lib.unescape(r))).strip()
               for r in re.findall(r'data-testid="audit-record">(.*?)</td>', trail, re.S)]
    assert any(r.startswith("Entry ") and "3 demo entries loaded (seed 1)" in r for r in records)
    assert any(r.startswith("Month sign-off #") and f"Community Nursing North, {month_label(world.month)}" in r
               for r in records)
    entry_events = page(admin_client, "/admin/audit?entity=entry")
    assert re.search(r"Monthly performance return for Community Nursing North, \d+ \w+ \d{4}, 1h 30m", entry_events)
