"""Pages for logging reporting work: the list, the log form, edit and delete (the week view: week_views.py).

Views parse and render; rules live in services.py (writes, audited), forms.py
(validation) and queries.py (reads)."""
from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import can_edit_entry, can_see_team, loggable_teams, visible_team_ids, visible_teams
from tracker.models.catalogue import Request
from tracker.entries.filters import EntryFilterForm
from tracker.entries.forms import LogEntryForm
from tracker.entries.queries import (
    EntryListFilter, entries_page, last_change, latest_entry_by, live_entry, recent_entries_to_repeat, usual_team_id,
)
from tracker.entries.services import EntryNotAllowed, add_request_inline, create_entry, delete_entry, update_entry
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.shared.forms import latest_allowed_date
from tracker.shared.parsing import is_id, parse_id
from tracker.extensions import db
from tracker.shared.errors import Stale
from tracker.shared.slots import panels
from tracker.shared.pagination import requested_page
from tracker.shared.timeutil import app_timezone, local_today, month_start
from tracker.signoff.services import lock_message, signed_off_note, signoffs_in_force

from tracker.entries import week_views  # noqa: F401,E402  (the week view's routes register on import)
from tracker.entries.blueprint import blueprint

FILTER_ARGS = ("team", "from", "to", "source", "request")


@blueprint.route("/")
def index():
    form = EntryFilterForm(request.args, user=current_user, teams=visible_teams(current_user),
                           every_team_label="All teams" if current_user.sees_all_teams else "All your teams")
    if not form.validate():
        return render_template("entries/index.html", form=form, listing=None, can_log=bool(loggable_teams(current_user))), 400
    team_id = form.chosen_id(form.team)
    flt = EntryListFilter(
        team_ids=[team_id] if team_id is not None else visible_team_ids(current_user),
        start=form.date_from.data,
        end=form.date_to.data,
        source_id=form.chosen_id(form.source),
        request_id=form.chosen_id(form.request),
    )
    listing = entries_page(flt, requested_page(request.args), current_app.config["ENTRIES_PER_PAGE"])
    locks = signoffs_of([row.entry for row in listing.rows])
    loggable_ids = {t.id for t in loggable_teams(current_user)}
    return render_template(
        "entries/index.html",
        form=form,
        listing=listing,
        can_edit=lambda entry: can_edit_entry(current_user, entry),
        # A signed-off month's entries cannot change: say who signed them off instead of offering Edit.
        lock_note=lambda entry: signed_off_note(locks[key]) if (key := (entry.team_id, month_start(entry.occurred_on))) in locks else None,
        can_repeat=lambda entry: entry.logged_by_id == current_user.id and entry.team_id in loggable_ids,
        can_log=bool(loggable_ids),
        filtered=any(request.args.get(name) for name in FILTER_ARGS),
    )


def signoffs_of(entries) -> dict:
    """The sign-offs in force over these entries' teams and months."""
    if not entries:
        return {}
    days = [e.occurred_on for e in entries]
    return signoffs_in_force(db.session, [e.team_id for e in entries], min(days), max(days))


@blueprint.route("/entries/new", methods=["GET", "POST"])
def new():
    teams = loggable_teams(current_user) or abort(404)
    if request.method == "GET":
        again = request.args.get("again")
        defaults = repeat_defaults(again, teams) if again is not None else log_form_defaults(teams)
        form = LogEntryForm(user=current_user, **defaults)
        return render_log_form(form, teams, repeating=again is not None)
    form = LogEntryForm(user=current_user)
    if not form.validate_on_submit():
        return render_log_form(form, teams), 400
    refused = save_or_refuse(form, lambda values: create_entry(current_user, values))
    if refused:
        return render_log_form(form, teams), 400
    for note in getattr(form, "picked_notes", ()):
        flash(note, "info")
    flash("Entry logged", "success")
    return redirect(url_for("entries.new" if form.log_another.data else "entries.index"))


def save_or_refuse(form, write) -> bool:
    """Write the form's entry (and any request added inline) in one transaction.

    Returns True when the write was refused; the reason is then on the form."""
    try:
        write(values_with_request(form))
        db.session.commit()
    except (EntryNotAllowed, IntegrityError) as error:
        db.session.rollback()
        if isinstance(error, IntegrityError) and not form.adding_request:
            raise
        show_refusal(form, error)
        return True
    return False


@blueprint.route("/entries/<int:entry_id>/edit", methods=["GET", "POST"])
def edit(entry_id: int):
    entry = editable_entry_or_404(entry_id)
    if request.method == "GET":
        form = LogEntryForm(user=current_user, **form_values_of(entry))
    else:
        form = LogEntryForm(user=current_user)
    form.existing = entry
    keep_entry_choices(form, entry)
    if request.method == "GET":
        return render_template("entries/form.html", form=form, entry=entry)
    if not form.validate_on_submit():
        return render_template("entries/form.html", form=form, entry=entry), 400
    try:
        refused = save_or_refuse(form, lambda values: update_entry(current_user, entry, values, form.versions_read()))
    except Stale as stale:
        return someone_saved_first(form, entry_id, stale)
    if refused:
        return render_template("entries/form.html", form=form, entry=entry), 400
    flash("Entry changed", "success")
    return redirect(url_for("entries.index"))


