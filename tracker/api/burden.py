"""GET /api/v1/burden: entries, hours, cost and FTE grouped by team, source, request or month.

    /api/v1/burden?group_by=team|source|request|month&from=YYYY-MM-DD&to=YYYY-MM-DD&team_id=N

- `group_by` defaults to `team`; `to` defaults to today and `from` to the
  1st of the month 11 months before `to` (the last 12 calendar months).
- Only the caller's teams count (commissioners and admins: every team);
  a `team_id` the caller may not see answers 404, as for every other route
  (SPEC), whether or not the team exists.
- Numbers are JSON numbers: cost in pounds rounded half-up to the penny,
  hours to 2 places, FTE to 3, each rounded from the unrounded figure; totals
  are the unrounded totals rounded once, so rows may not add up to them to the
  last penny.
- Bad input: 400 {"errors": {field: [message]}}."""
from __future__ import annotations

from flask import current_app, jsonify
from flask import request as http_request
from flask_login import current_user

from tracker.api import blueprint
from tracker.api.capacity import capacity_fields
from tracker.api.common import validation_error
from tracker.api.contract import answers
from tracker.api.schemas import burden as schemas
from tracker.api.schemas import capacity as capacity_schemas
from tracker.api.serialise import pounds, rounded
from tracker.burden.filters import parse_burden_query
from tracker.shared.timeutil import local_today
from tracker.burden.services import burden
from tracker.burden.shares import management_shares

API_GROUPINGS = schemas.BURDEN_GROUPINGS


def figures_to_json(table, row) -> dict:
    return {
        "entries": row.entries,
        "hours": rounded(row.hours, 2),
        "cost": pounds(row.cost),
        "fte": rounded(table.fte(row), 3),
    }


@blueprint.get("/burden")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.BurdenQuery}])
@blueprint.response(200, capacity_schemas.BurdenWithCapacity)
@answers(400, 401, 404)
def burden_report():
    """Entries, hours, cost and FTE grouped, for the teams the caller may see

    Refused (400), rules the schema cannot state: `from` after `to` (by `to`). A `team_id` the caller may not see, or a `source_id` naming no source, answers 404."""
    group_by = (http_request.args.get("group_by") or "team").strip()
    query, errors = parse_burden_query(http_request.args, current_user, local_today(current_app.config.get("TIMEZONE")))
    if group_by not in API_GROUPINGS:
        errors["group_by"] = [f"group_by must be one of: {', '.join(API_GROUPINGS)}"]
    if errors:
        return validation_error(errors)
    table = burden(query.burden_filter(), (group_by,))
    shares = management_shares(query.burden_filter(), table=table)  # share of management time (issue 15)
    by_team = group_by == "team"
    # The rows are built JSON-ready here (a thousand teams' worth at a region's scale), so they go out
    # as they are rather than through the schema's dump a second time; the schema still documents them
    # and the API's Schemathesis tests hold the answers to it.
    return jsonify(
        {
            "group_by": group_by,
            "from": query.start.isoformat(),
            "to": query.end.isoformat(),
            "days": table.days,
            "team_id": query.team_id,
            "rows": [
                {"key": row.key[0], "label": row.label[0], **figures_to_json(table, row),
                 **(capacity_fields(shares.of(row.key[0])) if by_team else {})}
                for row in table.rows
            ],
            "totals": {**figures_to_json(table, table.totals), **capacity_fields(shares.group(), group=True)},
        }
    )
