"""The rate form: a staff band's hourly cost from a date. Used by the rates
admin page and by POST /api/v1/rates (through `from_json`)."""
from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DecimalField, SelectField, StringField
from wtforms.validators import InputRequired, Length, Optional, StopValidation, ValidationError

from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.models.burden import Rate
from tracker.shared.choices import BANDS, SHORT_TEXT_MAX
from tracker.shared.forms import API_META, RealDateField, is_strict, json_to_formdata, latest_allowed_date
from tracker.extensions import db
from tracker.shared.validators import plain_text

COST_PLACES = 6
MAX_HOURLY_COST = Decimal("10000")
COST_RULE = f"Enter the hourly cost in pounds: more than 0, at most {MAX_HOURLY_COST:,}, with at most {COST_PLACES} decimal places"
NOTE_MAX = SHORT_TEXT_MAX
API_POUNDS = re.compile(r"[0-9]{1,12}(\.[0-9]{1,12})?")


class PoundsField(DecimalField):
    """A decimal that refuses text, NaN and infinity with one message saying what is allowed.
    The page also takes '£1,250.50'; the API only digits with an optional decimal point."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("places", None)  # show what was typed back, unrounded
        super().__init__(*args, **kwargs)

    def process_formdata(self, valuelist):
        if not valuelist or valuelist[0].strip() == "":
            self.data = None
            return
        if is_strict(self) and not API_POUNDS.fullmatch(valuelist[0]):
            self.data = None
            raise ValueError(COST_RULE)
        try:
            value = Decimal(valuelist[0].strip().replace(",", "").lstrip("£"))
        except InvalidOperation:
            self.data = None
            raise ValueError(COST_RULE) from None
        if not value.is_finite():
            self.data = None
            raise ValueError(COST_RULE)
        self.data = value

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


def decimal_places(value: Decimal) -> int:
    exponent = value.normalize().as_tuple().exponent
    return max(0, -exponent)


class RateForm(FlaskForm):
    API_FIELDS = ("band", "hourly_cost", "effective_from", "note")

    band = SelectField(
        "Staff band",
        choices=[("", "Choose a band")] + list(BANDS.items()),
        validate_choice=False,
        validators=[InputRequired("Choose the staff band")],
    )
    hourly_cost = PoundsField(
        "Hourly cost (£)",
        description="Pay plus employer on-costs, per paid hour. Up to 6 decimal places are kept.",
        validators=[InputRequired("Enter the hourly cost in pounds")],
    )
    effective_from = RealDateField(
        "Effective from",
        format="%Y-%m-%d",
        description="Entries on or after this date use the new rate; earlier months keep theirs.",
        validators=[InputRequired("Enter the date the rate takes effect")],
    )
    note = StringField(
        "Note (optional)",
        description="For example, the pay award it reflects.",
        validators=[Optional(), Length(max=NOTE_MAX, message=f"The note must be {NOTE_MAX} characters or fewer"), plain_text],
    )

    @classmethod
    def from_json(cls, data: dict) -> "RateForm":
        fields = {k: v for k, v in (data or {}).items() if k in cls.API_FIELDS}
        return cls(formdata=json_to_formdata(fields), meta=API_META)

    def validate_band(self, field):
        if field.data not in BANDS:
            raise ValidationError(f"Choose a band from: {', '.join(BANDS)}")

    def validate_hourly_cost(self, field):
        value = field.data
        if value is None:  # only spaces were sent: InputRequired saw text, PoundsField found no number
            raise ValidationError("Enter the hourly cost in pounds")
        if value <= 0 or value > MAX_HOURLY_COST or decimal_places(value) > COST_PLACES:
            raise ValidationError(COST_RULE)

    def validate_effective_from(self, field):
        day = field.data
        if day < DEFAULTS_EFFECTIVE_FROM:
            raise ValidationError(f"The date must be on or after {DEFAULTS_EFFECTIVE_FROM:%d %B %Y}")
        if day > latest_allowed_date():
            raise ValidationError("The date must be no more than a year from today")
        if self.band.data in BANDS:
            clash = db.session.scalar(select(Rate.id).where(Rate.band == self.band.data, Rate.effective_from == day))
            if clash is not None:
                raise ValidationError(
                    f"{BANDS[self.band.data]} already has a rate from {day.day} {day:%B %Y}. "
                    "A rate is never changed: choose another date"
                )

    def values(self) -> dict:
        return {
            "band": self.band.data,
            "hourly_cost": self.hourly_cost.data,
            "effective_from": self.effective_from.data,
            "note": (self.note.data or "").strip(),
        }
