"""Forms for estimates, licence decisions and the statement's period.

The pages and the JSON API validate with these same classes (the API feeds
JSON in through `from_json`), so a rule and its message live once. Rules that
need the request (its frequency, its status) live in the services and raise
Refused by field."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from tracker.shared.choices import (
    BANDS, ESTIMATE_BASES, ESTIMATE_PARTS, LICENCE_ACTIONS, LONG_TEXT_MAX, REFERENCE_MAX, SECTORS, SHORT_TEXT_MAX,
)
from tracker.shared.forms import BlankIsNoneField, JsonFormMixin, OptionalDateField, WholeNumberField, allowed, latest_allowed_date, strip
from tracker.shared.validators import plain_text

TEXT_MAX = LONG_TEXT_MAX
MAX_RESPONDENTS = 100_000
MAX_RESPONSES = 366  # a daily return, in a leap year
MAX_PART_MINUTES = 100_000  # about 1,667 hours for one part of one response: anything more is a typing slip
MAX_ONE_OFF_MINUTES = 600_000  # 10,000 hours of set-up per team
EARLIEST_DATE = date(2000, 1, 1)


def _text(label, max_length=TEXT_MAX, required: str | None = None, area=True):
    validators = [DataRequired(required)] if required else [Optional()]
    validators += [Length(max=max_length, message=f"Keep this to {max_length:,} characters or fewer"), plain_text]
    return (TextAreaField if area else StringField)(label, filters=[strip], validators=validators)


def _minutes(label, maximum=MAX_PART_MINUTES):
    message = f"Enter minutes as a whole number from 0 to {maximum:,}"
    return BlankIsNoneField(label, message=message, validators=[Optional(), NumberRange(0, maximum, message)])


class EstimateForm(JsonFormMixin, FlaskForm):
    API_FIELDS = (
        "reference", "purpose", "necessity", "legal_basis", "answered_by", "sector", "respondents",
        "responses_per_year", "resubmissions_per_year", "frequency_reason", *ESTIMATE_PARTS, "one_off_minutes",
        "band", "basis", "notes",
    )

    reference = _text("The requester's reference (optional)", REFERENCE_MAX, area=False)
    purpose = _text("Purpose: what the information is for", required="Enter the purpose: what the information is for")
    necessity = _text("Why it is necessary rather than useful (optional)")
    legal_basis = _text("Legal basis, beyond the request's obligation (optional)", SHORT_TEXT_MAX, area=False)
    answered_by = _text("Who must answer, in words (optional)", SHORT_TEXT_MAX, area=False)
    sector = SelectField("Sector answering (optional)", choices=[("", "Any or several")] + list(SECTORS.items()), validate_choice=False)
    respondents = WholeNumberField(
        "How many teams answer",
        message=f"Enter the number of teams as a whole number from 1 to {MAX_RESPONDENTS:,}",
        validators=[
            InputRequired("Enter how many teams answer"),
            NumberRange(1, MAX_RESPONDENTS, f"Enter the number of teams as a whole number from 1 to {MAX_RESPONDENTS:,}"),
        ],
    )
    responses_per_year = WholeNumberField(
        "Responses a year",
        message=f"Enter responses a year as a whole number from 1 to {MAX_RESPONSES}",
        validators=[
            InputRequired("Enter how many times a year each team answers"),
            NumberRange(1, MAX_RESPONSES, f"Enter responses a year as a whole number from 1 to {MAX_RESPONSES}"),
        ],
    )
    resubmissions_per_year = BlankIsNoneField(
        "Resubmissions a year (optional)",
        message=f"Enter resubmissions as a whole number from 0 to {MAX_RESPONSES}",
        validators=[Optional(), NumberRange(0, MAX_RESPONSES, f"Enter resubmissions as a whole number from 0 to {MAX_RESPONSES}")],
    )
    frequency_reason = _text("Why responses a year differ from the request's frequency (only if they do)")
    minutes_gathering = _minutes(ESTIMATE_PARTS["minutes_gathering"])
    minutes_quality_assurance = _minutes(ESTIMATE_PARTS["minutes_quality_assurance"])
    minutes_extraction = _minutes(ESTIMATE_PARTS["minutes_extraction"])
    minutes_submission = _minutes(ESTIMATE_PARTS["minutes_submission"])
    minutes_training = _minutes(ESTIMATE_PARTS["minutes_training"])
    one_off_minutes = _minutes("One-off set-up, per team", MAX_ONE_OFF_MINUTES)
    band = SelectField(
        "Staff band doing the work",
        choices=[("", "Choose a band")] + list(BANDS.items()),
        validate_choice=False,
        validators=[InputRequired("Choose the staff band of whoever does the work")],
    )
    basis = RadioField(
        "Where the estimate came from",
        choices=list(ESTIMATE_BASES.items()),
        validate_choice=False,
        validators=[InputRequired("Say where the estimate came from: the requester, a panel or the logs")],
    )
    notes = _text("Notes (needed when one response takes more than a working week)")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)

    def validate_sector(self, field):
        if field.data and field.data not in SECTORS:
            raise ValidationError(f"Choose the sector from: {allowed(SECTORS)}")

    def validate_band(self, field):
        if field.data not in BANDS:
            raise ValidationError(f"Choose a band from: {allowed(BANDS)}")

    def validate_basis(self, field):
        if field.data not in ESTIMATE_BASES:
            raise ValidationError(f"Choose where the estimate came from: {allowed(ESTIMATE_BASES)}")

    def values(self) -> dict:
        values = {name: self[name].data or "" for name in ("reference", "purpose", "necessity", "legal_basis", "answered_by",
                                                            "frequency_reason", "notes")}
        values.update({name: self[name].data or 0 for name in (*ESTIMATE_PARTS, "one_off_minutes", "resubmissions_per_year")})
        values.update(
            sector=self.sector.data or None,
            respondents=self.respondents.data,
            responses_per_year=self.responses_per_year.data,
            band=self.band.data,
            basis=self.basis.data,
        )
        return values


def _date_in_range(field, latest: date) -> None:
    if field.data is not None and not EARLIEST_DATE <= field.data <= latest:
        raise ValidationError(f"Enter a date from {EARLIEST_DATE:%-d %B %Y} to {latest:%-d %B %Y}")


class LicenceForm(JsonFormMixin, FlaskForm):
    API_FIELDS = ("action", "reference", "approved_on", "expires_on", "reasons")

    action = RadioField(
        "Decision",
        choices=[("approve", "Approve: grant a licence"), ("renew", "Renew the licence"), ("decline", "Decline")],
        validate_choice=False,
        validators=[InputRequired("Choose whether to approve, renew or decline")],
    )
    reference = _text("Licence reference", REFERENCE_MAX, area=False)
    approved_on = OptionalDateField("Approval date (blank: today)", format="%Y-%m-%d")
    expires_on = OptionalDateField("Expiry date (blank: a year after approval)", format="%Y-%m-%d")
    reasons = _text("Reasons (needed to decline)")

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)

    def validate_action(self, field):
        if field.data not in LICENCE_ACTIONS:
            raise ValidationError(f"Choose the decision from: {allowed(LICENCE_ACTIONS)}")

    def validate_approved_on(self, field):
        _date_in_range(field, latest_allowed_date())

    def validate_expires_on(self, field):
        _date_in_range(field, date(2999, 12, 31))

    def values(self) -> dict:
        return {
            "action": self.action.data,
            "reference": self.reference.data or "",
            "approved_on": self.approved_on.data,
            "expires_on": self.expires_on.data,
            "reasons": self.reasons.data or "",
        }


class PeriodForm(FlaskForm):
    """The statement's period from the query string (GET, no CSRF); blank dates mean the last quarter."""

    class Meta:
        csrf = False

    date_from = OptionalDateField("From", format="%Y-%m-%d")
    date_to = OptionalDateField("To", format="%Y-%m-%d")

    def validate_date_from(self, field):
        _date_in_range(field, date(2999, 12, 31))

    def validate_date_to(self, field):
        _date_in_range(field, date(2999, 12, 31))
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")

