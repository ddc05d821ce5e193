"""JSON API at /api/v1 (SPEC): bearer token or session.

Each resource has its own module; they all register routes on `blueprint`.
Errors: 400 {"errors": {field: [message]}}, 401 without a valid token, 404 for
anything the caller may not see."""
from flask import Blueprint

blueprint = Blueprint("api", __name__, url_prefix="/api/v1")

from tracker.api import common  # noqa: E402,F401  (error handlers, CSRF for session callers)

# Resource modules register their routes when imported.
import importlib  # noqa: E402

for _module in ("catalogue", "entries", "rates", "burden", "openapi"):
    try:
        importlib.import_module(f"tracker.api.{_module}")
    except ModuleNotFoundError as error:  # a feature not built yet
        if error.name != f"tracker.api.{_module}":
            raise
