"""How the cheapest teams do it: each team's method for a request, in its own words.

A method is plain text (what the team runs, who checks, how it submits), one per request and
team, written and changed by the team's members (managers and leads), audited, never deleted.
Its version goes up with every change: a writer names the version they read, and a change made
meanwhile by someone else is refused (`Stale`) rather than overwritten.

Methods are shown to every team that answers the request (and to commissioners and admins),
cheapest first by the team's hours per response (tracker/workspace/variation.py), each team
named only where the reader may see it ("Team 2 of 7" otherwise)."""
from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from tracker import audit
from tracker.auth.access import visible_team_ids
from tracker.burden.services import BurdenFilter, burden
from tracker.extensions import db
from tracker.models.catalogue import Team
from tracker.models.workspace import Method
from tracker.workspace.variation import VariationView
from tracker.shared.errors import Refused, Stale

MAX_LENGTH = 5000
WRITER_ROLES = ("manager", "lead")


class MethodRefused(Refused):
    """A method breaks a rule; nothing was written."""


class MethodNotAllowed(Exception):
    """The user is not a member of the team: callers answer 404."""


def can_write(user, team_id: int) -> bool:
    """The team's own members (managers and leads) write its methods."""
    return user.role in WRITER_ROLES and any(m.team_id == team_id for m in user.memberships)


def writable_team_ids(user) -> list[int]:
    return [m.team_id for m in user.memberships] if user.role in WRITER_ROLES else []


def method_of(request_id: int, team_id: int, session=None) -> Method | None:
    session = session or db.session
    return session.scalar(select(Method).where(Method.request_id == request_id, Method.team_id == team_id))


def _locked(request_id: int, team_id: int, session) -> Method | None:
    """The stored method, held until the transaction ends (SQLite: its write lock, taken by a no-op write)."""
    if session.get_bind().dialect.name == "sqlite":
        table = Method.__table__
        session.execute(update(table).where(table.c.request_id == request_id, table.c.team_id == team_id)
                        .values(version=table.c.version))
    return session.scalar(select(Method).where(Method.request_id == request_id, Method.team_id == team_id)
                          .with_for_update().execution_options(populate_existing=True))


def save_method(user, request_id: int, team_id: int, text: str, expected_versions: Collection[int] | None = None,
                session=None) -> Method:
    """Write or change a team's method (audited). `expected_versions`: the version(s) the writer read
    (0 for "there was none"); any other means someone else saved first (`Stale`). None: no condition."""
    session = session or db.session
    if not can_write(user, team_id):
        raise MethodNotAllowed()
    text = (text or "").strip()
    if not text:
        raise MethodRefused("Describe how your team does it: what it runs, who checks, how it submits", "text")
    if len(text) > MAX_LENGTH:
        raise MethodRefused(f"Keep it to {MAX_LENGTH:,} characters (this is {len(text):,})", "text")
    stored = _locked(request_id, team_id, session)
    current = stored.version if stored is not None else 0
    if expected_versions is not None and current not in expected_versions:
        raise Stale("Someone else saved this method after you read it.", current)
    if stored is None:
        method = Method(request_id=request_id, team_id=team_id, text=text, updated_by_id=user.id)
        try:
            with session.begin_nested():
                session.add(method)
                session.flush()
        except IntegrityError:  # another member wrote the first version at the same moment
            raise Stale("Someone else saved this method after you read it.", 1) from None
        audit.record(session, user, "create", method, new=audit.snapshot(method))
        return method
    if stored.text == text:
        return stored
    before = audit.snapshot(stored)
    stored.text, stored.updated_by_id = text, user.id
    session.flush()
    old, new = audit.changed_fields(before, audit.snapshot(stored))
    for bookkeeping in ("updated_at", "version"):
        old.pop(bookkeeping, None), new.pop(bookkeeping, None)
    audit.record(session, user, "update", stored, old=old, new=new)
    return stored


# ---- who reads them, in what order ------------------------------------------------------


def answers_request(user, request_id: int, start: date, end: date, session=None) -> bool:
    """Commissioners and admins read every method; anyone else if one of their teams logged the request."""
    ids = visible_team_ids(user)
    if ids is None:
        return True
    if not ids:
        return False
    session = session or db.session
    return burden(BurdenFilter(start, end, team_ids=ids, request_ids=[request_id]), session=session).totals.entries > 0


@dataclass(frozen=True)
class MethodRow:
    label: str  # the team's name where the reader may see it, else its position ("Team 2 of 7") or "Another team"
    team_id: int | None  # only where the reader may see the team
    hours_per_response: Decimal | None  # None: not among the teams compared
    text: str
    version: int
    updated_at: datetime
    own: bool  # one of the reader's teams


def methods_for(request_id: int, view: VariationView | None, visible: list[int] | None, session=None) -> list[MethodRow]:
    """Every method written for the request, cheapest team first (teams not compared last)."""
    session = session or db.session
    found = session.execute(select(Method, Team.name).join(Team, Team.id == Method.team_id)
                            .where(Method.request_id == request_id)).all()
    compared = {t.figures.team_id: t for t in view.teams} if view else {}
    rows = []
    for method, name in found:
        seen = visible is None or method.team_id in visible
        team = compared.get(method.team_id)
        label = name if seen else (team.position_label if team else "Another team")
        rows.append(MethodRow(label, method.team_id if seen else None, team.hours_per_response if team else None,
                              method.text, method.version, method.updated_at, visible is not None and seen))
    rows.sort(key=lambda r: (r.hours_per_response is None, r.hours_per_response or 0, r.label))
    return rows
