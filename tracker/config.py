"""Settings: defaults from config/default.py, then the environment."""
from __future__ import annotations

import os
from decimal import Decimal, InvalidOperation
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tracker.shared import passwords

CONFIG_DIR = Path(__file__).resolve().parent.parent / "config"


def flag(text: str) -> bool:
    return text.strip().lower() not in {"0", "false", "no", "off", ""}


# Settings read from the environment, with how to turn the text into a value.
ENV_SETTINGS = {
    "SECRET_KEY": str,
    "DATABASE_URL": str,
    "DATABASE_REPLICA_URL": str,
    "REPLICA_MAX_LAG_SECONDS": float,
    "EXPORT_DIR": str,
    "EXPORT_CRON": str,
    "TIMEZONE": str,
    "SMTP_URL": str,
    "SMTP_FROM": str,
    "EMPLOYER_ONCOST": str,
    "HOTSPOT_SHARE": str,
    "SCHEDULER_ENABLED": flag,
    "EXPORT_CATCH_UP_MONTHS": int,
    "EXPORT_RETRY_MINUTES": int,
    "EXPORT_MAX_ATTEMPTS": int,
    "EXPORT_MAX_EMAIL_ATTEMPTS": int,
    "EXPORT_STALE_MINUTES": float,
    "EMAIL_BACKOFF_MINUTES": float,
    "EXPORT_HEARTBEAT_SECONDS": int,
    "EXPORT_WORKERS": int,
    "IMPORT_MAX_BYTES": int,
    "IMPORT_MAX_ROWS": int,
    "IMPORT_MAX_UNPACKED": int,
    "MAX_CONTENT_LENGTH": int,
    "HSTS_SECONDS": int,
    "PROXY_HOPS": int,
    "LOG_FORMAT": str,
    "LOG_LEVEL": str,
    "LOG_REQUESTS": flag,
    "DATABASE_CHECK_SECONDS": float,
    "DATABASE_CONNECT_TIMEOUT": int,
    "SCHEDULER_HEARTBEAT_SECONDS": int,
    "SCHEDULER_RETRY_SECONDS": float,
    "SCHEDULER_RETRY_MAX_SECONDS": float,
    "OIDC_ISSUER": str,
    "OIDC_CLIENT_ID": str,
    "OIDC_CLIENT_SECRET": str,
    "OIDC_SCOPES": str,
    "OIDC_LABEL": str,
    "OIDC_ALLOWED_DOMAINS": str,
    "PASSWORD_LOGIN": flag,
    "PUBLIC_URL": str,
}

RELAXED_ENVIRONMENTS = {"development", "testing"}


class ConfigError(RuntimeError):
    """The app cannot start with the settings it was given."""


def settings_from_environment(environ=os.environ) -> dict:
    values = {}
    for name, convert in ENV_SETTINGS.items():
        if environ.get(name) not in (None, ""):
            values[name] = convert(environ[name])
    return values


def normalise_database_url(url: str) -> str:
    """Let operators paste a plain postgres:// URL; we always talk psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def finalise(app) -> None:
    """Fill in derived settings and refuse unsafe ones."""
    cfg = app.config
    env = cfg.get("APP_ENV", "production")
    if env == "testing" and "PASSWORD_HASH_METHOD" not in cfg:
        cfg["PASSWORD_HASH_METHOD"] = passwords.TESTING_METHOD  # hundreds of test users; see shared/passwords.py
    cfg.setdefault("PASSWORD_HASH_METHOD", passwords.PRODUCTION_METHOD)
    passwords.use_method(cfg["PASSWORD_HASH_METHOD"])
    if env not in RELAXED_ENVIRONMENTS:
        if not os.environ.get("SECRET_KEY") and cfg.get("SECRET_KEY") in (None, "", "dev-only-not-secret"):
            raise ConfigError("SECRET_KEY must be set in the environment outside development and testing.")
        cfg["SESSION_COOKIE_SECURE"] = True
        cfg["REMEMBER_COOKIE_SECURE"] = True
    try:
        ZoneInfo(cfg.get("TIMEZONE") or "Europe/London")
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(f"TIMEZONE '{cfg.get('TIMEZONE')}' is not a known time zone (for example Europe/London).") from None
    url = cfg.get("DATABASE_URL") or f"sqlite:///{Path(app.instance_path) / 'tracker.sqlite'}"
    cfg["DATABASE_URL"] = normalise_database_url(url)
    cfg["SQLALCHEMY_DATABASE_URI"] = cfg["DATABASE_URL"]
    cfg.setdefault("SQLALCHEMY_ENGINE_OPTIONS", {})
    if cfg["DATABASE_URL"].startswith("sqlite"):
        # Waiting for a lock beats failing: web workers and the scheduler share one file.
        cfg["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {"timeout": 30})
    else:
        cfg["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("pool_pre_ping", True)
        connect_args = cfg["SQLALCHEMY_ENGINE_OPTIONS"].setdefault("connect_args", {})
        connect_args.setdefault("connect_timeout", int(cfg.get("DATABASE_CONNECT_TIMEOUT") or 5))
    _configure_replica(cfg)
    _check_hotspot_share(cfg)
    if not cfg.get("LOG_FORMAT"):
        cfg["LOG_FORMAT"] = "text" if env == "development" else "json"
    if cfg.get("HSTS_SECONDS") is None:
        cfg["HSTS_SECONDS"] = 0 if env == "development" else 365 * 24 * 60 * 60
    if not cfg.get("EXPORT_DIR"):
        cfg["EXPORT_DIR"] = str(Path(app.instance_path) / "exports")


def _configure_replica(cfg) -> None:
    """DATABASE_REPLICA_URL: a PostgreSQL streaming replica of DATABASE_URL, for reads (tracker/replica.py)."""
    raw = cfg.get("REPLICA_MAX_LAG_SECONDS", 30)
    try:
        max_lag = float(raw)
    except (TypeError, ValueError):
        max_lag = None
    if max_lag is None or not max_lag >= 0 or max_lag == float("inf"):
        raise ConfigError(f"REPLICA_MAX_LAG_SECONDS '{raw}' must be a number of seconds, 0 or more (30 by default).")
    cfg["REPLICA_MAX_LAG_SECONDS"] = max_lag
    url = cfg.get("DATABASE_REPLICA_URL")
    if not url:
        return
    url = cfg["DATABASE_REPLICA_URL"] = normalise_database_url(url)
    if not (url.startswith("postgresql") and cfg["DATABASE_URL"].startswith("postgresql")):
        raise ConfigError("DATABASE_REPLICA_URL needs PostgreSQL for both DATABASE_URL and the replica "
                          "(a streaming replica of the same database).")
    binds = cfg.setdefault("SQLALCHEMY_BINDS", {})
    binds.setdefault("replica", {
        "url": url,
        "pool_pre_ping": True,
        "connect_args": {"connect_timeout": int(cfg.get("DATABASE_CONNECT_TIMEOUT") or 5)},
    })


def _check_hotspot_share(cfg) -> None:
    """HOTSPOT_SHARE is a share of management time from 0 to 1 (0.20 is 20 %); refuse anything else."""
    raw = cfg.get("HOTSPOT_SHARE", "0.20")
    try:
        value = Decimal(str(raw).strip())
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or not 0 < value <= 1:
        raise ConfigError(f"HOTSPOT_SHARE '{raw}' must be a number more than 0 and at most 1 (0.20 is 20 %).")
    cfg["HOTSPOT_SHARE"] = value
