"""The commissioner's workspace at /workspace/ (commissioners and admins; anyone else: 404).

Views parse, call and render: figures come from tracker.workspace.figures,
pairs from duplicates, decisions and their savings from decisions and savings."""
from __future__ import annotations

from io import BytesIO

from flask import Blueprint, abort, current_app, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user

from tracker.auth.access import role_required
from tracker.burden import charts
from tracker.burden.hotspots import find_hotspots, first_shown
from tracker.extensions import db
from tracker.licences.status import licence_statuses, status_of
from tracker.models.catalogue import Request
from tracker.models.workspace import Decision
from tracker.workspace import decisions as decision_rules
from tracker.workspace import panels
from tracker.workspace.panels import WORKSPACE_ROLES
from tracker.workspace.duplicates import VerdictRefused, find_duplicates, record_verdict
from tracker.workspace.figures import SORTS, ranking
from tracker.workspace.forms import DecisionForm, RankingFilterForm, VerdictForm, WithdrawForm
from tracker.workspace.pages import all_decisions, decision_rows, decisions_summary, request_page
from tracker.workspace.savings import measurable_from
from tracker.workspace.value import pounds_label, share_label, value_against_burden
from tracker.workspace.workbook import build_workspace_workbook
from tracker.shared.choices import DECISION_STATUSES
from tracker.shared.timeutil import local_today
from tracker.template_helpers import hours as hours_filter, money as money_filter

blueprint = Blueprint("workspace", __name__, url_prefix="/workspace")
blueprint.record_once(lambda state: panels.register(state.app))  # decisions due for review; variation and methods
blueprint.record_once(lambda state: state.app.add_url_rule(
    "/rationalise/", "old_workspace_address", _to_workspace, defaults={"rest": ""}))
blueprint.record_once(lambda state: state.app.add_url_rule(
    "/rationalise/<path:rest>", "old_workspace_addresses", _to_workspace))


def _to_workspace(rest: str):
    """The workspace lived at /rationalise/ until it took its menu's name: old bookmarks and links still work."""
    query = request.query_string.decode()
    return redirect(f"/workspace/{rest}" + (f"?{query}" if query else ""), code=301)
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def today():
    return local_today(current_app.config.get("TIMEZONE"))


@blueprint.app_template_filter("expected_fte")
def expected_fte_filter(decision: Decision):
    return decision_rules.expected_fte(decision)


@blueprint.app_template_filter("measurable_from")
def measurable_from_filter(decision: Decision) -> str:
    return f"{measurable_from(decision):%-d %B %Y}"


@blueprint.route("/")
@role_required(*WORKSPACE_ROLES)
def index():
    form = RankingFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("workspace/index.html", form=form, ranked=None, args=request.args), 400
    on = today()
    ranked = ranking(on, form.filters(), form.sort.data or None)
    licences = licence_statuses(db.session, None, on)  # each request's licence today (tracker/licences/status.py)
    return render_template("workspace/index.html", form=form, ranked=ranked, args=request.args, sorts=SORTS,
                           charts=charts, licence_of=lambda request_id: status_of(licences, request_id, on),
                           hotspots=find_hotspots(on, shown=first_shown()))


@blueprint.route("/value")
@role_required(*WORKSPACE_ROLES)
def value():
    view = value_against_burden(ranking(today()))
    return render_template("workspace/value.html", view=view, charts=charts, value_percent=share_label,
                           value_pounds=pounds_label)


@blueprint.route("/duplicates")
@role_required(*WORKSPACE_ROLES)
def duplicates():
    pairs = find_duplicates(today())
    return render_template("workspace/duplicates.html", pairs=pairs, form=VerdictForm())


@blueprint.route("/duplicates/verdict", methods=["POST"])
@role_required(*WORKSPACE_ROLES)
def verdict():
    form = VerdictForm()
    if not form.validate():
        return render_template("workspace/duplicates.html", pairs=find_duplicates(today()), form=form), 400
    try:
        saved = record_verdict(current_user, int(form.first_id.data), int(form.second_id.data), form.verdict.data, today())
    except VerdictRefused as refused:
        db.session.rollback()
        form.verdict.errors = [refused.message]
        return render_template("workspace/duplicates.html", pairs=find_duplicates(today()), form=form), 400
    db.session.commit()
    flash("Marked as duplicates: record a merge on either request when you are ready." if saved.verdict == "confirmed"
          else "Dismissed: the pair will not be shown again unless either request changes.", "success")
    return redirect(url_for("workspace.duplicates"))


@blueprint.route("/decisions")
@role_required(*WORKSPACE_ROLES)
def decisions():
    status = request.args.get("status", "")
    rows = decision_rows(all_decisions(), today())
    summary = decisions_summary(rows)
    if status in DECISION_STATUSES:
        rows = [row for row in rows if row.status == status]
    return render_template("workspace/decisions.html", rows=rows, status=status, summary=summary)


@blueprint.route("/requests/<int:request_id>")
@role_required(*WORKSPACE_ROLES)
def request_detail(request_id: int):
    found = db.get_or_404(Request, request_id)
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
    return render_template("workspace/request.html", page=page, form=form, withdraw_form=withdraw_form,
                           charts=charts), status


@blueprint.route("/requests/<int:request_id>/decisions", methods=["POST"])
@role_required(*WORKSPACE_ROLES)
def decide(request_id: int):
    found = db.get_or_404(Request, request_id)
    form = DecisionForm(request=found)
    if not form.validate():
        return _render_request(found, form, WithdrawForm(), 400)
    values, on = form.values(), today()
    try:
        decision_rules.check_decision(found, values, on)
        if decision_rules.needs_confirmation(found, values.kind) and form.confirmed.data != "yes":
            hours, cost = decision_rules.expected_saving(found, values, on)
            return render_template("workspace/confirm.html", item=found, form=form, values=values,
                                   expected_hours=hours, expected_cost=cost)
        decision = decision_rules.record_decision(current_user, found, values, on)
    except decision_rules.DecisionRefused as refused:
        db.session.rollback()
        field = getattr(form, refused.field, None) or form.decision
        field.errors = list(field.errors) + [refused.message]
        return _render_request(found, form, WithdrawForm(), 400)
    db.session.commit()
    flash(_recorded_message(decision), "success")
    return redirect(url_for("workspace.request_detail", request_id=found.id))


def _recorded_message(decision: Decision) -> str:
    """The banner after a decision: what was decided, and the saving it is expected to bring."""
    said = (f"Decision recorded: {decision_rules.DECISIONS[decision.kind].lower()} from "
            f"{decision.effective_on:%-d %B %Y}, review on {decision.review_on:%-d %B %Y}.")
    if decision.kind == "keep":
        return f"{said} No saving is expected: the request is kept."
    return (f"{said} Expected saving: {hours_filter(decision.expected_saving_hours, 1)} hours, "
            f"{money_filter(decision.expected_saving_cost)} a year.")


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
    return redirect(url_for("workspace.request_detail", request_id=decision.request_id))


@blueprint.route("/workspace.xlsx")
@role_required(*WORKSPACE_ROLES)
def workbook():
    day = today()
    buffer = BytesIO()
    build_workspace_workbook(buffer, day)
    buffer.seek(0)
    return send_file(buffer, mimetype=XLSX, as_attachment=True, download_name=f"workspace-{day:%Y-%m-%d}.xlsx")

