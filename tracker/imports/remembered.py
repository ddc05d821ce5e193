"""Mappings chosen for files in a layout we do not know, remembered per person (issue 16).

When a person imports a file by columns they chose (`--map`, or the page's
column choices on a file no format recognises), the choice is kept under a
key made from the header row by the name rule; the next file with the same
headers is read the same way without asking again. Stored per person: see
`tracker.models.imports.ImportMapping` for why."""
from __future__ import annotations

import hashlib

from sqlalchemy import select

from tracker.extensions import db
from tracker.imports.formats import MAPPED, Mapping, detect, parse_map
from tracker.models.imports import ImportMapping
from tracker.shared.names import name_key
from tracker.shared.timeutil import utcnow


def headers_key(headers) -> str:
    return hashlib.sha256("\x1f".join(name_key(str(h or "")) for h in headers).encode()).hexdigest()


def recall(user, headers) -> tuple[Mapping, str | None] | None:
    """The mapping (and date order) this person chose for a file with these headers, if any."""
    found = db.session.scalar(select(ImportMapping).where(
        ImportMapping.user_id == user.id, ImportMapping.headers_key == headers_key(headers)))
    if found is None:
        return None
    mapping = Mapping(MAPPED, tuple(headers), {}, found.unit).with_changes(found.columns, found.unit)
    return mapping, found.date_order


def remember(user, mapping: Mapping, date_order: str | None) -> None:
    """Keep (or replace) this person's choice for files with these headers; in the caller's transaction."""
    key = headers_key(mapping.headers)
    found = db.session.scalar(select(ImportMapping).where(
        ImportMapping.user_id == user.id, ImportMapping.headers_key == key).with_for_update())
    if found is None:
        found = ImportMapping(user_id=user.id, headers_key=key)
        db.session.add(found)
    found.columns = mapping.as_names()
    found.unit = mapping.unit
    found.date_order = date_order
    found.updated_at = utcnow()
    db.session.flush()


PROJECT_IS_SOURCE = "project-is-source"


def choose_mapping(user, headers, wanted: str = "auto", map_text: str | None = None):
    """(mapping, chosen, date order remembered): --map when given (`chosen`: remember it once
    imported), else the person's remembered choice for these headers, else the format the headers show.
    Raises UnknownFormat or BadMap with a message to act on."""
    parts = [p.strip() for p in (map_text or "").split(",") if p.strip()]
    project = PROJECT_IS_SOURCE in parts
    columns = ",".join(p for p in parts if p != PROJECT_IS_SOURCE)
    recalled_order = None
    if columns:
        mapping = parse_map(columns, headers)
    else:
        recalled = recall(user, headers) if wanted == "auto" else None
        if recalled is not None:
            mapping, recalled_order = recalled
        else:
            mapping = detect(headers, wanted)
    if project:
        mapping = mapping.project_is_source()
    return mapping, bool(columns), recalled_order
