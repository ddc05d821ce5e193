"""Every model, imported in one place so Alembic and the app see the whole schema."""
from tracker.audit.models import AuditEvent  # noqa: F401
from tracker.auth.models import ApiToken, LoginAttempt, Membership, User  # noqa: F401
from tracker.burden.models import Rate  # noqa: F401
from tracker.catalogue.models import Request, Source, Team  # noqa: F401
from tracker.entries.models import Entry  # noqa: F401
from tracker.exports.models import ExportRun, MonthSignoff  # noqa: F401
