"""Checking every row of an entries file before anything is written.

Each row is read with the file's mapping (tracker/imports/formats.py), its
values parsed (values.py) and held to the entry rules the log form applies
(tracker/entries/rules.py, who may log for which team via loggable_teams, and
signed-off months via tracker.signoff.services.lock_reason). Look-ups that
need the database (teams, sources, requests, users, sign-offs) are made once
per distinct value, so 100,000 rows cost a few hundred queries.

The result says which rows would be added, which were imported before (by
fingerprint), which are bad (row number in the file, column, reason), and
which sources and requests are not in the catalogue yet."""
from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

from sqlalchemy import select

from tracker.extensions import db
from tracker.imports.columns import NO_SOURCE, TOO_SHORT, ColumnReaders, Lookups, empty
from tracker.imports.dates import DateOrder, decide_order
from tracker.imports.formats import COLUMN_SOURCE, FIELDS, Mapping
from tracker.imports.reading import Table
from tracker.models.auth import User
from tracker.models.catalogue import Team
from tracker.models.imports import ImportedRow
from tracker.shared.names import name_key
CHUNK = 500  # fingerprints per look-up query


@dataclass(frozen=True)
class Options:
    user: User
    team_name: str | None = None
    band: str | None = None
    create_missing: bool = False
    source_name: str | None = None  # for rows whose source cell is blank (--source)
    date_order: str | None = None  # dmy or mdy when the person says (--date-order); else the file decides


@dataclass(frozen=True)
class Problem:
    row: int  # in the file (the header is row 1 in most files)
    column: str  # the file's header, or what was missing
    reason: str
    fix: str = ""  # the option that fixes it (FIXES), when one does


# What each kind of refusal is fixed by: a key of tracker/imports/messages.py's option names.
FIXES = {"band": "band", "team": "team", "new": "create_missing", "source": "source"}


@dataclass(slots=True)
class GoodRow:
    row: int
    team_id: int
    source_name: str
    request_title: str
    request_id: int | None  # None: a request to create first
    occurred_on: object
    minutes: int
    band: str
    duplicated: str
    used: str
    notes: str
    logged_by_id: int
    fingerprint: str = ""


@dataclass
class Checked:
    mapping: Mapping
    rows_read: int = 0
    good: list[GoodRow] = field(default_factory=list)  # to add
    skipped: int = 0  # imported before
    problems: list[Problem] = field(default_factory=list)
    bad_rows: dict[int, tuple] = field(default_factory=dict)  # row number -> the row as read, for the file to fix
    file_problems: list[str] = field(default_factory=list)  # the file as a whole is refused
    new_sources: dict[str, str] = field(default_factory=dict)  # key -> name
    new_requests: dict[tuple, tuple] = field(default_factory=dict)  # (source key, title key) -> (source name, title)
    too_short: list[int] = field(default_factory=list)  # rows under 30 seconds: skipped, not refused
    dates: DateOrder = field(default_factory=DateOrder)
    blank_sources: dict[str, int] = field(default_factory=dict)  # source choice -> rows it leaves without a source
    new_details: dict[tuple, dict] = field(default_factory=dict)  # new request's key -> reference, frequency, obligation

    @property
    def refused(self) -> int:
        return len(self.bad_rows)

    @property
    def writable(self) -> bool:
        return not self.file_problems


