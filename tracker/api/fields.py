"""The field types of the API's schemas (tracker/api/schemas/): what a field's JSON is, and what it may hold.

Each builder returns a marshmallow field that
- refuses a value of the wrong JSON type by name ("Send a whole number (a JSON
  number, not in quotes) for minutes"): an id is a JSON number, text a JSON
  string, and null, a list or an object none of them unless the schema says so;
- states its limits (`minimum`, `maximum`, `maxLength`, `enum`) in the
  OpenAPI document, from the one constant the models and forms use
  (tracker/shared/choices.py). The form the pages share checks those values,
  in its own words, after the schema has checked the types;
- shows a value as JSON on the way out (money rounded half-up to the penny
  from the unrounded Decimal, only here at the edge)."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from marshmallow import ValidationError, fields, missing

from tracker.shared.parsing import MAX_ID

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


class Number(_JsonTyped, fields.Float):
    json_types = ("number",)


class Text(_JsonTyped, fields.String):
    json_types = ("string",)


class Boolean(_JsonTyped, fields.Boolean):
    json_types = ("boolean",)


class Either(_JsonTyped, fields.Raw):
    """A value of one of several JSON types, documented as `oneOf` (e.g. an answer word or true/false)."""

    def __init__(self, *json_types: str, one_of: list[dict], **kwargs):
        super().__init__(**_documented(kwargs, oneOf=one_of))
        self.json_types = json_types


class Pounds(fields.Float):
    """A Decimal amount as a JSON number of pounds, rounded half-up to the penny."""

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else pounds(value)


class Rounded(fields.Float):
    """A Decimal figure (hours, FTE, shares) as a JSON number rounded half-up to `places`."""

    def __init__(self, places: int = 2, **kwargs):
        super().__init__(**kwargs)
        self.places = places

    def _serialize(self, value, attr, obj, **kwargs):
        return None if value is None else rounded(value, self.places)


PENNY = Decimal("0.01")


def pounds(value) -> float:
    return float(Decimal(value).quantize(PENNY, rounding=ROUND_HALF_UP))


def rounded(value, places: int = 2) -> float:
    return float(Decimal(value).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


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


def choice(choices, **kwargs) -> fields.Field:
    """One of an enumeration's values (tracker/shared/choices.py); null too when `allow_none`."""
    values = list(choices) + ([None] if kwargs.get("allow_none") else [])
    return Text(**_documented(kwargs, enum=values))


def day(**kwargs) -> fields.Field:
    """A date, YYYY-MM-DD (the form checks that it is a real one)."""
    return Text(**_documented(kwargs, format="date", example=kwargs.pop("example", "2026-04-01")))


def moment(**kwargs) -> fields.Field:
    """A date and time, ISO 8601."""
    return Text(**_documented(kwargs, format="date-time"))


def boolean(**kwargs) -> fields.Field:
    return Boolean(**_documented(kwargs))
