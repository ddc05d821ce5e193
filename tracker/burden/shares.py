"""Share of management time: the one place it is worked out (pages, API, workbook, hotspots call it).

    share = hours ÷ available hours, available hours = Σ over the period's days of
    the team's capacity FTE that day × 37.5 ÷ 7 (tracker/burden/capacity.py)

Exact: minutes and available hours are kept as Fractions, and shown rounded.
A team with no capacity over the whole period has no share (None, never 0).
A group of teams (sector, region, everyone the reader sees) has Σ hours ÷ Σ
available hours over the teams with a share, and says how many of its teams
that covers. Hours come from the burden service in one grouped query (by team,
or by team and month), so the rollups answer it."""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Iterable

from tracker.burden.capacity import CapacityBook, available_from
from tracker.burden.figures import BurdenFilter, BurdenTable
from tracker.burden.services import burden
from tracker.extensions import db
from tracker.shared.timeutil import add_months, month_end


def exact_decimal(value: Fraction) -> Decimal:
    """A Fraction as a Decimal to 28 significant digits (exact for display and JSON, rounded there)."""
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class Share:
    """Hours against available hours, for one team or a group of teams."""

    minutes: int  # of the teams counted (a group leaves out teams without capacity)
    milli_fte_days: int | None  # Σ FTE in force × days, in thousandths of an FTE; None: no capacity for the period
    teams_covered: int = 1  # teams with capacity that the figure counts
    teams: int = 1  # teams in the group

    @property
    def defined(self) -> bool:
        return bool(self.milli_fte_days)

    @cached_property  # a share is asked for its figures several times a row; worked out once
    def available(self) -> Fraction | None:
        """Available hours, exact: Σ FTE-days × 37.5 ÷ 7."""
        return None if self.milli_fte_days is None else available_from(self.milli_fte_days)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60

    @property
    def available_hours(self) -> Decimal | None:
        return exact_decimal(self.available) if self.available is not None else None

    @cached_property
    def ratio(self) -> Fraction | None:
        """The exact share, 0 to 1 (more, if a team logs more than its capacity)."""
        return Fraction(self.minutes, 60) / self.available if self.defined else None

    @property
    def share(self) -> Decimal | None:
        ratio = self.ratio
        return exact_decimal(ratio) if ratio is not None else None


def combine(shares: Iterable[Share]) -> Share:
    """A group's share: Σ hours ÷ Σ available hours over the teams with capacity."""
    minutes, milli_fte_days, covered, teams = 0, 0, 0, 0
    for share in shares:
        teams += share.teams
        if share.milli_fte_days:
            minutes += share.minutes
            milli_fte_days += share.milli_fte_days
            covered += share.teams_covered
    return Share(minutes, milli_fte_days if covered else None, covered, teams)


def month_periods(start: date, end: date) -> list[tuple[str, date, date]]:
    """('YYYY-MM', first day, last day) of each month of start..end, clipped to the period."""
    periods, month = [], start.replace(day=1)
    while month <= end:
        periods.append((f"{month:%Y-%m}", max(month, start), min(month_end(month), end)))
        month = add_months(month, 1)
    return periods


@dataclass
class ShareTable:
    """Each team's share over the period (`teams`), and by month when asked (`months`: (team, 'YYYY-MM'))."""

    filter: BurdenFilter
    teams: dict[int, Share]
    months: dict[tuple[int, str], Share] = field(default_factory=dict)
    month_keys: list[str] = field(default_factory=list)

    def of(self, team_id: int) -> Share:
        return self.teams.get(team_id) or Share(0, None)

    def group(self, team_ids: Iterable[int] | None = None) -> Share:
        """The share of a group of teams (None: every team in the table)."""
        ids = self.teams.keys() if team_ids is None else team_ids
        return combine(self.of(team_id) for team_id in ids)

    def month(self, key: str, team_ids: Iterable[int] | None = None) -> Share:
        ids = self.teams.keys() if team_ids is None else team_ids
        return combine(self.months.get((team_id, key)) or Share(0, None) for team_id in ids)


def management_shares(flt: BurdenFilter, *, by_month: bool = False, table: BurdenTable | None = None,
                      session=None) -> ShareTable:
    """Share of management time of every team the filter covers: those with hours, and those
    with a capacity (whose share is 0 with no hours). `table` may pass the filter's burden
    by team (or by team and month) when the caller already has it."""
    session = session or db.session
    group_by = ("team", "month") if by_month else ("team",)
    if table is None or table.group_by != group_by:
        table = burden(flt, group_by, session=session)
    book = CapacityBook.load(session, flt.team_ids)
    team_minutes: dict[int, int] = {}
    month_minutes: dict[tuple[int, str], int] = {}
    for row in table.rows:
        team_minutes[row.key[0]] = team_minutes.get(row.key[0], 0) + row.minutes
        if by_month:
            month_minutes[(row.key[0], row.key[1])] = row.minutes
    team_ids = set(team_minutes) | book.teams()
    result = ShareTable(flt, {t: Share(team_minutes.get(t, 0), book.milli_fte_days(t, flt.start, flt.end)) for t in team_ids})
    if by_month:
        periods = month_periods(flt.start, flt.end)
        result.month_keys = [key for key, _, _ in periods]
        for team_id in team_ids:
            for key, first, last in periods:
                result.months[(team_id, key)] = Share(month_minutes.get((team_id, key), 0),
                                                      book.milli_fte_days(team_id, first, last))
    return result


SHARE_PLACES = 4  # the API and the workbook: 0.0996; pages show the same as a percentage, 10.0%
NOT_RECORDED = "capacity not recorded"


def share_rounded(share: Share) -> Decimal | None:
    """The share as the API and the workbook give it: 0 to 1, half-up to 4 places (None: undefined)."""
    from decimal import ROUND_HALF_UP

    value = share.share
    return None if value is None else value.quantize(Decimal(1).scaleb(-SHARE_PLACES), rounding=ROUND_HALF_UP)


def share_text(share: Share) -> str:
    """'10.0%' (the rounded share × 100), or 'capacity not recorded': never 0 % for a team without capacity."""
    value = share_rounded(share)
    return NOT_RECORDED if value is None else f"{value * 100:.1f}%"
