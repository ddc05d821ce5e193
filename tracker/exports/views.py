"""Exports page: monthly workbooks with their status and downloads, "make now", and month sign-off.

Region workbooks are for commissioners and admins; a team's workbook for
whoever can see the team. Anything else is 404, by id or by file name, and a
file is only ever served from a run row, never from a name in the URL."""
from __future__ import annotations

from datetime import datetime

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import select

from tracker.auth.access import can_see_team, leads_team, visible_team_ids, visible_teams
from tracker.burden.figures import BurdenFilter
from tracker.burden.services import burden
from tracker.models.catalogue import Team
from tracker.exports.background import request_exports
from tracker.exports.forms import ALL_TEAMS, MakeNowForm, ReopenForm, SignoffForm
from tracker.models.exports import EXPORT_TRIGGERS, ExportRun, scope_for
from tracker.models.signoff import MonthSignoff
from tracker.exports.runs import ExportSettings, run_file_path
from tracker.signoff.services import SignoffError, long_date, reopen, sign_off, signoff_refusal, signoffs_visible
from tracker.extensions import db
from tracker.shared.timeutil import month_end, month_label, parse_month
from tracker.shared.parsing import is_id, parse_id

blueprint = Blueprint("exports", __name__, url_prefix="/exports")

RUNS_SHOWN = 100
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _settings() -> ExportSettings:
    return ExportSettings.from_config(current_app.config)


@blueprint.context_processor
def export_helpers():
    tz = _settings().timezone

    def local_time(moment: datetime | None) -> str:
        if moment is None:
            return "–"
        local = moment.astimezone(tz)
        return f"{local.day} {local:%B %Y %H:%M}"

    def file_size(size: int | None) -> str:
        if size is None:
            return "–"
        for unit in ("bytes", "KB", "MB", "GB"):
            if size < 1024 or unit == "GB":
                return f"{size:,.0f} {unit}" if unit == "bytes" else f"{size:,.1f} {unit}"
            size /= 1024
        return ""

    return {"local_time": local_time, "file_size": file_size, "month_label": month_label, "long_date": long_date, "triggers": EXPORT_TRIGGERS}


# ---- who may see what ---------------------------------------------------------


def can_see_run(user, run: ExportRun) -> bool:
    if run.team_id is None:
        return user.sees_all_teams
    return can_see_team(user, run.team_id)


def run_or_404(run_id: int) -> ExportRun:
    run = db.session.get(ExportRun, run_id)
    if run is None or not can_see_run(current_user, run):
        abort(404)
    return run


def visible_runs(user, limit: int = RUNS_SHOWN) -> list[ExportRun]:
    query = select(ExportRun).order_by(ExportRun.queued_at.desc(), ExportRun.id.desc()).limit(limit)
    team_ids = visible_team_ids(user)
    if team_ids is not None:
        # team_id IN (...) also leaves out region runs (team_id NULL).
        query = query.where(ExportRun.team_id.in_(team_ids))
    return list(db.session.scalars(query))


def led_teams(user) -> list[Team]:
    return [team for team in visible_teams(user) if team.active and leads_team(user, team.id)]


# ---- pages --------------------------------------------------------------------


def _forms(make_form=None, signoff_form=None):
    settings = _settings()
    today, last_month = settings.today(), f"{settings.last_ended_month():%Y-%m}"
    region_label = "All teams (the region workbook)" if current_user.sees_all_teams else "Each of my teams"
    if make_form is None:
        make_form = MakeNowForm(teams=visible_teams(current_user), today=today, region_label=region_label, formdata=None)
        make_form.month.data = last_month
    leading = led_teams(current_user)
    if leading and signoff_form is None:
        signoff_form = SignoffForm(user=current_user, teams=leading, today=today, formdata=None)
        signoff_form.month.data = last_month
        if len(leading) == 1:
            signoff_form.team_id.data = str(leading[0].id)
    return make_form, signoff_form


def _index(make_form=None, signoff_form=None, status=200):
    make_form, signoff_form = _forms(make_form, signoff_form)
    signoffs = signoffs_visible(db.session, visible_team_ids(current_user))
    last_month = _settings().last_ended_month()
    return (
        render_template(
            "exports/index.html",
            runs=visible_runs(current_user),
            make_form=make_form,
            signoff_form=signoff_form,
            signoffs=signoffs,
            can_reopen={s.id: leads_team(current_user, s.team_id) for s in signoffs},
            latest_month=f"{last_month:%Y-%m}",
        ),
        status,
    )


@blueprint.route("/")
def index():
    return _index()


@blueprint.post("/make")
def make_now():
    settings = _settings()
    teams = visible_teams(current_user)
    region_label = "All teams (the region workbook)" if current_user.sees_all_teams else "Each of my teams"
    form = MakeNowForm(teams=teams, today=settings.today(), region_label=region_label)
    if not form.validate():
        return _index(make_form=form, status=400)
    if form.team.data == ALL_TEAMS:
        scopes = [None] if current_user.sees_all_teams else [t.id for t in teams]
    else:
        scopes = [int(form.team.data)]
    if not scopes:
        form.team.errors = list(form.team.errors) + ["You are not on any team yet, so there is no workbook to make"]
        return _index(make_form=form, status=400)
    app = current_app._get_current_object()
    runs = request_exports(app, db.session, current_user, form.month.month, scopes)
    if len(runs) == 1:
        return redirect(url_for("exports.run", run_id=runs[0].id))
    return redirect(url_for("exports.progress", run=[r.id for r in runs]))


