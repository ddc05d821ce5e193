"""Entries: list, read, log, change and delete, with the log form's own validation.

An entry of a team the caller may not see, a deleted entry, and an entry the
caller may see but not change (for PATCH and DELETE) all answer 404: the API
never says "it exists but it is not yours" (house rule: never 403)."""
from __future__ import annotations

from flask import abort
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import blueprint
from tracker.api.common import (
    date_range_args,
    json_body,
    page_number,
    paginate,
    single_value_errors,
    validation_error,
    whole_number_arg,
)
from tracker.api.serialise import entry_to_json
from tracker.auth.access import can_edit_entry, can_see_team, team_or_404, visible_team_ids
from tracker.burden.rates import RateBook
from tracker.models.catalogue import Request
from tracker.entries import services
from tracker.entries.forms import API_FIELDS, EntryForm
from tracker.models.entries import Entry
from tracker.extensions import db


def live_entries():
    """Entries that count (not deleted), with what their JSON shows loaded up front."""
    return (
        select(Entry)
        .where(Entry.deleted_at.is_(None))
        .options(selectinload(Entry.request), selectinload(Entry.team), selectinload(Entry.logged_by))
    )


def visible_entry_or_404(entry_id: int) -> Entry:
    entry = db.session.get(Entry, entry_id)
    if entry is None or entry.is_deleted or not can_see_team(current_user, entry.team_id):
        abort(404)
    return entry


def changeable_entry_or_404(entry_id: int) -> Entry:
    entry = visible_entry_or_404(entry_id)
    if not can_edit_entry(current_user, entry):
        abort(404)
    return entry


def entry_response(entry: Entry, status: int = 200):
    return entry_to_json(entry, RateBook.load(db.session)), status


def not_allowed(error: services.EntryNotAllowed, default_field: str):
    """The service refused (for example a signed-off month): say why, by field when it names one."""
    return validation_error({getattr(error, "field", None) or default_field: [str(error)]})


@blueprint.get("/entries")
def list_entries():
    team_id = whole_number_arg("team_id", "team_id must be the id of one of your teams")
    request_id = whole_number_arg("request_id", "request_id must be the id of a request")
    source_id = whole_number_arg("source_id", "source_id must be the id of a source")
    start, end = date_range_args("from", "to")
    page = page_number()

    query = live_entries()
    if team_id is not None:
        team_or_404(current_user, team_id)
        query = query.where(Entry.team_id == team_id)
    else:
        ids = visible_team_ids(current_user)
        if ids is not None:
            query = query.where(Entry.team_id.in_(ids or [-1]))
    if start is not None:
        query = query.where(Entry.occurred_on >= start)
    if end is not None:
        query = query.where(Entry.occurred_on <= end)
    if request_id is not None:
        query = query.where(Entry.request_id == request_id)
    if source_id is not None:
        query = query.where(Entry.request_id.in_(select(Request.id).where(Request.source_id == source_id)))
    query = query.order_by(Entry.occurred_on.desc(), Entry.id.desc())

    rates = RateBook.load(db.session)
    return paginate(db.session, query, lambda entry: entry_to_json(entry, rates), page)


@blueprint.post("/entries")
def create_entry():
    data = json_body()
    errors = single_value_errors(data, API_FIELDS)
    form = EntryForm.from_json(current_user, data)
    if errors or not form.validate():
        return validation_error({**form.errors, **errors})
    try:
        entry = services.create_entry(current_user, form.entry_values())
    except services.EntryNotAllowed as error:
        db.session.rollback()
        return not_allowed(error, "team_id")
    db.session.commit()
    return entry_response(entry, 201)


@blueprint.get("/entries/<int:entry_id>")
def get_entry(entry_id: int):
    return entry_response(visible_entry_or_404(entry_id))


@blueprint.patch("/entries/<int:entry_id>")
def update_entry(entry_id: int):
    entry = changeable_entry_or_404(entry_id)
    data = json_body()
    errors = single_value_errors(data, API_FIELDS)
    form = EntryForm.from_json(current_user, data, existing=entry)
    if errors or not form.validate():
        return validation_error({**form.errors, **errors})
    try:
        services.update_entry(current_user, entry, form.entry_values())
    except services.EntryNotAllowed as error:
        db.session.rollback()
        return not_allowed(error, "entry")
    db.session.commit()
    return entry_response(entry)


@blueprint.delete("/entries/<int:entry_id>")
def delete_entry(entry_id: int):
    entry = changeable_entry_or_404(entry_id)
    try:
        services.delete_entry(current_user, entry)
    except services.EntryNotAllowed as error:
        db.session.rollback()
        return not_allowed(error, "entry")
    db.session.commit()
    return "", 204
