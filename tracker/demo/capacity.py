"""Demo capacities: every demo team gets a management capacity from the demo's first day, and one
change of it (from the 16th of a month four months ago), so shares, a mid-month change and a few
hotspots show after `make run`.

Sized from what each team logged so that reporting takes 5 % to 25 % of its management time,
with draws from a generator of their own: the entries' random sequence is untouched."""
from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from sqlalchemy import func, select

from tracker.burden.capacity import record_capacity
from tracker.models.auth import User
from tracker.models.capacity import TeamCapacity
from tracker.models.catalogue import Team
from tracker.models.entries import Entry
from tracker.shared.timeutil import add_months

HOURS_A_MONTH_PER_FTE = Decimal("37.5") * Decimal("30.44") / 7
SHARES = (0.05, 0.25)


def ensure_capacities(session, team_ids: list[int], admin_id: int, first_day: date, today: date, seed: int) -> int:
    """Record a capacity and one change for each team that has none yet; returns how many teams got one."""
    rng = random.Random(seed * 7919 + 15)
    admin = session.get(User, admin_id)
    have = set(session.scalars(select(TeamCapacity.team_id).where(TeamCapacity.team_id.in_(team_ids))))
    months = max(1, (today.year - first_day.year) * 12 + today.month - first_day.month + 1)
    minutes = dict(session.execute(
        select(Entry.team_id, func.sum(Entry.minutes)).where(Entry.team_id.in_(team_ids), Entry.deleted_at.is_(None))
        .group_by(Entry.team_id)
    ).all())
    change_day = max(add_months(today, -4).replace(day=16), first_day + timedelta(days=1))
    added = 0
    for team_id in sorted(team_ids):
        share = Decimal(str(round(rng.uniform(*SHARES), 3)))
        factor = Decimal(str(round(rng.uniform(0.75, 1.25), 2)))
        if team_id in have:
            continue
        hours_a_month = Decimal(int(minutes.get(team_id) or 0)) / 60 / months
        fte = max(Decimal("0.5"), min(Decimal(1000), (hours_a_month / (share * HOURS_A_MONTH_PER_FTE)).quantize(Decimal("0.1"))))
        team = session.get(Team, team_id)
        record_capacity(admin, team, fte, first_day, "Demo: the team's managers", session=session)
        if change_day <= today:
            changed = max(Decimal("0.5"), min(Decimal(1000), (fte * factor).quantize(Decimal("0.1"))))
            if changed == fte:  # every team shows one change
                changed = fte + Decimal("0.5") if fte < 999 else fte - Decimal("0.5")
            record_capacity(admin, team, changed, change_day, "Demo: a post filled or left vacant", session=session)
        added += 1
    return added
