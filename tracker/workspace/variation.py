"""Variation between teams on the same request: what answering it costs each team, and what the
teams above the median would save by answering it at the median.

For a request answered by at least MIN_TEAMS teams in a period (the workspace uses the 12 months
to today):

- a team's **responses** are the request's periods (answer_periods.py) in which it logged any of
  it, or its entries for one-off and ad hoc requests;
- its **hours per response** = its hours on the request ÷ its responses;
- the **median** across the teams (the mean of the middle two for an even count), each team's
  **ratio** to it, and teams at FLAG_RATIO × the median or more **flagged**;
- the **variation saving** = Σ over the teams above the median of (hours per response − median)
  × responses, in hours, and in pounds at each such team's own cost of an hour on the request
  (its cost ÷ its hours, at the entries' own rates).

Worked example (docs/burden-arithmetic.md): a weekly request, A 1 h in each of 10 weeks, B 2 h
in each of 10 weeks, C two entries of 2 h in each of 5 weeks, D 1.5 h in each of 8 weeks →
1, 2, 4 and 1.5 h per response; median 1.75; C flagged; saving 0.25 × 10 + 2.25 × 5 = 13.75 h.

Hours and cost come from the burden service (tracker/burden/services.py); the responses from one
statement over the week and month rollups and the edge days' entries (`period_counts`,
tracker/workspace/responses.py; the request's frequency decides its periods over the whole year). Figures are exact (fractions) until they are handed out
as Decimals. Who may see which team is `seen_by`'s business: a manager or lead sees their own
teams by name and every other team only as its position ("Team 3 of 7")."""
from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Sequence

from sqlalchemy import select

from tracker.burden.dimensions import dimension
from tracker.burden.services import BurdenFilter, Sums, burden, burden_sums
from tracker.extensions import db
from tracker.models.catalogue import Request
from tracker.workspace.answer_periods import PER_ENTRY, response_means
from tracker.workspace.responses import period_counts

MIN_TEAMS = 3
FLAG_RATIO = 2
UNDER_HALF = Fraction(1, 2)  # "answer this in under half your time"


def _decimal(value: Fraction) -> Decimal:
    return Decimal(value.numerator) / Decimal(value.denominator)


@dataclass(frozen=True)
class TeamFigures:
    """One team's answers to one request over the period."""

    team_id: int
    name: str
    responses: int
    minutes: int
    cost: Decimal  # at the entries' own rates, unrounded
    position: int  # 1 = the cheapest per response
    median: Fraction  # the request's median hours per response

    # Each figure is worked out once per team (cached on the frozen instance): the catalogue sorts and
    # prints them over ~1,000 teams a request, and Fraction arithmetic is slow.
    @cached_property
    def exact_hours_per_response(self) -> Fraction:
        return Fraction(self.minutes, 60 * self.responses)

    @property
    def hours(self) -> Decimal:
        return Decimal(self.minutes) / 60

    @cached_property
    def hours_per_response(self) -> Decimal:
        return _decimal(self.exact_hours_per_response)

    @cached_property
    def ratio_to_median(self) -> Decimal:
        return _decimal(self.exact_hours_per_response / self.median)

    @cached_property
    def flagged(self) -> bool:
        return self.exact_hours_per_response >= FLAG_RATIO * self.median

    @cached_property
    def excess_top(self) -> int:
        return excess_top(self.minutes, self.responses, self.median)

    @cached_property
    def exact_saving_hours(self) -> Fraction:
        """(hours per response − median) × responses for a team above the median; else nothing."""
        top = self.excess_top
        return Fraction(top, 60 * self.median.denominator) if top > 0 else Fraction(0)

    @cached_property
    def saving_hours(self) -> Decimal:
        return _decimal(self.exact_saving_hours)

    @cached_property
    def saving_cost(self) -> Decimal:
        """The saving at this team's own cost of an hour on the request (cost ÷ hours)."""
        return saving_cost(self.excess_top, self.minutes, self.cost, self.median)


def excess_top(minutes: int, responses: int, median: Fraction) -> int:
    """(hours per response − median) × responses = (minutes × d − 60 × n × responses) ÷ (60 × d) for a
    median n ÷ d: this numerator, in whole numbers (above the median when positive)."""
    return minutes * median.denominator - 60 * median.numerator * responses


def saving_cost(excess: int, minutes: int, cost: Decimal, median: Fraction) -> Decimal:
    """A team's saving in pounds at its own cost of an hour on the request, from its `excess_top`:
    nothing at or below the median."""
    if excess <= 0:
        return Decimal(0)
    # cost × saving × 60 ÷ minutes, with saving = minutes ÷ 60 − median × responses, in whole numbers:
    # one correctly rounded division at the end, the same Decimal as the reduced fraction gives.
    cost_top, cost_bottom = cost.as_integer_ratio()
    return Decimal(cost_top * excess) / Decimal(cost_bottom * median.denominator * minutes)


Answer = tuple[int, str, int, int, Decimal]  # one team's (team id, name, responses, minutes, cost)


