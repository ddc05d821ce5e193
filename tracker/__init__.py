"""Reporting Burden Tracker: the app factory.

`create_app()` with no arguments reads config/default.py, then the
environment, so `gunicorn 'tracker:create_app()'` serves it. Tests pass a
mapping of overrides as `test_config` (Pallets' flaskr pattern)."""
from __future__ import annotations

import gc
import os
from pathlib import Path

from flask import Flask, g, render_template, request
from jinja2 import ChainableUndefined, ChoiceLoader, FileSystemLoader, PackageLoader
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.middleware.proxy_fix import ProxyFix

from tracker import config as settings
from tracker import database  # noqa: F401  (registers SQLite connection pragmas)
from tracker.extensions import csrf, db, login_manager, migrate
from tracker.shared.errors import Gone, NotVisible, Stale, message_response
from tracker.shared.parsing import IdConverter

ROOT = Path(__file__).resolve().parent.parent


def create_app(test_config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_path=os.environ.get("INSTANCE_PATH") or str(ROOT / "instance"))
    # 1. defaults, 2. environment, 3. test overrides.
    app.config["APP_ENV"] = os.environ.get("APP_ENV", "production")
    app.config.from_pyfile(str(settings.CONFIG_DIR / "default.py"))
    app.config.update(settings.settings_from_environment())
    if test_config:
        app.config.update(test_config)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings.finalise(app)
    if app.config.get("PROXY_HOPS"):
        # Behind a reverse proxy: the client's address and scheme come from its X-Forwarded-* headers.
        hops = int(app.config["PROXY_HOPS"])
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)

    configure_templates(app)
    register_operations(app)  # first: its request hooks (request id, database check) run before any other
    register_extensions(app)
    register_blueprints(app)
    register_errorhandlers(app)
    register_commands(app)
    clear_dead_builds(app)
    freeze_start_up_objects(app)
    return app


def freeze_start_up_objects(app: Flask) -> None:
    """A web worker or scheduler keeps what it made at start (modules, the app, the mappers) for its
    whole life: take those objects out of the garbage collector's sight, so a full collection walks
    only what requests made since. At a thousand teams a full collection of the ~180,000 start-up
    objects took 85 ms, most of a slow answer's time. Not in tests, which make many apps."""
    if app.testing:
        return
    gc.collect()
    gc.freeze()


def configure_templates(app: Flask) -> None:
    # nhsuk-frontend-jinja's macros need ChainableUndefined (their README).
    app.jinja_options = {
        "undefined": ChainableUndefined,
        "loader": ChoiceLoader(
            [FileSystemLoader(str(ROOT / "templates")), PackageLoader("nhsuk_frontend_jinja")]
        ),
        "autoescape": True,
    }
    from tracker import template_helpers

    template_helpers.register(app)


def register_extensions(app: Flask) -> None:
    from tracker import models  # noqa: F401  (the whole schema, for Alembic)

    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"), render_as_batch=True, compare_type=True)
    csrf.init_app(app)
    login_manager.init_app(app)
    # Every <int:...> in a route is an id: ASCII digits no bigger than the database's INTEGER.
    app.url_map.converters["int"] = IdConverter
    from tracker.auth import session as auth_session

    auth_session.register(app)
    from tracker.auth import oidc

    oidc.init_app(app)  # the organisation's identity provider, when OIDC_ISSUER is set


def register_operations(app: Flask) -> None:
    """Request ids and logs, security headers, the database check, /healthz (tracker/operations)."""
    from tracker import operations

    operations.register(app)


def register_blueprints(app: Flask) -> None:
    from tracker.admin.views import blueprint as admin
    from tracker.api import blueprint as api
    from tracker.auth.oidc_views import blueprint as organisation_sign_in
    from tracker.auth.views import blueprint as auth
    from tracker.burden.views import blueprint as burden
    from tracker.catalogue.views import blueprint as catalogue
    from tracker.entries.views import blueprint as entries
    from tracker.exports.views import blueprint as exports
    from tracker.imports.views import blueprint as imports
    from tracker.licences.views import blueprint as licences
    from tracker.workspace.method_views import blueprint as methods
    from tracker.workspace.views import blueprint as workspace

    from tracker.api.contract import init_contract

    for blueprint in (auth, organisation_sign_in, entries, catalogue, burden, workspace, methods, exports, imports, licences, admin):
        app.register_blueprint(blueprint)
    from tracker.burden.capacity_views import blueprint as capacity

    app.register_blueprint(capacity)
    init_contract(app)  # registers the API's blueprint and generates its OpenAPI document
    csrf.exempt(api)  # the API checks CSRF itself for session callers (tracker/api)


