"""Entries: list, read, log, change and delete, with the log form's own validation.

An entry of a team the caller may not see, a deleted entry, and an entry the
caller may see but not change (for PATCH and DELETE) all answer 404: the API
never says "it exists but it is not yours" (house rule: never 403).

Optimistic concurrency: every answer holding one entry carries an `ETag`
naming the entry's version. PATCH and DELETE may send it back in `If-Match`;
if the entry has changed since, nothing is written and the answer is 412
(tracker/__init__.py). Without If-Match the change applies to the entry as
it stands when the write locks it (tracker/entries/services.py)."""
from __future__ import annotations

import re

from flask import abort, current_app, request
from flask_login import current_user

from tracker.api import blueprint
from tracker.api.common import date_range_args, json_input, page_of, refuse, validation_error, whole_number_arg
from tracker.api.contract import WRITE_REFUSALS, answers, found_first
from tracker.api.schemas import entries as schemas
from tracker.api.serialise import entry_to_json
from tracker.auth.access import can_edit_entry, can_see_team, team_or_404, visible_team_ids
from tracker.burden.rates import RateBook
from tracker.entries import services
from tracker.entries.forms import EntryForm
from tracker.entries.queries import EntryListFilter, entry_totals, live_entries, live_entry, newest_first_with_names
from tracker.extensions import db
from tracker.models.entries import Entry
from tracker.shared.etags import MalformedIfMatch, format_entity_tag, parse_if_match


# Optimistic concurrency on one entry, as the document states it.
ETAG = {"ETag": {
    "description": 'The entry\'s version, e.g. `"42-3"`: it changes with every change to the entry. '
    "Send it back in If-Match to change or delete only the version you read.",
    "schema": {"type": "string"},
}}
IF_MATCH = {
    "name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
    "description": "The ETag you read. If the entry has changed since, nothing is written and the answer is 412 "
    "(a weak tag, W/\"...\", never matches). Without it (or with `*`) the change applies to the entry as it "
    "stands when the write takes its lock. A value that is not a list of entity tags is 400 by the field If-Match.",
}


def visible_entry_or_404(entry_id: int) -> Entry:
    entry = live_entry(entry_id)
    if entry is None or not can_see_team(current_user, entry.team_id):
        abort(404)
    return entry


def changeable_entry_or_404(entry_id: int) -> Entry:
    entry = visible_entry_or_404(entry_id)
    if not can_edit_entry(current_user, entry):
        abort(404)
    return entry


def entry_etag(entry: Entry) -> str:
    """The entry's id and version: it changes with every change to the entry."""
    return f"{entry.id}-{entry.version}"


def if_match_versions(entry_id: int) -> set[int] | None:
    """The versions of this entry that If-Match names; None when it is absent, blank or "*" (no condition).

    A tag of another entry, a weak one or one that is not ours names none: the change is refused as
    stale (412). A header that is not an If-Match at all is 400 by the field (tracker/shared/etags.py)."""
    header = request.headers.get("If-Match", "")
    if not header.strip(" \t"):
        return None
    try:
        if_match = parse_if_match(header)
    except MalformedIfMatch as malformed:
        refuse({"If-Match": [str(malformed)]})
    if if_match.any_version:
        return None
    versions = set()
    for tag in if_match.strong_tags():
        match = re.fullmatch(r"([0-9]+)-([0-9]+)", tag)
        if match and int(match[1]) == entry_id:
            versions.add(int(match[2]))
    return versions


def entry_response(entry: Entry, status: int = 200):
    """The entry, its status, and its version in the ETag header (quoted, as RFC 9110 writes it)."""
    return entry_to_json(entry, RateBook.load(db.session)), status, {"ETag": format_entity_tag(entry_etag(entry))}


@blueprint.get("/entries")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.EntryQuery}])
@blueprint.response(200, schemas.EntryPage)
@answers(400, 401, 404)
def list_entries():
    """Entries of the teams the caller may see, newest first (deleted entries never appear)

    Refused (400), rules the schema cannot state: `to` before `from`. A `team_id` the caller may not see answers 404."""
    team_id = whole_number_arg("team_id", "team_id must be the id of one of your teams")
    request_id = whole_number_arg("request_id", "request_id must be the id of a request")
    source_id = whole_number_arg("source_id", "source_id must be the id of a source")
    start, end = date_range_args("from", "to")
    if team_id is not None:
        team_or_404(current_user, team_id)
    flt = EntryListFilter(
        team_ids=[team_id] if team_id is not None else visible_team_ids(current_user),
        start=start,
        end=end,
        source_id=source_id,
        request_id=request_id,
    )
    rates = RateBook.load(db.session)
    # Counted as the entries page counts them, from the rollups: a COUNT over ten million entries took 0.4 s.
    return page_of(newest_first_with_names(live_entries(flt)), lambda entry: entry_to_json(entry, rates),
                   total=entry_totals(flt).entries)


@blueprint.post("/entries")
@blueprint.arguments(schemas.EntryInput)
@blueprint.response(201, schemas.Entry, headers=ETAG)
@answers(*WRITE_REFUSALS, 404)
@json_input(lambda data: EntryForm.from_json(current_user, data), refusal_field="team_id")
def create_entry(form):
    """Log an entry

    Refused (400), rules the schema cannot state: a request that does not exist, or is retired or merged; a team that is not one the caller may log for (commissioners may not log); a date more than a year from today, or in a month signed off; a band with no rate on that date. A `team_id` of a team the caller may not see (or of no team) answers 404."""
    return entry_response(services.create_entry(current_user, form.entry_values()), 201)


@blueprint.get("/entries/<int:entry_id>")
@blueprint.response(200, schemas.Entry, headers=ETAG)
@answers(401, 404)
def get_entry(entry_id: int):
    """One entry"""
    return entry_response(visible_entry_or_404(entry_id))


@blueprint.patch("/entries/<int:entry_id>")
@found_first(changeable_entry_or_404)
@blueprint.doc(parameters=[IF_MATCH])
@blueprint.arguments(schemas.EntryPatch)
@blueprint.response(200, schemas.Entry, headers=ETAG)
@answers(*WRITE_REFUSALS, 404, 412)
@json_input(
    lambda data, entry_id: EntryForm.from_json(current_user, data, existing=changeable_entry_or_404(entry_id)),
    refusal_field="entry",
)
def update_entry(form, entry_id: int):
    """Change an entry (managers their own, leads any of their teams', admins any)

    Refused (400), rules the schema cannot state: as for logging one (`entry` when the change as a whole is refused, e.g. a signed-off month). If-Match naming another version: 412; malformed: 400 by `If-Match`."""
    entry = services.update_entry(current_user, form.existing, form.sent_values(), if_match_versions(entry_id))
    return entry_response(entry)


@blueprint.delete("/entries/<int:entry_id>")
@blueprint.doc(parameters=[IF_MATCH])
@blueprint.response(204, description="Deleted (and audited)")
@answers(400, 401, 403, 404, 409, 412)
def delete_entry(entry_id: int):
    """Delete an entry: recorded, never physical; it counts nowhere after (deleting it again: 404)

    If-Match naming another version: 412; malformed: 400 by `If-Match`. An entry of a signed-off month: 400 by `entry`."""
    entry = changeable_entry_or_404(entry_id)
    try:
        services.delete_entry(current_user, entry, if_match_versions(entry_id))
    except services.EntryNotAllowed as error:
        db.session.rollback()
        return validation_error({error.field or "entry": [error.message]})
    db.session.commit()
    return current_app.response_class(status=204)
