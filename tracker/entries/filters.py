"""The entries list's filters, read from the query string (a GET: nothing is written, so no CSRF)."""
from __future__ import annotations

from sqlalchemy import select
from wtforms import Form, SelectField
from wtforms.validators import ValidationError

from tracker.auth.access import refuse_unseen_team
from tracker.burden.default_rates import DEFAULTS_EFFECTIVE_FROM
from tracker.models.catalogue import Request, Source
from tracker.shared.forms import OptionalDateField
from tracker.extensions import db


class EntryFilterForm(Form):
    """Team, dates, who asked and request; each checked against what the user may choose."""

    team = SelectField("Team", coerce=str, validate_choice=False)
    date_from = OptionalDateField("From", format="%Y-%m-%d", name="from")
    date_to = OptionalDateField("To", format="%Y-%m-%d", name="to")
    source = SelectField("Who asked", coerce=str, validate_choice=False)
    request = SelectField("Request", coerce=str, validate_choice=False)

    def __init__(self, formdata=None, *, user, teams, every_team_label="All your teams", **kwargs):
        super().__init__(formdata, **kwargs)
        self.user = user
        self.team.choices = [("", every_team_label)] + [(str(t.id), t.name) for t in teams]
        sources = db.session.execute(select(Source.id, Source.name).order_by(Source.name))
        self.source.choices = [("", "Anyone")] + [(str(sid), name) for sid, name in sources]
        requests = db.session.execute(
            select(Request.id, Request.title, Source.name).join(Source).order_by(Request.title, Source.name)
        )
        self.request.choices = [("", "Any request")] + [(str(rid), f"{title} ({source})") for rid, title, source in requests]

    @staticmethod
    def _check_choice(field, message):
        if field.data and field.data not in {value for value, _ in field.choices}:
            raise ValidationError(message)

    def validate_team(self, field):
        refuse_unseen_team(self.user, field.data)  # another team's id: 404, as everywhere
        self._check_choice(field, "Choose a team from the list")

    def validate_source(self, field):
        self._check_choice(field, "Choose who asked from the list")

    def validate_request(self, field):
        self._check_choice(field, "Choose a request from the list")

    def validate_date_from(self, field):
        self._check_not_too_early(field)

    def validate_date_to(self, field):
        self._check_not_too_early(field)
        if field.data and self.date_from.data and field.data < self.date_from.data:
            raise ValidationError("The end date must be the same as or after the start date")

    @staticmethod
    def _check_not_too_early(field):
        # No entry can be dated before the default rates start; an open start means that date.
        if field.data and field.data < DEFAULTS_EFFECTIVE_FROM:
            raise ValidationError(f"The date must be on or after {DEFAULTS_EFFECTIVE_FROM:%-d %B %Y}")

    def chosen_id(self, field) -> int | None:
        return int(field.data) if field.data else None
