"""Catalogue rules: creating teams, sources and requests, with an audit event each."""
from __future__ import annotations

import re
import unicodedata

from sqlalchemy import func, or_, select
from sqlalchemy.orm import joinedload

from tracker import audit
from tracker.database import hold_row
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import REQUEST_STATUSES
from tracker.extensions import db
from tracker.shared.errors import Gone, Refused


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "team"


def create_source(user, name: str, kind: str) -> Source:
    source = Source(name=name, kind=kind)
    db.session.add(source)
    db.session.flush()
    audit.record(db.session, user, "create", source, new=audit.snapshot(source))
    return source


def create_request(user, *, title: str, source_id: int, frequency: str, obligation: str, description: str = "",
                   details_to_confirm: bool = False) -> Request:
    request = Request(
        title=title,
        source_id=source_id,
        frequency=frequency,
        obligation=obligation,
        description=(description or "").strip(),
        status="active",
        created_by_id=getattr(user, "id", None),
        details_to_confirm=details_to_confirm,
    )
    db.session.add(request)
    db.session.flush()
    audit.record(db.session, user, "create", request, new=audit.snapshot(request))
    return request


def create_team(user, *, name: str, organisation: str, sector: str) -> Team:
    team = Team(name=name, slug=unique_team_slug(name), organisation=organisation.strip(), sector=sector)
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
    return audit.change(db.session, user, "update", obj, values)


# ---- reading the catalogue and changing a request's status (commissioners) ----

PER_PAGE = 50
MANAGE_CATALOGUE_ROLES = ("commissioner", "admin")


class CatalogueError(Refused):
    """A catalogue change breaks a rule; `field` names the form field to show it by."""

    def __init__(self, field: str, message: str):
        super().__init__(message, field)


def requests_query(q: str = "", source_id: int | None = None, status: str | None = None, to_confirm: bool = False):
    """Requests matching a search (title, description or source name) and filters, by title."""
    query = select(Request).join(Source).options(joinedload(Request.source), joinedload(Request.merged_into))
    text = (q or "").strip()
    if text:
        pattern = "%" + text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(
            or_(
                func.lower(Request.title).like(pattern, escape="\\"),
                func.lower(Request.description).like(pattern, escape="\\"),
                func.lower(Source.name).like(pattern, escape="\\"),
            )
        )
    if source_id is not None:
        query = query.where(Request.source_id == source_id)
    if status:
        query = query.where(Request.status == status)
    if to_confirm:
        query = query.where(Request.details_to_confirm.is_(True))
    return query.order_by(func.lower(Request.title), Source.name, Request.id)


def can_manage_catalogue(user) -> bool:
    return getattr(user, "role", None) in MANAGE_CATALOGUE_ROLES


def merge_targets(request: Request) -> list[Request]:
    """Requests this one may be merged into: live ones, never itself."""
    query = (
        select(Request)
        .join(Source)
        .options(joinedload(Request.source))
        .where(Request.id != request.id, Request.status.in_(("active", "under_review")))
        .order_by(func.lower(Request.title), Source.name)
    )
    return list(db.session.scalars(query))


def merged_into_this(request: Request) -> list[Request]:
    return list(db.session.scalars(select(Request).where(Request.merged_into_id == request.id).order_by(Request.title)))


def hold_request(request: Request) -> Request:
    """The request as stored now, held until the transaction ends.

    Every change that reads a request's status, licences or decisions and
    writes because of them starts here, so two at once run one after the
    other and the second sees what the first wrote (an approval checks that
    no licence is in force; a merge that the target is still live)."""
    fresh = hold_row(db.session, Request, request.id)
    if fresh is None:
        raise Gone()
    return fresh


def set_request_status(user, request: Request, status: str, merged_into_id: int | None = None) -> bool:
    """Change a request's status; `merged` also needs the request that replaces it.

    A merge target must be live (active or under review), so chains stay one
    step long: requests already merged into this one follow it to the target.
    Returns whether anything changed. Raises CatalogueError, writing nothing."""
    if not can_manage_catalogue(user):
        raise CatalogueError("status", "Only commissioners and admins can change a request's status")
    if status not in REQUEST_STATUSES:
        raise CatalogueError("status", f"Choose a status from: {', '.join(REQUEST_STATUSES.values())}")
    request = hold_request(request)
    if status != "merged":
        return update_with_audit(user, request, {"status": status, "merged_into_id": None})

    if merged_into_id is None:
        raise CatalogueError("merged_into_id", "Choose the request this one is merged into")
    if merged_into_id == request.id:
        raise CatalogueError("merged_into_id", "A request cannot be merged into itself")
    target = db.session.get(Request, merged_into_id)
    if target is None:
        raise CatalogueError("merged_into_id", "Choose a request from the catalogue")
    if target.status in ("merged", "retired"):
        raise CatalogueError(
            "merged_into_id", f"That request is {REQUEST_STATUSES[target.status].lower()}: choose a live request"
        )
    if _leads_back_to(target, request.id):
        raise CatalogueError("merged_into_id", "That would make a loop: the other request is merged into this one")

    changed = update_with_audit(user, request, {"status": "merged", "merged_into_id": target.id})
    for child in merged_into_this(request):
        update_with_audit(user, child, {"merged_into_id": target.id})
    return changed


def _leads_back_to(start: Request, request_id: int) -> bool:
    seen: set[int] = set()
    node: Request | None = start
    while node is not None and node.id not in seen:
        if node.id == request_id:
            return True
        seen.add(node.id)
        node = node.merged_into
    return False


def requests_to_confirm() -> int:
    """How many requests wait for a commissioner to confirm the details a manager left to defaults."""
    return db.session.scalar(select(func.count()).where(Request.details_to_confirm.is_(True))) or 0


def confirm_request_details(user, request: Request, *, frequency: str, obligation: str, source_kind: str) -> None:
    """A commissioner checks what was left to defaults: the request's frequency and obligation,
    and its source's kind (which every request of that source shares). Audited; the mark comes off."""
    if not can_manage_catalogue(user):
        raise CatalogueError("frequency", "Only commissioners and admins can confirm a request's details")
    update_with_audit(user, request, {"frequency": frequency, "obligation": obligation, "details_to_confirm": False})
    update_with_audit(user, request.source, {"kind": source_kind})
