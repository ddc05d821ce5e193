"""Licence pages (/licences/, commissioners and admins; 404 for everyone else).

- /licences/                         every live request's licence, and the licences due for a decision
- /licences/unlicensed               unlicensed work of every team, for the dashboard's filters
- /licences/accuracy                 estimate against reality across every licensed request
- /licences/requests/<id>            a request's licence, estimates, history; approve, renew or decline
- /licences/requests/<id>/estimates/new   record a burden estimate
- /licences/statements               the sources, each with its burden statement
- /licences/sources/<id>/statement[.xlsx] the burden statement (prints on A4)

Views parse, call and render; the rules live in the modules beside this one.
The catalogue's pages and the dashboards show licences through slots
(tracker/shared/slots.py) filled here, since they sit below this package."""
from __future__ import annotations

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_login import current_user
from sqlalchemy import func, select
from werkzeug.datastructures import MultiDict

from tracker.auth.access import role_required
from tracker.burden.filters import parse_burden_query
from tracker.burden.rates import RateBook
from tracker.extensions import db
from tracker.licences import panels
from tracker.licences.estimates import EstimateRefused, estimates_of, expected_responses, figures_of, record_estimate
from tracker.licences.forms import EstimateForm, LicenceForm, PeriodForm
from tracker.licences.licensing import LicenceRefused, decide_licence, default_expiry
from tracker.licences.observed import accuracy, compare, largest_first, observed_annual
from tracker.licences.reminders import due_licences
from tracker.licences.sheets import statement_filename, statement_workbook
from tracker.licences.statement import burden_statement, last_quarter
from tracker.licences.status import decisions_by_request, licence_status, licence_statuses, status_of
from tracker.licences.panels import LICENCE_ROLES, today
from tracker.models.catalogue import Request, Source
from tracker.licences.unlicensed import unlicensed_burden
from tracker.shared.choices import LICENCE_STATUSES, LOGGABLE_STATUSES
from tracker.shared.pagination import paginate, requested_page

blueprint = Blueprint("licences", __name__, url_prefix="/licences")
blueprint.record_once(lambda state: panels.register(state.app))

PER_PAGE = 50
XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@blueprint.before_request
@role_required(*LICENCE_ROLES)
def commissioners_and_admins_only():
    return None


@blueprint.route("/")
def index():
    on = today()
    chosen = request.args.get("status", "")
    if chosen and chosen not in LICENCE_STATUSES:
        chosen = ""
    requests = list(db.session.scalars(select(Request).where(Request.status.in_(LOGGABLE_STATUSES))))
    statuses = licence_statuses(db.session, None, on)
    observed = observed_annual(db.session, [r.id for r in requests], on, {r.id: status_of(statuses, r.id, on) for r in requests})
    rows = [(r, status_of(statuses, r.id, on), observed[r.id]) for r in largest_first(requests, observed)]
    counts = {name: sum(1 for _, s, _ in rows if s.status == name) for name in LICENCE_STATUSES}
    if chosen:
        rows = [row for row in rows if row[1].status == chosen]
    return render_template("licences/index.html", rows=rows, counts=counts, chosen=chosen, due=due_licences(db.session, on), today=on)


@blueprint.route("/unlicensed")
def unlicensed_teams():
    """Unlicensed work of every team (the commissioner's dashboard shows it by source and links here), a page at a time."""
    query, errors = parse_burden_query(request.args, current_user, today())
    if errors:
        return render_template("licences/unlicensed.html", page=None, errors=errors, query=None), 400
    found = unlicensed_burden(db.session, query.burden_filter())
    page = paginate(found.by_team, requested_page(request.args), PER_PAGE)
    return render_template("licences/unlicensed.html", page=page, unlicensed=found, errors={}, query=query)


@blueprint.route("/accuracy")
def accuracy_page():
    on = today()
    found = accuracy(db.session, on)
    names = {r.id: r for r in db.session.scalars(select(Request).where(Request.id.in_([c.request_id for c in found.comparisons] or [-1])))}
    return render_template("licences/accuracy.html", accuracy=found, requests=names, today=on)


