"""The field types of the API's schemas (tracker/api/schemas/): what a field's JSON is, and what it may hold.

Each builder returns a marshmallow field that
- refuses a value of the wrong JSON type by name ("Send a whole number (a JSON
  number, not in quotes) for minutes"): an id is a JSON number, text a JSON
  string, and null, a list or an object none of them unless the schema says so;
- states its limits (`minimum`, `maximum`, `maxLength`, `enum`) in the
  OpenAPI document, from the one constant the models and forms use
  (tracker/shared/choices.py). The form the pages share checks those values,
  in its own words, after the schema has checked the types;
- shows a value as JSON on the way out (the views hand over values already
  formatted by tracker/api/serialise.py: money rounded half-up to the penny)."""
from __future__ import annotations

from datetime import date

from marshmallow import ValidationError, fields, missing

from tracker.shared.parsing import MAX_ID
from tracker.shared.validators import CONTROL_CHARACTERS

JSON_TYPE_WORDS = {
    "integer": "a whole number (a JSON number, not in quotes)",
    "number": "a number",
    "string": "text (a JSON string, in quotes)",
    "boolean": "true or false",
    "null": "null",
}

_IS_JSON_TYPE = {
    "integer": lambda v: isinstance(v, int) and not isinstance(v, bool),
    "number": lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "boolean": lambda v: isinstance(v, bool),
    "null": lambda v: v is None,
}


class _JsonTyped:
    """Input is checked for its JSON type only and kept as sent (the form reads the same values)."""

    json_types: tuple[str, ...] = ()

    def deserialize(self, value, attr=None, data=None, **kwargs):
        if value is missing:
            return super().deserialize(value, attr, data, **kwargs)
        allowed = self.json_types + (("null",) if self.allow_none else ())
        if not any(_IS_JSON_TYPE[name](value) for name in allowed):
            words = " or ".join(JSON_TYPE_WORDS[name] for name in allowed)
            raise ValidationError(f"Send {words} for {attr}")
        return value


class WholeNumber(_JsonTyped, fields.Integer):
    json_types = ("integer",)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        # JSON has one kind of number: 30.0 is the integer 30 (JSON Schema agrees); 30.5 is not.
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        return super().deserialize(value, attr, data, **kwargs)


class Number(_JsonTyped, fields.Float):
    json_types = ("number",)


class Text(_JsonTyped, fields.String):
    json_types = ("string",)

    def deserialize(self, value, attr=None, data=None, **kwargs):
        # The document's maxLength holds for the text as sent: the form trims spaces before its own
        # check, so without this a longer text with spaces around it would pass what the document refuses.
        value = super().deserialize(value, attr, data, **kwargs)
        limit = self.metadata.get("maxLength")
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise ValidationError(f"Send at most {limit} characters for {attr}, spaces around it included (this is {len(value)})")
        return value


class Boolean(_JsonTyped, fields.Boolean):
    json_types = ("boolean",)


class Either(_JsonTyped, fields.Raw):
    """A value of one of several JSON types, documented as `oneOf` (e.g. an answer word or true/false)."""

    def __init__(self, *json_types: str, one_of: list[dict], **kwargs):
        super().__init__(**_documented(kwargs, oneOf=one_of))
        self.json_types = json_types


def _documented(kwargs: dict, **rules) -> dict:
    """Move what the document states (limits, description, default) into the field's metadata."""
    metadata = dict(kwargs.pop("metadata", {}))
    for name in ("description", "default", "example"):
        if name in kwargs:
            metadata[name] = kwargs.pop(name)
    metadata.update({name: value for name, value in rules.items() if value is not None})
    return {**kwargs, "metadata": metadata}


# ---- builders: one line per field in a schema ----


def integer(minimum: int | None = None, maximum: int | None = None, **kwargs) -> fields.Field:
    return WholeNumber(**_documented(kwargs, minimum=minimum, maximum=maximum))


def identifier(**kwargs) -> fields.Field:
    """A row's id: 1 to the database's INTEGER."""
    return integer(1, MAX_ID, **kwargs)


def number(minimum=None, maximum=None, exclusive_minimum=None, **kwargs) -> fields.Field:
    return Number(**_documented(kwargs, minimum=minimum, maximum=maximum, exclusiveMinimum=exclusive_minimum))


def text(max_length: int | None = None, **kwargs) -> fields.Field:
    return Text(**_documented(kwargs, maxLength=max_length))


def plain_text(max_length: int | None = None, **kwargs) -> fields.Field:
    """Text a person typed: no invisible control characters (tracker/shared/validators.py); when
    required, not blank either. Both stated as a pattern."""
    banned = CONTROL_CHARACTERS.pattern[1:-1]  # the class's contents, "[...]" without its brackets
    if kwargs.get("required"):
        pattern = rf"^[^{banned}]*[^\s{banned}][^{banned}]*$"
        return Text(**_documented(kwargs, maxLength=max_length, minLength=1, pattern=pattern))
    return Text(**_documented(kwargs, maxLength=max_length, pattern=rf"^[^{banned}]*$"))


def search_text(**kwargs) -> fields.Field:
    """Free text to search for: anything but NUL (refused: no database compares it)."""
    return Text(**_documented(kwargs, pattern=r"^[^\x00]*$"))


def digits(**kwargs) -> fields.Field:
    """A whole number in a query string: ASCII digits only, one spelling (tracker/shared/parsing.py);
    stated up to nine digits, which every id and page number the data holds fits in."""
    return Text(**_documented(kwargs, pattern=r"^[1-9][0-9]{0,8}$"))


def choice(choices, **kwargs) -> fields.Field:
    """One of an enumeration's values (tracker/shared/choices.py); null too when `allow_none`."""
    values = list(choices) + ([None] if kwargs.get("allow_none") else [])
    return Text(**_documented(kwargs, enum=values))


def day(earliest: date | None = None, latest: date | None = None, **kwargs) -> fields.Field:
    """A date, YYYY-MM-DD (the form checks that it is a real one). Whole centuries from `earliest` to
    `latest` are stated as a pattern: JSON Schema has no minimum for a date."""
    pattern = _date_pattern(earliest, latest) if earliest and latest else None
    return Text(**_documented(kwargs, format="date", pattern=pattern, example=kwargs.pop("example", "2026-04-01")))


def _date_pattern(earliest: date, latest: date) -> str:
    if (earliest.month, earliest.day, earliest.year % 100) != (1, 1, 0) or (latest.month, latest.day, latest.year % 100) != (12, 31, 99):
        raise ValueError("A date pattern covers whole centuries")
    centuries = "|".join(str(c) for c in range(earliest.year // 100, latest.year // 100 + 1))
    return rf"^(?:{centuries})[0-9]{{2}}-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])$"


def moment(**kwargs) -> fields.Field:
    """A date and time, ISO 8601."""
    return Text(**_documented(kwargs, format="date-time"))


def boolean(**kwargs) -> fields.Field:
    return Boolean(**_documented(kwargs))
