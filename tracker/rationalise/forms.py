"""Workspace forms. The decision form is also the API's (`from_json`), so a rule and its message live once;
the rules about requests and dates are the service's (tracker/rationalise/decisions.py)."""
from __future__ import annotations

import re
from decimal import Decimal

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional, ValidationError

from tracker.extensions import db
from tracker.models.catalogue import Request, Source
from tracker.rationalise.decisions import DecisionInput
from tracker.rationalise.duplicates import LIVE_STATUSES
from tracker.rationalise.figures import SORTS, RankingFilters
from tracker.shared.choices import (
    DECISIONS, DUPLICATE_VERDICTS, FREQUENCIES, LONG_TEXT_MAX, OBLIGATIONS, RATIONALE_MAX, REQUEST_STATUSES, SOURCE_KINDS,
)
from tracker.shared.forms import JsonFormMixin, OptionalDateField, RealDateField, allowed, strip
from tracker.shared.parsing import is_id, parse_id
from tracker.shared.validators import plain_text

REASON_MAX = LONG_TEXT_MAX
MOST_TARGET_HOURS = Decimal(240)
HOURS_TEXT = re.compile(r"^\d{1,3}(\.\d{1,2})?$")


class DecisionForm(JsonFormMixin, FlaskForm):
    API_FIELDS = ("decision", "rationale", "effective_date", "review_date", "merge_into", "new_frequency",
                  "target_hours_per_entry")

    decision = RadioField("Decision", choices=list(DECISIONS.items()), validate_choice=False,
                          validators=[InputRequired("Choose a decision")])
    rationale = TextAreaField(
        "Why", description="What the decision rests on: who was asked, what else collects the same data.",
        filters=[strip],
        validators=[DataRequired("Say why: the rationale is kept with the decision"),
                    Length(max=RATIONALE_MAX, message=f"The rationale must be {RATIONALE_MAX} characters or fewer"),
                    plain_text],
    )
    effective_date = RealDateField("Effective date", format="%Y-%m-%d",
                                   validators=[InputRequired("Enter the date the decision takes effect")])
    review_date = OptionalDateField("Review date (optional)", format="%Y-%m-%d",
                                    description="Leave empty for six months after the effective date.")
    merge_into = SelectField("Merge into (for a merge)", coerce=str, validate_choice=False)
    new_frequency = SelectField("New frequency (for a reduced frequency)",
                                choices=[("", "Choose how often")] + list(FREQUENCIES.items()), validate_choice=False)
    target_hours_per_entry = StringField("Target hours per entry (for a simplification)", filters=[strip],
                                         description="For example 0.5 for half an hour.")

    def __init__(self, *args, request: Request | None = None, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.request = request
        self.target_hours: Decimal | None = None  # set when the field validates
        query = (select(Request.id, Request.title, Source.name).join(Source)
                 .where(Request.status.in_(LIVE_STATUSES)).order_by(Request.title, Source.name))
        if request is not None:
            query = query.where(Request.id != request.id)
        self.merge_into.choices = [("", "Choose the request that replaces it")] + [
            (str(rid), f"{title} ({source})") for rid, title, source in db.session.execute(query)]

    def validate_decision(self, field):
        if field.data not in DECISIONS:
            raise ValidationError(f"Choose a decision from: {allowed(DECISIONS)}")

    def validate_merge_into(self, field):
        if field.data and not is_id(field.data):
            raise ValidationError("merge_into must be the id of a request")

    def validate_new_frequency(self, field):
        if field.data and field.data not in FREQUENCIES:
            raise ValidationError(f"Choose the new frequency from: {allowed(FREQUENCIES)}")

    def validate_target_hours_per_entry(self, field):
        if not field.data:
            return
        rule = f"Enter the target in hours, more than 0 and at most {MOST_TARGET_HOURS}, to 2 decimal places (for example 0.5)"
        if not HOURS_TEXT.match(str(field.data)):
            raise ValidationError(rule)
        value = Decimal(str(field.data))
        if not 0 < value <= MOST_TARGET_HOURS:
            raise ValidationError(rule)
        self.target_hours = value

    def values(self) -> DecisionInput:
        kind = self.decision.data
        return DecisionInput(
            kind=kind,
            rationale=self.rationale.data,
            effective_on=self.effective_date.data,
            review_on=self.review_date.data,
            merge_into_id=parse_id(self.merge_into.data) if kind == "merge" and self.merge_into.data else None,
            new_frequency=(self.new_frequency.data or None) if kind == "reduce_frequency" else None,
            target_hours=self.target_hours if kind == "simplify" else None,
        )


class WithdrawForm(FlaskForm):
    reason = TextAreaField(
        "Why is it withdrawn?", filters=[strip],
        validators=[DataRequired("Say why the decision is withdrawn"),
                    Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"), plain_text],
    )


class VerdictForm(FlaskForm):
    first_id = HiddenField(validators=[InputRequired("Choose a pair")])
    second_id = HiddenField(validators=[InputRequired("Choose a pair")])
    verdict = RadioField("Are these the same request?", choices=list(DUPLICATE_VERDICTS.items()), validate_choice=False,
                         validators=[InputRequired("Choose whether the two requests are duplicates")])

    def validate_first_id(self, field):
        if not is_id(field.data):
            raise ValidationError("Choose a pair from the list")

    validate_second_id = validate_first_id

    def validate_verdict(self, field):
        if field.data not in DUPLICATE_VERDICTS:
            raise ValidationError("Choose whether the two requests are duplicates")


class RankingFilterForm(FlaskForm):
    """The ranked catalogue's filters and sort, from the query string (GET: no CSRF)."""

    class Meta:
        csrf = False

    source_id = SelectField("Source", coerce=str, validate_choice=False, validators=[Optional()])
    source_kind = SelectField("Kind of source", choices=[("", "All kinds")] + list(SOURCE_KINDS.items()),
                              validate_choice=False)
    obligation = SelectField("Obligation", choices=[("", "All obligations")] + list(OBLIGATIONS.items()),
                             validate_choice=False)
    status = SelectField("Status", choices=[("", "All statuses")] + list(REQUEST_STATUSES.items()), validate_choice=False)
    sort = SelectField("Sort by", validate_choice=False, choices=[("", "Hours, largest first")] + [
        (f"{'-' if descending else ''}{name}", f"{label}, {'largest' if descending else 'smallest'} first"
         if name != "title" else f"Request, {'Z to A' if descending else 'A to Z'}")
        for name, (_, label) in SORTS.items() for descending in (True, False)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        sources = db.session.execute(select(Source.id, Source.name).order_by(Source.name))
        self.source_id.choices = [("", "All sources")] + [(str(sid), name) for sid, name in sources]

    def _one_of(self, field, what):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError(f"Choose {what} from the list")

    def validate_source_id(self, field):
        self._one_of(field, "a source")

    def validate_source_kind(self, field):
        self._one_of(field, "a kind of source")

    def validate_obligation(self, field):
        self._one_of(field, "an obligation")

    def validate_status(self, field):
        self._one_of(field, "a status")

    def validate_sort(self, field):
        if field.data and field.data.lstrip("-") not in SORTS:
            raise ValidationError(f"Sort by one of: {allowed(SORTS)}")

    def filters(self) -> RankingFilters:
        return RankingFilters(
            source_id=int(self.source_id.data) if self.source_id.data else None,
            source_kind=self.source_kind.data or None,
            obligation=self.obligation.data or None,
            status=self.status.data or None,
        )
