"""Writing a checked entries file, and undoing an import.

All in the caller's one transaction: the sources and requests the user agreed
to create (through the catalogue's own services, audited each), the import
batch, the entries in bulk (tracker/entries/bulk.py) tagged with the batch,
the rows' fingerprints, the rollups brought up to date set-based for exactly
these entries (tracker.burden.rollup.add_entries), and one audit event for the
batch. Undo deletes the batch's entries the usual way
(tracker.entries.services.delete_entry: recorded, audited, rollups exact)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

from sqlalchemy import insert, select, update

from tracker import audit
from tracker.auth.access import leads_team
from tracker.burden import rollup
from tracker.catalogue.kinds import guess_source_kind
from tracker.catalogue.services import update_with_audit
from tracker.entries.bulk import insert_rows, stored_date, stored_timestamp
from tracker.entries.forms import DEFAULT_FREQUENCY, DEFAULT_OBLIGATION
from tracker.entries.services import EntryNotAllowed, add_request_inline, delete_entry
from tracker.extensions import db
from tracker.imports.validate import Checked, Options
from tracker.models.catalogue import Request
from tracker.models.entries import Entry
from tracker.models.imports import ImportBatch, ImportedRow
from tracker.shared.errors import Refused
from tracker.shared.names import name_key
from tracker.shared.timeutil import utcnow

ENTRY_COLUMNS = ("request_id", "team_id", "logged_by_id", "occurred_on", "minutes", "band", "duplicated_elsewhere",
                 "used", "notes", "created_at", "updated_at", "import_batch_id")
BATCH = 10_000


class ImportRefused(Refused):
    """The file cannot be imported as asked; nothing was written."""


class NothingToImport(ImportRefused):
    """Every row was imported before, under 30 seconds, or refused: no batch is recorded (issue 16).
    `refused` says whether refused rows are why (an error) or not (nothing to do)."""

    def __init__(self, message: str, refused: bool):
        super().__init__(message)
        self.refused = refused


def nothing_to_do(checked: Checked) -> str:
    """Why an import that would add nothing adds nothing, in one sentence."""
    parts = []
    if checked.skipped:
        parts.append(f"{checked.skipped:,} already imported")
    if checked.too_short:
        parts.append(f"{len(checked.too_short):,} under 30 seconds")
    if checked.refused:
        parts.append(f"{checked.refused:,} refused")
    if checked.skipped == checked.rows_read:
        return f"All {checked.rows_read:,} rows were already imported: nothing to do."
    return f"Nothing to import: of {checked.rows_read:,} rows, " + ", ".join(parts) + "."


@dataclass(frozen=True)
class SourceFile:
    name: str
    sha256: str
    size: int


def create_missing(user, checked: Checked) -> dict[tuple, int]:
    """Make the sources and requests the file names that the catalogue lacks, as the log form's
    "not in the list" does (the same service: the source's kind guessed from its name, the
    request ad hoc and discretionary and marked for a commissioner to confirm).
    Returns (source key, title key) -> request id."""
    made: dict[tuple, int] = {}
    for key, (source_name, title) in checked.new_requests.items():
        details = checked.new_details.get(key, {})
        made[key], _notes = add_request_inline(user, {
            "source_id": None, "source_name": source_name, "source_kind": guess_source_kind(source_name),
            "title": title, "frequency": details.get("frequency", DEFAULT_FREQUENCY),
            "obligation": details.get("obligation", DEFAULT_OBLIGATION),
        })
        if details.get("reference"):
            update_with_audit(user, db.session.get(Request, made[key]), {"reference": details["reference"]})
    return made


def write_entries(checked: Checked, options: Options, source_file: SourceFile, good_rows_only: bool = False,
                  progress: Callable[[int], None] | None = None) -> ImportBatch:
    """Write the checked rows; the caller commits. Refuses (writing nothing) when any row is bad,
    unless `good_rows_only`, and always when the file as a whole is refused."""
    user = options.user
    if checked.file_problems:
        raise ImportRefused(" ".join(checked.file_problems))
    if checked.refused and not good_rows_only:
        raise ImportRefused(f"{checked.refused} row(s) have problems, so nothing was imported. Fix them, "
                            "or import only the good rows.")
    if not checked.good:  # an empty batch would only be noise in the list of imports
        raise NothingToImport(nothing_to_do(checked), refused=bool(checked.refused))
    request_ids = create_missing(user, checked) if options.create_missing else {}
    batch = ImportBatch(kind="entries", user_id=user.id, file_name=source_file.name[:255], sha256=source_file.sha256,
                        size=source_file.size, file_format=checked.mapping.format, rows_added=len(checked.good),
                        rows_skipped=checked.skipped, rows_refused=checked.refused)
    db.session.add(batch)
    db.session.flush()
    now = stored_timestamp(utcnow())  # as stored: no per-row conversion in the driver
    days: dict = {}
    rows = []
    for row in checked.good:
        request_id = row.request_id or request_ids[(name_key(row.source_name), name_key(row.request_title))]
        day = days.get(row.occurred_on) or days.setdefault(row.occurred_on, stored_date(row.occurred_on))
        rows.append((request_id, row.team_id, row.logged_by_id, day, row.minutes, row.band,
                     row.duplicated, row.used, row.notes, now, now, batch.id))
    for start in range(0, len(rows), BATCH):
        insert_rows(db.session, ENTRY_COLUMNS, rows[start:start + BATCH])
        if progress:
            progress(len(rows[start:start + BATCH]))
    _record_fingerprints(batch.id, [row.fingerprint for row in checked.good])
    rollup.add_entries(db.session, Entry.import_batch_id == batch.id)
    audit.record(db.session, user, "import", batch, new=audit.snapshot(batch))
    return batch


def _record_fingerprints(batch_id: int, prints: list[str]) -> None:
    if not prints:
        return
    if db.session.get_bind().dialect.name == "sqlite":  # plain tuples: Core's per-row processing would double the time
        db.session.connection().exec_driver_sql(
            "INSERT INTO imported_row (batch_id, fingerprint) VALUES (?, ?)", [(batch_id, p) for p in prints])
        return
    for start in range(0, len(prints), BATCH):
        db.session.execute(insert(ImportedRow.__table__), [{"batch_id": batch_id, "fingerprint": p}
                                                           for p in prints[start:start + BATCH]])


def can_undo(user, batch: ImportBatch) -> bool:
    """Who imported it, a lead of every team it wrote to, or an admin."""
    if batch.is_undone or batch.kind != "entries" or user.role == "commissioner":
        return False
    if user.role == "admin" or batch.user_id == user.id:
        return True
    teams = db.session.scalars(select(Entry.team_id).where(Entry.import_batch_id == batch.id).distinct()).all()
    return bool(teams) and all(leads_team(user, team_id) for team_id in teams)


def undo_batch(user, batch: ImportBatch, progress: Callable[[int], None] | None = None) -> int:
    """Delete the batch's entries that still stand, each the usual way; release its fingerprints.

    All or nothing: a refusal (a month signed off since, an entry this user may not
    delete) raises before the caller commits. Returns how many entries were deleted."""
    if not can_undo(user, batch):
        raise ImportRefused("You cannot undo this import: ask whoever imported it or a lead of the team.")
    entries = db.session.scalars(
        select(Entry).where(Entry.import_batch_id == batch.id, Entry.deleted_at.is_(None)).order_by(Entry.id)
    ).all()
    for done, entry in enumerate(entries, 1):
        try:
            delete_entry(user, entry)
        except EntryNotAllowed as error:
            raise ImportRefused(f"Nothing was undone: {error}") from None
        if progress and done % 1000 == 0:
            progress(1000)
    now = utcnow()
    before = audit.snapshot(batch)
    batch.undone_at = now
    batch.undone_by_id = user.id
    db.session.execute(update(ImportedRow).where(ImportedRow.batch_id == batch.id).values(undone_at=now))
    db.session.flush()
    old, new = audit.changed_fields(before, audit.snapshot(batch))
    audit.record(db.session, user, "undo_import", batch, old=old, new=new)
    return len(entries)