def check_entries(table: Table, mapping: Mapping, options: Options,
                  progress: Callable[[int], None] | None = None) -> Checked:
    """Read and check every row; writes nothing.

    Every column's raw value is parsed and checked once (memo dicts), so a row
    costs a few dictionary look-ups plus its notes and its fingerprint."""
    checked = Checked(mapping)
    missing = mapping.missing(fixed_source=bool(options.source_name))
    if missing:
        checked.file_problems.append("No column gives " + ", ".join(missing) + ": choose one for each"
                                     + (" (or name the source for the whole file)" if FIELDS["source"] in missing else "") + ".")
        return checked
    look = Lookups(options)
    if not look.loggable:  # commissioners never log (or import) entries
        checked.file_problems.append(f"{options.user.name} cannot log entries for any team, so cannot import them.")
        return checked
    fixed_team = _fixed_team(look, options, checked)
    rows = list(table.rows())  # read twice: the dates' order is the whole file's (tracker/imports/dates.py)
    col = mapping.columns
    checked.dates = decide_order(mapping.headers, rows, col["date"], options.date_order)
    checked.blank_sources = _blank_sources(rows, mapping, options)
    columns = ColumnReaders(look, mapping, options, table.epoch, checked, checked.dates.order)
    header = {name: mapping.header_of(name) or FIELDS[name] for name in FIELDS}
    i_team, i_date, i_source, i_request, i_task = (col.get(n) for n in ("team", "date", "source", "request", "task"))
    i_time, i_band, i_dup, i_used, i_notes, i_email = (col.get(n) for n in ("duration", "band", "duplicated", "used", "notes", "email"))
    details_columns = {name: col[name] for name in ("reference", "frequency", "obligation") if name in col}
    fixed_team_id = fixed_team.id if fixed_team is not None else None
    user_id = options.user.id
    occurrences: Counter = Counter()
    good = checked.good
    sha256 = hashlib.sha256
    for number, values in rows:
        checked.rows_read += 1
        if progress and checked.rows_read % 1000 == 0:
            progress(1000)
        problems: list[tuple[str, str]] = []  # (field, reason)

        team_id = fixed_team_id
        if i_team is not None and not empty(values[i_team]):
            team_id, reason = columns.team(values[i_team])
            if reason:
                problems.append(("team", reason))
        elif team_id is None:
            problems.append(("team", "No team: fill the Team column or choose the team for the whole file"))

        day, reason = columns.date(values[i_date])
        if reason:
            problems.append(("date", reason))
        elif team_id is not None:
            reason = look.lock(team_id, day)
            if reason:
                problems.append(("date", reason))

        raw_title = values[i_request] if i_request is not None else None
        title_field = "request"
        if empty(raw_title) and i_task is not None and not empty(values[i_task]):
            raw_title, title_field = values[i_task], "task"
        request_key, found = columns.request(values[i_source] if i_source is not None else None, raw_title)
        for name, reason in found:
            problems.append((title_field if name == "request" else name, reason))
        if not found and request_key[2] is not None and day is not None:
            reason = look.closed(request_key[2], day)
            if reason:
                problems.append((title_field, reason))
        if not found and request_key[2] is None and details_columns:
            problems.extend(_new_request_details(checked, columns, request_key, values, details_columns))

        minutes, reason = columns.minutes(values[i_time])
        if reason == TOO_SHORT:
            checked.too_short.append(number)
            continue
        if reason:
            problems.append(("duration", reason))
        band_in_file = ""
        if i_band is not None and not empty(values[i_band]):
            band, reason = columns.band(values[i_band])
            band_in_file = band or ""
            if reason:
                problems.append(("band", reason))
        else:
            band = columns.default_band
            if band is None:
                problems.append(("band", "No staff band: fill the Band column or choose a band for the whole file"))
        duplicated = used = "unknown"
        if i_dup is not None:
            duplicated, reason = columns.answer(values[i_dup])
            if reason:
                problems.append(("duplicated", reason))
        if i_used is not None:
            used, reason = columns.answer(values[i_used])
            if reason:
                problems.append(("used", reason))
        notes = ""
        if i_notes is not None:
            notes, reason = columns.notes(values[i_notes])
            if reason:
                problems.append(("notes", reason))
        email = ""
        logged_by = user_id
        if i_email is not None and not empty(values[i_email]):
            email, reason = columns.email(values[i_email])
            if reason:
                problems.append(("email", reason))
            elif team_id is not None and "@" in email:
                logged_by = look.member(email, team_id) or user_id

        if problems:
            checked.problems.extend(Problem(number, header[name], reason, _fix(name, reason))
                                    for name, reason in problems)
            checked.bad_rows[number] = values
            continue
        source_name, title, request_id, names = request_key
        identity = "\x1f".join((str(team_id), names, day.isoformat(), str(minutes),
                                band_in_file, duplicated, used, notes, email))
        occurrences[identity] += 1  # identical rows in one file are each kept, and each only once
        fingerprint = sha256(f"{identity}\x1e{occurrences[identity]}".encode()).hexdigest()
        good.append(GoodRow(number, team_id, source_name, title, request_id, day, minutes, band,
                            duplicated, used, notes, logged_by, fingerprint))
    if progress:
        progress(checked.rows_read % 1000)

    if checked.dates.contradicts_itself:
        dates = checked.dates
        for number, text in dates.day_first_rows + dates.month_first_rows:
            checked.problems.append(Problem(number, header["date"], f"'{text}' can only be "
                                            + ("day first" if (number, text) in dates.day_first_rows else "month first")))
        checked.file_problems.append(
            f"The dates in this file contradict each other: {len(dates.day_first_rows)} row(s) can only be day first "
            f"and {len(dates.month_first_rows)} only month first, so no date in it can be trusted. "
            "Nothing was imported: save the dates as YYYY-MM-DD and import it again.")
    _skip_imported(checked)
    checked.problems.sort(key=lambda p: p.row)
    return checked


