"""A team's capacity page (/burden/teams/<id>/capacity): its history for anyone who may see the team,
and the form to record a new value for admins and the team's lead (a section of the admin team page
posts here too). Also gives every template `share_text` for shares of management time."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from tracker.auth.access import leads_team, team_or_404
from tracker.burden.capacity import CapacityExists, capacity_history, record_capacity
from tracker.burden.capacity_forms import CapacityForm
from tracker.burden.shares import share_text
from tracker.extensions import db

blueprint = Blueprint("capacity", __name__, url_prefix="/burden")


@blueprint.app_context_processor
def shares_for_templates():
    return {"share_text": share_text}


def may_record_capacity(user, team_id: int) -> bool:
    """Admins for any team; a lead for a team they lead."""
    return leads_team(user, team_id)


@blueprint.route("/teams/<int:team_id>/capacity", methods=["GET", "POST"])
@login_required
def team_capacity(team_id: int):
    team = team_or_404(current_user, team_id)
    may_record = may_record_capacity(current_user, team.id)
    form = CapacityForm(team=team) if may_record else None
    if request.method == "POST":
        if not may_record:
            abort(404)
        if form.validate_on_submit():
            values = form.values()
            try:
                capacity = record_capacity(current_user, team, values["fte"], values["effective_from"], values["note"])
                db.session.commit()
            except (CapacityExists, IntegrityError):  # the same day recorded by someone else a moment ago
                db.session.rollback()
                form.effective_from.errors = list(form.effective_from.errors) + [
                    f"{team.name} already has a capacity from that date. A capacity is never changed: choose another date"
                ]
            else:
                flash(f"{team.name}: {capacity.fte.normalize():f} FTE from {capacity.effective_from:%-d %B %Y}. "
                      "Earlier days keep the capacity they had.", "success")
                back = request.form.get("back")
                if back == "admin" and current_user.role == "admin":
                    return redirect(url_for("admin.team_edit", team_id=team.id) + "#capacity")
                return redirect(url_for("capacity.team_capacity", team_id=team.id))
    status = 400 if form is not None and form.errors else 200
    return render_template("burden/capacity.html", team=team, form=form, history=capacity_history(team.id)), status
