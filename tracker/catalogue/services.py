"""Catalogue rules: creating teams, sources and requests, with an audit event each."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, select

from tracker import audit
from tracker.catalogue.models import Request, Source, Team
from tracker.extensions import db


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "team"


def source_named(name: str) -> Source | None:
    return db.session.scalar(select(Source).where(func.lower(Source.name) == name.strip().lower()))


def create_source(user, name: str, kind: str) -> Source:
    source = Source(name=name.strip(), kind=kind)
    db.session.add(source)
    db.session.flush()
    audit.record(db.session, user, "create", source, new=audit.snapshot(source))
    return source


def create_request(user, *, title: str, source_id: int, frequency: str, obligation: str, description: str = "") -> Request:
    request = Request(
        title=title.strip(),
        source_id=source_id,
        frequency=frequency,
        obligation=obligation,
        description=(description or "").strip(),
        status="active",
        created_by_id=getattr(user, "id", None),
    )
    db.session.add(request)
    db.session.flush()
    audit.record(db.session, user, "create", request, new=audit.snapshot(request))
    return request


def create_team(user, *, name: str, organisation: str, sector: str) -> Team:
    team = Team(name=name.strip(), slug=unique_team_slug(name), organisation=organisation.strip(), sector=sector)
    db.session.add(team)
    db.session.flush()
    audit.record(db.session, user, "create", team, new=audit.snapshot(team))
    return team


def unique_team_slug(name: str) -> str:
    base = slugify(name)
    slug, n = base, 2
    while db.session.scalar(select(Team.id).where(Team.slug == slug)) is not None:
        slug, n = f"{base}-{n}", n + 1
    return slug


def update_with_audit(user, obj, values: dict) -> bool:
    """Set attributes and record what changed. Returns whether anything did."""
    before = audit.snapshot(obj)
    for key, value in values.items():
        setattr(obj, key, value)
    db.session.flush()
    old, new = audit.changed_fields(before, audit.snapshot(obj))
    if new:
        audit.record(db.session, user, "update", obj, old=old, new=new)
    return bool(new)
