"""Forms of the exports page: make a workbook now, sign off a month, reopen it."""
from __future__ import annotations

from datetime import date

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, ValidationError

from tracker.auth.access import refuse_unseen_team
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.signoff.services import REASON_MAX
from tracker.shared.timeutil import month_label, month_start, parse_month
from tracker.shared.validators import plain_text

ALL_TEAMS = "all"


class MonthField(StringField):
    """A month as YYYY-MM (what <input type="month"> sends); `.month` holds its first day."""

    month: date | None = None

    def pre_validate(self, form):
        self.month = None
        text = (self.data or "").strip()
        if not text:
            return
        try:
            self.month = parse_month(text)
        except ValueError as error:
            raise ValidationError(f"{error} For example, 2026-03") from None


def _ended_month(today_month: date):
    def check(form, field):
        if field.month is None:
            return
        if field.month >= today_month:
            raise ValidationError(f"{month_label(field.month)} has not ended yet: choose an earlier month")
        if field.month < month_start(DEFAULTS_EFFECTIVE_FROM):
            raise ValidationError(f"Choose a month from {month_label(DEFAULTS_EFFECTIVE_FROM)}")

    return check


class MakeNowForm(FlaskForm):
    month = MonthField("Month", validators=[InputRequired("Choose the month to make a workbook for")])
    team = SelectField("Teams", validate_choice=False)

    def __init__(self, *args, teams=(), today: date, region_label: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.month.validators = [*self.month.validators, _ended_month(month_start(today))]
        self.team.choices = [(ALL_TEAMS, region_label)] + [(str(t.id), t.name) for t in teams]
        self._team_ids = {str(t.id) for t in teams}

    def validate_team(self, field):
        if field.data != ALL_TEAMS and field.data not in self._team_ids:
            raise ValidationError("Choose one of your teams, or all of them")


class SignoffForm(FlaskForm):
    team_id = SelectField("Team", validate_choice=False)
    month = MonthField("Month", validators=[InputRequired("Choose the month to sign off")])

    def __init__(self, *args, user, teams=(), today: date, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.month.validators = [*self.month.validators, _ended_month(month_start(today))]
        self.team_id.choices = [("", "Choose a team")] + [(str(t.id), t.name) for t in teams]
        self._team_ids = {str(t.id) for t in teams}

    def validate_team_id(self, field):
        refuse_unseen_team(self.user, field.data)  # another team's id: 404, as everywhere
        if field.data not in self._team_ids:
            raise ValidationError("Choose a team you lead")


class ReopenForm(FlaskForm):
    reason = TextAreaField(
        "Why are you reopening this month?",
        validators=[
            InputRequired("Enter why the month is being reopened"),
            Length(max=REASON_MAX, message=f"The reason must be {REASON_MAX} characters or fewer"), plain_text,
        ],
    )
