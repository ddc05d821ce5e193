"""GET /api/v1/openapi.json: the OpenAPI 3.1 document of the JSON API.

Written by hand as a plain dict so it says exactly what SPEC promises; the
tests check every route of the blueprint appears here and that it validates."""
from __future__ import annotations

from flask import jsonify

from tracker.api import blueprint
from tracker.shared.choices import (
    ANSWERS,
    BANDS,
    DECISION_STATUSES,
    DECISIONS,
    ESTIMATE_BASES,
    ESTIMATE_PARTS,
    LICENCE_ACTIONS,
    LICENCE_STATUSES,
    FREQUENCIES,
    MAX_ENTRY_MINUTES,
    OBLIGATIONS,
    REQUEST_STATUSES,
    ROLES,
    SECTORS,
    SOURCE_KINDS,
)
from tracker.burden.dimensions import API, offered_in
from tracker.entries.batch import MAX_BATCH
from tracker.entries.forms import NOTES_MAX
from tracker.licences import forms as licence_forms
from tracker.rationalise.figures import SORTS
from tracker.rationalise.forms import RATIONALE_MAX
from tracker.shared.parsing import MAX_ID

BURDEN_GROUPINGS = offered_in(API)


def ref(name: str) -> dict:
    return {"$ref": f"#/components/schemas/{name}"}


def enum(values, description: str | None = None) -> dict:
    schema = {"type": "string", "enum": list(values)}
    if description:
        schema["description"] = description
    return schema


def nullable(type_name: str) -> dict:
    return {"type": [type_name, "null"]}


def page_of(item: str) -> dict:
    return {
        "type": "object",
        "required": ["items", "page", "pages", "total"],
        "properties": {
            "items": {"type": "array", "items": ref(item)},
            "page": {"type": "integer", "minimum": 1},
            "pages": {"type": "integer", "minimum": 1},
            "total": {"type": "integer", "minimum": 0},
        },
    }


