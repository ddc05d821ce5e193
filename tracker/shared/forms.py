"""Form field types and helpers every feature's forms use.

Fields here say what is allowed in their own messages (WTForms' defaults do
not), and `json_to_formdata` lets the JSON API validate with the very forms
the pages use, so a rule and its message live once.

Strictness: a form built for the API (`meta=API_META`, as every `from_json`
does) takes whole numbers in ASCII digits only and dates as YYYY-MM-DD only,
because a program should send exactly one spelling; a page also takes what
people type ('٣٠', ' 30', '2026-1-1') and its messages say what it wants."""
from __future__ import annotations

from datetime import date, timedelta

from werkzeug.datastructures import MultiDict
from wtforms import DateField, IntegerField
from wtforms.validators import StopValidation

from tracker.shared.parsing import MAX_ID, is_ascii_integer, parse_iso_date

# Meta of a form built from JSON: no CSRF field (the API checks CSRF itself) and strict values.
API_META = {"csrf": False, "strict": True}


def is_strict(field) -> bool:
    """Was the field's form built for the API (`API_META`)?"""
    return bool(getattr(field.meta, "strict", False))


def latest_allowed_date() -> date:
    return date.today() + timedelta(days=365)


class RealDateField(DateField):
    """A date field whose error says what is allowed (WTForms' own: 'Not a valid date value.')."""

    def process_formdata(self, valuelist):
        if valuelist and is_strict(self):
            self.data = parse_iso_date(valuelist[0])
            if self.data is None:
                raise ValueError("Enter a real date in the form YYYY-MM-DD")
            return
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
        if valuelist and is_strict(self) and not is_ascii_integer(valuelist[0]):
            self.data = None
            raise ValueError(self.message)
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(self.message) from None
        if self.data is not None and abs(self.data) > MAX_ID:  # beyond the database's INTEGER
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
        return cls(formdata=json_to_formdata(fields), existing=existing, meta=API_META, **kwargs)
