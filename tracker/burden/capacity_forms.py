"""The capacity form: a team's management FTE from a date. Used by the capacity page (admins and the
team's lead) and by POST /api/v1/teams/<id>/capacity (through `from_json`)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DecimalField, StringField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from tracker.burden.capacity import FTE_RULE, NOTE_MAX, fte_problem
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.extensions import db
from tracker.models.capacity import TeamCapacity
from tracker.shared.forms import API_META, RealDateField, is_strict, json_to_formdata, latest_allowed_date
from tracker.shared.validators import plain_text

API_NUMBER = re.compile(r"[0-9]{1,7}(\.[0-9]{1,12})?")


class FteField(DecimalField):
    """A decimal FTE; refuses text, NaN and infinity with the rule's own message."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", None)
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        text = valuelist[0].strip()
        if is_strict(self) and not API_NUMBER.fullmatch(valuelist[0]):
            self.data = None
            raise ValueError(FTE_RULE)
        try:
            self.data = Decimal(text)
        except InvalidOperation:
            self.data = None
            raise ValueError(FTE_RULE) from None

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class CapacityForm(FlaskForm):
    API_FIELDS = ("fte", "effective_from", "note")

    fte = FteField(
        "Management capacity (FTE)",
        description="Whole-time equivalents of the staff whose reporting time this team logs (37.5 hours a week each).",
        validators=[InputRequired("Enter the team's management capacity in FTE")],
    )
    effective_from = RealDateField(
        "Effective from",
        format="%Y-%m-%d",
        description="The capacity counts from this day until the next one recorded; earlier days keep theirs.",
        validators=[InputRequired("Enter the date the capacity takes effect")],
    )
    note = StringField(
        "Note (optional)",
        description="For example, a new post or a vacancy.",
        validators=[Optional(), Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer"), plain_text],
    )

    def __init__(self, *args, team=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.team = team

    @classmethod
    def from_json(cls, data: dict, team=None) -> "CapacityForm":
        fields = {k: v for k, v in (data or {}).items() if k in cls.API_FIELDS}
        return cls(formdata=json_to_formdata(fields), meta=API_META, team=team)

    def validate_fte(self, field):
        if field.data is None:
            raise ValidationError("Enter the team's management capacity in FTE")
        problem = fte_problem(field.data)
        if problem:
            raise ValidationError(problem)

    def validate_effective_from(self, field):
        day = field.data
        if day < DEFAULTS_EFFECTIVE_FROM:
            raise ValidationError(f"The date must be on or after {DEFAULTS_EFFECTIVE_FROM:%-d %B %Y}")
        if day > latest_allowed_date():
            raise ValidationError("The date must be no more than a year from today")
        if self.team is not None:
            clash = db.session.scalar(
                select(TeamCapacity.id).where(TeamCapacity.team_id == self.team.id, TeamCapacity.effective_from == day)
            )
            if clash is not None:
                raise ValidationError(
                    f"{self.team.name} already has a capacity from {day:%-d %B %Y}. "
                    "A capacity is never changed: record a new one from another date"
                )

    def values(self) -> dict:
        return {"fte": self.fte.data, "effective_from": self.effective_from.data, "note": (self.note.data or "").strip()}
