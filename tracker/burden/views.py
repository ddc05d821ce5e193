"""Burden pages: the dashboards (/burden/), the full lists the commissioner's dashboard links to
(/burden/teams, /burden/hotspots, /burden/per-request, /burden/requests) and the staff-band rates
(/burden/rates, admins only).

Views parse, call and render: figures come from tracker.burden.dashboards,
which asks the burden service."""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, current_app, flash, g, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import case, select
from sqlalchemy.exc import IntegrityError, SQLAlchemyError

from tracker.auth.access import leads_team, role_required, visible_teams
from tracker.burden import charts, default_rates
from tracker.burden.dashboards import (commissioner_dashboard, heaviest_team_of_each_request, info_column, team_dashboard,
                                       teams_by_hours_per_request)
from tracker.burden.hotspots import find_hotspots, first_shown
from tracker.burden.filters import parse_burden_query
from tracker.burden.forms import RateForm
from tracker.models.burden import Rate
from tracker.burden.rate_changes import RateExists, create_rate
from tracker.burden.services import fte
from tracker.burden.share_boards import commissioner_shares, every_team_share, team_shares
from tracker.burden.signoff_due import months_waiting_for_signoff
from tracker.models.catalogue import Source
from tracker.shared.choices import BANDS
from tracker.extensions import db
from tracker.shared.pagination import Page, page_count, paginate, requested_page
from tracker.shared.slots import panels
from tracker.shared.timeutil import local_today

blueprint = Blueprint("burden", __name__, url_prefix="/burden")

CHART_ROWS = 15  # bars per chart; the table beside it lists every row
SHOWN = 20  # teams in a table of the commissioner's dashboard; the rest on a page of their own (PER_PAGE a page)
PER_PAGE = 50


@blueprint.app_context_processor
def signoff_waiting_for_templates():
    """`signoff_waiting()`: the months waiting for this lead's sign-off (the menu shows how many);
    worked out once per request, and only when a page asks."""

    def waiting():
        if "signoff_waiting" not in g:
            g.signoff_waiting = []
            if current_user.is_authenticated:
                try:
                    g.signoff_waiting = months_waiting_for_signoff(current_user, local_today(current_app.config.get("TIMEZONE")))
                except SQLAlchemyError:  # an error page for a failing database must still render
                    current_app.logger.exception("Could not work out the months waiting for sign-off")
                    db.session.rollback()
        return g.signoff_waiting

    return {"signoff_waiting": waiting}


@blueprint.route("/")
def dashboard():
    today = local_today(current_app.config.get("TIMEZONE"))
    query, errors = parse_burden_query(request.args, current_user, today)
    context = {
        "errors": errors,
        "args": request.args,
        "teams": visible_teams(current_user),
        "sources": list(db.session.scalars(select(Source).order_by(Source.name))),
        "all_teams": current_user.sees_all_teams,
        "query": query,
        "charts": charts,
        "chart_rows": CHART_ROWS,
        "column": info_column,
        "fte": fte,
    }
    if errors:
        return render_template("burden/dashboard.html", **context), 400
    context["head_panels"] = panels("burden.dashboard.head", query=query, user=current_user)  # e.g. decisions due
    if current_user.sees_all_teams:
        board = context["board"] = commissioner_dashboard(query)
        context["shares"] = commissioner_shares(query, board.by_team, today, first_shown())
        context["shown"] = SHOWN
        # the panels read the burden by request the dashboard already has, rather than asking again
        context["panels"] = panels("burden.dashboard", query=query, user=current_user, burden_table=board.by_request)
        return render_template("burden/commissioner.html", **context)
    board = context["board"] = team_dashboard(query)
    context["shares"] = team_shares(query, board)
    # e.g. unlicensed burden, read from the dashboard's burden by team and request rather than asked again
    context["panels"] = panels("burden.dashboard", query=query, user=current_user, burden_table=board.by_team_request)
    context["capacity_links"] = [t for t in context["teams"] if leads_team(current_user, t.id)]
    return render_template("burden/team.html", **context)


def _list_context(query, errors) -> dict:
    """What every full list behind the commissioner's dashboard shows above it: the filters."""
    return {
        "errors": errors,
        "args": request.args,
        "teams": visible_teams(current_user),
        "sources": list(db.session.scalars(select(Source).order_by(Source.name))),
        "all_teams": True,
        "query": query,
    }


