"""Team capacity: the management FTE of a team from a date, and the hours it makes available.

Capacities are effective-dated like rates: each is only ever added, the one in
force on a day is the latest effective on or before it, so a new value never
rewrites past months. Days before a team's first capacity have none.

available hours over a period = Σ over its days of the FTE in force × 37.5 ÷ 7,
kept as an exact Fraction (2 FTE over a 30-day month is 2250/7 = 321.43 h)."""
from __future__ import annotations

import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

from sqlalchemy import select

from tracker import audit
from tracker.extensions import db
from tracker.models.capacity import TeamCapacity
from tracker.models.catalogue import Team
from tracker.shared.choices import SHORT_TEXT_MAX
from tracker.shared.errors import Refused

HOURS_PER_DAY_PER_FTE = Fraction(75, 14)  # 37.5 hours a week ÷ 7 days
MAX_FTE = Decimal("1000")
FTE_PLACES = 3
FTE_RULE = f"Enter the FTE as a number more than 0 and at most {MAX_FTE:,.0f}, with at most {FTE_PLACES} decimal places"
NOTE_MAX = SHORT_TEXT_MAX


class CapacityExists(Refused):
    """The team already has a capacity from that date."""

    field = "effective_from"


def fte_problem(value) -> str | None:
    """Why `value` cannot be a team's FTE, or None when it can (the form and the API both ask)."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return FTE_RULE
    number = Decimal(str(value)) if isinstance(value, float) else Decimal(value)
    if not number.is_finite() or number <= 0 or number > MAX_FTE:
        return FTE_RULE
    if max(0, -number.normalize().as_tuple().exponent) > FTE_PLACES:
        return FTE_RULE
    return None


def record_capacity(user, team: Team, fte, effective_from: date, note: str = "", session=None) -> TeamCapacity:
    """Add a capacity from a date, audited, in the caller's transaction (the caller commits).

    Who may is the caller's check (admins, or the team's lead). The team's row is
    locked first, so two people adding one for the same day queue, and the second
    is refused by the field rather than failing."""
    session = session or db.session
    problem = fte_problem(fte)
    if problem:
        raise Refused(problem, "fte")
    session.execute(select(Team.id).where(Team.id == team.id).with_for_update())
    clash = session.scalar(
        select(TeamCapacity.id).where(TeamCapacity.team_id == team.id, TeamCapacity.effective_from == effective_from)
    )
    if clash is not None:
        raise CapacityExists(
            f"{team.name} already has a capacity from {effective_from:%-d %B %Y}. "
            "A capacity is never changed: record a new one from another date"
        )
    capacity = TeamCapacity(
        team_id=team.id,
        fte=Decimal(str(fte)) if isinstance(fte, float) else Decimal(fte),
        effective_from=effective_from,
        note=(note or "").strip()[:NOTE_MAX],
        created_by_id=getattr(user, "id", None),
    )
    session.add(capacity)
    session.flush()  # the unique key is the last word (SQLite locks no rows): callers catch IntegrityError
    audit.record(session, user, "create", capacity, new=audit.snapshot(capacity))
    return capacity


def capacity_history(team_id: int, session=None) -> list[TeamCapacity]:
    """A team's capacities, newest first."""
    session = session or db.session
    return list(session.scalars(
        select(TeamCapacity).where(TeamCapacity.team_id == team_id)
        .order_by(TeamCapacity.effective_from.desc(), TeamCapacity.id.desc())
    ))


MILLI = 1000  # FTE is stored to three places: whole thousandths keep the day sums in integers


@dataclass
class CapacityBook:
    """Every capacity of the teams asked for, in memory (a few rows a team): team -> sorted (from, FTE in thousandths)."""

    by_team: dict[int, list[tuple[date, int]]]

    @classmethod
    def load(cls, session=None, team_ids: Iterable[int] | None = None) -> "CapacityBook":
        session = session or db.session
        query = select(TeamCapacity.team_id, TeamCapacity.effective_from, TeamCapacity.fte).order_by(
            TeamCapacity.team_id, TeamCapacity.effective_from
        )
        if team_ids is not None:
            query = query.where(TeamCapacity.team_id.in_(list(team_ids)))
        by_team: dict[int, list[tuple[date, int]]] = {}
        for team_id, effective_from, fte in session.execute(query):
            by_team.setdefault(team_id, []).append((effective_from, int(Decimal(fte) * MILLI)))
        return cls(by_team)

    def teams(self) -> set[int]:
        return set(self.by_team)

    def fte_on(self, team_id: int, day: date) -> Fraction | None:
        history = self.by_team.get(team_id) or []
        i = bisect.bisect_right([d for d, _ in history], day) - 1
        return Fraction(history[i][1], MILLI) if i >= 0 else None

    def available_hours(self, team_id: int, start: date, end: date) -> Fraction | None:
        """Σ over the days start..end of the FTE in force × 37.5 ÷ 7, exact.

        None (undefined, never 0) when any day of the period is before the team's
        first capacity: a share over days nobody recorded a capacity for would
        count their hours against no time at all."""
        milli_fte_days = self.milli_fte_days(team_id, start, end)
        return None if milli_fte_days is None else available_from(milli_fte_days)

    def milli_fte_days(self, team_id: int, start: date, end: date) -> int | None:
        """Σ over the days start..end of the FTE in force, in thousandths (an integer); None as above."""
        history = self.by_team.get(team_id)
        if not history or history[0][0] > start or start > end:
            return None
        milli_fte_days = 0
        for i, (effective_from, milli_fte) in enumerate(history):
            until = history[i + 1][0] - timedelta(days=1) if i + 1 < len(history) else end
            first, last = max(effective_from, start), min(until, end)
            if first <= last:
                milli_fte_days += milli_fte * ((last - first).days + 1)
        return milli_fte_days


def available_from(milli_fte_days: int) -> Fraction:
    """Available hours of a sum of FTE-days in thousandths: × 37.5 ÷ 7 per FTE-day."""
    return Fraction(milli_fte_days, MILLI) * HOURS_PER_DAY_PER_FTE
