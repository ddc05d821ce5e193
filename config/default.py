"""Defaults for every environment. The environment overrides any of these
(see tracker/config.py); tests override again through create_app(test_config)."""

# Development-only key; create_app refuses to start outside development and
# testing unless SECRET_KEY comes from the environment.
SECRET_KEY = "dev-only-not-secret"

# None means: a SQLite file under the instance folder (filled in at start-up).
DATABASE_URL = None

EXPORT_DIR = None  # default: <instance>/exports
EXPORT_CRON = "0 6 1 * *"
TIMEZONE = "Europe/London"
SMTP_URL = None
SMTP_FROM = "burden-tracker@localhost"
SCHEDULER_ENABLED = True

# Employer on-costs added to Agenda for Change pay when the default rates are made.
EMPLOYER_ONCOST = "0.28"

# Login throttling: attempts per minute, counted per account and per address.
LOGIN_ATTEMPTS_PER_MINUTE = 10

ENTRIES_PER_PAGE = 50
API_PAGE_SIZE = 100

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None
