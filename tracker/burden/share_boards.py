"""What the dashboards show of the share of management time, as plain data (the views render it).

Team dashboard: this month so far against the same days of last month, and each
month of the trend. Commissioner's dashboard: each team, each sector (saying how
many of its teams have a capacity), and the hotspots. Every figure comes from
`management_shares` (tracker/burden/shares.py)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from tracker.burden.comparison import month_comparison
from tracker.burden.dashboards import TeamDashboard
from tracker.burden.filters import BurdenQuery
from tracker.burden.figures import BurdenTable
from tracker.burden.hotspots import Hotspots, find_hotspots
from tracker.burden.services import burden
from tracker.burden.shares import Share, ShareTable, management_shares
from tracker.extensions import db
from tracker.models.catalogue import Team
from tracker.shared.choices import SECTORS
from tracker.shared.timeutil import add_months


@dataclass
class TeamShares:
    this_label: str
    last_label: str
    this: Share  # the month so far
    last: Share  # the same days of last month
    trend: list[tuple[str, Share]]  # ('Mon YYYY', share), the 12 months to the end of the period

    @property
    def change_points(self):
        """Percentage points this month against last (None when either is undefined)."""
        if self.this.share is None or self.last.share is None:
            return None
        return (self.this.share - self.last.share) * 100


def team_shares(query: BurdenQuery, board: TeamDashboard | None = None) -> TeamShares:
    """`board`: the team dashboard of the same query, whose burden by team (and month) the shares read."""
    periods = month_comparison(query.end)
    this = management_shares(query.burden_filter(periods.this.start, periods.this.end),
                             table=board.this_by_team if board else None).group()
    last = management_shares(query.burden_filter(periods.same_days_before.start, periods.same_days_before.end),
                             table=board.last_by_team if board else None).group()
    first_month = add_months(query.end, -11)
    monthly = management_shares(query.burden_filter(first_month, query.end), by_month=True,
                                table=board.trend_by_team if board else None)
    trend = [(date.fromisoformat(key + "-01").strftime("%b %Y"), monthly.month(key)) for key in monthly.month_keys]
    return TeamShares(periods.this.label, periods.same_days_before.label, this, last, trend)


@dataclass
class SectorShare:
    sector: str
    label: str
    share: Share


@dataclass
class CommissionerShares:
    teams: ShareTable
    sectors: list[SectorShare]
    overall: Share
    hotspots: Hotspots


def commissioner_shares(query: BurdenQuery, by_team: BurdenTable, today: date, hotspots_shown: slice | None = None) -> CommissionerShares:
    """Shares per team and per sector over the dashboard's period, and the hotspots of the last three months
    (with their details for those in `hotspots_shown`; None: every one)."""
    shares = management_shares(query.burden_filter(), table=by_team)
    teams = select(Team.id, Team.sector)
    if query.team_ids() is not None:
        teams = teams.where(Team.id.in_(list(shares.teams) or [-1]))
    sectors_of = dict(db.session.execute(teams).all())
    by_sector: dict[str, list[int]] = {}
    for team_id in shares.teams:
        by_sector.setdefault(sectors_of.get(team_id, "other"), []).append(team_id)
    sectors = [SectorShare(s, SECTORS.get(s, s), shares.group(ids)) for s, ids in by_sector.items()]
    sectors.sort(key=lambda s: (s.share.share is None, -(s.share.share or 0), s.label))
    return CommissionerShares(shares, sectors, shares.group(), find_hotspots(today, query.team_ids(), shown=hotspots_shown))


def every_team_share(query: BurdenQuery) -> tuple[BurdenTable, ShareTable]:
    """Each team's hours (most first) and share over the query's period: the full list the dashboard links to."""
    by_team = burden(query.burden_filter(), ("team",))
    return by_team, management_shares(query.burden_filter(), table=by_team)
