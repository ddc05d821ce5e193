"""Hotspots: teams whose share of management time over the last three whole months is at least
HOTSPOT_SHARE (default 0.20), largest first, each with its three costliest requests and its trend.

Shares come from tracker/burden/shares.py and costs from the burden service, so a
hotspot's figures are the dashboard's, the API's and the digest's alike."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction

from flask import current_app
from sqlalchemy import select

from tracker.burden.figures import BurdenFilter, BurdenRow
from tracker.burden.services import burden
from tracker.burden.shares import Share, management_shares
from tracker.extensions import db
from tracker.models.catalogue import Team
from tracker.shared.timeutil import add_months, month_label

DEFAULT_HOTSPOT_SHARE = Decimal("0.20")
WINDOW_MONTHS = 3
TOP_REQUESTS = 3
TREND_MONTHS = 12
FIRST_SHOWN = 10  # hotspots a dashboard shows in full; the rest are on /burden/hotspots


def hotspot_threshold(value=None) -> Decimal:
    """The configured HOTSPOT_SHARE as a Decimal from 0 to 1 (tracker/config.py refuses others at start-up)."""
    if value is None:
        value = current_app.config.get("HOTSPOT_SHARE", DEFAULT_HOTSPOT_SHARE)
    return Decimal(str(value))


def first_shown() -> slice:
    """The hotspots a dashboard (the commissioner's, the workspace) shows in full: the rest are a link away."""
    return slice(0, FIRST_SHOWN)


def hotspot_window(today: date) -> tuple[date, date]:
    """The last three whole months: the three calendar months before today's."""
    first = add_months(today, -WINDOW_MONTHS)
    return first, today.replace(day=1) - timedelta(days=1)


@dataclass
class Hotspot:
    team_id: int
    team: str
    sector: str
    share: Share  # over the window
    top_requests: list[BurdenRow]  # the team's costliest requests in the window; key/label (request, team)
    sources: dict  # request id -> source name
    trend: list[tuple[str, str, Share]]  # ('YYYY-MM', 'Mon YYYY', share), the 12 months to the window's end


@dataclass
class Hotspots:
    start: date
    end: date
    threshold: Decimal
    teams: list[Hotspot]  # those asked for (`shown`), each with its details
    count: int = 0  # every team at or over the threshold

    @property
    def more(self) -> int:
        """Hotspots not in `teams` (the dashboard shows the first few and links to the rest)."""
        return self.count - len(self.teams)

    @property
    def window_label(self) -> str:
        return f"{month_label(self.start)} to {month_label(self.end)}"


def find_hotspots(today: date, team_ids: list[int] | None = None, threshold=None, session=None,
                  shown: slice | None = None) -> Hotspots:
    """Teams (of `team_ids`; None: every team) at or over the threshold, largest share first.

    Every team's share is ranked (one query by team over the window); the costliest
    requests and the trend are read only for the hotspots in `shown` (None: all)."""
    session = session or db.session
    limit = hotspot_threshold(threshold)
    start, end = hotspot_window(today)
    window = management_shares(BurdenFilter(start, end, team_ids=team_ids), session=session)
    over = {t: s for t, s in window.teams.items() if s.defined and s.ratio >= Fraction(limit)}
    names = {t: (name, sector) for t, name, sector in
             session.execute(select(Team.id, Team.name, Team.sector).where(Team.id.in_(list(over) or [-1])))}
    ranked = sorted(over, key=lambda t: (-over[t].ratio, names[t][0]))
    hot = {t: over[t] for t in (ranked if shown is None else ranked[shown])}
    if not hot:
        return Hotspots(start, end, limit, [], len(ranked))
    ids = sorted(hot)
    by_request = burden(BurdenFilter(start, end, team_ids=ids), ("team", "request"), session=session)
    costliest: dict[int, list[BurdenRow]] = {}
    for row in sorted(by_request.rows, key=lambda r: (-r.cost, -r.minutes, r.label)):
        picked = costliest.setdefault(row.key[0], [])
        if len(picked) < TOP_REQUESTS:
            picked.append(row)
    sources = {k: v.get("source", "") for k, v in by_request.info.get("request", {}).items()}
    trend_start = add_months(end, 1 - TREND_MONTHS)
    trend = management_shares(BurdenFilter(trend_start, end, team_ids=ids), by_month=True, session=session)
    found = [
        Hotspot(
            team_id=t,
            team=names[t][0],
            sector=names[t][1],
            share=hot[t],
            top_requests=costliest.get(t, []),
            sources=sources,
            trend=[(key, date.fromisoformat(key + "-01").strftime("%b %Y"), trend.months[(t, key)]) for key in trend.month_keys],
        )
        for t in ids
    ]
    found.sort(key=lambda h: (-h.share.ratio, h.team))
    return Hotspots(start, end, limit, found, len(ranked))
