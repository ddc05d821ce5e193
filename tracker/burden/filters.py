"""Reading burden filters (period, team, source) from a query string, for the dashboards and the API.

One set of rules and messages for both: the page shows a message by the
filter, the API answers 400 with the same messages by field. Knows nothing of
Flask: the caller passes the query arguments, the user and today."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Mapping

from sqlalchemy import select

from tracker.auth.access import team_or_404, visible_team_ids
from tracker.burden.services import BurdenFilter
from tracker.models.catalogue import Source
from tracker.extensions import db
from tracker.shared.errors import NotVisible
from tracker.shared.timeutil import add_months
from tracker.shared.parsing import is_id, parse_iso_date

EARLIEST = date(1900, 1, 1)
LATEST = date(2999, 12, 31)
DATE_RULE = "Enter a real date in the form YYYY-MM-DD"


def default_period(today: date) -> tuple[date, date]:
    """The last 12 calendar months, this one included, up to today: the 1st of the month 11 months ago to today."""
    return add_months(today, -11), today


@dataclass(frozen=True)
class BurdenQuery:
    """Filters as asked for, checked: the period and at most one team and one source."""

    start: date
    end: date
    team_id: int | None = None
    source_id: int | None = None
    visible: tuple[int, ...] | None = None  # the caller's teams; None: every team

    def team_ids(self) -> list[int] | None:
        if self.team_id is not None:
            return [self.team_id]
        return None if self.visible is None else list(self.visible)

    def burden_filter(self, start: date | None = None, end: date | None = None) -> BurdenFilter:
        """The service's filter for this query, optionally for another period (this month, the trend)."""
        return BurdenFilter(
            start=start or self.start,
            end=end or self.end,
            team_ids=self.team_ids(),
            source_ids=[self.source_id] if self.source_id is not None else None,
        )

    def as_args(self, **changes) -> dict:
        """The query string that shows this view (for links that keep the filters)."""
        args = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.team_id is not None:
            args["team_id"] = self.team_id
        if self.source_id is not None:
            args["source_id"] = self.source_id
        args.update({k: v for k, v in changes.items() if v is not None})
        return args


def _date(args: Mapping[str, str], name: str, errors: dict) -> date | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    value = parse_iso_date(raw)
    if value is None:
        errors[name] = [f"{DATE_RULE} (for example 2026-03-31)"]
        return None
    if not EARLIEST <= value <= LATEST:
        errors[name] = [f"Enter a date from {EARLIEST.isoformat()} to {LATEST.isoformat()}"]
        return None
    return value


def _whole_number(args: Mapping[str, str], name: str, errors: dict, what: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not is_id(raw):
        errors[name] = [f"{name} must be the whole-number id of {what}"]
        return None
    return int(raw)


def parse_burden_query(args: Mapping[str, str], user, today: date) -> tuple[BurdenQuery | None, dict[str, list[str]]]:
    """(query, {}) when every filter is good, else (None, {field: [message]})."""
    errors: dict[str, list[str]] = {}
    start, end = _date(args, "from", errors), _date(args, "to", errors)
    default_start, default_end = default_period(today)
    if end is None and "to" not in errors:
        end = default_end
    if start is None and "from" not in errors:
        start = add_months(end, -11) if end is not None else default_start
    if start is not None and end is not None and start > end:
        errors["to"] = [f"The end date must be the same as or after the start date ({start.isoformat()})"]

    visible = visible_team_ids(user)
    team_id = _whole_number(args, "team_id", errors, "a team")
    if team_id is not None:
        team_or_404(user, team_id)  # another team's id, or none: not found, whether it exists or not
    source_id = _whole_number(args, "source_id", errors, "a source")
    if source_id is not None and db.session.scalar(select(Source.id).where(Source.id == source_id)) is None:
        raise NotVisible()  # a guessed id: not found, as everywhere

    if errors:
        return None, errors
    return BurdenQuery(start, end, team_id, source_id, None if visible is None else tuple(visible)), {}