def json_content(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def ok(description: str, schema: dict, code: str = "200", headers: dict | None = None) -> dict:
    answer = {"description": description, "content": json_content(schema)}
    if headers:
        answer["headers"] = headers
    return {code: answer}


ERROR_RESPONSES = {
    "400": "BadRequest", "401": "Unauthorized", "403": "Forbidden", "404": "NotFound",
    "405": "MethodNotAllowed", "409": "Conflict", "412": "PreconditionFailed", "413": "TooLarge", "503": "Unavailable",
}
# What any write may also answer: no CSRF header (403), a clash with another user's change (409), a body too large (413).
WRITE_ERRORS = ("400", "401", "403", "409", "413")


def errors(*codes: str) -> dict:
    """The error answers of an operation; every operation may also answer 503 (no database)."""
    return {code: {"$ref": f"#/components/responses/{ERROR_RESPONSES[code]}"} for code in (*codes, "503")}


def query(name: str, schema: dict, description: str) -> dict:
    """An optional query parameter; sent empty (`?from=`), it counts as not sent, as from a form."""
    return {"name": name, "in": "query", "required": False, "allowEmptyValue": True, "schema": schema, "description": description}


def param(name: str) -> dict:
    return {"$ref": f"#/components/parameters/{name}"}


def body(schema_name: str, description: str) -> dict:
    return {"required": True, "description": description, "content": json_content(ref(schema_name))}


# Optimistic concurrency on one entry (tracker/api/entries.py).
ETAG = {
    "ETag": {
        "description": 'The entry\'s version, e.g. `"42-3"`: it changes with every change to the entry. '
        "Send it back in If-Match to change or delete only the version you read.",
        "schema": {"type": "string"},
    }
}
IF_MATCH = {
    "name": "If-Match",
    "in": "header",
    "required": False,
    "schema": {"type": "string"},
    "description": "The ETag you read. If the entry has changed since, nothing is written and the answer is 412. "
    "Without it (or with `*`) the change applies to the entry as it stands when the write takes its lock.",
}

DATE = {"type": "string", "format": "date", "example": "2026-04-01"}
DATETIME = {"type": "string", "format": "date-time"}
ID = {"type": "integer", "minimum": 1, "maximum": MAX_ID}

SCHEMAS = {
    "ValidationErrors": {
        "type": "object",
        "description": "Bad input: each field named, with what is allowed. Nothing was written.",
        "required": ["errors"],
        "properties": {
            "errors": {
                "type": "object",
                "additionalProperties": {"type": "array", "items": {"type": "string"}},
                "example": {"minutes": [f"Minutes must be a whole number from 1 to {MAX_ENTRY_MINUTES}"]},
            }
        },
    },
    "Message": {
        "type": "object",
        "description": "Every answer that is not a success and not bad input: what happened, in words.",
        "required": ["message"],
        "properties": {"message": {"type": "string"}},
    },
    "Team": {
        "type": "object",
        "required": ["id", "name", "slug", "organisation", "sector", "active"],
        "properties": {
            "id": ID,
            "name": {"type": "string"},
            "slug": {"type": "string"},
            "organisation": {"type": "string"},
            "sector": enum(SECTORS),
            "active": {"type": "boolean"},
        },
    },
    "Source": {
        "type": "object",
        "required": ["id", "name", "kind"],
        "properties": {"id": ID, "name": {"type": "string"}, "kind": enum(SOURCE_KINDS), "created_at": DATETIME},
    },
    "SourceInput": {
        "type": "object",
        "required": ["name", "kind"],
        "properties": {
            "name": {"type": "string", "maxLength": 160, "description": "Unique (ignoring case)."},
            "kind": enum(SOURCE_KINDS),
        },
    },
    "Request": {
        "type": "object",
        "required": ["id", "title", "source_id", "source", "frequency", "obligation", "status"],
        "properties": {
            "id": ID,
            "title": {"type": "string"},
            "source_id": ID,
            "source": {"type": "string", "description": "The source's name."},
            "description": {"type": "string"},
            "frequency": enum(FREQUENCIES),
            "obligation": enum(OBLIGATIONS),
            "status": enum(REQUEST_STATUSES),
            "merged_into_id": nullable("integer"),
            "created_at": DATETIME,
            **{name: {**schema, "description": "Commissioners and admins only (figures add up every team). "
                      + schema["description"]} for name, schema in {
                "observed_hours_12m": {"type": "number", "description": "Hours logged in the 12 months to today."},
                "observed_cost_12m": {"type": "number", "description": "Their cost in pounds (each entry at its day's rate)."},
                "entries_12m": {"type": "integer", "description": "Entries in the 12 months."},
                "teams_12m": {"type": "integer", "description": "Teams that logged it in the 12 months."},
                "median_hours_per_entry": {"type": ["number", "null"], "description": "Exact median; null with no entries."},
                "projected_annual_hours": {"type": "number", "description": (
                    "median hours per entry × occurrences a year (52 weekly … 1 annual; ad hoc: entries per team "
                    "observed) × teams_12m.")},
                "projected_annual_cost": {"type": "number", "description": (
                    "The projected hours at today's rates for the request's own mix of bands, in pounds.")},
                "projected_annual_fte": {"type": "number", "description": "Projected hours ÷ (37.5 × 365 ÷ 7)."},
                "duplicated_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                                     "description": "Share of its hours marked already supplied elsewhere."},
                "used_share": {"type": ["number", "null"], "minimum": 0, "maximum": 1,
                               "description": "Share of its hours where the team saw it used or got feedback."},
                "likely_duplicates": {
                    "type": "array", "description": "Likely duplicates from other sources, highest score first.",
                    "items": {"type": "object", "required": ["id", "score"],
                              "properties": {"id": ID, "score": {"type": "integer", "minimum": 0, "maximum": 100}}},
                },
            }.items()},
        },
    },
    "DecisionInput": {
        "type": "object",
        "required": ["decision", "rationale", "effective_date"],
        "properties": {
            "decision": enum(DECISIONS),
            "rationale": {"type": "string", "maxLength": RATIONALE_MAX},
            "effective_date": {**DATE, "description": "At most a year back, at most two years ahead."},
            "review_date": {**DATE, "description": "Not before effective_date. Default: six months after it."},
            "merge_into": {**ID, "description": "merge: the live request that replaces this one (not itself)."},
            "new_frequency": {**enum(FREQUENCIES), "description": "reduce_frequency: less often than now (not ad_hoc)."},
            "target_hours_per_entry": {"type": "number", "exclusiveMinimum": 0, "maximum": 240,
                                       "description": "simplify: less than the median hours per entry now; 2 places."},
        },
    },
    "Decision": {
        "type": "object",
        "required": ["id", "request_id", "decision", "effective_date", "review_date", "status", "baseline_hours",
                     "expected_saving_hours", "expected_saving_cost", "realised_saving_hours", "realised_saving_cost",
                     "saving_uncertain"],
        "properties": {
            "id": ID,
            "request_id": ID,
            "request": {"type": "string", "description": "The request's title."},
            "decision": enum(DECISIONS),
            "rationale": {"type": "string"},
            "decided_by": {"type": "object", "required": ["id", "name"], "properties": {"id": ID, "name": {"type": "string"}}},
            "decided_on": {**DATE, "description": "When it was recorded: its rates price every saving."},
            "effective_date": DATE,
            "review_date": DATE,
            "merge_into": nullable("integer"),
            "new_frequency": {"type": ["string", "null"], "enum": [*FREQUENCIES, None]},
            "target_hours_per_entry": nullable("number"),
            "status": enum(DECISION_STATUSES),
            "baseline_start": DATE,
            "baseline_end": DATE,
            "baseline_hours": {"type": "number", "description": "The 12 months before the effective date (frozen)."},
            "baseline_cost": {"type": "number"},
            "baseline_entries": {"type": "integer"},
            "baseline_teams": {"type": "integer"},
            "expected_saving_hours": {"type": "number", "description": "A year, frozen at decision time."},
            "expected_saving_cost": {"type": "number", "description": "Pounds a year at the decision date's rates."},
            "expected_saving_fte": {"type": "number"},
            "realised_saving_hours": {"type": ["number", "null"], "description": (
                "Baseline hours − hours since the effective date × 365 ÷ days (for a merge, less the survivor's "
                "extra hours); null until three whole months have passed.")},
            "realised_saving_cost": {"type": ["number", "null"], "description": "At the decision's rates."},
            "seasonal_saving_hours": {"type": ["number", "null"], "description": (
                "The same, against the same days a year before, where the data reaches back.")},
            "saving_uncertain": {"type": ["boolean", "null"], "description": (
                "True when the teams that carried it logged more than a third fewer hours a day on everything else.")},
            "withdrawn_at": {"type": ["string", "null"], "format": "date-time"},
            "withdrawal_reason": nullable("string"),
            "licence_status": {
                **enum(LICENCE_STATUSES),
                "description": "Today: licensed; expiring (within 30 days); expired; none (never licensed).",
            },
            "licence_expires_on": {**nullable("string"), "format": "date",
                                   "description": "Expiry of the licence in force, or of the one that expired."},
        },
    },
    "RequestInput": {
        "type": "object",
        "required": ["title", "source_id", "frequency", "obligation"],
        "properties": {
            "title": {"type": "string", "maxLength": 200, "description": "Unique for its source (ignoring case)."},
            "source_id": ID,
            "frequency": enum(FREQUENCIES),
            "obligation": enum(OBLIGATIONS),
            "description": {"type": "string", "maxLength": 2000},
        },
    },
    "Entry": {
        "type": "object",
        "required": [
            "id", "request_id", "request", "source_id", "team_id", "team", "occurred_on", "minutes", "hours",
            "band", "duplicated_elsewhere", "used", "notes", "cost", "logged_by", "created_at", "updated_at",
        ],
        "properties": {
            "id": ID,
            "request_id": ID,
            "request": {"type": "string", "description": "The request's title."},
            "source_id": ID,
            "team_id": ID,
            "team": {"type": "string", "description": "The team's name."},
            "occurred_on": DATE,
            "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_ENTRY_MINUTES},
            "hours": {"type": "number", "description": "minutes ÷ 60, rounded half-up to 2 places."},
            "band": enum(BANDS),
            "duplicated_elsewhere": enum(ANSWERS),
            "used": enum(ANSWERS),
            "notes": {"type": "string"},
            "cost": {
                "type": "number",
                "description": "Pounds: minutes ÷ 60 × the band's rate effective on occurred_on, rounded half-up to the penny.",
            },
            "logged_by": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {"id": ID, "name": {"type": "string"}},
            },
            "created_at": DATETIME,
            "updated_at": DATETIME,
        },
    },
    "EntryInput": {
        "type": "object",
        "required": ["request_id", "team_id", "occurred_on", "minutes", "band"],
        "properties": {
            "request_id": {**ID, "description": "An active or under-review request."},
            "team_id": {**ID, "description": "A team the caller may log for (commissioners may not log)."},
            "occurred_on": {**DATE, "description": "A real date, from 2000-01-01 to a year from today."},
            "minutes": {"type": "integer", "minimum": 1, "maximum": MAX_ENTRY_MINUTES},
            "band": enum(BANDS),
            "duplicated_elsewhere": {
                "oneOf": [enum(ANSWERS), {"type": "boolean"}],
                "default": "unknown",
                "description": "true and false mean yes and no.",
            },
            "used": {"oneOf": [enum(ANSWERS), {"type": "boolean"}], "default": "unknown"},
            "notes": {"type": "string", "maxLength": NOTES_MAX},
        },
    },
    "Rate": {
        "type": "object",
        "required": ["id", "band", "hourly_cost", "effective_from"],
        "properties": {
            "id": ID,
            "band": enum(BANDS),
            "hourly_cost": {"type": "number", "description": "Pounds an hour, up to 6 decimal places."},
            "effective_from": DATE,
            "note": {"type": "string"},
            "created_at": DATETIME,
            "created_by_id": nullable("integer"),
        },
    },
    "RateInput": {
        "type": "object",
        "required": ["band", "hourly_cost", "effective_from"],
        "properties": {
            "band": enum(BANDS),
            "hourly_cost": {
                "oneOf": [{"type": "number"}, {"type": "string"}],
                "description": "More than 0, at most 10,000, at most 6 decimal places (a string keeps them exact).",
            },
            "effective_from": {**DATE, "description": "Unique for the band; from 2000-01-01 to a year from today."},
            "note": {"type": "string", "maxLength": 300},
        },
    },
    "BurdenFigures": {
        "type": "object",
        "required": ["entries", "hours", "cost", "fte"],
        "properties": {
            "entries": {"type": "integer"},
            "hours": {"type": "number"},
            "cost": {"type": "number", "description": "Pounds, rounded half-up to 2 places."},
            "fte": {"type": "number", "description": "hours ÷ (37.5 × days in the period ÷ 7)."},
        },
    },
    "BurdenRow": {
        "allOf": [
            {"$ref": "#/components/schemas/BurdenFigures"},
            {
                "type": "object",
                "required": ["key", "label"],
                "properties": {
                    "key": {"type": ["string", "integer"], "description": "The group's id, or YYYY-MM for month."},
                    "label": {"type": "string"},
                },
            },
        ]
    },
    "Burden": {
        "type": "object",
        "required": ["rows", "totals"],
        "properties": {
            "rows": {"type": "array", "items": ref("BurdenRow")},
            "totals": ref("BurdenFigures"),
        },
    },
}

