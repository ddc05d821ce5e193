"""Admin pages: users and their team roles, teams, sources and the audit trail.

Only admins; anyone else gets 404 for every page here. Views parse, call
tracker/admin/services.py and render; bad input re-renders with status 400."""
from __future__ import annotations

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, url_for
from flask_login import current_user, login_user
from sqlalchemy import func, select

from tracker.auth.oidc_accounts import users_waiting_for_a_team
from tracker.admin import forms, services
from tracker.auth.tokens import tokens_of
from tracker.burden.capacity import capacity_history
from tracker.burden.capacity_forms import CapacityForm
from tracker.catalogue.forms import SourceForm
from tracker.models.auth import User
from tracker.catalogue import services as catalogue
from tracker.models.catalogue import Source, Team
from tracker.extensions import db
from tracker.shared.pagination import paginate, requested_page
from tracker.shared.parsing import is_id, parse_id

blueprint = Blueprint("admin", __name__, url_prefix="/admin")

PER_PAGE = 50
AUDIT_PER_PAGE = 50


@blueprint.before_request
def admins_only():
    # Not 403: for everyone else these pages do not exist.
    if not current_user.is_authenticated or current_user.role != "admin":
        abort(404)


def _get_or_404(model, obj_id: int):
    obj = db.session.get(model, obj_id)
    if obj is None:
        abort(404)
    return obj


def _invalid(template: str, **context):
    db.session.rollback()
    return render_template(template, **context), 400


@blueprint.route("/")
def index():
    rates_url = url_for("burden.rates") if "burden.rates" in current_app.view_functions else "/admin/rates"
    schedule_url = url_for("exports.schedule") if "exports.schedule" in current_app.view_functions else None
    counts = {
        "users": db.session.scalar(select(func.count()).select_from(User).where(User.active.is_(True))),
        "teams": db.session.scalar(select(func.count()).select_from(Team).where(Team.active.is_(True))),
        "sources": db.session.scalar(select(func.count()).select_from(Source)),
    }
    return render_template("admin/index.html", rates_url=rates_url, schedule_url=schedule_url, counts=counts)


# ---- users ------------------------------------------------------------------


@blueprint.route("/users")
def users():
    page = paginate(services.users_query(), requested_page(request.args), PER_PAGE)
    return render_template("admin/users.html", page=page, waiting=users_waiting_for_a_team())


@blueprint.route("/users/new", methods=["GET", "POST"])
def user_new():
    form = forms.NewUserForm(teams=services.teams_for_membership())
    if request.method == "POST":
        if not form.validate():
            return _invalid("admin/user_form.html", form=form, user=None)
        user = services.create_user_account(
            current_user,
            email=form.email.data,
            name=form.name.data,
            role=form.role.data,
            password=form.password.data,
            team_roles=form.team_roles.data,
        )
        db.session.commit()
        flash(f"User {user.email} created.", "success")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@blueprint.route("/users/<int:user_id>", methods=["GET", "POST"])
def user_edit(user_id: int):
    user = _get_or_404(User, user_id)
    teams = services.teams_for_membership(user)
    current_roles = {m.team_id: m.role for m in user.memberships}
    form = forms.EditUserForm(obj=user, teams=teams, team_roles=current_roles)
    status_form = forms.ActiveForm()
    tokens = tokens_of(user)
    if request.method == "POST":
        if not form.validate():
            return _invalid("admin/user_form.html", form=form, user=user, status_form=status_form, tokens=tokens)
        try:
            changed = services.update_user_account(
                current_user,
                user,
                name=form.name.data,
                role=form.role.data,
                team_roles=form.team_roles.data,
                password=form.password.data or None,
            )
        except services.AdminError as error:
            getattr(form, error.field).errors.append(error.message)
            return _invalid("admin/user_form.html", form=form, user=user, status_form=status_form, tokens=tokens)
        db.session.commit()
        if user.id == current_user.id:
            login_user(user)  # a new password ended this admin's own session too: carry on in a fresh one
        flash(f"{user.name}'s account saved." if changed else "Nothing changed.", "success" if changed else "info")
        return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=user, status_form=status_form, tokens=tokens)


@blueprint.route("/users/<int:user_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def user_active(user_id: int, action: str):
    user = _get_or_404(User, user_id)
    if not forms.ActiveForm().validate():
        abort(400)
    try:
        services.set_user_active(current_user, user, action == "reactivate")
    except services.AdminError as error:
        db.session.rollback()
        flash(error.message, "error")
        return redirect(url_for("admin.user_edit", user_id=user.id))
    db.session.commit()
    flash(f"{user.name}'s account {'reactivated' if user.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.users"))


