"""Entry validation, shared by the log form and the API (same rules, same messages).

`EntryForm` holds every field of an entry as the API sends it (minutes as a
whole number). `LogEntryForm` is what the page shows: time as hours and
minutes, and a way to add a request (and its source) that is not in the
catalogue yet."""
from __future__ import annotations

from datetime import date, timedelta

from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import BooleanField, HiddenField, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import InputRequired, Length, NumberRange, Optional, StopValidation, ValidationError

from tracker.auth.access import loggable_teams, refuse_unseen_team
from tracker.catalogue.kinds import guess_source_kind
from tracker.entries import rules
from tracker.entries.rules import MINUTES_MESSAGE, NOTES_MAX, NOTES_MESSAGE
from tracker.models.catalogue import Request, Source
from tracker.shared.choices import (
    ANSWERS, BANDS, FREQUENCIES, LOGGABLE_STATUSES, MAX_ENTRY_MINUTES, OBLIGATIONS, REQUEST_TITLE_MAX, SOURCE_KINDS,
    SOURCE_NAME_MAX,
)
from tracker.extensions import db
from tracker.licences.status import licensed_request_ids
from tracker.shared.parsing import is_id, parse_id
from tracker.shared.forms import API_META, BlankIsNoneField, RealDateField, WholeNumberField, json_to_formdata
from tracker.shared.timeutil import local_today
from tracker.shared.validators import plain_text

DEFAULT_FREQUENCY = "ad_hoc"
DEFAULT_OBLIGATION = "discretionary"


