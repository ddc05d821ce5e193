"""Teams, sources and requests. The catalogue (sources, requests) is shared by
everyone signed in; teams are only those the caller may see."""
from __future__ import annotations

from flask import request as http_request
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from tracker.api import blueprint
from tracker.api.common import json_input, page_of, refuse, whole_number_arg
from tracker.api.contract import WRITE_REFUSALS, answers
from tracker.api.schemas import catalogue as schemas
from tracker.api.rationalise import requests_with_figures
from tracker.api.serialise import request_to_json, source_to_json, team_to_json
from tracker.auth.access import visible_team_ids
from tracker.catalogue import services
from tracker.catalogue.forms import RequestForm, SourceForm
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import OBLIGATIONS, REQUEST_STATUSES, SOURCE_KINDS
from tracker.extensions import db
from tracker.licences.status import licence_statuses
from tracker.shared.timeutil import local_today


def text_search(column, text: str):
    """Case-insensitive 'contains', with the user's % and _ taken literally."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return column.ilike(f"%{escaped}%", escape="\\")


def choice_arg(name: str, choices: dict) -> str | None:
    value = http_request.args.get(name, "").strip()
    if value and value not in choices:
        refuse({name: [f"{name} must be one of: {', '.join(choices)}"]})
    return value or None


@blueprint.get("/teams")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.TeamQuery}])
@blueprint.response(200, schemas.TeamPage)
@answers(400, 401)
def list_teams():
    query = select(Team).order_by(Team.name)
    ids = visible_team_ids(current_user)
    if ids is not None:
        query = query.where(Team.id.in_(ids or [-1]))
    q = http_request.args.get("q", "").strip()
    if q:
        query = query.where(text_search(Team.name, q))
    return page_of(query, team_to_json)


@blueprint.get("/sources")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.SourceQuery}])
@blueprint.response(200, schemas.SourcePage)
@answers(400, 401)
def list_sources():
    kind = choice_arg("kind", SOURCE_KINDS)
    query = select(Source).order_by(Source.name)
    if kind:
        query = query.where(Source.kind == kind)
    q = http_request.args.get("q", "").strip()
    if q:
        query = query.where(text_search(Source.name, q))
    return page_of(query, source_to_json)


@blueprint.post("/sources")
@blueprint.arguments(schemas.SourceInput)
@blueprint.response(201, schemas.Source)
@answers(*WRITE_REFUSALS)
@json_input(lambda data: SourceForm.from_json(data))
def create_source(form):
    values = form.values()
    return source_to_json(services.create_source(current_user, values["name"], values["kind"])), 201


@blueprint.get("/requests")
@blueprint.doc(parameters=[{"in": "query", "schema": schemas.RequestQuery}])
@blueprint.response(200, schemas.RequestPage)
@answers(400, 401)
def list_requests():
    """The catalogue; commissioners and admins also get each request's workspace figures, sortable
    (tracker/api/rationalise.py). Figures add up every team, so nobody else gets them."""
    status = choice_arg("status", REQUEST_STATUSES)
    source_id = whole_number_arg("source_id", "source_id must be the id of a source")
    source_kind = choice_arg("source_kind", SOURCE_KINDS)
    obligation = choice_arg("obligation", OBLIGATIONS)
    query = select(Request).options(selectinload(Request.source)).order_by(Request.title, Request.id)
    if status:
        query = query.where(Request.status == status)
    if source_id is not None:
        query = query.where(Request.source_id == source_id)
    if source_kind:
        query = query.where(Request.source_id.in_(select(Source.id).where(Source.kind == source_kind)))
    if obligation:
        query = query.where(Request.obligation == obligation)
    q = http_request.args.get("q", "").strip()
    if q:
        query = query.where(text_search(Request.title, q))
    statuses = licence_statuses(db.session, None, local_today())  # every decided request's licence, in one query
    if current_user.sees_all_teams:
        return requests_with_figures(query, http_request.args.get("sort"), statuses)
    if http_request.args.get("sort", "title").strip() != "title":
        refuse({"sort": ["Only commissioners and admins see figures to sort by: sort=title"]})
    return page_of(query, lambda found: request_to_json(found, statuses.get(found.id)))


@blueprint.post("/requests")
@blueprint.arguments(schemas.RequestInput)
@blueprint.response(201, schemas.Request)
@answers(*WRITE_REFUSALS)
@json_input(lambda data: RequestForm.from_json(data))
def create_request(form):
    return request_to_json(services.create_request(current_user, **form.values())), 201
