"""Team capacity, share of management time and hotspots (tracker/api/capacity.py), and the capacity
fields /api/v1/burden adds to its rows grouped by team and to its totals."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import day, digits, identifier, integer, moment, number, text
from tracker.api.schemas import Paged, page_of
from tracker.api.schemas.burden import Burden, BurdenFigures, BurdenRow
from tracker.burden.capacity import FTE_PLACES, MAX_FTE
from tracker.shared.choices import SHORT_TEXT_MAX

AVAILABLE_HOURS = ("Σ over the period's days of the FTE in force × 37.5 ÷ 7, to 2 places; "
                   "null where no capacity is recorded for every day of the period.")
SHARE = ("Share of management time: hours ÷ available hours, 0 to 1 (above 1 only if more was logged than the "
         "capacity), half-up to 4 places; null where undefined (never 0).")


class CapacityInput(JsonInput):
    fte = number(maximum=float(MAX_FTE), exclusive_minimum=0, required=True, description=(
        f"Management FTE of the team: more than 0, at most {MAX_FTE:,.0f}, at most {FTE_PLACES} decimal places."))
    effective_from = day(required=True, description="Unique for the team; from 2000-01-01 to a year from today.")
    note = text(SHORT_TEXT_MAX)


class TeamCapacity(Schema):
    id = identifier(required=True)
    team_id = identifier(required=True)
    fte = number(required=True, description="From effective_from until the next capacity of the team.")
    effective_from = day(required=True)
    note = text()
    created_at = moment()
    created_by_id = integer(allow_none=True)


TeamCapacityPage = page_of(TeamCapacity, "TeamCapacityPage")


class CapacityQuery(Paged):
    """A team's capacities, newest first."""


class CapacityShare(Schema):
    available_hours = number(allow_none=True, description=AVAILABLE_HOURS)
    capacity_share = number(0, allow_none=True, description=SHARE)


class BurdenRowWithCapacity(BurdenRow, CapacityShare):
    """Rows grouped by team carry available_hours and capacity_share; other groupings do not."""


class BurdenTotalsWithCapacity(BurdenFigures, CapacityShare):
    capacity_teams_covered = integer(0, required=True, description="Teams with a capacity, counted in the share.")
    capacity_teams_total = integer(0, required=True, description="Teams in the figures.")


class BurdenWithCapacity(Burden):
    rows = fields.List(fields.Nested(BurdenRowWithCapacity), required=True)
    totals = fields.Nested(BurdenTotalsWithCapacity, required=True)


class HotspotRequest(Schema):
    request_id = identifier(required=True)
    title = text(required=True)
    hours = number(required=True)
    cost = number(required=True, description="Pounds, rounded half-up to 2 places.")


class HotspotMonth(CapacityShare):
    month = text(required=True, description="YYYY-MM")
    hours = number(required=True)


class Hotspot(Schema):
    team_id = identifier(required=True)
    team = text(required=True)
    share = number(0, required=True, description="Over the last three whole months, 0 to 1, half-up to 4 places.")
    hours = number(required=True)
    available_hours = number(required=True)
    top_requests = fields.List(fields.Nested(HotspotRequest), required=True,
                               metadata={"description": "The team's three costliest requests of those months."})
    trend = fields.List(fields.Nested(HotspotMonth), required=True,
                        metadata={"description": "The team's share in each of the 12 months to the end of the window."})


class Hotspots(Schema):
    start = day(data_key="from", attribute="from", required=True)
    end = day(data_key="to", attribute="to", required=True)
    threshold = number(required=True, description="HOTSPOT_SHARE.")
    items = fields.List(fields.Nested(Hotspot), required=True)


class HotspotQuery(Schema):
    team_id = digits(description="Only this team; a team the caller may not see answers 404.")