PAGE = query("page", {"type": "integer", "minimum": 1, "default": 1}, "Page number (100 items a page).")

PATHS = {
    "/api/v1/teams": {
        "get": {
            "summary": "Teams the caller may see (all for commissioners and admins)",
            "operationId": "listTeams",
            "parameters": [PAGE, query("q", {"type": "string"}, "Name contains (any case).")],
            "responses": {**ok("A page of teams", ref("TeamPage")), **errors("400", "401")},
        }
    },
    "/api/v1/sources": {
        "get": {
            "summary": "The bodies that ask for information",
            "operationId": "listSources",
            "parameters": [PAGE, query("kind", enum(SOURCE_KINDS), "Only this kind."), query("q", {"type": "string"}, "Name contains.")],
            "responses": {**ok("A page of sources", ref("SourcePage")), **errors("400", "401")},
        },
        "post": {
            "summary": "Add a source (any signed-in role)",
            "operationId": "createSource",
            "requestBody": body("SourceInput", "The new source."),
            "responses": {**ok("The source, created and audited", ref("Source"), "201"), **errors(*WRITE_ERRORS)},
        },
    },
    "/api/v1/requests": {
        "get": {
            "summary": "The request catalogue",
            "operationId": "listRequests",
            "parameters": [
                PAGE,
                query("source_id", ID, "Only requests from this source."),
                query("status", enum(REQUEST_STATUSES), "Only requests with this status."),
                query("source_kind", enum(SOURCE_KINDS), "Only requests from sources of this kind."),
                query("obligation", enum(OBLIGATIONS), "Only requests with this obligation."),
                query("q", {"type": "string"}, "Title contains."),
                query("sort", {"type": "string", "enum": [*SORTS, *(f"-{name}" for name in SORTS)], "default": "title"},
                      "Order by a figure (commissioners and admins); a leading - for largest first. Requests "
                      "without the figure come last."),
            ],
            "responses": {**ok("A page of requests", ref("RequestPage")), **errors("400", "401")},
        },
        "post": {
            "summary": "Add a request to the catalogue (any signed-in role)",
            "operationId": "createRequest",
            "requestBody": body("RequestInput", "The new request."),
            "responses": {**ok("The request, created and audited", ref("Request"), "201"), **errors(*WRITE_ERRORS)},
        },
    },
    "/api/v1/requests/{request_id}/decisions": {
        "parameters": [{"name": "request_id", "in": "path", "required": True, "schema": ID}],
        "post": {
            "summary": "Record a decision on a request (commissioners and admins; 404 for everyone else)",
            "operationId": "createDecision",
            "requestBody": body("DecisionInput", "The decision. A request has at most one live decision."),
            "responses": {**ok("The decision, with its frozen baseline and expected saving", ref("Decision"), "201"),
                          **errors(*WRITE_ERRORS, "404")},
        }
    },
    "/api/v1/decisions": {
        "get": {
            "summary": "Decisions with expected and realised savings (commissioners and admins; 404 for everyone else)",
            "operationId": "listDecisions",
            "parameters": [PAGE, query("request_id", ID, "Only decisions on this request."),
                           query("status", enum(DECISION_STATUSES), "Only decisions that stand so today.")],
            "responses": {**ok("A page of decisions", ref("DecisionPage")), **errors("400", "401", "404")},
        }
    },
    "/api/v1/entries": {
        "get": {
            "summary": "Entries of the teams the caller may see, newest first (deleted entries never appear)",
            "operationId": "listEntries",
            "parameters": [
                param("team_id"),
                param("from"),
                param("to"),
                query("request_id", ID, "Only entries for this request."),
                query("source_id", ID, "Only entries for requests from this source."),
                PAGE,
            ],
            "responses": {**ok("A page of entries", ref("EntryPage")), **errors("400", "401", "404")},
        },
        "post": {
            "summary": "Log an entry",
            "operationId": "createEntry",
            "requestBody": body("EntryInput", "The work done."),
            "responses": {**ok("The entry, created and audited", ref("Entry"), "201", ETAG), **errors(*WRITE_ERRORS)},
        },
    },
    "/api/v1/entries/{entry_id}": {
        "parameters": [{"name": "entry_id", "in": "path", "required": True, "schema": ID}],
        "get": {
            "summary": "One entry",
            "operationId": "getEntry",
            "responses": {**ok("The entry", ref("Entry"), headers=ETAG), **errors("401", "404")},
        },
        "patch": {
            "summary": "Change an entry (managers their own, leads any of their teams', admins any)",
            "operationId": "updateEntry",
            "parameters": [IF_MATCH],
            "requestBody": body("EntryPatch", "The fields to change."),
            "responses": {
                **ok("The entry, changed and audited", ref("Entry"), headers=ETAG),
                **errors(*WRITE_ERRORS, "404", "412"),
            },
        },
        "delete": {
            "summary": "Delete an entry: recorded, never physical; it counts nowhere after (deleting it again: 404)",
            "operationId": "deleteEntry",
            "parameters": [IF_MATCH],
            "responses": {"204": {"description": "Deleted (and audited)"}, **errors("400", "401", "403", "404", "409", "412")},
        },
    },
    "/api/v1/rates": {
        "get": {
            "summary": "Rate history, band by band (admins only; 404 for everyone else)",
            "operationId": "listRates",
            "parameters": [PAGE, query("band", enum(BANDS), "Only this band.")],
            "responses": {**ok("A page of rates", ref("RatePage")), **errors("400", "401", "404")},
        },
        "post": {
            "summary": "Set a band's hourly cost from a date (admins only; 404 for everyone else)",
            "operationId": "createRate",
            "requestBody": body("RateInput", "The new rate. Earlier months keep the rate they had."),
            "responses": {**ok("The rate, created and audited", ref("Rate"), "201"), **errors(*WRITE_ERRORS, "404")},
        },
    },
    "/api/v1/burden": {
        "get": {
            "summary": "Entries, hours, cost and FTE grouped, for the teams the caller may see",
            "operationId": "getBurden",
            "parameters": [
                query("group_by", {**enum(BURDEN_GROUPINGS), "default": "team"}, "How rows are grouped."),
                query("from", DATE, "First day, inclusive (YYYY-MM-DD). Default: the 1st of the month "
                      "11 months before `to` (the last 12 calendar months)."),
                query("to", DATE, "Last day, inclusive (YYYY-MM-DD); not before `from`. Default: today "
                      "(Europe/London)."),
                query("team_id", ID, "Only this team; a team the caller may not see answers 404."),
                query("source_id", ID, "Only requests from this source."),
            ],
            "responses": {**ok("Burden rows and totals", ref("Burden")), **errors("400", "401", "404")},
        }
    },
    "/api/v1/openapi.json": {
        "get": {
            "summary": "This document",
            "operationId": "getOpenApi",
            "responses": {**ok("The OpenAPI document", {"type": "object"}), **errors("401")},
        }
    },
}

