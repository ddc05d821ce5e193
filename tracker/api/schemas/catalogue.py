"""Teams, sources and requests (tracker/api/catalogue.py)."""
from __future__ import annotations

from marshmallow import Schema, fields

from tracker.api.contract import JsonInput
from tracker.api.fields import boolean, choice, identifier, integer, moment, number, text
from tracker.api.schemas import Paged, page_of
from tracker.rationalise.figures import SORTS
from tracker.shared.choices import (
    FREQUENCIES, LICENCE_STATUSES, LONG_TEXT_MAX, OBLIGATIONS, REQUEST_STATUSES, REQUEST_TITLE_MAX, SECTORS,
    SOURCE_KINDS, SOURCE_NAME_MAX,
)


class Team(Schema):
    id = identifier(required=True)
    name = text(required=True)
    slug = text(required=True)
    organisation = text(required=True)
    sector = choice(SECTORS, required=True)
    active = boolean(required=True)


class Source(Schema):
    id = identifier(required=True)
    name = text(required=True)
    kind = choice(SOURCE_KINDS, required=True)
    created_at = moment()


class SourceInput(JsonInput):
    name = text(SOURCE_NAME_MAX, required=True, description="Unique (ignoring case).")
    kind = choice(SOURCE_KINDS, required=True)


class RequestInput(JsonInput):
    title = text(REQUEST_TITLE_MAX, required=True, description="Unique for its source (ignoring case).")
    source_id = identifier(required=True)
    frequency = choice(FREQUENCIES, required=True)
    obligation = choice(OBLIGATIONS, required=True)
    description = text(LONG_TEXT_MAX)


FIGURES_ONLY = "Commissioners and admins only (figures add up every team). "


class LikelyDuplicate(Schema):
    id = identifier(required=True)
    score = integer(0, 100, required=True)


class Request(Schema):
    id = identifier(required=True)
    title = text(required=True)
    source_id = identifier(required=True)
    source = text(required=True, description="The source's name.")
    description = text()
    frequency = choice(FREQUENCIES, required=True)
    obligation = choice(OBLIGATIONS, required=True)
    status = choice(REQUEST_STATUSES, required=True)
    merged_into_id = integer(allow_none=True)
    created_at = moment()
    licence_status = choice(LICENCE_STATUSES, description="Today: licensed; expiring (within 30 days); expired; none.")
    licence_expires_on = text(allow_none=True, metadata={"format": "date"})
    observed_hours_12m = number(description=FIGURES_ONLY + "Hours logged in the 12 months to today.")
    observed_cost_12m = number(description=FIGURES_ONLY + "Their cost in pounds (each entry at its day's rate).")
    entries_12m = integer(description=FIGURES_ONLY + "Entries in the 12 months.")
    teams_12m = integer(description=FIGURES_ONLY + "Teams that logged it in the 12 months.")
    median_hours_per_entry = number(allow_none=True, description=FIGURES_ONLY + "Exact median; null with no entries.")
    projected_annual_hours = number(description=FIGURES_ONLY + (
        "median hours per entry × occurrences a year (52 weekly … 1 annual; ad hoc: entries per team "
        "observed) × teams_12m."))
    projected_annual_cost = number(description=FIGURES_ONLY + (
        "The projected hours at today's rates for the request's own mix of bands, in pounds."))
    projected_annual_fte = number(description=FIGURES_ONLY + "Projected hours ÷ (37.5 × 365 ÷ 7).")
    duplicated_share = number(0, 1, allow_none=True, description=FIGURES_ONLY + "Share of its hours marked already supplied elsewhere.")
    used_share = number(0, 1, allow_none=True, description=FIGURES_ONLY + "Share of its hours where the team saw it used or got feedback.")
    likely_duplicates = fields.List(fields.Nested(LikelyDuplicate), metadata={
        "description": FIGURES_ONLY + "Likely duplicates from other sources, highest score first."})


TeamPage = page_of(Team, "TeamPage")
SourcePage = page_of(Source, "SourcePage")
RequestPage = page_of(Request, "RequestPage")


class TeamQuery(Paged):
    q = text(description="Name contains (any case).")


class SourceQuery(Paged):
    kind = choice(SOURCE_KINDS, description="Only this kind.")
    q = text(description="Name contains (any case).")


class RequestQuery(Paged):
    source_id = identifier(description="Only requests from this source.")
    status = choice(REQUEST_STATUSES, description="Only requests with this status.")
    source_kind = choice(SOURCE_KINDS, description="Only requests from sources of this kind.")
    obligation = choice(OBLIGATIONS, description="Only requests with this obligation.")
    q = text(description="Title contains (any case).")
    sort = choice([*SORTS, *(f"-{name}" for name in SORTS)], default="title", description=(
        "Order by a figure (commissioners and admins; anyone else may send only `title`); a leading - for "
        "largest first. Requests without the figure come last."))
