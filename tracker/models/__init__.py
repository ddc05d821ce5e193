"""The schema: every table, one module per part of the domain, in the bottom layer.

Features import their tables from here (`from tracker.models import Entry`),
so any feature may read any table without importing another feature, and
Alembic sees the whole schema through this one package."""
from tracker.models.audit import AuditEvent
from tracker.models.auth import ApiToken, LoginAttempt, Membership, User
from tracker.models.burden import BurdenRollup, BurdenRollupMinutes, BurdenRollupRequest, BurdenRollupTeam, BurdenRollupWeek, Rate
from tracker.models.capacity import TeamCapacity
from tracker.models.catalogue import Request, Source, Team
from tracker.models.entries import Entry
from tracker.models.exports import ExportRun
from tracker.models.signoff import MonthSignoff
from tracker.models.imports import ImportBatch, ImportedRow
from tracker.models.licences import Estimate, LicenceDecision, LicenceReminder, LicenceReminderItem
from tracker.models.operations import ServiceHeartbeat
from tracker.models.workspace import Decision, DuplicateVerdict, Method, ReviewDigest

__all__ = [
    "AuditEvent", "ApiToken", "LoginAttempt", "Membership", "User", "BurdenRollup", "BurdenRollupRequest",
    "BurdenRollupTeam", "BurdenRollupMinutes", "BurdenRollupWeek", "Rate", "Request", "Source", "Team", "Entry", "ExportRun", "MonthSignoff",
    "ImportBatch", "ImportedRow",
    "Decision", "DuplicateVerdict", "Method", "ReviewDigest",
    "Estimate", "LicenceDecision", "LicenceReminder", "LicenceReminderItem",
    "ServiceHeartbeat",
    "TeamCapacity",
]