SCHEMAS["EntryPatch"] = {
    "type": "object",
    "description": "Any fields of EntryInput; the others keep their values.",
    "properties": SCHEMAS["EntryInput"]["properties"],
}

for _name in ("Team", "Source", "Request", "Entry", "Rate", "Decision"):
    SCHEMAS[f"{_name}Page"] = page_of(_name)

# ---- estimates, licences, statements, unlicensed burden (issue 10) ----

_MINUTES_PART = {"type": "integer", "minimum": 0, "maximum": licence_forms.MAX_PART_MINUTES, "default": 0}
_SHARE = {**nullable("number"), "description": "0 to 1, of the hours; null with no hours."}

SCHEMAS["EstimateInput"] = {
    "type": "object",
    "required": ["purpose", "respondents", "responses_per_year", "band", "basis"],
    "description": (
        "Refused (400, nothing written): a request that is retired or merged; responses_per_year that differ from "
        "the request's frequency (52 weekly, 26 fortnightly, 12 monthly, 4 quarterly, 2 twice a year, 1 annual or "
        "one-off; any number ad hoc) without frequency_reason; no time at all per response; more than a working "
        "week (2,250 minutes) per response without notes."
    ),
    "properties": {
        "reference": {"type": "string", "maxLength": 60, "description": "The requester's, e.g. a national collection number."},
        "purpose": {"type": "string", "maxLength": 2000},
        "necessity": {"type": "string", "maxLength": 2000, "description": "Why necessary rather than useful."},
        "legal_basis": {"type": "string", "maxLength": 300},
        "answered_by": {"type": "string", "maxLength": 300, "description": "Who must answer, in words."},
        "sector": {"type": ["string", "null"], "enum": [*SECTORS, None],
                   "description": "The sector answering; null (or left out) for any or several. An estimate read back has null then."},
        "respondents": {"type": "integer", "minimum": 1, "maximum": licence_forms.MAX_RESPONDENTS,
                        "description": "How many teams answer."},
        "responses_per_year": {"type": "integer", "minimum": 1, "maximum": licence_forms.MAX_RESPONSES},
        "resubmissions_per_year": {"type": "integer", "minimum": 0, "maximum": licence_forms.MAX_RESPONSES, "default": 0,
                                   "description": "Each counts as a full response."},
        "frequency_reason": {"type": "string", "maxLength": 2000},
        **{name: {**_MINUTES_PART, "description": f"{label}, minutes per response."} for name, label in ESTIMATE_PARTS.items()},
        "one_off_minutes": {"type": "integer", "minimum": 0, "maximum": licence_forms.MAX_ONE_OFF_MINUTES, "default": 0,
                            "description": "One-off set-up, minutes per team answering."},
        "band": enum(BANDS),
        "basis": enum(ESTIMATE_BASES, "Where the estimate came from."),
        "notes": {"type": "string", "maxLength": 2000},
    },
}
SCHEMAS["Estimate"] = {
    "allOf": [
        ref("EstimateInput"),
        {
            "type": "object",
            "required": ["id", "request_id", "estimated_on", "expected_annual_hours", "expected_annual_cost",
                         "expected_fte", "one_off_hours"],
            "properties": {
                "id": ID,
                "request_id": ID,
                "estimated_on": {**DATE, "description": "Its cost is priced at the band's rate on this day."},
                "minutes_per_response": {"type": "integer", "description": "The five parts added up."},
                "hourly_rate": {"type": "number"},
                "expected_annual_hours": {"type": "number", "description": (
                    "respondents × (responses_per_year + resubmissions_per_year) × minutes_per_response ÷ 60.")},
                "expected_annual_cost": {"type": "number", "description": "Those hours at the band's rate, pounds to the penny."},
                "expected_fte": {"type": "number", "description": "expected_annual_hours ÷ (37.5 × 365 ÷ 7)."},
                "one_off_hours": {"type": "number", "description": "respondents × one_off_minutes ÷ 60, once."},
                "one_off_cost": {"type": "number"},
                "observed_from": {**DATE, "description": "Present once entries exist: the approval date of the licence "
                                  "in force, or 364 days before today without one."},
                "observed_annual_hours": {"type": "number", "description": (
                    "Hours logged on the request from observed_from to today × 365 ÷ days in that window.")},
                "observed_annual_cost": {"type": "number"},
                "observed_to_expected": {**nullable("number"), "description": "observed ÷ expected annual hours."},
                "created_at": DATETIME,
            },
        },
    ]
}
SCHEMAS["LicenceInput"] = {
    "type": "object",
    "required": ["action"],
    "description": (
        "Refused (400, nothing written): a retired or merged request; approve while a licence is in force (renew "
        "it); renew a request never licensed; decline without reasons; approve without a reference; an expiry on "
        "or before the approval date, or more than 5 years after it."
    ),
    "properties": {
        "action": enum(LICENCE_ACTIONS),
        "reference": {"type": "string", "maxLength": 60, "description": "The licence number; a renewal keeps the last one if blank."},
        "approved_on": {**DATE, "description": "Default today. In force from this day."},
        "expires_on": {**DATE, "description": "Default a year after approved_on. In force until the day before."},
        "reasons": {"type": "string", "maxLength": 2000, "description": "Required to decline."},
    },
}
SCHEMAS["LicenceDecision"] = {
    "type": "object",
    "required": ["id", "request_id", "action", "licence_status"],
    "properties": {
        "id": ID,
        "request_id": ID,
        "action": enum(LICENCE_ACTIONS),
        "reference": {"type": "string"},
        "approved_on": {**nullable("string"), "format": "date"},
        "expires_on": {**nullable("string"), "format": "date"},
        "reasons": {"type": "string"},
        "estimate_id": nullable("integer"),
        "decided_on": DATE,
        "decided_by_id": nullable("integer"),
        "created_at": DATETIME,
        "licence_status": {**enum(LICENCE_STATUSES), "description": "The request's licence today, after this decision."},
        "licence_expires_on": {**nullable("string"), "format": "date"},
    },
}
SCHEMAS["StatementRequest"] = {
    "allOf": [
        ref("BurdenFigures"),
        {
            "type": "object",
            "required": ["id", "title", "teams", "licence_status"],
            "properties": {
                "id": ID,
                "title": {"type": "string"},
                "frequency": enum(FREQUENCIES),
                "obligation": enum(OBLIGATIONS),
                "status": enum(REQUEST_STATUSES),
                "teams": {"type": "integer"},
                "duplicated_share": _SHARE,
                "unused_share": {**_SHARE, "description": "Share of hours with no sign of use ('no' or 'don't know')."},
                "licence_status": enum(LICENCE_STATUSES),
                "licence_reference": nullable("string"),
                "licence_expires_on": {**nullable("string"), "format": "date"},
                "expected_annual_hours": nullable("number"),
                "observed_annual_hours": nullable("number"),
                "observed_to_expected": nullable("number"),
            },
        },
    ]
}
SCHEMAS["Statement"] = {
    "type": "object",
    "required": ["source", "from", "to", "requests", "totals", "unlicensed_hours", "unlicensed_cost", "decisions"],
    "properties": {
        "source": ref("Source"),
        "from": DATE,
        "to": DATE,
        "days": {"type": "integer"},
        "requests": {"type": "array", "items": ref("StatementRequest")},
        "totals": {"allOf": [ref("BurdenFigures"), {"type": "object", "properties": {"teams": {"type": "integer"}}}]},
        "duplicated_share": _SHARE,
        "unused_share": _SHARE,
        "unlicensed_hours": {"type": "number", "description": "Hours on days a request had no licence in force."},
        "unlicensed_cost": {"type": "number"},
        "decisions": {
            "type": "array",
            "description": "Decisions on its requests not withdrawn, by effective date, as recorded (see Decision).",
            "items": {
                "type": "object",
                "required": ["id", "request_id", "decision", "effective_date", "review_date", "expected_saving_hours",
                             "expected_saving_cost"],
                "properties": {
                    "id": ID,
                    "request_id": ID,
                    "decision": enum(DECISIONS),
                    "merge_into": nullable("integer"),
                    "new_frequency": {"type": ["string", "null"], "enum": [*FREQUENCIES, None]},
                    "target_hours_per_entry": nullable("number"),
                    "rationale": {"type": "string"},
                    "decided_on": DATE,
                    "effective_date": DATE,
                    "review_date": DATE,
                    "expected_saving_hours": {"type": "number", "description": "A year, frozen when decided."},
                    "expected_saving_cost": {"type": "number"},
                },
            },
        },
    },
}
SCHEMAS["EstimatePage"] = page_of("Estimate")

