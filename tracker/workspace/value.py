"""Value against burden: projected annual cost against the share of hours with no sign of use.

The high-cost, low-value corner holds the requests a commissioner should look
at first: a projected annual cost at or above the median of the requests that
have one, and at least half their hours with no sign of use (the team did not
see the information used or get feedback: 'no' and 'don't know' both count)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from tracker.workspace.figures import Ranking, RequestFigures

NO_USE_AT_LEAST = Decimal("0.5")


def median(values: list[Decimal]) -> Decimal | None:
    ordered = sorted(values)
    if not ordered:
        return None
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


@dataclass
class ValueView:
    points: list[RequestFigures]  # every request with a projection, costliest first
    cost_line: Decimal | None  # the median projected annual cost
    no_use_line: Decimal
    candidates: list[RequestFigures]

    def is_candidate(self, figures: RequestFigures) -> bool:
        return figures in self.candidates


def value_against_burden(ranking: Ranking) -> ValueView:
    points = [f for f in ranking.by_hours if f.projected_cost > 0 and f.no_use_share is not None]
    points.sort(key=lambda f: (-f.projected_cost, f.request.title.lower()))
    cost_line = median([f.projected_cost for f in points])
    candidates = [f for f in points if f.projected_cost >= cost_line and f.no_use_share >= NO_USE_AT_LEAST] if points else []
    return ValueView(points, cost_line, NO_USE_AT_LEAST, candidates)


def share_label(value) -> str:
    """An axis or point label for a share: '40%'."""
    return f"{Decimal(str(value)) * 100:.0f}%"


def pounds_label(value) -> str:
    """An axis or point label for pounds, to the pound: '£1,234'."""
    return f"£{Decimal(str(value)):,.0f}"