def someone_saved_first(form: LogEntryForm, entry_id: int, stale: Stale):
    """Nothing was saved: show the entry as it now stands beside the person's own changes.
    Saving again replaces the other change knowingly (the form now carries the current version)."""
    db.session.rollback()
    entry = editable_entry_or_404(entry_id)
    form.existing = entry
    keep_entry_choices(form, entry)
    form.version.data = str(stale.current_version)
    change = last_change(entry)
    saved = None
    if change is not None:
        local = change.at.astimezone(app_timezone())
        saved = {"by": change.by, "at": f"{local:%H:%M} on {local.day} {local:%B %Y}"}
    return render_template("entries/form.html", form=form, entry=entry, clash=True, saved=saved), 409


@blueprint.route("/entries/<int:entry_id>/delete", methods=["GET", "POST"])
def delete(entry_id: int):
    entry = editable_entry_or_404(entry_id)
    error = None
    if request.method == "POST":
        try:
            delete_entry(current_user, entry)
            db.session.commit()
        except EntryNotAllowed as refused:
            db.session.rollback()
            error = str(refused)
        else:
            flash("Entry deleted", "success")
            return redirect(url_for("entries.index"))
    return render_template("entries/delete.html", entry=entry, error=error), 400 if error else 200


# ---- helpers ---------------------------------------------------------------


def editable_entry_or_404(entry_id: int):
    """Another team's entry, or one this user may not change, does not exist for them."""
    if not loggable_teams(current_user):
        abort(404)
    entry = live_entry(entry_id)
    if entry is None or not can_see_team(current_user, entry.team_id) or not can_edit_entry(current_user, entry):
        abort(404)
    return entry


def render_log_form(form: LogEntryForm, teams, repeating: bool = False):
    """The log form, with the user's recent entries to log again and the months that take no entries."""
    return render_template(
        "entries/form.html",
        form=form,
        entry=None,
        repeating=repeating,
        recent=recent_entries_to_repeat(current_user, [t.id for t in teams]),
        locked_months=locked_months(teams),
        # e.g. "N teams answer this in under half your time" (tracker/workspace/panels.py)
        panels=panels("entries.log_form", teams=teams, user=current_user),
    )


def locked_months(teams) -> dict:
    """{team id: {"YYYY-MM": why}} for every signed-off month of the teams: the log form's date
    field says, before saving, that such a month takes no new entries."""
    found = signoffs_in_force(db.session, [t.id for t in teams], DEFAULTS_EFFECTIVE_FROM, latest_allowed_date())
    months: dict = {}
    for (team_id, month), signoff in found.items():
        months.setdefault(str(team_id), {})[f"{month:%Y-%m}"] = lock_message(signoff)
    return months


def repeat_defaults(entry_id: str, teams) -> dict:
    """"Log again": one of the user's own entries, for today: same request, team, time and band,
    and the same answers; everything stays editable before saving."""
    entry = live_entry(parse_id(entry_id)) if is_id(entry_id) else None
    if entry is None or entry.logged_by_id != current_user.id or entry.team_id not in {t.id for t in teams}:
        abort(404)
    values = form_values_of(entry)
    values["occurred_on"] = local_today(current_app.config.get("TIMEZONE"))
    values["notes"] = ""
    return values


def log_form_defaults(teams) -> dict:
    """A fresh log form: today, the team and band of the user's last entry (or their only team)."""
    defaults = {"occurred_on": local_today(current_app.config.get("TIMEZONE")), "time_hours": None, "time_minutes": None}
    last = latest_entry_by(current_user)
    team_id = usual_team_id(current_user, [t.id for t in teams])
    if team_id is not None:
        defaults["team_id"] = str(team_id)
    if last is not None:
        defaults["band"] = last.band
    return defaults


def form_values_of(entry) -> dict:
    hours, minutes = divmod(entry.minutes, 60)
    return {
        "request_id": str(entry.request_id),
        "team_id": str(entry.team_id),
        "occurred_on": entry.occurred_on,
        "time_hours": hours,
        "time_minutes": minutes,
        "band": entry.band,
        "duplicated_elsewhere": entry.duplicated_elsewhere,
        "used": entry.used,
        "notes": entry.notes,
        "version": str(entry.version),
    }


def keep_entry_choices(form: LogEntryForm, entry) -> None:
    """An entry may keep a request retired since, and a team no longer active."""
    if str(entry.request_id) not in {value for value, _ in form.request_id.choices}:
        request_row = db.session.get(Request, entry.request_id)
        form.request_id.choices.append((str(request_row.id), f"{request_row.label} – {request_row.status.replace('_', ' ')}"))
    if entry.team_id not in {t.id for t in form.teams}:
        form.teams.append(entry.team)
        form.team_id.choices.append((str(entry.team_id), entry.team.name))


def values_with_request(form: LogEntryForm) -> dict:
    """The entry's values; a request added inline is created first, in the same transaction."""
    values = form.entry_values()
    if form.adding_request:
        values["request_id"], form.picked_notes = add_request_inline(current_user, form.new_request_values())
    return values


def show_refusal(form: LogEntryForm, error: Exception) -> None:
    """Why nothing was written: by the field the refusal names (a signed-off month: the date), else at the top."""
    if isinstance(error, EntryNotAllowed):
        field = getattr(form, getattr(error, "field", None) or "", None)
        if field is not None:
            field.errors = list(field.errors) + [str(error)]
        else:
            form.form_errors.append(str(error))
    else:
        # Only a request or source added inline can collide: someone else made the same one meanwhile.
        form.form_errors.append("Someone added that source or request a moment ago. Choose it from the list and submit again.")
