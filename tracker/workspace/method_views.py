"""Writing a team's method for a request (the team's managers and leads; anyone else: 404).

Views parse, call and render: the rules are tracker/workspace/methods.py's."""
from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_login import current_user

from tracker.extensions import db
from tracker.models.catalogue import Request, Team
from tracker.workspace.forms import MethodForm
from tracker.workspace.methods import MethodRefused, can_write, method_of, save_method
from tracker.shared.errors import Stale

blueprint = Blueprint("methods", __name__, url_prefix="/methods")


def _request_and_team_or_404(request_id: int, team_id: int) -> tuple[Request, Team]:
    request, team = db.session.get(Request, request_id), db.session.get(Team, team_id)
    if request is None or team is None or not can_write(current_user, team.id):
        abort(404)
    return request, team


@blueprint.route("/requests/<int:request_id>/teams/<int:team_id>", methods=["GET", "POST"])
def edit(request_id: int, team_id: int):
    request, team = _request_and_team_or_404(request_id, team_id)
    stored = method_of(request.id, team.id)
    form = MethodForm()
    if not form.is_submitted():
        form.text.data = stored.text if stored else ""
        form.version.data = str(stored.version if stored else 0)
    elif form.validate():
        try:
            save_method(current_user, request.id, team.id, form.text.data, {int(form.version.data or 0)})
        except MethodRefused as refused:
            db.session.rollback()
            form.text.errors = [refused.message]
        except Stale:
            db.session.rollback()
            stored = method_of(request.id, team.id)
            form.version.data = str(stored.version if stored else 0)
            return render_template("workspace/method_form.html", form=form, item=request, team=team, clash=stored), 409
        else:
            db.session.commit()
            flash(f"Saved how {team.name} does it. Every team that answers this request can read it.", "success")
            return redirect(url_for("catalogue.request_detail", request_id=request.id, _anchor="methods"))
    status = 400 if form.is_submitted() else 200
    return render_template("workspace/method_form.html", form=form, item=request, team=team, clash=None), status
