"""JSON API at /api/v1 (SPEC): bearer token or session.

Each resource has its own module; each registers its routes on `blueprint`
when imported below. Errors: 400 {"errors": {field: [message]}}; 401, 403,
404, 405, 409 and 413 {"message": "..."} (tracker/api/common.py)."""
from tracker.api.contract import ApiBlueprint

blueprint = ApiBlueprint("api", __name__, url_prefix="/api/v1")

from tracker.api import burden, catalogue, common, entries, licences, openapi, rates, rationalise  # noqa: E402,F401  (routes register on import)
from tracker.api import capacity  # noqa: E402,F401  (issue 15: capacity, shares, hotspots)
from tracker.api import variation  # noqa: E402,F401  (issue 15: variation between teams, methods)
from tracker.api import batch  # noqa: E402,F401  (issue 23: many entries at once)