@dataclass(frozen=True)
class Variation:
    request_id: int
    frequency: str
    start: date
    end: date
    answers: tuple[Answer, ...]  # cheapest per response first
    exact_median: Fraction

    @cached_property
    def teams(self) -> tuple[TeamFigures, ...]:
        """Each team's figures, cheapest per response first: made when first read (the ranked catalogue
        reads only the request's savings, over ~14,000 teams' answers at a thousand teams)."""
        return tuple(TeamFigures(team_id, name, responses, minutes, cost, position, self.exact_median)
                     for position, (team_id, name, responses, minutes, cost) in enumerate(self.answers, 1))

    @property
    def median_hours_per_response(self) -> Decimal:
        return _decimal(self.exact_median)

    @cached_property
    def exact_saving_hours(self) -> Fraction:
        """Σ (minutes ÷ 60 − median × responses) over the teams above the median: the same sum as
        Σ of each team's saving, with one fraction at the end instead of one per team."""
        minutes = responses = 0
        for _, (_, _, team_responses, team_minutes, _) in self._above_median:
            minutes += team_minutes
            responses += team_responses
        return Fraction(minutes, 60) - self.exact_median * responses

    @cached_property
    def saving_hours(self) -> Decimal:
        return _decimal(self.exact_saving_hours)

    @cached_property
    def saving_cost(self) -> Decimal:
        median = self.exact_median
        return sum((saving_cost(excess, minutes, cost, median)
                    for excess, (_, _, _, minutes, cost) in self._above_median), Decimal(0))

    @cached_property
    def _above_median(self) -> list[tuple[int, Answer]]:
        """(excess_top, answer) of the teams above the median (excess positive): plain tuples, no
        TeamFigures made, for the request's savings."""
        median = self.exact_median
        excesses = ((excess_top(answer[3], answer[2], median), answer) for answer in self.answers)
        return [(excess, answer) for excess, answer in excesses if excess > 0]

    @property
    def flagged(self) -> tuple[TeamFigures, ...]:
        return tuple(t for t in self.teams if t.flagged)

    def under_half_of(self, team_id: int) -> int | None:
        """How many teams answer in under half the hours per response of this team; None if it is not here."""
        mine = next((t for t in self.teams if t.team_id == team_id), None)
        if mine is None:
            return None
        half = mine.exact_hours_per_response * UNDER_HALF
        return sum(1 for t in self.teams if t.exact_hours_per_response < half)

    def seen_by(self, visible_team_ids: Sequence[int] | None) -> "VariationView":
        return VariationView(self, None if visible_team_ids is None else frozenset(visible_team_ids))


def exact_median(values: Sequence[Fraction]) -> Fraction:
    ordered = sorted(values)
    return median_of_ordered(len(ordered), ordered.__getitem__)


def median_of_ordered(count: int, value_at) -> Fraction:
    """The median of `count` values already in order (the mean of the middle two for an even count),
    reading only the middle one or two: `value_at(position)`."""
    middle = count // 2
    return value_at(middle) if count % 2 else (value_at(middle - 1) + value_at(middle)) / 2


def burden_by_team(start: date, end: date, request_ids: Sequence[int] | None = None, session=None) -> dict[tuple, Sums]:
    """The burden of each (request, team) in [start, end], keyed (request id, team id): what `variations`
    reads hours and cost from (the burden service's sums, without labels or order: ~14,000 pairs at a
    thousand teams)."""
    flt = BurdenFilter(start, end, request_ids=None if request_ids is None else list(request_ids))
    return burden_sums(flt, ("request", "team"), session=session or db.session)


def teams_answering(by_team: dict[tuple, Sums]) -> dict[int, int]:
    """request id -> how many teams logged any of it: the burden service's distinct count of teams, read
    off its (request, team) sums (a pair counts when it has live entries)."""
    out: dict[int, int] = {}
    for (request_id, _), sums in by_team.items():
        if sums.entries > 0:
            out[request_id] = out.get(request_id, 0) + 1
    return out


def variations(start: date, end: date, request_ids: Sequence[int] | None = None, session=None,
               by_team: dict[tuple, Sums] | None = None) -> dict[int, Variation]:
    """The variation of every request (or those asked for) answered by at least MIN_TEAMS teams in [start, end];
    `by_team`: `burden_by_team` of the same period and requests, when the caller has read it already."""
    session = session or db.session
    periods = period_counts(start, end, request_ids, session)
    frequencies = dict(session.execute(select(Request.id, Request.frequency)).all())
    by_request: dict[int, list] = {}
    pairs = by_team if by_team is not None else burden_by_team(start, end, request_ids, session)
    # Each team by its label, as the burden service labels a team (tracker/burden/dimensions.py).
    teams = dimension("team").info(session, {team_id for _, team_id in pairs})
    names = {team_id: found["label"] for team_id, found in teams.items()}
    for (request_id, team_id), sums in pairs.items():
        if sums.entries <= 0 or sums.minutes <= 0:
            continue
        answers = sums.entries if frequencies[request_id] in PER_ENTRY else periods.get((request_id, team_id))
        if answers:
            by_request.setdefault(request_id, []).append((team_id, names[team_id], answers, sums.minutes, sums.cost))
    out = {}
    for request_id, rows in by_request.items():
        if len(rows) < MIN_TEAMS:
            continue
        rows.sort(key=_cheapest_first(rows))
        median = median_of_ordered(len(rows), lambda at: Fraction(rows[at][3], 60 * rows[at][2]))  # rows in order already
        out[request_id] = Variation(request_id, frequencies[request_id], start, end, tuple(rows), median)
    return out