_REQUEST_ID = {"name": "request_id", "in": "path", "required": True, "schema": ID}
_ONLY_LICENSERS = " Commissioners and admins only (404 for everyone else); 404 for a request that does not exist."
PATHS.update({
    "/api/v1/requests/{request_id}/estimates": {
        "parameters": [_REQUEST_ID],
        "get": {
            "summary": "The request's burden estimates, newest first." + _ONLY_LICENSERS,
            "operationId": "listEstimates",
            "parameters": [PAGE],
            "responses": {**ok("A page of estimates", ref("EstimatePage")), **errors("400", "401", "404")},
        },
        "post": {
            "summary": "Record a burden estimate." + _ONLY_LICENSERS,
            "operationId": "createEstimate",
            "requestBody": body("EstimateInput", "The estimate."),
            "responses": {**ok("The estimate, worked out and audited", ref("Estimate"), "201"), **errors(*WRITE_ERRORS, "404")},
        },
    },
    "/api/v1/requests/{request_id}/licence": {
        "parameters": [_REQUEST_ID],
        "post": {
            "summary": "Approve, renew or decline the request's licence." + _ONLY_LICENSERS,
            "operationId": "decideLicence",
            "requestBody": body("LicenceInput", "The decision."),
            "responses": {**ok("The decision, recorded and audited", ref("LicenceDecision"), "201"), **errors(*WRITE_ERRORS, "404")},
        },
    },
    "/api/v1/sources/{source_id}/statement": {
        "parameters": [{"name": "source_id", "in": "path", "required": True, "schema": ID}],
        "get": {
            "summary": "The burden statement of a source for a period. Commissioners and admins only (404 for everyone else).",
            "operationId": "getStatement",
            "parameters": [
                query("from", DATE, "First day, inclusive. Give both from and to, or neither: the last whole quarter."),
                query("to", DATE, "Last day, inclusive."),
            ],
            "responses": {**ok("The statement", ref("Statement")), **errors("400", "401", "404")},
        },
    },
    "/api/v1/unlicensed": {
        "get": {
            "summary": "Burden on days a request had no licence in force, by team or source, for the teams the caller may see",
            "operationId": "getUnlicensedBurden",
            "parameters": [
                query("group_by", {**enum(("team", "source")), "default": "team"}, "How rows are grouped."),
                query("from", DATE, "As for /api/v1/burden (default: the last 12 calendar months)."),
                query("to", DATE, "As for /api/v1/burden (default: today)."),
                query("team_id", ID, "Only this team."),
                query("source_id", ID, "Only requests from this source."),
            ],
            "responses": {**ok("Unlicensed burden rows and totals", ref("Burden")), **errors("400", "401")},
        }
    },
})

