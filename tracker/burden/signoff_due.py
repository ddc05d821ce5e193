"""Which months wait for a lead's sign-off: shown in the lead's menu and on their dashboard.

A month waits when it has ended, is one of the last few, a team the user
leads logged work in it, and no sign-off is in force. Which months hold work
is the burden service's answer; which are signed off is the sign-off rules'."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from tracker.burden.figures import BurdenFilter
from tracker.burden.services import burden
from tracker.extensions import db
from tracker.shared.timeutil import add_months, month_end, month_label, month_start
from tracker.signoff.services import signoffs_in_force

LOOKBACK_MONTHS = 3  # older months left unsigned are a matter for the exports page, not the menu


@dataclass(frozen=True)
class WaitingMonth:
    team_id: int
    team_name: str
    month: date
    entries: int

    @property
    def label(self) -> str:
        return f"{self.team_name}, {month_label(self.month)}"


def led_team_ids(user) -> list[int]:
    """Teams on which the user is a lead (an admin may sign off anything, but nothing waits on them)."""
    return sorted(m.team_id for m in getattr(user, "memberships", []) if m.role == "lead" and m.team.active)


def months_waiting_for_signoff(user, today: date, session=None) -> list[WaitingMonth]:
    """Newest month first, then by team name."""
    team_ids = led_team_ids(user)
    if not team_ids:
        return []
    last = add_months(month_start(today), -1)
    first = add_months(last, 1 - LOOKBACK_MONTHS)
    session = session or db.session
    worked = burden(BurdenFilter(first, month_end(last), team_ids=team_ids), ("team", "month"), session=session)
    signed = signoffs_in_force(session, team_ids, first, last)
    waiting = []
    for row in worked.rows:
        team_id, month_key = row.key
        month = date.fromisoformat(f"{month_key}-01")
        if row.entries and (team_id, month) not in signed:
            waiting.append(WaitingMonth(team_id, row.label[0], month, row.entries))
    return sorted(waiting, key=lambda w: (-w.month.toordinal(), w.team_name.lower()))