@blueprint.route("/users/<int:user_id>/end-sessions", methods=["POST"])
def user_end_sessions(user_id: int):
    user = _get_or_404(User, user_id)
    if user.id == current_user.id or not forms.ActiveForm().validate():
        abort(400)  # the button is not offered for yourself: sign out instead
    services.end_user_sessions(current_user, user)
    db.session.commit()
    flash(f"{user.name} is signed out everywhere. They can sign in again.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


@blueprint.route("/users/<int:user_id>/tokens/<int:token_id>/revoke", methods=["POST"])
def user_token_revoke(user_id: int, token_id: int):
    user = _get_or_404(User, user_id)
    if not forms.ActiveForm().validate():
        abort(400)
    if services.revoke_user_token(current_user, user, token_id) is None:
        abort(404)
    db.session.commit()
    flash(f"API token {token_id} of {user.name} revoked: it no longer works.", "success")
    return redirect(url_for("admin.user_edit", user_id=user.id))


# ---- teams ------------------------------------------------------------------


@blueprint.route("/teams")
def teams():
    query = select(Team).order_by(Team.active.desc(), func.lower(Team.name))
    page = paginate(query, requested_page(request.args), PER_PAGE)
    return render_template("admin/teams.html", page=page, members=services.team_member_counts())


@blueprint.route("/teams/new", methods=["GET", "POST"])
def team_new():
    form = forms.TeamForm()
    if request.method == "POST":
        if not form.validate():
            return _invalid("admin/team_form.html", form=form, team=None)
        team = catalogue.create_team(current_user, name=form.name.data, organisation=form.organisation.data, sector=form.sector.data)
        db.session.commit()
        flash(f"Team {team.name} created.", "success")
        return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=None)


@blueprint.route("/teams/<int:team_id>", methods=["GET", "POST"])
def team_edit(team_id: int):
    team = _get_or_404(Team, team_id)
    form = forms.TeamForm(obj=team, existing=team)
    status_form = forms.ActiveForm()
    if request.method == "POST":
        if not form.validate():
            return _invalid("admin/team_form.html", form=form, team=team, status_form=status_form, **_capacity(team))
        changed = services.update_team(current_user, team, name=form.name.data, organisation=form.organisation.data, sector=form.sector.data)
        db.session.commit()
        flash(f"Team {team.name} saved." if changed else "Nothing changed.", "success" if changed else "info")
        return redirect(url_for("admin.teams"))
    return render_template("admin/team_form.html", form=form, team=team, status_form=status_form, **_capacity(team))


def _capacity(team: Team) -> dict:
    """The team page's capacity section: its history, and the form that posts to the capacity page."""
    return {"capacity_history": capacity_history(team.id), "capacity_form": CapacityForm(formdata=None, team=team)}


@blueprint.route("/teams/<int:team_id>/<any(deactivate, reactivate):action>", methods=["POST"])
def team_active(team_id: int, action: str):
    team = _get_or_404(Team, team_id)
    if not forms.ActiveForm().validate():
        abort(400)
    services.set_team_active(current_user, team, action == "reactivate")
    db.session.commit()
    flash(f"Team {team.name} {'reactivated' if team.active else 'deactivated'}.", "success")
    return redirect(url_for("admin.teams"))


# ---- sources ----------------------------------------------------------------


@blueprint.route("/sources")
def sources():
    query = select(Source).order_by(func.lower(Source.name))
    page = paginate(query, requested_page(request.args), PER_PAGE)
    return render_template("admin/sources.html", page=page, requests=services.source_request_counts())


@blueprint.route("/sources/<int:source_id>", methods=["GET", "POST"])
def source_edit(source_id: int):
    source = _get_or_404(Source, source_id)
    form = SourceForm(obj=source, existing=source)
    if request.method == "POST":
        if not form.validate():
            return _invalid("admin/source_form.html", form=form, source=source)
        changed = services.update_source(current_user, source, name=form.name.data, kind=form.kind.data)
        db.session.commit()
        flash(f"Source {source.name} saved." if changed else "Nothing changed.", "success" if changed else "info")
        return redirect(url_for("admin.sources"))
    return render_template("admin/source_form.html", form=form, source=source)


# ---- audit trail ------------------------------------------------------------


@blueprint.route("/audit")
def audit():
    entities = services.audited_entities()
    actors = services.audit_actors()
    errors = {}
    entity = request.args.get("entity", "").strip()
    if entity and entity not in set(entities) | set(services.ENTITY_LABELS):
        errors["entity"] = "Choose a kind of record from the list"
    raw_user = request.args.get("user_id", "").strip()
    user_id = None
    if raw_user:
        if is_id(raw_user) and db.session.get(User, parse_id(raw_user)) is not None:
            user_id = int(raw_user)
        else:
            errors["user_id"] = "Choose a user from the list"
    context = {
        "entities": entities,
        "entity_labels": services.ENTITY_LABELS,
        "actors": actors,
        "entity": entity,
        "user_id": user_id,
        "raw_user": raw_user,
        "errors": errors,
    }
    if errors:
        return render_template("admin/audit.html", page=None, rows=[], **context), 400
    page = paginate(services.audit_query(entity or None, user_id), requested_page(request.args), AUDIT_PER_PAGE)
    return render_template("admin/audit.html", page=page, rows=services.readable_events(page.items), **context)
