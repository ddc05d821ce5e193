"""Every enumeration of SPEC's domain, with the label a person reads.

Models build their CHECK constraints from these, forms their choices, the API
its validation and the workbook its labels, so a new value is added once."""
from __future__ import annotations

SECTORS = {
    "nhs_trust": "NHS trust",
    "commissioner": "Commissioner",
    "primary_care": "Primary care",
    "local_authority": "Local authority",
    "social_care": "Social care",
    "voluntary": "Voluntary sector",
    "other": "Other",
}

SOURCE_KINDS = {
    "national_body": "National body",
    "regulator": "Regulator",
    "commissioner": "Commissioner",
    "local_authority": "Local authority",
    "programme_office": "Programme office",
    "internal": "Internal (own board)",
    "other": "Other",
}

FREQUENCIES = {
    "one_off": "One-off",
    "weekly": "Weekly",
    "fortnightly": "Fortnightly",
    "monthly": "Monthly",
    "quarterly": "Quarterly",
    "biannual": "Twice a year",
    "annual": "Annual",
    "ad_hoc": "Ad hoc",
}

# Occurrences a year for the annual projection; ad hoc uses the observed count.
OCCURRENCES_PER_YEAR = {
    "one_off": 1,
    "weekly": 52,
    "fortnightly": 26,
    "monthly": 12,
    "quarterly": 4,
    "biannual": 2,
    "annual": 1,
    "ad_hoc": None,
}

OBLIGATIONS = {
    "statutory": "Statutory",
    "contractual": "Contractual",
    "discretionary": "Discretionary",
}

REQUEST_STATUSES = {
    "active": "Active",
    "under_review": "Under review",
    "retired": "Retired",
    "merged": "Merged",
}

# Requests new work can be logged against (retired and merged ones point elsewhere).
LOGGABLE_STATUSES = ("active", "under_review")

BANDS = {
    "2": "Band 2",
    "3": "Band 3",
    "4": "Band 4",
    "5": "Band 5",
    "6": "Band 6",
    "7": "Band 7",
    "8a": "Band 8a",
    "8b": "Band 8b",
    "8c": "Band 8c",
    "8d": "Band 8d",
    "9": "Band 9",
    "other": "Other",
}

ANSWERS = {"yes": "Yes", "no": "No", "unknown": "Don't know"}

ROLES = {
    "manager": "Manager",
    "lead": "Lead",
    "commissioner": "Commissioner",
    "admin": "Admin",
}

# Roles held on a team (commissioners and admins see every team).
TEAM_ROLES = ("manager", "lead")

MAX_ENTRY_MINUTES = 1440 * 10

# ---- how long a text may be: one number each (issue 19) ----
# Models size their columns from these; the forms, the importer and the API's
# schemas (hence /api/v1/openapi.json) check and state the same numbers.
SOURCE_NAME_MAX = 160  # Source.name
REQUEST_TITLE_MAX = 200  # Request.title
REFERENCE_MAX = 60  # a request's register reference, an estimate's, a licence's
SHORT_TEXT_MAX = 300  # a rate's note; an estimate's legal basis and who answers
LONG_TEXT_MAX = 2000  # free text kept as TEXT: descriptions, notes, purposes, reasons
RATIONALE_MAX = 4000  # a decision's rationale

# Rationalisation decisions on a request (the commissioner's workspace).
DECISIONS = {
    "retire": "Retire",
    "merge": "Merge into another request",
    "reduce_frequency": "Reduce frequency",
    "simplify": "Simplify",
    "keep": "Keep",
}

# Where a decision stands; worked out from its dates and whether it was withdrawn.
DECISION_STATUSES = {
    "scheduled": "Not in effect yet",
    "in_effect": "In effect",
    "review_due": "Due for review",
    "withdrawn": "Withdrawn",
}

# A commissioner's answer on a likely duplicate pair.
DUPLICATE_VERDICTS = {
    "confirmed": "Confirmed duplicate",
    "dismissed": "Not a duplicate",
}

# ---- licences and burden estimates (issue 10) ----

# A request's licence on a day: one rule computes it (tracker/licences/status.py).
LICENCE_STATUSES = {
    "licensed": "Licensed",
    "expiring": "Licence expiring",
    "expired": "Licence expired",
    "none": "No licence",
}

LICENCE_ACTIONS = {"approve": "Approved", "decline": "Declined", "renew": "Renewed"}

# Where a burden estimate came from.
ESTIMATE_BASES = {"requester": "The requester", "panel": "A panel", "logs": "The logs"}

# Time per response, split the way burden assessments split it (field name: label).
ESTIMATE_PARTS = {
    "minutes_gathering": "Gathering the information",
    "minutes_quality_assurance": "Quality assurance",
    "minutes_extraction": "Extraction and transformation",
    "minutes_submission": "Submission",
    "minutes_training": "Training and guidance",
}


def check_in(column: str, values) -> str:
    """SQL for a CHECK constraint that keeps a column inside an enumeration."""
    quoted = ", ".join(f"'{v}'" for v in values)
    return f"{column} IN ({quoted})"
