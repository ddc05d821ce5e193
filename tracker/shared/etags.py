"""Entity tags as RFC 9110 writes them (section 8.8.3) and the `If-Match` header's grammar (13.1.1).

    If-Match    = "*" / #entity-tag
    entity-tag  = [ weak ] opaque-tag
    weak        = %s"W/"
    opaque-tag  = DQUOTE *etagc DQUOTE
    etagc       = %x21 / %x23-7E / obs-text        (obs-text = %x80-FF)

`#` is a comma-separated list whose elements may be empty (5.6.1): `"a", , "b"`
is two tags. `""` is a tag (an empty one), so `If-Match: ""` names a version
no entry has. Anything else (a tag without quotes, a quote inside a tag, text
after a tag) is not an If-Match at all: the caller is told so (400), never a
500 and never a silent 412."""
from __future__ import annotations

import re
from dataclasses import dataclass

_OWS = r"[ \t]*"
_ETAGC = r"[\x21\x23-\x7e\x80-\xff]"
_ELEMENT = re.compile(rf"{_OWS}(?:(W/)?\"({_ETAGC}*)\")?{_OWS}")

MALFORMED = 'Send "*" or entity tags in double quotes, separated by commas, e.g. "42-3" (as the ETag header gives them)'


class MalformedIfMatch(ValueError):
    """The header is not `*` or a list of entity tags."""


@dataclass(frozen=True)
class EntityTag:
    opaque: str  # between the quotes
    weak: bool = False


@dataclass(frozen=True)
class IfMatch:
    """`any_version`: `*`; otherwise the tags named (possibly none)."""

    any_version: bool
    tags: tuple[EntityTag, ...] = ()

    def strong_tags(self) -> tuple[str, ...]:
        """If-Match compares strongly (RFC 9110 13.1.1): a weak tag never matches."""
        return tuple(tag.opaque for tag in self.tags if not tag.weak)


def parse_if_match(value: str) -> IfMatch:
    """The header's value as RFC 9110 reads it; MalformedIfMatch if it is not one."""
    if value.strip(" \t") == "*":
        return IfMatch(any_version=True)
    tags = []
    for element in _split_list(value):
        match = _ELEMENT.fullmatch(element)
        if match is None:
            raise MalformedIfMatch(MALFORMED)
        if match[2] is not None:  # else an empty element, which a list may hold
            tags.append(EntityTag(match[2], weak=bool(match[1])))
    return IfMatch(any_version=False, tags=tuple(tags))


def format_entity_tag(opaque: str, weak: bool = False) -> str:
    """The tag as a header carries it: `"42-3"` (or `W/"42-3"`)."""
    if not re.fullmatch(f"{_ETAGC}*", opaque):
        raise ValueError(f"An entity tag cannot hold {opaque!r}")
    return f'{"W/" if weak else ""}"{opaque}"'


def _split_list(value: str) -> list[str]:
    """Split at the commas between elements: etagc allows a comma, so one inside quotes belongs to its tag."""
    elements, current, quoted = [], [], False
    for character in value:
        if character == '"':
            quoted = not quoted
        if character == "," and not quoted:
            elements.append("".join(current))
            current = []
        else:
            current.append(character)
    elements.append("".join(current))
    return elements
