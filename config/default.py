"""Defaults for every environment. The environment overrides any of these
(see tracker/config.py); tests override again through create_app(test_config)."""

# Development-only key; create_app refuses to start outside development and
# testing unless SECRET_KEY comes from the environment.
SECRET_KEY = "dev-only-not-secret"

# None means: a SQLite file under the instance folder (filled in at start-up).
DATABASE_URL = None
# A PostgreSQL streaming replica of DATABASE_URL for pages and API calls that only read (tracker/replica.py);
# None: everything reads the primary. Reads fall back to the primary when it is away or this far behind.
DATABASE_REPLICA_URL = None
REPLICA_MAX_LAG_SECONDS = 30

EXPORT_DIR = None  # default: <instance>/exports
EXPORT_CRON = "0 6 1 * *"
TIMEZONE = "Europe/London"
SMTP_URL = None
SMTP_FROM = "burden-tracker@localhost"
SCHEDULER_ENABLED = True

# Export scheduler tuning (tracker/exports/runs.py, tracker/scheduler/, background.py).
EXPORT_CATCH_UP_MONTHS = 2  # on start, make missing workbooks for this many ended months
EXPORT_RETRY_MINUTES = 15  # how often failed builds and emails are retried
EXPORT_MAX_ATTEMPTS = 5  # a build that failed this often is left for a person to look at
EXPORT_MAX_EMAIL_ATTEMPTS = 10  # every email (workbooks, licence reminders, review digests) is tried this often at most
EXPORT_STALE_MINUTES = 5  # a claim (a build's or an email's) whose heartbeat is older than this belonged to a dead process
EMAIL_BACKOFF_MINUTES = 1  # a failed email waits this long before its next try, doubled after each (at most a day)
EXPORT_HEARTBEAT_SECONDS = 30  # a live build renews its claim's heartbeat this often
EXPORT_WORKERS = 2  # threads building workbooks in each process: "make now" (web), monthly/catch-up/retry (scheduler)

# Employer on-costs added to Agenda for Change pay when the default rates are made.
EMPLOYER_ONCOST = "0.28"

# A team is a hotspot when reporting took at least this share of its management time
# over the last three whole months (tracker/burden/hotspots.py).
HOTSPOT_SHARE = "0.20"

# Login throttling: attempts per minute, counted per account and per address.
LOGIN_ATTEMPTS_PER_MINUTE = 10

ENTRIES_PER_PAGE = 50
API_PAGE_SIZE = 100

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
REMEMBER_COOKIE_HTTPONLY = True
REMEMBER_COOKIE_SAMESITE = "Lax"
WTF_CSRF_TIME_LIMIT = None

# Imports (tracker/imports): the largest file, rows per file, and what a workbook may unpack to
# (a small file that expands past it is refused as a zip bomb).
IMPORT_MAX_BYTES = 20 * 1024 * 1024
IMPORT_MAX_ROWS = 100_000
IMPORT_MAX_UNPACKED = 200 * 1024 * 1024
# Bodies bigger than this are refused with 413 before they are read (bytes; the import page has its own).
MAX_CONTENT_LENGTH = 4 * 1024 * 1024

# Operations (tracker/operations, docs/operations.md).
HSTS_SECONDS = None  # Strict-Transport-Security max-age; None: a year, except 0 (off) in development
PROXY_HOPS = 0  # reverse proxies in front that set X-Forwarded-For/-Proto/-Host (1 behind nginx)
LOG_FORMAT = None  # "json" (one JSON object a line) or "text"; None: text in development, else json
LOG_LEVEL = "INFO"
LOG_REQUESTS = True  # one access line per request
DATABASE_CHECK_SECONDS = 5  # how long a process trusts that the database is there without asking
DATABASE_CONNECT_TIMEOUT = 5  # seconds (PostgreSQL): a dead server answers 503 quickly, not after minutes
SCHEDULER_HEARTBEAT_SECONDS = 60  # the scheduler says it is alive this often (/healthz shows the age)
SCHEDULER_RETRY_SECONDS = 5  # first wait when the scheduler cannot reach the database; doubled each time
SCHEDULER_RETRY_MAX_SECONDS = 300  # ... up to this

# Sign-in through the organisation's identity provider (OpenID Connect; docs/sessions.md).
# Unset OIDC_ISSUER: only the app's own passwords, as before.
OIDC_ISSUER = None  # e.g. https://login.microsoftonline.com/<tenant id>/v2.0
OIDC_CLIENT_ID = None
OIDC_CLIENT_SECRET = None
OIDC_SCOPES = "openid email profile"
OIDC_LABEL = "Sign in with your organisation account"
OIDC_ALLOWED_DOMAINS = ""  # comma-separated: newcomers from these email domains get an account (no team yet)
OIDC_TIMEOUT_SECONDS = 10  # how long to wait for the provider before saying it is away
PASSWORD_LOGIN = True  # 0: the password form is hidden and refused (one-time links from the command line still work)
PUBLIC_URL = None  # the address people reach the app at, for links printed by the command line
SIGN_IN_LINK_MINUTES = 15  # how long a one-time sign-in link works