def register_errorhandlers(app: Flask) -> None:
    """Pages get an error page; anything under /api/ gets JSON {"message"} (the API's one shape).
    Both carry the request id (tracker/operations/requestlog.py), so a user can quote it."""
    from tracker.database import UNAVAILABLE_ERRORS, unavailable_reason
    from tracker.operations.replica import retry_on_primary
    from tracker.operations.requestlog import request_id

    def render_error(error):
        code = getattr(error, "code", None) or 500
        if request.path.startswith("/api/"):
            message = getattr(error, "description", None) or "The server could not answer."
            if code == 413 and app.config.get("MAX_CONTENT_LENGTH"):
                message = f"The body is too large: send at most {app.config['MAX_CONTENT_LENGTH']:,} bytes."
            elif code >= 500:
                message = f"The server could not answer. Quote reference {request_id()} if you report it."
            return with_error_headers(message_response(code, message), error)
        return with_error_headers(app.make_response((render_template("errors/error.html", error=error, code=code), code)), error)

    def with_error_headers(response, error):
        """Keep what the error says in headers: a 405's Allow (RFC 9110: always sent), a 401's WWW-Authenticate."""
        if isinstance(error, HTTPException):
            for name, value in error.get_headers():
                if name.lower() != "content-type":
                    response.headers[name] = value
        return response

    for code in (400, 401, 403, 404, 405, 409, 412, 413, 429, 500):
        app.errorhandler(code)(render_error)

    @app.errorhandler(Gone)
    @app.errorhandler(NotVisible)
    def not_there_for_this_caller(_error):
        """Deleted a moment ago by someone else, or not the caller's to see: simply not there."""
        db.session.rollback()
        return render_error(NotFound())

    @app.errorhandler(Stale)
    def changed_meanwhile(error):
        """A conditional change (If-Match) to a record changed since: nothing written.
        The edit page catches Stale itself to show what changed; this answers everyone else."""
        db.session.rollback()
        if request.path.startswith("/api/"):
            return message_response(
                412, f"{error.message} Nothing was changed: read it again (GET) and send its new ETag in If-Match."
            )
        message = f"{error.message} Nothing was changed. Go back, check, and try again."
        return render_template("errors/error.html", error=None, code=409, message=message), 409

    @app.errorhandler(IntegrityError)
    def write_conflict(error):
        """The forms check uniqueness first, so this is a race with another user: say so, not 500."""
        db.session.rollback()
        message = "Someone saved the same thing at the same moment. Go back, check, and try again."
        if request.path.startswith("/api/"):
            return message_response(409, message)
        return render_template("errors/error.html", error=None, code=409, message=message), 409

    def database_unavailable(error):
        """The database is down, unreachable or too busy: a clear 503 (try again), never a 500."""
        try:
            db.session.rollback()
        except Exception:  # noqa: BLE001 - the connection that failed may fail this too
            pass
        retry = retry_on_primary()  # the read replica failed under a GET: the same GET again, on the primary
        if retry is not None:
            app.logger.warning("read replica failed, reading from the primary: %s", unavailable_reason(error))
            return retry
        g._login_user = login_manager.anonymous_user()  # the page must not ask the database who is signed in
        app.logger.error("database unavailable: %s", unavailable_reason(error))
        message = "The service cannot reach its database just now. Nothing was saved; try again in a few minutes."
        if request.path.startswith("/api/"):
            response = message_response(503, message)
        else:
            response = app.make_response((render_template("errors/error.html", error=None, code=503, message=message), 503))
        response.headers["Retry-After"] = "60"
        return response

    for error_class in UNAVAILABLE_ERRORS:
        app.register_error_handler(error_class, database_unavailable)


def register_commands(app: Flask) -> None:
    from tracker.commands import register

    register(app)


def clear_dead_builds(app: Flask) -> None:
    """What a killed workbook build left under EXPORT_DIR goes at the next start of any process."""
    from tracker.exports.building import clear_dead_builds as clear

    clear(app.config["EXPORT_DIR"], app.logger)
