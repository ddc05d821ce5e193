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
    "reference": "Reference of a new request (DCB, ROCR)",
    "frequency": "Frequency of a new request",
    "obligation": "Obligation of a new request",
}
# Columns any file may have that describe a request the import creates (issue 16: a DCB number was ignored).
REQUEST_DETAIL_COLUMNS = {"reference": ("Reference", "DCB number", "DCB reference", "ROCR reference"),
                          "frequency": ("Frequency",), "obligation": ("Obligation",)}
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
             # the exact h:mm:ss column before the two-decimal one (0:58:12, not 0.97)
             "duration": ("Duration (h)", "Duration (decimal)"), "notes": ("Description",), "email": ("Email",)},
            HOURS, ("Client", "Project", "Start Date", ("Duration (h)", "Duration (decimal)")),
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
MAPPED = "mapped"  # a layout we do not know, read by the columns the person chose
MAPPED_LABEL = "A file read by the columns you chose"
COLUMN_SOURCE, PROJECT_SOURCE = "column", "project"
SOURCE_CHOICES = {COLUMN_SOURCE: "The source (client) column", PROJECT_SOURCE: "Project is the source, Task/Description is the request"}
# --map's names for the fields, and the unit a time column's name implies.
MAP_NAMES = {"date": "date", "team": "team", "source": "source", "client": "source", "request": "request",
             "project": "request", "task": "task", "notes": "notes", "description": "notes", "band": "band",
             "person": "email", "email": "email", "duplicated": "duplicated", "used": "used",
             "reference": "reference", "frequency": "frequency", "obligation": "obligation",
             "duration": "duration", "time": "duration", "minutes": "duration", "hours": "duration", "seconds": "duration"}
MAP_UNITS = {"minutes": MINUTES, "hours": HOURS, "seconds": SECONDS}


def format_label(name: str) -> str:
    return FORMATS[name].label if name in FORMATS else MAPPED_LABEL


class UnknownFormat(ValueError):
    """The headers match no format we know; the message lists what is missing."""


@dataclass(frozen=True)
class Mapping:
    format: str
    headers: tuple  # the file's header row, as written
    columns: dict = field(default_factory=dict)  # field -> column index
    unit: str = MINUTES
    source_mode: str = COLUMN_SOURCE

    @property
    def label(self) -> str:
        return format_label(self.format)

    @property
    def project_column(self) -> int | None:
        """The column that is the source when "Project is the source" is chosen."""
        if self.source_mode == PROJECT_SOURCE:
            return self.columns.get("source")
        return self.columns.get("request")

    def project_is_source(self) -> "Mapping":
        """Project is the source; Task (else Description) is the request, Description when a row has no task."""
        project = self.columns.get("request")
        if project is None or self.source_mode == PROJECT_SOURCE:
            return self
        columns = dict(self.columns)
        columns["source"] = project
        task, notes = columns.pop("task", None), columns.get("notes")
        columns.pop("request")
        if task is not None:
            columns["request"] = task
            if notes is not None:
                columns["task"] = notes
        elif notes is not None:
            columns["request"] = notes
        return replace(self, columns=columns, source_mode=PROJECT_SOURCE)

    def as_names(self) -> dict:
        """field -> header: what is remembered for the next file with the same headers."""
        return {name: self.headers[index] for name, index in self.columns.items()}

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

    def missing(self, fixed_source: bool = False) -> list[str]:
        """Fields an entry cannot do without that no column gives (the source may be given for the whole file)."""
        gaps = [FIELDS[f] for f in REQUIRED_FIELDS if f not in self.columns and not (f == "source" and fixed_source)]
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
    for name, candidates in {**REQUEST_DETAIL_COLUMNS, **file_format.columns}.items():
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
        closest = nearest_format(headers)
        missing = [_label(r) for r in closest.required if not _has(headers, r)]
        raise UnknownFormat(
            "The header row is not one we know. The nearest is the "
            f"{closest.label}, which also needs {_and(missing)} column{'s' if len(missing) > 1 else ''}. "
            "Choose which column gives what (on the command line: --map \"date=...,minutes=...,source=...,request=...\"). "
            "The tracker's own columns are: " + ", ".join(c[0] for c in FORMATS["tracker"].columns.values())
        )
    return max(matches, key=lambda m: len(m.columns))


def nearest_format(headers) -> FileFormat:
    """The format whose headers the file shares most (every column it reads, not only the required ones);
    of equals, the one that lacks fewest of its required columns."""
    def shared(file_format: FileFormat):
        known = {name_key(c) for candidates in file_format.columns.values() for c in candidates}
        common = sum(1 for h in headers if name_key(h) in known)
        return common, sum(_has(headers, r) for r in file_format.required)
    return max(FORMATS.values(), key=shared)


class BadMap(ValueError):
    """--map names a field or a column that is not there; the message says which."""


def parse_map(text: str, headers) -> Mapping:
    """A mapping from --map "date=Start,minutes=Duration,source=Client,request=Project" (or "project-is-source",
    to keep the detected layout with Project as the source)."""
    headers = tuple("" if h is None else str(h).strip() for h in headers)
    columns: dict = {}
    unit = HOURS
    for part in (p.strip() for p in text.split(",") if p.strip()):
        name, _, header = part.partition("=")
        key = name_key(name)
        if key not in MAP_NAMES or not header.strip():
            raise BadMap(f"'{part}' is not field=Column: the fields are {', '.join(sorted(set(MAP_NAMES)))}")
        index = _index(headers, header.strip())
        if index is None:
            raise BadMap(f"The file has no column '{header.strip()}': its columns are {', '.join(headers)}")
        columns[MAP_NAMES[key]] = index
        unit = MAP_UNITS.get(key, unit)
    return Mapping(MAPPED, headers, columns, unit)


def mapped(headers) -> Mapping:
    """An empty mapping of a file in no known layout, for the person to fill in."""
    return Mapping(MAPPED, tuple("" if h is None else str(h).strip() for h in headers), {}, HOURS)


def _label(required) -> str:
    return " or ".join(f"'{r}'" for r in required) if isinstance(required, tuple) else f"'{required}'"


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]
