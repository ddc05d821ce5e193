"""Catalogue forms: a source (who asks) and a request (what they ask for).

The catalogue pages and the JSON API validate with these same classes (the API
feeds JSON in through `from_json`), so a rule and its message live once.
Pass `existing=` when editing so the unique-name checks skip the object itself."""
from __future__ import annotations

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.models.catalogue import Request, Source
from tracker.shared.choices import (
    FREQUENCIES, LONG_TEXT_MAX, OBLIGATIONS, REQUEST_STATUSES, REQUEST_TITLE_MAX, SOURCE_KINDS, SOURCE_NAME_MAX,
)
from tracker.catalogue.names import UniqueName
from tracker.shared.forms import JsonFormMixin, allowed, strip
from tracker.extensions import db
from tracker.shared.parsing import is_id
from tracker.shared.validators import plain_text

DESCRIPTION_MAX = LONG_TEXT_MAX


class SourceForm(JsonFormMixin, FlaskForm):
    API_FIELDS = ("name", "kind")

    name = StringField(
        "Name of the source",
        description="The body that asks for the information, for example 'NHS England – North East and Yorkshire'.",
        filters=[strip],
        validators=[
            DataRequired("Enter the name of the body that asks"),
            Length(max=SOURCE_NAME_MAX, message=f"The name must be {SOURCE_NAME_MAX} characters or fewer"), plain_text,
            UniqueName("source"),
        ],
    )
    kind = SelectField(
        "Kind of source",
        choices=[("", "Choose a kind")] + list(SOURCE_KINDS.items()),
        validate_choice=False,
        validators=[InputRequired("Choose the kind of source")],
    )

    def __init__(self, *args, existing: Source | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing

    def validate_kind(self, field):
        if field.data not in SOURCE_KINDS:
            raise ValidationError(f"Choose the kind of source from: {allowed(SOURCE_KINDS)}")

    def values(self) -> dict:
        return {"name": self.name.data, "kind": self.kind.data}


class RequestForm(JsonFormMixin, FlaskForm):
    API_FIELDS = ("title", "source_id", "frequency", "obligation", "description")

    title = StringField(
        "Title of the request",
        description="What is asked for, as the people who ask call it, for example 'Weekly community services sitrep'.",
        filters=[strip],
        validators=[
            DataRequired("Enter the title of the request"),
            Length(max=REQUEST_TITLE_MAX, message=f"The title must be {REQUEST_TITLE_MAX} characters or fewer"), plain_text,
            UniqueName("request"),
        ],
    )
    source_id = SelectField(
        "Who asks for it",
        coerce=str,
        validate_choice=False,
        validators=[InputRequired("Choose who asks for it")],
    )
    frequency = SelectField(
        "How often it is asked for",
        choices=[("", "Choose how often")] + list(FREQUENCIES.items()),
        validate_choice=False,
        validators=[InputRequired("Choose how often it is asked for")],
    )
    obligation = SelectField(
        "Obligation",
        choices=[("", "Choose an obligation")] + list(OBLIGATIONS.items()),
        validate_choice=False,
        validators=[InputRequired("Choose whether the request is statutory, contractual or discretionary")],
    )
    description = TextAreaField(
        "Description (optional)",
        filters=[strip],
        validators=[
            Optional(),
            Length(max=DESCRIPTION_MAX, message=f"The description must be {DESCRIPTION_MAX} characters or fewer"), plain_text,
        ],
    )

    def __init__(self, *args, existing: Request | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing
        sources = db.session.execute(select(Source.id, Source.name).order_by(Source.name))
        self.source_id.choices = [("", "Choose who asks")] + [(str(sid), name) for sid, name in sources]

    def validate_source_id(self, field):
        if not is_id(field.data) or db.session.get(Source, int(field.data)) is None:
            raise ValidationError("Choose a source from the catalogue")

    def validate_frequency(self, field):
        if field.data not in FREQUENCIES:
            raise ValidationError(f"Choose how often it is asked for from: {allowed(FREQUENCIES)}")

    def validate_obligation(self, field):
        if field.data not in OBLIGATIONS:
            raise ValidationError(f"Choose the obligation from: {allowed(OBLIGATIONS)}")

    def values(self) -> dict:
        return {
            "title": self.title.data,
            "source_id": int(self.source_id.data),
            "frequency": self.frequency.data,
            "obligation": self.obligation.data,
            "description": self.description.data or "",
        }


# ---- catalogue pages: the list's filters and a commissioner's status change ----


class RequestFilterForm(FlaskForm):
    """The catalogue list's search and filters, read from the query string (GET, so no CSRF)."""

    class Meta:
        csrf = False

    q = StringField(
        "Search",
        filters=[strip],
        validators=[Optional(), Length(max=REQUEST_TITLE_MAX, message=f"Search for {REQUEST_TITLE_MAX} characters or fewer")],
    )
    source = SelectField("Source", coerce=str, validate_choice=False)
    status = SelectField("Status", coerce=str, validate_choice=False)
    to_confirm = BooleanField("Only requests whose details are to be confirmed")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sources = db.session.execute(select(Source.id, Source.name).order_by(Source.name))
        self.source.choices = [("", "All sources")] + [(str(sid), name) for sid, name in sources]
        self.status.choices = [("", "All statuses")] + list(REQUEST_STATUSES.items())

    def validate_source(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a source from the list")

    def validate_status(self, field):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError("Choose a status from the list")

    def filters(self) -> dict:
        return {
            "q": self.q.data or "",
            "source_id": int(self.source.data) if self.source.data else None,
            "status": self.status.data or None,
            "to_confirm": bool(self.to_confirm.data),
        }


class RequestStatusForm(FlaskForm):
    """A commissioner retires, reviews or merges a request (the rules live in catalogue.services)."""

    status = SelectField("Status", coerce=str, validate_choice=False, validators=[InputRequired("Choose a status")])
    merged_into_id = SelectField("Merged into (only when the status is Merged)", coerce=str, validate_choice=False)

    def __init__(self, *args, targets=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.status.choices = list(REQUEST_STATUSES.items())
        self.merged_into_id.choices = [("", "Choose the request that replaces it")] + [(str(r.id), r.label) for r in targets]

    def validate_status(self, field):
        if field.data not in REQUEST_STATUSES:
            raise ValidationError(f"Choose a status from: {allowed(REQUEST_STATUSES)}")

    def validate_merged_into_id(self, field):
        if field.data and not is_id(field.data):
            raise ValidationError("Choose a request from the catalogue")

    def merged_into(self) -> int | None:
        return int(self.merged_into_id.data) if self.merged_into_id.data else None


class RequestDetailsForm(FlaskForm):
    """A commissioner confirms (or corrects) what a manager left to its default when adding a request."""

    frequency = SelectField("How often it is asked for", choices=list(FREQUENCIES.items()), validate_choice=False)
    obligation = SelectField("Obligation", choices=list(OBLIGATIONS.items()), validate_choice=False)
    source_kind = SelectField("Kind of source", choices=list(SOURCE_KINDS.items()), validate_choice=False)

    def validate_frequency(self, field):
        if field.data not in FREQUENCIES:
            raise ValidationError(f"Choose how often from: {allowed(FREQUENCIES)}")

    def validate_obligation(self, field):
        if field.data not in OBLIGATIONS:
            raise ValidationError(f"Choose an obligation from: {allowed(OBLIGATIONS)}")

    def validate_source_kind(self, field):
        if field.data not in SOURCE_KINDS:
            raise ValidationError(f"Choose a kind from: {allowed(SOURCE_KINDS)}")
