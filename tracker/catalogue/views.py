"""Catalogue pages: the requests (what is asked) and sources (who asks).

Every signed-in role reads the catalogue and may add to it, as from the log
form. Only commissioners and admins change a request's status or merge it;
for anyone else that control does not exist (404)."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_login import current_user
from sqlalchemy import func, select

from tracker.auth.access import role_required
from tracker.catalogue import services
from tracker.catalogue.forms import RequestDetailsForm, RequestFilterForm, RequestForm, RequestStatusForm, SourceForm
from tracker.models.catalogue import Request, Source
from tracker.extensions import db
from tracker.shared.pagination import paginate, requested_page
from tracker.shared.parsing import is_id
from tracker.shared.slots import panels

blueprint = Blueprint("catalogue", __name__, url_prefix="/catalogue")


@blueprint.route("/requests")
def requests():
    form = RequestFilterForm(formdata=request.args)
    if not form.validate():
        return render_template("catalogue/requests.html", form=form, page=None), 400
    page = paginate(services.requests_query(**form.filters()), requested_page(request.args), services.PER_PAGE)
    columns = panels("catalogue.requests", requests=page.items, user=current_user)  # e.g. each request's licence
    return render_template(
        "catalogue/requests.html", form=form, page=page, columns=columns, to_confirm=services.requests_to_confirm()
    )


@blueprint.route("/requests/<int:request_id>")
def request_detail(request_id: int):
    found = db.get_or_404(Request, request_id)
    return _render_detail(found, _status_form(found))


def _status_form(found: Request, formdata=None) -> RequestStatusForm | None:
    if not services.can_manage_catalogue(current_user):
        return None
    form = RequestStatusForm(formdata=formdata, targets=services.merge_targets(found))
    if formdata is None:
        form.status.data = found.status
        form.merged_into_id.data = str(found.merged_into_id or "")
    return form


def _details_form(found: Request, formdata=None) -> RequestDetailsForm | None:
    """For commissioners and admins, while the request's details wait to be confirmed."""
    if not services.can_manage_catalogue(current_user) or not found.details_to_confirm:
        return None
    form = RequestDetailsForm(formdata=formdata)
    if formdata is None:
        form.frequency.data, form.obligation.data, form.source_kind.data = found.frequency, found.obligation, found.source.kind
    return form


def _render_detail(found: Request, status_form, status: int = 200, details_form=None):
    return (
        render_template(
            "catalogue/request.html",
            item=found,
            merged_here=services.merged_into_this(found),
            status_form=status_form,
            panels=panels("catalogue.request", request=found, user=current_user),  # e.g. its licence
            details_form=details_form or _details_form(found),
        ),
        status,
    )


@blueprint.route("/requests/<int:request_id>/details", methods=["POST"])
@role_required(*services.MANAGE_CATALOGUE_ROLES)
def request_details(request_id: int):
    found = db.get_or_404(Request, request_id)
    form = _details_form(found, request.form)
    if form is None:  # already confirmed (by someone else a moment ago)
        flash("Those details were already confirmed.", "info")
        return redirect(url_for("catalogue.request_detail", request_id=found.id))
    if not form.validate():
        return _render_detail(found, _status_form(found), 400, details_form=form)
    services.confirm_request_details(current_user, found, frequency=form.frequency.data,
                                     obligation=form.obligation.data, source_kind=form.source_kind.data)
    db.session.commit()
    flash(f"The details of '{found.title}' are confirmed.", "success")
    return redirect(url_for("catalogue.request_detail", request_id=found.id))


@blueprint.route("/requests/<int:request_id>/status", methods=["POST"])
@role_required(*services.MANAGE_CATALOGUE_ROLES)
def request_status(request_id: int):
    found = db.get_or_404(Request, request_id)
    form = _status_form(found, request.form)
    if not form.validate():
        return _render_detail(found, form, 400)
    try:
        changed = services.set_request_status(current_user, found, form.status.data, form.merged_into())
    except services.CatalogueError as error:
        db.session.rollback()
        getattr(form, error.field).errors.append(error.message)
        return _render_detail(found, form, 400)
    db.session.commit()
    if changed:
        flash(f"'{found.title}' is now {found.status.replace('_', ' ')}.", "success")
    else:
        flash("Nothing changed.", "info")
    return redirect(url_for("catalogue.request_detail", request_id=found.id))


@blueprint.route("/requests/new", methods=["GET", "POST"])
def request_new():
    form = RequestForm()
    if request.method == "GET" and is_id(request.args.get("source_id", "")):
        form.source_id.data = request.args["source_id"]
    if request.method == "POST":
        if not form.validate():
            return render_template("catalogue/request_form.html", form=form), 400
        created = services.create_request(current_user, **form.values())
        db.session.commit()
        flash(f"'{created.title}' added to the catalogue.", "success")
        return redirect(url_for("catalogue.request_detail", request_id=created.id))
    return render_template("catalogue/request_form.html", form=form)


@blueprint.route("/sources")
def sources():
    counts = select(Request.source_id, func.count().label("requests")).group_by(Request.source_id).subquery()
    query = (
        select(Source, func.coalesce(counts.c.requests, 0))
        .outerjoin(counts, counts.c.source_id == Source.id)
        .order_by(func.lower(Source.name))
    )
    rows = db.session.execute(query).all()
    return render_template("catalogue/sources.html", rows=rows)


@blueprint.route("/sources/new", methods=["GET", "POST"])
def source_new():
    form = SourceForm()
    then_request = request.args.get("then") == "request"
    if request.method == "POST":
        if not form.validate():
            return render_template("catalogue/source_form.html", form=form, then_request=then_request), 400
        created = services.create_source(current_user, **form.values())
        db.session.commit()
        flash(f"Source '{created.name}' added.", "success")
        if then_request:
            return redirect(url_for("catalogue.request_new", source_id=created.id))
        return redirect(url_for("catalogue.sources"))
    return render_template("catalogue/source_form.html", form=form, then_request=then_request)