def _render_request(found: Request, licence_form=None, status: int = 200):
    on = today()
    rates = RateBook.load(db.session)
    licence_form = licence_form or LicenceForm()
    current = licence_status(db.session, found.id, on)
    if request.method == "GET" and not licence_form.action.data:
        licence_form.action.data = "renew" if current.licence is not None else "approve"
    [comparison] = compare(db.session, [found.id], on)
    history = sorted(decisions_by_request(db.session, [found.id]).get(found.id, []), key=lambda d: -d.id)
    return (
        render_template(
            "licences/request.html",
            item=found,
            current=current,
            comparison=comparison,
            estimates=[figures_of(e, rates) for e in estimates_of(db.session, found.id)],
            history=history,
            form=licence_form,
            default_expiry=default_expiry(on),
            today=on,
        ),
        status,
    )


@blueprint.route("/requests/<int:request_id>")
def request_licence(request_id: int):
    return _render_request(db.get_or_404(Request, request_id))


@blueprint.route("/requests/<int:request_id>/licence", methods=["POST"])
def decide(request_id: int):
    found = db.get_or_404(Request, request_id)
    form = LicenceForm()
    if not form.validate():
        return _render_request(found, form, 400)
    try:
        decision = decide_licence(current_user, found, today=today(), **form.values())
        db.session.commit()
    except LicenceRefused as refused:
        db.session.rollback()
        getattr(form, refused.field or "action").errors.append(refused.message)
        return _render_request(found, form, 400)
    if decision.action == "decline":
        flash(f"Declined '{found.title}'. A licence already in force runs until it expires.", "success")
    else:
        flash(f"Licence {decision.reference} for '{found.title}' in force from {decision.approved_on:%-d %B %Y} "
              f"until it expires on {decision.expires_on:%-d %B %Y}.", "success")
    return redirect(url_for("licences.request_licence", request_id=found.id))


@blueprint.route("/requests/<int:request_id>/estimates/new", methods=["GET", "POST"])
def new_estimate(request_id: int):
    found = db.get_or_404(Request, request_id)
    form = EstimateForm()
    expected = expected_responses(found.frequency)
    if request.method == "GET" and expected is not None:
        form.responses_per_year.data = expected
    if request.method == "POST":
        if form.validate():
            try:
                record_estimate(current_user, found, form.values(), today())
                db.session.commit()
            except EstimateRefused as refused:
                db.session.rollback()
                getattr(form, refused.field if refused.field in form else "purpose").errors.append(refused.message)
            else:
                flash("Estimate recorded.", "success")
                return redirect(url_for("licences.request_licence", request_id=found.id))
        return render_template("licences/estimate_form.html", item=found, form=form, expected=expected), 400
    return render_template("licences/estimate_form.html", item=found, form=form, expected=expected)


@blueprint.route("/statements")
def statements():
    sources = list(db.session.scalars(select(Source).order_by(func.lower(Source.name))))
    start, end = last_quarter(today())
    return render_template("licences/statements.html", sources=sources, start=start, end=end)


def _period_or_errors():
    """The statement's period from ?from=&to= (blank: the last whole quarter)."""
    form = PeriodForm(formdata=MultiDict({"date_from": request.args.get("from", ""), "date_to": request.args.get("to", "")}))
    if not form.validate():
        return None, form
    default_start, default_end = last_quarter(today())
    return (form.date_from.data or default_start, form.date_to.data or default_end), form


@blueprint.route("/sources/<int:source_id>/statement")
def statement(source_id: int):
    source = db.session.get(Source, source_id) or abort(404)
    period, form = _period_or_errors()
    if period is None:
        return render_template("licences/statement.html", source=source, statement=None, form=form), 400
    found = burden_statement(db.session, source, *period, today())
    return render_template("licences/statement.html", source=source, statement=found, form=form)


@blueprint.route("/sources/<int:source_id>/statement.xlsx")
def statement_xlsx(source_id: int):
    source = db.session.get(Source, source_id) or abort(404)
    period, _form = _period_or_errors()
    if period is None:
        abort(400)
    found = burden_statement(db.session, source, *period, today())
    data = statement_workbook(found, today())
    return send_file(io.BytesIO(data), mimetype=XLSX_MIMETYPE, as_attachment=True, download_name=statement_filename(found))
