"""JSON API at /api/v1 (SPEC): bearer token or session.

Each resource has its own module; each registers its routes on `blueprint`
when imported below. Errors: 400 {"errors": {field: [message]}}; 401, 403,
404, 405, 409 and 413 {"message": "..."} (tracker/api/common.py)."""
from tracker.api.contract import ApiBlueprint

blueprint = ApiBlueprint("api", __name__, url_prefix="/api/v1")

from tracker.api import batch, burden, catalogue, common, entries, licences, openapi, rates, rationalise  # noqa: E402,F401  (routes register on import)