class EntryForm(FlaskForm):
    """An entry's fields as the API names them. Build with `user=` so team and request checks know who asks."""

    API_FIELDS = ("request_id", "team_id", "occurred_on", "minutes", "band", "duplicated_elsewhere", "used", "notes")

    request_id = WholeNumberField(
        "Request", message="Choose a request from the catalogue", validators=[InputRequired("Choose the request this work was for")]
    )
    team_id = SelectField("Team", coerce=str, validate_choice=False, validators=[InputRequired("Choose a team")])
    occurred_on = RealDateField(
        "Date the work was done",
        format="%Y-%m-%d",
        validators=[InputRequired("Enter the date the work was done")],
    )
    minutes = WholeNumberField(
        "Minutes",
        message=MINUTES_MESSAGE,
        validators=[InputRequired("Enter the staff time in minutes"), NumberRange(1, MAX_ENTRY_MINUTES, MINUTES_MESSAGE)],
    )
    band = SelectField(
        "Staff band",
        choices=[("", "Choose a band")] + list(BANDS.items()),
        validate_choice=False,
        validators=[InputRequired("Choose the staff band of whoever did the work")],
    )
    duplicated_elsewhere = RadioField(
        "Had the same data already been supplied to another body?",
        choices=list(ANSWERS.items()),
        default="unknown",
        validate_choice=False,
    )
    used = RadioField(
        "Did you see the information used, or get feedback on it?",
        choices=list(ANSWERS.items()),
        default="unknown",
        validate_choice=False,
    )
    notes = TextAreaField(
        "Notes (optional)",
        validators=[Optional(), Length(max=NOTES_MAX, message=NOTES_MESSAGE), plain_text],
    )

    def __init__(self, *args, user=None, teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        # `teams`: the user's loggable teams read once for many forms (tracker/entries/batch.py)
        self.teams = teams if teams is not None else (loggable_teams(user) if user is not None else [])
        self.team_id.choices = [("", "Choose a team")] + [(str(t.id), t.name) for t in self.teams]

    # -- field rules -------------------------------------------------------

    def validate_occurred_on(self, field):
        if field.data is None:
            return
        problem = rules.date_problem(field.data)
        if problem:
            raise ValidationError(problem)
        self._refuse_signed_off_month(field.data)

    def _refuse_signed_off_month(self, day):
        """A signed-off month is read-only (tracker/signoff/services.py): say so by the date,
        both for the month the entry is in now and the one it would move to."""
        from tracker.signoff.services import lock_reason

        places = []
        existing = getattr(self, "existing", None)
        if existing is not None:
            places.append((existing.team_id, existing.occurred_on))
        team = str(self.team_id.data or "")
        if is_id(team) and int(team) in {t.id for t in self.teams}:  # never reveal other teams' sign-offs
            places.append((int(team), day))
        for team_id, when in places:
            reason = lock_reason(db.session, team_id, when)
            if reason:
                raise ValidationError(reason)

    def validate_team_id(self, field):
        if field.data in (None, ""):
            return
        if self.user is not None:
            refuse_unseen_team(self.user, field.data)  # another team's id: 404, as everywhere
        if field.data not in {str(t.id) for t in self.teams}:
            raise ValidationError("Choose one of your teams")

    def validate_request_id(self, field):
        if field.data is None:
            return
        request = db.session.get(Request, field.data)
        if request is None:
            raise ValidationError("Choose a request from the catalogue")
        problem = rules.request_problem(request, self.occurred_on.data)
        if problem and not self._unchanged("request_id", field.data):
            raise ValidationError(problem)

    def validate_band(self, field):
        if field.data and rules.band_problem(field.data):
            raise ValidationError(rules.band_problem(field.data))

    def validate_duplicated_elsewhere(self, field):
        if rules.answer_problem(field.data):
            raise ValidationError(rules.answer_problem(field.data))

    def validate_used(self, field):
        if rules.answer_problem(field.data):
            raise ValidationError(rules.answer_problem(field.data))

    def _unchanged(self, name, value) -> bool:
        """Editing an old entry may keep a request that has since been retired."""
        existing = getattr(self, "existing", None)
        return existing is not None and getattr(existing, name) == value

    # -- output ------------------------------------------------------------

    def entry_values(self) -> dict:
        """Validated values, typed as the Entry model wants them."""
        return {
            "request_id": self.request_id.data,
            "team_id": int(self.team_id.data),
            "occurred_on": self.occurred_on.data,
            "minutes": self.minutes.data,
            "band": self.band.data,
            "duplicated_elsewhere": self.duplicated_elsewhere.data,
            "used": self.used.data,
            "notes": (self.notes.data or "").strip(),
        }

    @classmethod
    def from_json(cls, user, data: dict, existing=None, teams=None) -> "EntryForm":
        """Validate JSON with the form's own rules. With `existing`, missing fields keep its values (PATCH)."""
        merged = {}
        if existing is not None:
            merged = {name: getattr(existing, name) for name in cls.API_FIELDS}
        merged.update({k: v for k, v in (data or {}).items() if k in cls.API_FIELDS})
        form = cls(formdata=json_to_formdata(merged), user=user, teams=teams, meta=API_META)
        form.existing = existing
        form.sent_fields = [name for name in cls.API_FIELDS if name in (data or {})]
        return form

    def sent_values(self) -> dict:
        """PATCH: the validated values of only the fields the caller sent. A field left out keeps
        what the entry holds when the change is written, even if someone changed it meanwhile."""
        values = self.entry_values()
        return {name: values[name] for name in self.sent_fields}


def request_choices() -> list[tuple[str, str]]:
    """Every request open to logging, as (id, "Title (Source)") for a select (the log form, the week view)."""
    requests = db.session.execute(
        select(Request.id, Request.title, Source.name)
        .join(Source)
        .where(Request.status.in_(LOGGABLE_STATUSES))
        .order_by(Request.title, Source.name)
    )
    return [(str(rid), f"{title} ({source})") for rid, title, source in requests]


class LogEntryForm(EntryForm):
    """The page: time as hours and minutes; a new request can be added inline."""

    minutes = None  # replaced by the two fields below
    time_hours = BlankIsNoneField(
        "Hours", default=0, message="Hours must be a whole number from 0 to 240", validators=[Optional(), NumberRange(0, MAX_ENTRY_MINUTES // 60, "Hours must be a whole number from 0 to 240")]
    )
    time_minutes = BlankIsNoneField(
        "Minutes", default=0, message="Minutes must be a whole number from 0 to 59", validators=[Optional(), NumberRange(0, 59, "Minutes must be a whole number from 0 to 59")]
    )
    request_id = SelectField("Request", coerce=str, validate_choice=False)

    new_request_title = StringField(
        "Title of the request", validators=[Optional(), Length(max=REQUEST_TITLE_MAX, message=f"The title must be {REQUEST_TITLE_MAX} characters or fewer"), plain_text]
    )
    new_request_source_id = SelectField("Who asked for it", coerce=str, validate_choice=False)
    new_source_name = StringField(
        "Name of the new source", validators=[Optional(), Length(max=SOURCE_NAME_MAX, message=f"The name must be {SOURCE_NAME_MAX} characters or fewer"), plain_text]
    )
    # What a manager may not know has a default they can change; a commissioner confirms it later
    # (the request is marked "details to confirm").
    new_source_kind = SelectField(
        "Kind of source", choices=[("", "Not sure: work it out from the name")] + list(SOURCE_KINDS.items()), validate_choice=False
    )
    new_request_frequency = SelectField(
        "How often it is asked for", choices=list(FREQUENCIES.items()), default=DEFAULT_FREQUENCY, validate_choice=False
    )
    new_request_obligation = SelectField(
        "Obligation", choices=list(OBLIGATIONS.items()), default=DEFAULT_OBLIGATION, validate_choice=False
    )

    NEW_SOURCE = "new"

    log_another = BooleanField("Log another entry after this one")
    # Editing: the version of the entry the page was showing, so a save can tell whether
    # someone else saved first (tracker/entries/services.py lock_entry).
    version = HiddenField()

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.request_id.choices = [("", "Choose a request")] + request_choices()
        self.licensed_request_ids = licensed_request_ids(db.session, local_today())  # the quiet "no current licence" hint
        sources = db.session.execute(select(Source.id, Source.name).order_by(Source.name))
        self.new_request_source_id.choices = (
            [("", "Choose who asked")] + [(str(sid), name) for sid, name in sources] + [(self.NEW_SOURCE, "Someone else (add a new source)")]
        )

    @property
    def adding_request(self) -> bool:
        return not self.request_id.data and bool((self.new_request_title.data or "").strip())

    def validate_request_id(self, field):
        if not field.data:
            if not (self.new_request_title.data or "").strip():
                raise ValidationError("Choose the request this work was for, or add it below")
            return
        if not is_id(field.data):
            raise ValidationError("Choose a request from the catalogue")
        field.data_int = int(field.data)
        request = db.session.get(Request, field.data_int)
        if request is None:
            raise ValidationError("Choose a request from the catalogue")
        problem = rules.request_problem(request, self.occurred_on.data)
        if problem and not self._unchanged("request_id", field.data_int):
            raise ValidationError(problem)

    def validate_time_minutes(self, field):
        total = self.total_minutes()
        if total is None:
            return
        if total < 1:
            raise ValidationError("Enter the time spent: at least 1 minute")
        if total > MAX_ENTRY_MINUTES:
            raise ValidationError(f"The time must be {MAX_ENTRY_MINUTES // 60} hours or less")

    def total_minutes(self) -> int | None:
        if self.time_hours.errors or self.time_minutes.errors:
            return None
        return (self.time_hours.data or 0) * 60 + (self.time_minutes.data or 0)

    def validate(self, extra_validators=None) -> bool:
        ok = super().validate(extra_validators)
        if not self.time_minutes.errors and not self.time_hours.errors and self.total_minutes() == 0:
            # Both boxes blank: Optional() stops the field chains before validate_time_minutes runs.
            self.time_minutes.errors = list(self.time_minutes.errors) + ["Enter the time spent: at least 1 minute"]
            ok = False
        if self.adding_request:
            ok = self._validate_new_request() and ok
        return ok

    def _validate_new_request(self) -> bool:
        ok = True

        def fail(field, message):
            nonlocal ok
            field.errors = list(field.errors) + [message]
            ok = False

        if self.new_request_frequency.data not in FREQUENCIES:
            fail(self.new_request_frequency, "Choose how often the request is made")
        if self.new_request_obligation.data not in OBLIGATIONS:
            fail(self.new_request_obligation, "Choose whether the request is statutory, contractual or discretionary")
        source_choice = self.new_request_source_id.data
        if source_choice == self.NEW_SOURCE:
            name = (self.new_source_name.data or "").strip()
            if not name:
                fail(self.new_source_name, "Enter the name of the body that asked")
            # A look-alike of an existing source is not an error: the existing one is used (add_request_inline).
            if self.new_source_kind.data and self.new_source_kind.data not in SOURCE_KINDS:
                fail(self.new_source_kind, "Choose the kind of source, or leave it for us to work out")
        elif not is_id(source_choice) or db.session.get(Source, int(source_choice)) is None:
            fail(self.new_request_source_id, "Choose who asked for it")
        return ok

    def entry_values(self) -> dict:
        return {
            "request_id": int(self.request_id.data) if self.request_id.data else None,
            "team_id": int(self.team_id.data),
            "occurred_on": self.occurred_on.data,
            "minutes": self.total_minutes(),
            "band": self.band.data,
            "duplicated_elsewhere": self.duplicated_elsewhere.data,
            "used": self.used.data,
            "notes": (self.notes.data or "").strip(),
        }

    def versions_read(self) -> set[int] | None:
        """The version the person was editing; None (no check) if the page sent none."""
        version = parse_id(self.version.data)
        return {version} if version is not None else None

    def new_request_values(self) -> dict:
        """The inline request (and maybe source) to add, when `adding_request`."""
        source_choice = self.new_request_source_id.data
        source_name = (self.new_source_name.data or "").strip()
        return {
            "title": self.new_request_title.data.strip(),
            "source_id": None if source_choice == self.NEW_SOURCE else int(source_choice),
            "source_name": source_name,
            "source_kind": self.new_source_kind.data or guess_source_kind(source_name),
            "frequency": self.new_request_frequency.data,
            "obligation": self.new_request_obligation.data,
        }
