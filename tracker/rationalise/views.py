"""The commissioner's workspace at /rationalise/ (commissioners and admins; anyone else: 404).

Views parse, call and render: figures come from tracker.rationalise.figures,
pairs from duplicates, decisions and their savings from decisions and savings."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker.auth.access import role_required
from tracker.burden import charts
from tracker.extensions import db
from tracker.licences.status import licence_statuses, status_of
from tracker.models.catalogue import Request
from tracker.models.rationalise import Decision
from tracker.rationalise import decisions as decision_rules
from tracker.rationalise.duplicates import VerdictRefused, find_duplicates, record_verdict
from tracker.rationalise.figures import SORTS, ranking
from tracker.rationalise.forms import DecisionForm, RankingFilterForm, VerdictForm, WithdrawForm
from tracker.rationalise.pages import all_decisions, decision_rows, request_page
from tracker.rationalise.savings import measurable_from
from tracker.rationalise.value import pounds_label, share_label, value_against_burden
from tracker.rationalise.workbook import build_workspace_workbook
from tracker.shared.choices import DECISION_STATUSES
from tracker.shared.timeutil import local_today

blueprint = Blueprint("rationalise", __name__, url_prefix="/rationalise")
WORKSPACE_ROLES = ("commissioner", "admin")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def today():
    return local_today(current_app.config.get("TIMEZONE"))


@blueprint.app_template_global()
def decisions_due_for_review():
    """For the commissioner's dashboard (templates/burden/commissioner.html): burden sits below this
    package, so the dashboard reads the due list through this template global rather than an import."""
    return decision_rules.due_for_review(today())


@blueprint.app_template_filter("expected_fte")
def expected_fte_filter(decision: Decision):
    return decision_rules.expected_fte(decision)


@blueprint.app_template_filter("measurable_from")
def measurable_from_filter(decision: Decision) -> str:
    return f"{measurable_from(decision):%-d %B %Y}"


def _request_or_404(request_id: int) -> Request:
    found = db.session.get(Request, request_id)
    if found is None:
        abort(404)
    return found


@blueprint.route("/")
@role_required(*WORKSPACE_ROLES)
def index():
    form = RankingFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("rationalise/index.html", form=form, ranked=None, args=request.args), 400
    on = today()
    ranked = ranking(on, form.filters(), form.sort.data or None)
    licences = licence_statuses(db.session, None, on)  # each request's licence today (tracker/licences/status.py)
    return render_template("rationalise/index.html", form=form, ranked=ranked, args=request.args, sorts=SORTS,
                           charts=charts, licence_of=lambda request_id: status_of(licences, request_id, on))


@blueprint.route("/value")
@role_required(*WORKSPACE_ROLES)
def value():
    view = value_against_burden(ranking(today()))
    return render_template("rationalise/value.html", view=view, charts=charts, value_percent=share_label,
                           value_pounds=pounds_label)


@blueprint.route("/duplicates")
@role_required(*WORKSPACE_ROLES)
def duplicates():
    pairs = find_duplicates(today())
    return render_template("rationalise/duplicates.html", pairs=pairs, form=VerdictForm())


@blueprint.route("/duplicates/verdict", methods=["POST"])
@role_required(*WORKSPACE_ROLES)
def verdict():
    form = VerdictForm()
    if not form.validate():
        return render_template("rationalise/duplicates.html", pairs=find_duplicates(today()), form=form), 400
    try:
        saved = record_verdict(current_user, int(form.first_id.data), int(form.second_id.data), form.verdict.data, today())
    except VerdictRefused as refused:
        db.session.rollback()
        form.verdict.errors = [refused.message]
        return render_template("rationalise/duplicates.html", pairs=find_duplicates(today()), form=form), 400
    db.session.commit()
    flash("Marked as duplicates: record a merge on either request when you are ready." if saved.verdict == "confirmed"
          else "Dismissed: the pair will not be shown again unless either request changes.", "success")
    return redirect(url_for("rationalise.duplicates"))


@blueprint.route("/decisions")
@role_required(*WORKSPACE_ROLES)
def decisions():
    status = request.args.get("status", "")
    rows = decision_rows(all_decisions(), today())
    if status in DECISION_STATUSES:
        rows = [row for row in rows if row.status == status]
    return render_template("rationalise/decisions.html", rows=rows, status=status)


@blueprint.route("/requests/<int:request_id>")
@role_required(*WORKSPACE_ROLES)
def request_detail(request_id: int):
    found = _request_or_404(request_id)
    form = DecisionForm(request=found)
    form.effective_date.data = form.effective_date.data or today()
    merge_into = request.args.get("merge_into", "")
    if merge_into:  # from a confirmed duplicate pair
        form.decision.data, form.merge_into.data = "merge", merge_into
    return _render_request(found, form, WithdrawForm())


def _render_request(found: Request, form: DecisionForm, withdraw_form: WithdrawForm, status: int = 200):
    page = request_page(found, today())
    if page.simplify and page.simplify.usable and not form.is_submitted() and not form.target_hours_per_entry.data:
        form.target_hours_per_entry.data = f"{page.simplify.target_hours}"  # offered: the median team's time per response
    return render_template("rationalise/request.html", page=page, form=form, withdraw_form=withdraw_form,
                           charts=charts), status


@blueprint.route("/requests/<int:request_id>/decisions", methods=["POST"])
@role_required(*WORKSPACE_ROLES)
def decide(request_id: int):
    found = _request_or_404(request_id)
    form = DecisionForm(request=found)
    if not form.validate():
        return _render_request(found, form, WithdrawForm(), 400)
    try:
        decision = decision_rules.record_decision(current_user, found, form.values(), today())
    except decision_rules.DecisionRefused as refused:
        db.session.rollback()
        field = getattr(form, refused.field, None) or form.decision
        field.errors = list(field.errors) + [refused.message]
        return _render_request(found, form, WithdrawForm(), 400)
    db.session.commit()
    flash(f"Decision recorded: {decision_rules.DECISIONS[decision.kind].lower()} from "
          f"{decision.effective_on:%-d %B %Y}, review on {decision.review_on:%-d %B %Y}.", "success")
    return redirect(url_for("rationalise.request_detail", request_id=found.id))


@blueprint.route("/decisions/<int:decision_id>/withdraw", methods=["POST"])
@role_required(*WORKSPACE_ROLES)
def withdraw(decision_id: int):
    decision = db.session.get(Decision, decision_id)
    if decision is None:
        abort(404)
    form = WithdrawForm()
    if not form.validate():
        return _render_request(decision.request, DecisionForm(request=decision.request), form, 400)
    try:
        decision_rules.withdraw_decision(current_user, decision, form.reason.data)
    except decision_rules.DecisionRefused as refused:
        db.session.rollback()
        form.reason.errors = [refused.message]
        return _render_request(decision.request, DecisionForm(request=decision.request), form, 400)
    db.session.commit()
    flash("Decision withdrawn. It stays on the record.", "success")
    return redirect(url_for("rationalise.request_detail", request_id=decision.request_id))


@blueprint.route("/workspace.xlsx")
@role_required(*WORKSPACE_ROLES)
def workbook():
    day = today()
    buffer = BytesIO()
    build_workspace_workbook(buffer, day)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"workspace-{day:%Y-%m-%d}.xlsx")