def _paged_list(template: str, rows_of):
    """A full list behind the commissioner's dashboard: the filters parsed (400 with their messages),
    then a page of `rows_of(query)`'s rows, with whatever else it returns for the template."""
    query, errors = parse_burden_query(request.args, current_user, local_today(current_app.config.get("TIMEZONE")))
    context = _list_context(query, errors)
    if errors:
        return render_template(template, page=None, **context), 400
    rows, extra = rows_of(query)
    return render_template(template, page=paginate(rows, requested_page(request.args), PER_PAGE), **extra, **context)


@blueprint.route("/teams")
@role_required("commissioner", "admin")
def team_list():
    """Every team's hours and share of management time, most hours first, a page at a time."""

    def rows_of(query):
        by_team, shares = every_team_share(query)
        return by_team.rows, {"shares": shares}

    return _paged_list("burden/team_list.html", rows_of)


@blueprint.route("/per-request")
@role_required("commissioner", "admin")
def per_request():
    """Teams by hours per request answered, a page at a time."""
    return _paged_list("burden/per_request.html", lambda query: (teams_by_hours_per_request(query.burden_filter()), {}))


@blueprint.route("/hotspots")
@role_required("commissioner", "admin")
def hotspots():
    """Every hotspot, largest share first, a page at a time (each page reads its own hotspots' details)."""
    today = local_today(current_app.config.get("TIMEZONE"))
    query, errors = parse_burden_query(request.args, current_user, today)
    if errors:
        return render_template("burden/hotspots.html", page=None, found=None, **_list_context(query, errors)), 400
    number = requested_page(request.args)
    found = find_hotspots(today, query.team_ids(), shown=slice((number - 1) * PER_PAGE, number * PER_PAGE))
    if not found.teams and found.count and number > 1:  # past the end: the last page, as every list does
        number = -(-found.count // PER_PAGE)
        found = find_hotspots(today, query.team_ids(), shown=slice((number - 1) * PER_PAGE, number * PER_PAGE))
    page = Page(items=found.teams, page=number, pages=page_count(found.count, PER_PAGE), total=found.count, per_page=PER_PAGE)
    return render_template("burden/hotspots.html", page=page, found=found, charts=charts, **_list_context(query, errors))


@blueprint.route("/requests")
@role_required("commissioner", "admin")
def request_teams():
    """For each request, the team it weighs on most (kept off the dashboard: it groups request × team)."""
    query, errors = parse_burden_query(request.args, current_user, local_today(current_app.config.get("TIMEZONE")))
    context = _list_context(query, errors)
    if errors:
        return render_template("burden/request_teams.html", rows=[], **context), 400
    return render_template("burden/request_teams.html", rows=heaviest_team_of_each_request(query.burden_filter()), **context)


@blueprint.route("/rates", methods=["GET", "POST"])
@role_required("admin")
def rates():
    form = RateForm()
    if form.validate_on_submit():
        values = form.values()
        try:
            rate = create_rate(current_user, values["band"], values["hourly_cost"], values["effective_from"], note=values["note"])
            db.session.commit()
        except (RateExists, IntegrityError):  # the same rate added by someone else a moment ago
            db.session.rollback()
            form.effective_from.errors = list(form.effective_from.errors) + [
                "That band already has a rate from that date. A rate is never changed: choose another date"
            ]
        else:
            flash(
                f"{BANDS[rate.band]} now costs £{rate.hourly_cost:,.2f} an hour from {rate.effective_from:%-d %B %Y}. "
                "Figures before that date are unchanged.",
                "success",
            )
            return redirect(url_for("burden.rates"))
    band_order = case({b: i for i, b in enumerate(BANDS)}, value=Rate.band)
    history: dict[str, list[Rate]] = {band: [] for band in BANDS}
    for rate in db.session.scalars(select(Rate).order_by(band_order, Rate.effective_from.desc())):
        history[rate.band].append(rate)
    oncost = Decimal(str(current_app.config.get("EMPLOYER_ONCOST") or default_rates.DEFAULT_ONCOST))
    workings = [
        {
            "band": band,
            "entry": entry,
            "top": top,
            "midpoint": (Decimal(entry) + Decimal(top)) / 2,
            "hourly": default_rates.default_hourly_cost(band, oncost),
        }
        for band, (entry, top) in default_rates.PAY_POINTS.items()
    ]
    status = 400 if form.errors else 200
    return (
        render_template(
            "burden/rates.html",
            form=form,
            history=history,
            explanation=default_rates.explanation(oncost),
            workings=workings,
            oncost=oncost,
            paid_hours=default_rates.PAID_HOURS_A_YEAR,
            pay_year=default_rates.PAY_YEAR,
            other_follows=default_rates.OTHER_FALLS_BACK_TO,
        ),
        status,
    )