def _new_request_details(checked: Checked, columns: ColumnReaders, request_key, values, details_columns) -> list:
    """A new request's reference, frequency and obligation from the first row that gives them."""
    source_name, title = request_key[0], request_key[1]
    details = checked.new_details.setdefault((name_key(source_name), name_key(title)), {})
    problems = []
    for name, index in details_columns.items():
        if name in details or empty(values[index]):
            continue
        value, reason = columns.detail(name, values[index])
        if not reason and name == "reference" and any(
                other.get("reference") == value for other in checked.new_details.values()):
            reason = f"Reference {value} is given to another new request in this file"
        if reason:
            problems.append((name, reason))
        else:
            details[name] = value
    return problems


def _fix(name: str, reason: str) -> str:
    """The option that fixes a refusal, when one does."""
    if name == "band" and reason.startswith("No staff band"):
        return FIXES["band"]
    if name == "team" and reason.startswith("No team"):
        return FIXES["team"]
    if name == "source" and reason == NO_SOURCE:
        return FIXES["source"]
    if reason.endswith("is not in the catalogue yet") or reason.endswith("is not a source in the catalogue yet"):
        return FIXES["new"]
    return ""


def _blank_sources(rows, mapping: Mapping, options: Options) -> dict[str, int]:
    """How many rows each choice of source leaves without one: the mapped column, the Project column."""
    if options.source_name:
        return {"fixed": 0}
    counts = {}
    source_column = mapping.columns.get("source") if mapping.source_mode == COLUMN_SOURCE else None
    for choice, index in (("column", source_column), ("project", mapping.project_column)):
        if index is not None:
            counts[choice] = sum(1 for _n, values in rows if empty(values[index]))
    return counts


def _fixed_team(look: Lookups, options: Options, checked: Checked) -> Team | None:
    """--team (for rows with no team), else the user's only team."""
    if options.team_name:
        team = look.team(options.team_name)
        if team is None or team.id not in look.loggable:
            checked.file_problems.append(f"'{options.team_name}' is not one of your teams.")
            return None
        return team
    if len(look.loggable) == 1:
        return next(iter(look.loggable.values()))
    return None


def _skip_imported(checked: Checked) -> None:
    """Leave out rows whose fingerprint a standing import already holds."""
    prints = [row.fingerprint for row in checked.good]
    seen: set[str] = set()
    for start in range(0, len(prints), CHUNK):
        chunk = prints[start:start + CHUNK]
        seen.update(db.session.scalars(
            select(ImportedRow.fingerprint).where(ImportedRow.fingerprint.in_(chunk), ImportedRow.undone_at.is_(None))
        ))
    if seen:
        before = len(checked.good)
        checked.good = [row for row in checked.good if row.fingerprint not in seen]
        checked.skipped = before - len(checked.good)