def _cheapest_first(rows):
    """Sort key of (team id, name, responses, minutes, cost) rows: minutes per response, then team id.

    A float of minutes ÷ responses orders them exactly while every minutes × responses across the rows
    stays under 2**52 (two different ratios differ by more than the floats' rounding; equal ones round
    alike), and is far cheaper than a fraction each; beyond that, fractions."""
    if max(r[3] for r in rows) * max(r[2] for r in rows) < 2**52:
        return lambda r: (r[3] / r[2], r[0])
    return lambda r: (Fraction(r[3], r[2]), r[0])


def variation_of(request_id: int, start: date, end: date, session=None) -> Variation | None:
    """One request's variation; None when fewer than MIN_TEAMS teams answered it in [start, end]."""
    return variations(start, end, [request_id], session).get(request_id)


# ---- what one reader may see ------------------------------------------------------------


@dataclass(frozen=True)
class TeamView:
    """One team as a reader sees it: by name (commissioners, admins, the reader's own teams) or
    only by its position among the teams, with its figures per response and nothing else."""

    figures: TeamFigures
    named: bool
    count: int

    @property
    def team_id(self) -> int | None:
        return self.figures.team_id if self.named else None

    @property
    def name(self) -> str | None:
        return self.figures.name if self.named else None

    @property
    def position_label(self) -> str:
        return f"Team {self.figures.position} of {self.count}"

    @property
    def label(self) -> str:
        return self.figures.name if self.named else self.position_label

    @property
    def responses(self) -> int | None:
        return self.figures.responses if self.named else None

    @property
    def hours(self) -> Decimal | None:
        return self.figures.hours if self.named else None

    @property
    def cost(self) -> Decimal | None:
        return self.figures.cost if self.named else None

    @property
    def hours_per_response(self) -> Decimal:
        return self.figures.hours_per_response

    @property
    def ratio_to_median(self) -> Decimal:
        return self.figures.ratio_to_median

    @property
    def flagged(self) -> bool:
        return self.figures.flagged

    @property
    def saving_hours(self) -> Decimal | None:
        return self.figures.saving_hours if self.named else None

    @property
    def saving_cost(self) -> Decimal | None:
        return self.figures.saving_cost if self.named else None


@dataclass(frozen=True)
class VariationView:
    """A variation as one reader may see it. `visible` None: every team by name (commissioners and
    admins); else only those teams by name, and the saving only theirs ("scope" says which)."""

    variation: Variation
    visible: frozenset[int] | None

    @property
    def sees_all(self) -> bool:
        return self.visible is None

    @property
    def scope(self) -> str:
        return "all_teams" if self.sees_all else "your_teams"

    @property
    def teams(self) -> list[TeamView]:
        count = len(self.variation.teams)
        return [TeamView(t, self.sees_all or t.team_id in self.visible, count) for t in self.variation.teams]

    @property
    def own(self) -> list[TeamView]:
        return [t for t in self.teams if t.named] if not self.sees_all else []

    @property
    def median_hours_per_response(self) -> Decimal:
        return self.variation.median_hours_per_response

    @property
    def saving_hours(self) -> Decimal:
        if self.sees_all:
            return self.variation.saving_hours
        return _decimal(sum((t.figures.exact_saving_hours for t in self.teams if t.named), Fraction(0)))

    @property
    def saving_cost(self) -> Decimal:
        return sum((t.figures.saving_cost for t in self.teams if t.named), Decimal(0))

    @property
    def frequency(self) -> str:
        return self.variation.frequency

    @property
    def response_means(self) -> str:
        return response_means(self.variation.frequency)

    @property
    def points(self) -> list[tuple[str, Decimal, bool]]:
        """The dot plot's (label, hours per response, flagged), cheapest first."""
        return [(t.label, t.hours_per_response, t.flagged) for t in self.teams]


def faster_teams(team_ids: Sequence[int], start: date, end: date, session=None) -> dict[int, dict[int, int]]:
    """For the log form: {request id: {team id: how many teams answer it in under half that team's time}}
    for each of these teams that is flagged on a request, where at least one team does."""
    session = session or db.session
    if not team_ids:
        return {}
    logged = burden(BurdenFilter(start, end, team_ids=list(team_ids)), ("request",), session=session)
    out: dict[int, dict[int, int]] = {}
    for request_id, found in variations(start, end, [row.key[0] for row in logged.rows], session).items():
        for team in found.flagged:
            if team.team_id in team_ids:
                faster = found.under_half_of(team.team_id)
                if faster:
                    out.setdefault(request_id, {})[team.team_id] = faster
    return out
