"""Entry rules: create, change and delete, each audited, in the caller's transaction.

Views, the API, imports and seed data all write entries through here, so the
audit trail (and anything kept in step with entries) can never be bypassed.
Values arrive validated (tracker/entries/forms.py); these functions enforce
who may act, not what a field may hold.

A change or deletion first locks the entry and reads it afresh (`lock_entry`),
so the rollup adjustment is computed from the row actually changed, however
many requests change the same entry at once: a second deletion finds the
entry gone (`Gone`, 404), and a caller who names the version they read
(`expected_versions`: the API's If-Match, the edit page's hidden version) is
told when someone else saved first (`Stale`)."""
from __future__ import annotations

from typing import Collection


from tracker import audit
from tracker.auth.access import can_edit_entry, loggable_teams
from tracker.burden import rollup
from tracker.database import hold_row
from tracker.models.entries import Entry
from tracker.signoff.services import lock_reason
from tracker.catalogue.services import create_request, create_source
from tracker.extensions import db
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import LOGGABLE_STATUSES
from tracker.shared.errors import Gone, Refused, Stale
from tracker.shared.timeutil import utcnow

ENTRY_FIELDS = ("request_id", "team_id", "occurred_on", "minutes", "band", "duplicated_elsewhere", "used", "notes")


class EntryNotAllowed(Refused):
    """The user may not make this change; the message says why."""


class EntryLocked(EntryNotAllowed):
    """The team's month is signed off (tracker/signoff/services.py); the message names who and when."""

    field = "occurred_on"


def refuse_if_signed_off(team_id: int, day) -> None:
    reason = lock_reason(db.session, team_id, day)
    if reason:
        raise EntryLocked(reason)


def create_entry(user, values: dict) -> Entry:
    if values["team_id"] not in {t.id for t in loggable_teams(user)}:
        raise EntryNotAllowed("You cannot log entries for that team.")
    refuse_if_signed_off(values["team_id"], values["occurred_on"])
    entry = _new_entry(user, values)
    db.session.add(entry)
    db.session.flush()
    rollup.entry_changed(db.session, None, rollup.contribution(entry))
    audit.record(db.session, user, "create", entry, new=audit.snapshot(entry))
    return entry


def _new_entry(user, values: dict) -> Entry:
    entry = Entry(logged_by_id=user.id, **{k: values[k] for k in ENTRY_FIELDS if k in values})
    entry.notes = entry.notes or ""
    return entry


class EntriesNotAllowed(EntryNotAllowed):
    """One of many entries written together is refused; `index` says which (from 0)."""

    def __init__(self, message: str, index: int, field: str | None = None):
        super().__init__(message, field)
        self.index = index


def create_entries(user, many: list[dict]) -> list[Entry]:
    """Write many entries at once, all or none (the week view, the batch API), in the caller's transaction.

    The same refusals as `create_entry`, each checked before anything is written;
    the rows go in together, the rollups take exactly these entries set-based
    (tracker.burden.rollup.add_entries), and each entry is audited as one created alone."""
    allowed = {t.id for t in loggable_teams(user)}
    locks: dict = {}
    for index, values in enumerate(many):
        if values["team_id"] not in allowed:
            raise EntriesNotAllowed("You cannot log entries for that team.", index, "team_id")
        place = (values["team_id"], values["occurred_on"].replace(day=1))
        if place not in locks:
            locks[place] = lock_reason(db.session, *place)
        if locks[place]:
            raise EntriesNotAllowed(locks[place], index, EntryLocked.field)
    entries = [_new_entry(user, values) for values in many]
    db.session.add_all(entries)
    db.session.flush()
    if entries:
        rollup.add_entries(db.session, Entry.id.in_([entry.id for entry in entries]))
    for entry in entries:
        audit.record(db.session, user, "create", entry, new=audit.snapshot(entry))
    db.session.flush()
    return entries


def hold_team(team_id: int) -> None:
    """Two saves of one team's week queue here, so the second sees what the first wrote."""
    hold_row(db.session, Team, team_id)


