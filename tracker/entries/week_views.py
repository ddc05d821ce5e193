"""The week view, /entries/week: a team's week as a grid, "Copy last week" and "Save the week".

A plain form: every button posts the whole grid back, so it works without
JavaScript. Copying and adding a row only redraw the page with the drafts
kept; saving checks every draft (tracker/entries/week.py) and writes all of
them or none (tracker/entries/services.py `create_entries`)."""
from __future__ import annotations

from datetime import date, timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_login import current_user

from tracker.auth.access import loggable_teams
from tracker.entries.blueprint import blueprint
from tracker.entries.forms import request_choices
from tracker.entries.queries import usual_team_id
from tracker.entries.services import EntriesNotAllowed, create_entries, hold_team
from tracker.entries.week import DAYS, Copied, PostedRow, Week, apply_posted, checked_drafts, copy_last_week, load_week, monday_of, week_problem
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.shared.choices import LOGGABLE_STATUSES
from tracker.shared.parsing import parse_id, parse_iso_date, parse_whole_number
from tracker.shared.timeutil import local_today

MAX_ROWS = 200  # more rows than any team's week; a posted form beyond it is cut there
WEEK_DATE_MESSAGE = "Enter the week as a date in the form YYYY-MM-DD"


@blueprint.route("/entries/week", methods=["GET", "POST"])
def week():
    teams = loggable_teams(current_user) or abort(404)
    sent = request.form if request.method == "POST" else request.args
    team = chosen_team(sent.get("team"), teams)
    start, problem = chosen_start(sent.get("start"))
    if request.method == "GET" or problem:
        shown = load_week(db.session, team.id, start)
        shown.problems += [problem] if problem else []
        return render_week(shown, teams, team, chosen_day(sent.get("day"), start)), 400 if problem else 200
    return act_on_week(teams, team, start)


def act_on_week(teams, team, start: date):
    action = request.form.get("action", "")
    posted = posted_rows()
    added = tuple(row.request_id for row in posted)
    add_error = None
    if action == "add":
        new_id, add_error = request_to_add()
        added += (new_id,) if new_id else ()
    if action == "save":
        hold_team(team.id)  # a second save of this team's week waits, then sees what the first wrote
    shown = load_week(db.session, team.id, start, added)
    apply_posted(shown, posted)
    day = chosen_day(request.form.get("day"), start)
    if action == "copy":
        flash(copied_message(copy_last_week(db.session, shown)), "info")
    elif action == "save":
        return save_week(shown, teams, team, day)
    return render_week(shown, teams, team, day, add_error=add_error), 400 if add_error else 200


def save_week(shown: Week, teams, team, day: int):
    values = checked_drafts(current_user, shown)
    if shown.has_errors or not values:
        db.session.rollback()
        if not shown.has_errors:
            flash("Nothing new to save: type a time in a day first, or copy last week.", "info")
        return render_week(shown, teams, team, day), 400 if shown.has_errors else 200
    try:
        create_entries(current_user, values)
    except EntriesNotAllowed as refused:
        db.session.rollback()
        shown.problems.append(refused.message)
        return render_week(shown, teams, team, day), 400
    db.session.commit()
    flash(f"{len(values)} {'entry' if len(values) == 1 else 'entries'} saved for the week of {shown.start:%-d %B %Y}", "success")
    return redirect(url_for("entries.week", team=team.id, start=shown.start.isoformat(), day=day))


# ---- parsing what was sent ------------------------------------------------------


def chosen_team(raw, teams):
    """?team= (one of the user's loggable teams, else 404), or the team the log form would start with."""
    if raw:
        team_id = parse_id(raw)
        return next((t for t in teams if t.id == team_id), None) or abort(404)
    usual = usual_team_id(current_user, [t.id for t in teams])
    return next((t for t in teams if t.id == usual), teams[0])


def chosen_start(raw) -> tuple[date, str | None]:
    """The Monday of the week asked for (this week by default), and why it cannot be shown, if so."""
    this_week = monday_of(local_today())
    if not raw:
        return this_week, None
    day = parse_iso_date(raw)
    if day is None:
        return this_week, WEEK_DATE_MESSAGE
    problem = week_problem(monday_of(day))
    return (this_week, problem) if problem else (monday_of(day), None)


def chosen_day(raw, start: date) -> int:
    """The day a phone shows (0 is Monday): as sent, else today when it is in the week, else Monday."""
    index = parse_whole_number(raw)
    if index is not None and index < DAYS:
        return index
    today = (local_today() - start).days
    return today if 0 <= today < DAYS else 0


def posted_rows() -> list[PostedRow]:
    """The grid as posted: r{i}-request, r{i}-band, r{i}-duplicated_elsewhere, r{i}-used, r{i}-d{day}."""
    rows = []
    for i in range(MAX_ROWS):
        request_id = parse_id(request.form.get(f"r{i}-request"))
        if request_id is None:
            break
        rows.append(PostedRow(
            request_id,
            band=request.form.get(f"r{i}-band", ""),
            duplicated_elsewhere=request.form.get(f"r{i}-duplicated_elsewhere", "unknown"),
            used=request.form.get(f"r{i}-used", "unknown"),
            typed=tuple(request.form.get(f"r{i}-d{d}", "")[:40] for d in range(DAYS)),
        ))
    return rows


def request_to_add() -> tuple[int | None, str | None]:
    request_id = parse_id(request.form.get("add_request"))
    found = db.session.get(Request, request_id) if request_id else None
    if found is None or found.status not in LOGGABLE_STATUSES:
        return None, "Choose a request to add a row for"
    return found.id, None


def copied_message(result: Copied) -> str:
    if not (result.copied or result.already_logged or result.locked or result.closed):
        return "Nothing to copy: the team logged nothing last week."
    parts = [f"Copied {result.copied} {'day' if result.copied == 1 else 'days'} from last week: check them, then save the week."]
    if result.already_logged:
        parts.append(f"{result.already_logged} already logged this week, so not copied again.")
    if result.locked:
        parts.append(f"{result.locked} fall in a signed-off month.")
    if result.closed:
        parts.append(f"{result.closed} are for requests closed to new work.")
    return " ".join(parts)


# ---- the page ---------------------------------------------------------------------


def render_week(shown: Week, teams, team, day: int, add_error: str | None = None):
    def week_url(start: date) -> str | None:
        return None if week_problem(start) else url_for("entries.week", team=team.id, start=start.isoformat())

    return render_template(
        "entries/week.html",
        week=shown,
        teams=teams,
        team=team,
        day=day,
        today=local_today(),
        previous_url=week_url(shown.start - timedelta(days=DAYS)),
        next_url=week_url(shown.start + timedelta(days=DAYS)),
        request_choices=[choice for choice in request_choices() if int(choice[0]) not in {r.request_id for r in shown.rows}],
        add_error=add_error,
    )