@blueprint.route("/runs/<int:run_id>")
def run(run_id: int):
    found = run_or_404(run_id)
    return render_template("exports/run.html", runs=[found], refresh=found.in_progress, single=True)


@blueprint.route("/progress")
def progress():
    ids = [parse_id(v) for v in request.args.getlist("run") if is_id(v)][:50]
    runs = [r for r in (db.session.get(ExportRun, i) for i in ids) if r is not None and can_see_run(current_user, r)]
    if not runs:
        abort(404)
    return render_template("exports/run.html", runs=runs, refresh=any(r.in_progress for r in runs), single=False)


def _send(run: ExportRun):
    path = run_file_path(_settings().export_dir, run)
    if path is None:
        abort(404)
    return send_file(path, mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=run.file_name, max_age=0)


@blueprint.route("/runs/<int:run_id>/download")
def download(run_id: int):
    return _send(run_or_404(run_id))


@blueprint.route("/files/<month>/<name>")
def download_by_name(month: str, name: str):
    """The workbook by its file name, as a bookmark or an email might give it; only names of recorded runs."""
    try:
        period = parse_month(month)
    except ValueError:
        abort(404)
    candidates = db.session.scalars(
        select(ExportRun).where(ExportRun.period == period, ExportRun.file_name == name)
    ).all()
    for candidate in candidates:
        if can_see_run(current_user, candidate):
            return _send(candidate)
    abort(404)


# ---- sign-off ----------------------------------------------------------------


def _refresh_workbook(team_id: int, month) -> None:
    """Rebuild the team's workbook of that month, if one was made, so it shows the sign-off as it is now."""
    existing = db.session.scalar(
        select(ExportRun).where(ExportRun.period == month, ExportRun.scope == scope_for(team_id))
    )
    if existing is not None and existing.has_file:
        request_exports(current_app._get_current_object(), db.session, current_user, month, [team_id], trigger="signoff")


def _signoff_request(form: SignoffForm):
    """The team and month a valid sign-off form names, or the page to answer with instead."""
    if not form.validate():
        return None, _index(signoff_form=form, status=400)
    team = db.session.get(Team, int(form.team_id.data))
    refusal = signoff_refusal(db.session, current_user, team, form.month.month, today=_settings().today())
    if refusal:
        form.month.errors = list(form.month.errors) + [refusal]
        return None, _index(signoff_form=form, status=400)
    return team, None


def _confirmation(team: Team, month):
    """What signing off locks, for the lead to confirm: the team's entries of that month and their totals."""
    totals = burden(BurdenFilter(month, month_end(month), [team.id])).totals
    return render_template("exports/signoff_confirm.html", team=team, month=month, month_last=month_end(month),
                           totals=totals)


@blueprint.get("/signoffs/confirm")
def confirm_sign_off():
    """The confirmation page reached by a link (the dashboard's "waiting for your sign-off")."""
    leading = led_teams(current_user)
    if not leading:
        abort(404)
    form = SignoffForm(formdata=request.args, user=current_user, teams=leading, today=_settings().today(), meta={"csrf": False})
    team, refused = _signoff_request(form)
    return refused or _confirmation(team, form.month.month)


@blueprint.post("/signoffs")
def sign_off_month():
    """Sign a month off, once the lead has confirmed; without `confirm=yes`, ask first."""
    leading = led_teams(current_user)
    if not leading:
        abort(404)
    form = SignoffForm(user=current_user, teams=leading, today=_settings().today())
    team, refused = _signoff_request(form)
    if refused:
        return refused
    if request.form.get("confirm") != "yes":
        return _confirmation(team, form.month.month)
    try:
        signoff = sign_off(db.session, current_user, team, form.month.month, today=_settings().today())
    except SignoffError as error:
        form.month.errors = list(form.month.errors) + [str(error)]
        return _index(signoff_form=form, status=400)
    db.session.commit()
    _refresh_workbook(team.id, signoff.month)
    flash(f"{team.name}'s {month_label(signoff.month)} is signed off: its entries can no longer be changed.", "success")
    return redirect(url_for("exports.index"))


@blueprint.route("/signoffs/<int:signoff_id>/reopen", methods=["GET", "POST"])
def reopen_month(signoff_id: int):
    signoff = db.session.get(MonthSignoff, signoff_id)
    if signoff is None or not can_see_team(current_user, signoff.team_id) or not leads_team(current_user, signoff.team_id):
        abort(404)
    form = ReopenForm()
    if not signoff.is_open:
        flash(f"{signoff.team.name}'s {month_label(signoff.month)} is already open.", "info")
        return redirect(url_for("exports.index"))
    if request.method == "POST" and form.validate():
        try:
            reopen(db.session, current_user, signoff, form.reason.data)
        except SignoffError as error:
            form.reason.errors = list(form.reason.errors) + [str(error)]
        else:
            db.session.commit()
            _refresh_workbook(signoff.team_id, signoff.month)
            flash(f"{signoff.team.name}'s {month_label(signoff.month)} is open again.", "success")
            return redirect(url_for("exports.index"))
    status = 400 if request.method == "POST" else 200
    return render_template("exports/reopen.html", form=form, signoff=signoff), status
