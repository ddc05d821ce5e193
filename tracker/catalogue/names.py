"""The name rule as forms check it: one validator for team names, source names and
request titles (unique within their source), ignoring case and spacing.

The rule itself (what makes two names the same) is tracker/shared/names.py; the
look-ups are the models' `Team.named`, `Source.named` and `Request.titled`; the
database holds it with unique indexes on the key columns. Pages, the API
(which validates with the same forms), admin and the importer all come here."""
from __future__ import annotations

from wtforms.validators import ValidationError

from tracker.models.catalogue import Request, Source, Team
from tracker.shared.parsing import parse_id


def clash_for(kind: str, name: str, source_id: int | None = None):
    """The record that already has this name (a request: in that source), or None."""
    if kind == "team":
        return Team.named(name)
    if kind == "source":
        return Source.named(name)
    if kind == "request":
        return Request.titled(source_id, name) if source_id is not None else None
    raise ValueError(f"Unknown kind of name: {kind}")


def taken_message(kind: str, clash) -> str:
    if kind == "team":
        return f"A team called '{clash.name}' already exists"
    if kind == "source":
        return f"A source called '{clash.name}' already exists: use that one"
    return f"'{clash.title}' from this source is already in the catalogue: use that one"


class UniqueName:
    """WTForms validator: refuse a name another record has (the form's `existing` record may keep its own).

    For a request title the form's `source_id` field says which source's titles to compare with."""

    def __init__(self, kind: str):
        self.kind = kind

    def __call__(self, form, field):
        if not field.data:
            return
        source_id = parse_id(form.source_id.data) if self.kind == "request" else None
        clash = clash_for(self.kind, field.data, source_id)
        existing = getattr(form, "existing", None)
        if clash is not None and (existing is None or clash.id != existing.id):
            raise ValidationError(taken_message(self.kind, clash))
