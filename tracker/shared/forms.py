"""Form field types and helpers every feature's forms use.

Fields here say what is allowed in their own messages (WTForms' defaults do
not), and `json_to_formdata` lets the JSON API validate with the very forms
the pages use, so a rule and its message live once."""
from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField
from wtforms.validators import StopValidation


def latest_allowed_date() -> date:
    return date.today() + timedelta(days=365)


class RealDateField(DateField):
    """A date field whose error says what is allowed (WTForms' own: 'Not a valid date value.')."""

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError("Enter a real date in the form YYYY-MM-DD") from None

    def pre_validate(self, form):
        if self.process_errors:  # the message above says it all; skip the other validators
            raise StopValidation()


class WholeNumberField(IntegerField):
    """An integer field with a message that names the allowed values."""

    def __init__(self, *args, message="Enter a whole number", **kwargs):
        super().__init__(*args, **kwargs)
        self.message = message

    def process_formdata(self, valuelist):
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if self.data is not None and abs(self.data) >= 10**18:  # beyond any database integer
            self.data = None
            raise ValueError(self.message)

    def pre_validate(self, form):
        if self.process_errors:
            raise StopValidation()


class BlankIsNoneField(WholeNumberField):
    """A whole number or nothing: on the log form an empty hours or minutes box counts as 0."""

    def process_formdata(self, valuelist):
        if valuelist and isinstance(valuelist[0], str) and not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


class OptionalDateField(RealDateField):
    """A real date or nothing (filters): an empty box means no limit."""

    def process_formdata(self, valuelist):
        if not valuelist or not valuelist[0].strip():
            self.data = None
            return
        super().process_formdata(valuelist)


def json_to_formdata(data: dict) -> MultiDict:
    """JSON values as the strings a browser would post, so one set of validators serves both."""
    out = MultiDict()
    for key, value in data.items():
        if value is None:
            continue
        if value is True:
            value = "yes"
        elif value is False:
            value = "no"
        elif isinstance(value, date):
            value = value.isoformat()
        elif isinstance(value, float) and value.is_integer() and key != "minutes":
            value = int(value)
        out[key] = str(value)
    return out


def strip(value):
    return value.strip() if isinstance(value, str) else value


def allowed(values) -> str:
    return ", ".join(values)


class JsonFormMixin:
    """Build the form from a JSON object with the page's own rules (no CSRF: the API checks it itself)."""

    @classmethod
    def from_json(cls, data: dict, existing=None, **kwargs):
        fields = {k: v for k, v in (data or {}).items() if k in cls.API_FIELDS}
        return cls(formdata=json_to_formdata(fields), existing=existing, meta={"csrf": False}, **kwargs)
