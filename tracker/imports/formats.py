"""The files we know by their headers: the tracker's own Entries sheet and the detailed
reports of Toggl Track, Clockify, Harvest and Kimai.

Headers are compared by the name rule (case and spacing ignored). A format is
recognised when all its `required` headers are there; of several, the one
that explains most columns wins. The mapping it gives (field -> column) is
shown before anything is written and may be changed (`Mapping.with_changes`)."""
from __future__ import annotations

from dataclasses import dataclass, field, replace

from tracker.imports.values import HOURS, MINUTES, SECONDS
from tracker.shared.names import name_key

# What an entry import can take from a column, in the order the page lists them.
FIELDS = {
    "date": "Date",
    "team": "Team",
    "source": "Source (who asked)",
    "request": "Request",
    "task": "Request, when there is no project",
    "duration": "Time spent",
    "band": "Staff band",
    "duplicated": "Duplicated elsewhere",
    "used": "Used",
    "notes": "Notes",
    "email": "Email of who did it",
}
REQUIRED_FIELDS = ("date", "source", "duration")  # and request or task


@dataclass(frozen=True)
class FileFormat:
    name: str
    label: str
    columns: dict  # field -> header names, best first
    unit: str  # how plain numbers in the time column are read
    required: tuple  # headers (or tuples of alternatives) that identify it


FORMATS = {
    f.name: f
    for f in (
        FileFormat(
            "tracker", "This tracker (Entries sheet or template)",
            {"date": ("Date",), "team": ("Team",), "source": ("Source",), "request": ("Request",),
             "band": ("Band", "Staff band"), "duration": ("Minutes",), "duplicated": ("Duplicated elsewhere",),
             "used": ("Used",), "notes": ("Notes",), "email": ("Email", "Logged by email")},
            MINUTES, ("Date", "Source", "Request", "Minutes"),
        ),
        FileFormat(
            "toggl", "Toggl Track detailed report",
            {"date": ("Start date",), "source": ("Client",), "request": ("Project",), "task": ("Task",),
             "duration": ("Duration",), "notes": ("Description",), "email": ("Email",)},
            HOURS, ("Client", "Project", "Start date", "Duration"),
        ),
        FileFormat(
            "clockify", "Clockify detailed report",
            {"date": ("Start Date",), "source": ("Client",), "request": ("Project",), "task": ("Task",),
             "duration": ("Duration (decimal)", "Duration (h)"), "notes": ("Description",), "email": ("Email",)},
            HOURS, ("Client", "Project", "Start Date", ("Duration (decimal)", "Duration (h)")),
        ),
        FileFormat(
            "harvest", "Harvest detailed time report",
            {"date": ("Date",), "source": ("Client",), "request": ("Project",), "task": ("Task",),
             "duration": ("Hours",), "notes": ("Notes",), "email": ("Email",)},
            HOURS, ("Date", "Client", "Project", "Hours"),
        ),
        FileFormat(
            "kimai", "Kimai timesheet export",
            {"date": ("Date",), "source": ("Customer",), "request": ("Project",), "task": ("Activity",),
             "duration": ("Duration",), "notes": ("Description",), "email": ("Email", "E-mail", "User")},
            SECONDS, ("Date", "Customer", "Project", "Duration"),
        ),
    )
}
FORMAT_CHOICES = ("auto", *FORMATS)


class UnknownFormat(ValueError):
    """The headers match no format we know; the message lists what is missing."""


@dataclass(frozen=True)
class Mapping:
    format: str
    headers: tuple  # the file's header row, as written
    columns: dict = field(default_factory=dict)  # field -> column index
    unit: str = MINUTES

    @property
    def unknown_columns(self) -> list[str]:
        """Headers nothing is taken from: listed, and ignored."""
        used = set(self.columns.values())
        return [h for i, h in enumerate(self.headers) if i not in used and str(h or "").strip()]

    def header_of(self, name: str) -> str:
        index = self.columns.get(name)
        return self.headers[index] if index is not None else ""

    def with_changes(self, columns: dict | None = None, unit: str | None = None) -> "Mapping":
        """The same mapping with the person's changes: field -> header (None or "" unmaps it)."""
        merged = dict(self.columns)
        for name, header in (columns or {}).items():
            if name not in FIELDS:
                continue
            index = _index(self.headers, header) if header else None
            if index is None:
                merged.pop(name, None)
            else:
                merged[name] = index
        return replace(self, columns=merged, unit=unit if unit in (MINUTES, HOURS, SECONDS) else self.unit)

    def missing(self) -> list[str]:
        """Fields an entry cannot do without that no column gives."""
        gaps = [FIELDS[f] for f in REQUIRED_FIELDS if f not in self.columns]
        if "request" not in self.columns and "task" not in self.columns:
            gaps.append(FIELDS["request"])
        return gaps


def _index(headers, name) -> int | None:
    wanted = name_key(str(name))
    for i, header in enumerate(headers):
        if name_key(str(header or "")) == wanted:
            return i
    return None


def _has(headers, required) -> bool:
    alternatives = required if isinstance(required, tuple) else (required,)
    return any(_index(headers, name) is not None for name in alternatives)


def mapping_for(file_format: FileFormat, headers) -> Mapping:
    columns = {}
    for name, candidates in file_format.columns.items():
        for candidate in candidates:
            index = _index(headers, candidate)
            if index is not None:
                columns[name] = index
                break
    return Mapping(file_format.name, tuple(headers), columns, file_format.unit)


def detect(headers, wanted: str = "auto") -> Mapping:
    """The mapping for `wanted` (a format name), or for the format the headers show ("auto")."""
    headers = tuple("" if h is None else str(h).strip() for h in headers)
    if wanted != "auto":
        file_format = FORMATS[wanted]
        missing = [_label(r) for r in file_format.required if not _has(headers, r)]
        if missing:
            raise UnknownFormat(f"This is not a {file_format.label}: the header row has no {_and(missing)} column")
        return mapping_for(file_format, headers)
    matches = [mapping_for(f, headers) for f in FORMATS.values() if all(_has(headers, r) for r in f.required)]
    if not matches:
        closest = max(FORMATS.values(), key=lambda f: sum(_has(headers, r) for r in f.required))
        missing = [_label(r) for r in closest.required if not _has(headers, r)]
        raise UnknownFormat(
            "The header row is not one we know. The nearest is the "
            f"{closest.label}, which also needs {_and(missing)} columns. The tracker's own columns are: "
            + ", ".join(c[0] for c in FORMATS["tracker"].columns.values())
        )
    return max(matches, key=lambda m: len(m.columns))


def _label(required) -> str:
    return " or ".join(f"'{r}'" for r in required) if isinstance(required, tuple) else f"'{required}'"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