# ---- many entries at once (issue 23, tracker/api/batch.py) ----

SCHEMAS["EntryBatchInput"] = {
    "type": "array",
    "minItems": 1,
    "maxItems": MAX_BATCH,
    "description": "Entries, each as POST /api/v1/entries takes one. All are checked first; one bad and none is written.",
    "items": ref("EntryInput"),
}
SCHEMAS["EntryBatch"] = {
    "type": "object",
    "required": ["items"],
    "properties": {"items": {"type": "array", "items": ref("Entry"), "description": "The entries, in the order sent."}},
}
SCHEMAS["BatchErrors"] = {
    "type": "object",
    "description": "Bad input; nothing was written. `body` for the list as a whole; otherwise each bad entry by its "
    "position in the list (from 0), with its fields' errors as POST /api/v1/entries gives them.",
    "required": ["errors"],
    "properties": {
        "errors": {
            "type": "object",
            "additionalProperties": {"anyOf": [
                {"type": "array", "items": {"type": "string"}},
                {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            ]},
            "example": {"3": {"minutes": [f"Minutes must be a whole number from 1 to {MAX_ENTRY_MINUTES}"]}},
        }
    },
}
PATHS["/api/v1/entries/batch"] = {
    "post": {
        "summary": f"Log up to {MAX_BATCH} entries at once, all or none",
        "operationId": "createEntries",
        "requestBody": body("EntryBatchInput", "The entries."),
        "responses": {
            **ok("The entries, created and each audited", ref("EntryBatch"), "201"),
            "400": {"description": "Bad input, by position; nothing was written", "content": json_content(ref("BatchErrors"))},
            **errors(*(code for code in WRITE_ERRORS if code != "400")),
        },
    }
}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {
        "title": "Reporting Burden Tracker API",
        "version": "1.0.0",
        "description": (
            "Log reporting work and read its burden. Authenticate with `Authorization: Bearer <token>` "
            "(`flask --app tracker create-token EMAIL`), or with the signed-in session cookie plus the CSRF token "
            "in an `X-CSRFToken` header for POST, PATCH and DELETE. Anything the caller may not see answers 404. "
            "Bad input answers 400 `{\"errors\": {field: [message]}}`; every other error (401, 403, 404, 405 for a "
            "method a path does not have, 409, 413, 503) answers `{\"message\": \"...\"}`. "
            "An empty query parameter counts as not sent. "
            f"Roles: {', '.join(ROLES)}."
        ),
    },
    "servers": [{"url": "/"}],
    "security": [{"bearerAuth": []}, {"sessionCookie": []}],
    "paths": PATHS,
    "components": {
        "securitySchemes": {
            "bearerAuth": {"type": "http", "scheme": "bearer", "description": "A token from `create-token`."},
            "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
        },
        "schemas": SCHEMAS,
        "parameters": {
            "team_id": query("team_id", ID, "Only this team; a team the caller may not see answers 404."),
            "from": query("from", DATE, "First day, inclusive (YYYY-MM-DD)."),
            "to": query("to", DATE, "Last day, inclusive (YYYY-MM-DD); not before `from`."),
        },
        "responses": {
            "BadRequest": {
                "description": "Bad input, each field named with what is allowed; nothing was written",
                "content": json_content(ref("ValidationErrors")),
            },
            "Unauthorized": {"description": "No valid bearer token or session", "content": json_content(ref("Message"))},
            "Forbidden": {
                "description": "A signed-in session wrote without the CSRF token in an X-CSRFToken header (data the "
                "caller may not see is never 403: it is 404)",
                "content": json_content(ref("Message")),
            },
            "NotFound": {
                "description": "Not there, or not the caller's to see",
                "content": json_content(ref("Message")),
            },
            "MethodNotAllowed": {
                "description": "The path exists but not with this method",
                "content": json_content(ref("Message")),
            },
            "Conflict": {
                "description": "Someone else saved the same thing at the same moment; nothing was written. Check and try again",
                "content": json_content(ref("Message")),
            },
            "TooLarge": {"description": "The body is larger than the server accepts (MAX_CONTENT_LENGTH); it was not read",
                         "content": json_content(ref("Message"))},
            "PreconditionFailed": {
                "description": "If-Match named a version the entry no longer has: someone changed it since. Nothing was written",
                "content": json_content(ref("Message")),
            },
            "Unavailable": {"description": "The service cannot reach its database; try again later (see Retry-After)",
                            "content": json_content(ref("Message"))},
        },
    },
}


@blueprint.get("/openapi.json")
def openapi_document():
    return jsonify(DOCUMENT)
