"""Pages for logging reporting work: the list, the log form, edit and delete.

Views parse and render; rules live in services.py (writes, audited), forms.py
(validation) and queries.py (reads)."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import can_edit_entry, can_see_team, loggable_teams, visible_team_ids, visible_teams
from tracker.models.catalogue import Request
from tracker.entries.filters import EntryFilterForm
from tracker.entries.forms import LogEntryForm
from tracker.entries.queries import EntryListFilter, entries_page, latest_entry_by, live_entry
from tracker.entries.services import EntryNotAllowed, add_request_inline, create_entry, delete_entry, update_entry
from tracker.extensions import db
from tracker.shared.pagination import requested_page

blueprint = Blueprint("entries", __name__)

FILTER_ARGS = ("team", "from", "to", "source", "request")


@blueprint.route("/")
def index():
    form = EntryFilterForm(request.args, teams=visible_teams(current_user))
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
    return render_template(
        "entries/index.html",
        form=form,
        listing=listing,
        can_edit=lambda entry: can_edit_entry(current_user, entry),
        can_log=bool(loggable_teams(current_user)),
        filtered=any(request.args.get(name) for name in FILTER_ARGS),
    )


@blueprint.route("/entries/new", methods=["GET", "POST"])
def new():
    teams = loggable_teams(current_user) or abort(404)
    if request.method == "GET":
        form = LogEntryForm(user=current_user, **log_form_defaults(teams))
        return render_template("entries/form.html", form=form, entry=None)
    form = LogEntryForm(user=current_user)
    if not form.validate_on_submit():
        return render_template("entries/form.html", form=form, entry=None), 400
    refused = save_or_refuse(form, lambda values: create_entry(current_user, values))
    if refused:
        return render_template("entries/form.html", form=form, entry=None), 400
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
    refused = save_or_refuse(form, lambda values: update_entry(current_user, entry, values))
    if refused:
        return render_template("entries/form.html", form=form, entry=entry), 400
    flash("Entry changed", "success")
    return redirect(url_for("entries.index"))


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


def log_form_defaults(teams) -> dict:
    """A fresh log form: today, the team and band of the user's last entry (or their only team)."""
    defaults = {"occurred_on": date.today(), "time_hours": None, "time_minutes": None}
    last = latest_entry_by(current_user)
    team_ids = [t.id for t in teams]
    if last is not None and last.team_id in team_ids:
        defaults["team_id"] = str(last.team_id)
    elif len(team_ids) == 1:
        defaults["team_id"] = str(team_ids[0])
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
