"""Admin forms: users with their team roles, teams and sources.

Each field's message says what is allowed; uniqueness is checked here (and by
the database) so a clash is shown by the field, not as an error page."""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, Field, PasswordField, SelectField, StringField
from wtforms.utils import unset_value
from wtforms.validators import DataRequired, Email, Length, ValidationError

from tracker.admin import services
from tracker.catalogue.names import UniqueName
from tracker.shared.choices import ROLES, SECTORS, TEAM_ROLES
from tracker.shared.parsing import is_id
from tracker.shared.validators import plain_text

PASSWORD_MIN = 10
PASSWORD_MAX = 200
NO_TEAM_ROLE = ""


def _strip(value):
    return value.strip() if isinstance(value, str) else value


def _one_of(labels: dict, message: str):
    def check(form, field):
        if field.data not in labels:
            raise ValidationError(message)

    return check


class TeamRolesField(Field):
    """A role on each team: inputs named `<name>-<team id>` holding '', 'manager' or 'lead'.

    `data` is {team_id: role} for the teams with a role. Set `team_ids` (the
    teams offered) before validating."""

    team_ids: set[int] = set()

    def process(self, formdata, data=unset_value, extra_filters=None):
        self.process_errors = []
        self.raw = {}
        if data is unset_value:
            data = {}
        self.object_data = data
        self.data = {int(k): v for k, v in (data or {}).items() if v}
        if formdata is None:
            return
        prefix = self.name + "-"
        self.data = {}
        for key in formdata:
            if not key.startswith(prefix):
                continue
            team_id, value = key[len(prefix):], formdata.get(key, "")
            self.raw[team_id] = value
            if not is_id(team_id) or value not in (NO_TEAM_ROLE, *TEAM_ROLES):
                self.process_errors = ["For each team choose no role, manager or lead"]
                continue
            if value:
                self.data[int(team_id)] = value

    def pre_validate(self, form):
        unknown = set(self.data) - set(self.team_ids)
        if unknown:
            raise ValidationError("Choose roles only on the teams listed")

    def role_for(self, team_id: int) -> str:
        return self.data.get(team_id, NO_TEAM_ROLE)


class SecretField(PasswordField):
    """A password field that never echoes what was typed back into the page."""

    def _value(self):
        return ""


def _password_rules(field):
    value = field.data or ""
    if len(value) < PASSWORD_MIN:
        raise ValidationError(f"The password must be at least {PASSWORD_MIN} characters")
    if len(value) > PASSWORD_MAX:
        raise ValidationError(f"The password must be {PASSWORD_MAX} characters or fewer")


class UserForm(FlaskForm):
    email = EmailField(
        "Email address",
        filters=[_strip],
        validators=[
            DataRequired("Enter the person's email address"),
            Length(max=254, message="The email address must be 254 characters or fewer"),
            Email("Enter an email address like name@example.nhs.uk"),
        ],
    )
    name = StringField(
        "Full name",
        filters=[_strip],
        validators=[DataRequired("Enter the person's name"), Length(max=120, message="The name must be 120 characters or fewer"), plain_text],
    )
    role = SelectField(
        "Role",
        choices=[("", "Choose a role")] + list(ROLES.items()),
        validate_choice=False,
        validators=[_one_of(ROLES, f"Choose a role: {', '.join(ROLES.values()).lower()}")],
    )
    password = SecretField("Password")
    team_roles = TeamRolesField("Team roles")

    def __init__(self, *args, teams=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.teams = list(teams)
        self.team_roles.team_ids = {t.id for t in self.teams}

    def validate_team_roles(self, field):
        if self.role.data in TEAM_ROLES and not field.data:
            raise ValidationError(f"A {self.role.data} needs a role on at least one team")


class NewUserForm(UserForm):
    def validate_email(self, field):
        if services.email_taken(field.data):
            raise ValidationError("A user with that email address already exists")

    def validate_password(self, field):
        if not field.data:
            raise ValidationError(f"Enter a password of at least {PASSWORD_MIN} characters")
        _password_rules(field)


class EditUserForm(UserForm):
    """The email address is the sign-in name and stays as created."""

    email = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.password.label.text = "New password (optional)"

    def validate_password(self, field):
        if field.data:
            _password_rules(field)


class TeamForm(FlaskForm):
    name = StringField(
        "Team name",
        filters=[_strip],
        validators=[
            DataRequired("Enter the team's name"),
            Length(max=120, message="The name must be 120 characters or fewer"),
            plain_text,
            UniqueName("team"),
        ],
    )
    organisation = StringField(
        "Organisation",
        filters=[_strip],
        validators=[
            DataRequired("Enter the organisation the team belongs to"),
            Length(max=200, message="The organisation must be 200 characters or fewer"), plain_text,
        ],
    )
    sector = SelectField(
        "Sector",
        choices=[("", "Choose a sector")] + list(SECTORS.items()),
        validate_choice=False,
        validators=[_one_of(SECTORS, "Choose the team's sector")],
    )

    def __init__(self, *args, existing=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.existing = existing


class ActiveForm(FlaskForm):
    """Deactivate or reactivate: only the CSRF token travels."""