def lock_entry(entry: Entry, expected_versions: Collection[int] | None = None) -> Entry:
    """The entry as stored now, held until the transaction ends (`tracker.database.hold_row`);
    `Gone` if deleted meanwhile. With `expected_versions`, a version not among
    them raises `Stale` (someone else saved after the caller read it)."""
    fresh = hold_row(db.session, Entry, entry.id)
    if fresh is None or fresh.is_deleted:
        raise Gone()
    if expected_versions is not None and fresh.version not in expected_versions:
        raise Stale("Someone else changed this entry after you read it.", fresh.version)
    return fresh


def update_entry(user, entry: Entry, values: dict, expected_versions: Collection[int] | None = None) -> Entry:
    entry = lock_entry(entry, expected_versions)
    if not can_edit_entry(user, entry):
        raise EntryNotAllowed("You cannot change this entry.")
    if "team_id" in values and values["team_id"] != entry.team_id:
        if values["team_id"] not in {t.id for t in loggable_teams(user)}:
            raise EntryNotAllowed("You cannot move an entry to that team.")
    refuse_if_signed_off(entry.team_id, entry.occurred_on)
    refuse_if_signed_off(values.get("team_id", entry.team_id), values.get("occurred_on", entry.occurred_on))
    before = audit.snapshot(entry)
    counted_before = rollup.contribution(entry)
    for key in ENTRY_FIELDS:
        if key in values:
            setattr(entry, key, values[key] if key != "notes" else (values[key] or ""))
    db.session.flush()
    rollup.entry_changed(db.session, counted_before, rollup.contribution(entry))
    old, new = audit.changed_fields(before, audit.snapshot(entry))
    for changes in (old, new):
        for bookkeeping in ("updated_at", "version"):  # they follow every change; they are not one
            changes.pop(bookkeeping, None)
    if new:
        audit.record(db.session, user, "update", entry, old=old, new=new)
    return entry


def delete_entry(user, entry: Entry, expected_versions: Collection[int] | None = None) -> None:
    """Recorded, never physical: the row stays and every figure excludes it."""
    entry = lock_entry(entry, expected_versions)
    if not can_edit_entry(user, entry):
        raise EntryNotAllowed("You cannot delete this entry.")
    refuse_if_signed_off(entry.team_id, entry.occurred_on)
    counted_before = rollup.contribution(entry)
    entry.deleted_at = utcnow()
    entry.deleted_by_id = user.id
    db.session.flush()
    rollup.entry_changed(db.session, counted_before, None)
    audit.record(db.session, user, "delete", entry, old=audit.snapshot(entry))


def add_request_inline(user, new: dict) -> tuple[int, list[str]]:
    """The log form's "not in the list": make the source (when new) and the request in the
    caller's transaction, so they are written only together with the entry that needs them.

    A name that only differs from an existing source or request in case or spacing
    is that source or request (the name rule): it is used, not made again, and the
    returned notes say so."""
    notes = []
    source_id = new["source_id"]
    if source_id is None:
        source = Source.named(new["source_name"])
        if source is None:
            source = create_source(user, new["source_name"], new["source_kind"])
        else:
            notes.append(f"'{source.name}' is already a source, so it was used.")
        source_id = source.id
    request = Request.titled(source_id, new["title"])
    if request is None:
        request = create_request(
            user, title=new["title"], source_id=source_id, frequency=new["frequency"], obligation=new["obligation"],
            details_to_confirm=True,  # defaults for what the manager may not know: a commissioner checks them
        )
    elif request.status not in LOGGABLE_STATUSES:
        raise EntryNotAllowed(
            f"'{request.title}' is already in the catalogue but is {request.status.replace('_', ' ')}: "
            "choose the request that replaced it",
            field="new_request_title",
        )
    else:
        notes.append(f"'{request.title}' is already in the catalogue, so the entry was logged against it.")
    return request.id, notes
