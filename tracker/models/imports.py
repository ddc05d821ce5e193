"""Imported files: one batch per file brought in, and a fingerprint per imported row.

A batch records who imported what, when, and with what outcome; its entries
carry `entry.import_batch_id`, so undoing it deletes exactly them (the usual
way: recorded, audited). A row's fingerprint (tracker/imports/validate.py)
is kept while its batch stands; the partial unique index means the same row
is never imported twice, even by two imports racing each other. Undoing a
batch releases its fingerprints, so the file can be imported again."""
from __future__ import annotations

from datetime import datetime
from typing import Optional

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from tracker.extensions import db
from tracker.types import unique_where
from tracker.shared.choices import check_in
from tracker.shared.timeutil import utcnow

IMPORT_KINDS = {"entries": "Entries", "catalogue": "Collections register"}


class ImportBatch(db.Model):
    __tablename__ = "import_batch"
    __table_args__ = (CheckConstraint(check_in("kind", IMPORT_KINDS), name="kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"), index=True)  # None: the command line
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    file_name: Mapped[str] = mapped_column(String(255))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(default=0)
    file_format: Mapped[str] = mapped_column(String(20))  # tracker, toggl, ..., or register
    rows_added: Mapped[int] = mapped_column(default=0)  # entries written (catalogue: requests created)
    rows_updated: Mapped[int] = mapped_column(default=0)  # catalogue: requests changed
    rows_skipped: Mapped[int] = mapped_column(default=0)  # already imported (catalogue: unchanged)
    rows_refused: Mapped[int] = mapped_column(default=0)
    undone_at: Mapped[Optional[datetime]]
    undone_by_id: Mapped[Optional[int]] = mapped_column(ForeignKey("user.id"))

    user: Mapped[Optional["User"]] = relationship(foreign_keys=[user_id])  # noqa: F821
    undone_by: Mapped[Optional["User"]] = relationship(foreign_keys=[undone_by_id])  # noqa: F821

    @property
    def kind_label(self) -> str:
        return IMPORT_KINDS[self.kind]

    @property
    def is_undone(self) -> bool:
        return self.undone_at is not None


class ImportedRow(db.Model):
    """The fingerprint of one imported file row (see the module's docstring)."""

    __tablename__ = "imported_row"
    __table_args__ = (
        unique_where("uq_imported_row_live_fingerprint", "fingerprint", where="undone_at IS NULL"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    batch_id: Mapped[int] = mapped_column(ForeignKey("import_batch.id"), index=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    undone_at: Mapped[Optional[datetime]]


class ImportMapping(db.Model):
    """The columns a person chose for a file in a layout we do not know (issue 16), remembered per
    person for the next file with the same header row. Per person, not for everyone: a column
    such as "Hours" or "Project" means what that person's sheet means by it, and another
    person's file with the same headers should not be read by a choice they never saw."""

    __tablename__ = "import_mapping"
    __table_args__ = (UniqueConstraint("user_id", "headers_key", name="uq_import_mapping_user_headers"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    headers_key: Mapped[str] = mapped_column(String(64))  # SHA-256 of the header row by the name rule
    columns: Mapped[dict] = mapped_column(JSON)  # field -> header, as written
    unit: Mapped[str] = mapped_column(String(10))  # how numbers in the time column are read
    date_order: Mapped[Optional[str]] = mapped_column(String(3))  # dmy or mdy, when the person chose one
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
