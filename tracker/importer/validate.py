"""Checking every row of an entries file before anything is written.

Each row is read with the file's mapping (tracker/importer/formats.py), its
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

from sqlalchemy import func, select

from tracker.auth.access import loggable_teams
from tracker.entries import rules
from tracker.entries.queries import latest_entry_by
from tracker.extensions import db
from tracker.importer.formats import FIELDS, Mapping
from tracker.importer.reading import Table
from tracker.importer.sheet import NO_SAVED_VALUE, CellError
from tracker.importer.values import BadValue, cell_text, parse_answer, parse_band, parse_date, parse_duration
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Request, Source, Team
from tracker.models.imports import ImportedRow
from tracker.shared.names import name_key, tidy_name
from tracker.shared.timeutil import month_start
from tracker.shared.validators import CONTROL_CHARACTERS, PlainText
from tracker.signoff.services import lock_reason

SOURCE_NAME_MAX = 160  # Source.name
REQUEST_TITLE_MAX = 200  # Request.title
CHUNK = 500  # fingerprints per look-up query


@dataclass(frozen=True)
class Options:
    user: User
    team_name: str | None = None
    band: str | None = None
    create_missing: bool = False


@dataclass(frozen=True)
class Problem:
    row: int  # in the file (the header is row 1 in most files)
    column: str  # the file's header, or what was missing
    reason: str


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

    @property
    def refused(self) -> int:
        return len(self.bad_rows)

    @property
    def writable(self) -> bool:
        return not self.file_problems and not self.mapping.missing()


class _Lookups:
    """One database look-up per distinct value."""

    def __init__(self, options: Options):
        self.user = options.user
        self.loggable = {t.id: t for t in loggable_teams(options.user)}
        self._teams: dict[str, Team | None] = {}
        self._sources: dict[str, Source | None] = {}
        self._requests: dict[tuple, Request | None] = {}
        self._members: dict[tuple, int | None] = {}
        self._locks: dict[tuple, str | None] = {}

    def team(self, name: str) -> Team | None:
        key = name_key(name)
        if key not in self._teams:
            self._teams[key] = Team.named(name)
        return self._teams[key]

    def source(self, name: str) -> Source | None:
        key = name_key(name)
        if key not in self._sources:
            self._sources[key] = Source.named(name)
        return self._sources[key]

    def request(self, source: Source, title: str) -> Request | None:
        key = (source.id, name_key(title))
        if key not in self._requests:
            self._requests[key] = Request.titled(source.id, title)
        return self._requests[key]

    def member(self, email: str, team_id: int) -> int | None:
        """The user with that email, when they belong to the team."""
        key = (email.casefold(), team_id)
        if key not in self._members:
            self._members[key] = db.session.scalar(
                select(User.id).join(Membership, Membership.user_id == User.id)
                .where(func.lower(User.email) == key[0], Membership.team_id == team_id, User.active.is_(True))
            )
        return self._members[key]

    def lock(self, team_id: int, day) -> str | None:
        key = (team_id, month_start(day))
        if key not in self._locks:
            self._locks[key] = lock_reason(db.session, team_id, day)
        return self._locks[key]


def default_band(options: Options) -> str | None:
    """--band, else the band of the user's last entry (as the log form starts from)."""
    if options.band:
        return parse_band(options.band)
    last = latest_entry_by(options.user)
    return last.band if last is not None else None


def check_entries(table: Table, mapping: Mapping, options: Options,
                  progress: Callable[[int], None] | None = None) -> Checked:
    """Read and check every row; writes nothing.

    Every column's raw value is parsed and checked once (memo dicts), so a row
    costs a few dictionary look-ups plus its notes and its fingerprint."""
    checked = Checked(mapping)
    if mapping.missing():
        checked.file_problems.append("No column gives " + ", ".join(mapping.missing()) + ": choose one for each.")
        return checked
    look = _Lookups(options)
    fixed_team = _fixed_team(look, options, checked)
    columns = _ColumnReaders(look, mapping, options, table.epoch, checked)
    col = mapping.columns
    header = {name: mapping.header_of(name) or FIELDS[name] for name in FIELDS}
    i_team, i_date, i_source, i_request, i_task = (col.get(n) for n in ("team", "date", "source", "request", "task"))
    i_time, i_band, i_dup, i_used, i_notes, i_email = (col.get(n) for n in ("duration", "band", "duplicated", "used", "notes", "email"))
    fixed_team_id = fixed_team.id if fixed_team is not None else None
    user_id = options.user.id
    occurrences: Counter = Counter()
    month_first_rows: list[Problem] = []
    good = checked.good
    sha256 = hashlib.sha256
    for number, values in table.rows():
        checked.rows_read += 1
        if progress and checked.rows_read % 1000 == 0:
            progress(1000)
        problems: list[tuple[str, str]] = []  # (field, reason)

        team_id = fixed_team_id
        if i_team is not None and not _empty(values[i_team]):
            team_id, reason = columns.team(values[i_team])
            if reason:
                problems.append(("team", reason))
        elif team_id is None:
            problems.append(("team", "No team: fill the Team column or choose the team for the whole file (--team)"))

        raw_day = values[i_date]
        day, reason = columns.date(raw_day)
        if reason == MONTH_FIRST:
            month_first_rows.append(Problem(number, header["date"], f"'{cell_text(raw_day)}' can only be month first (US order)"))
        elif reason:
            problems.append(("date", reason))
        elif team_id is not None:
            reason = look.lock(team_id, day)
            if reason:
                problems.append(("date", reason))

        raw_title = values[i_request] if i_request is not None else None
        title_field = "request"
        if _empty(raw_title) and i_task is not None and not _empty(values[i_task]):
            raw_title, title_field = values[i_task], "task"
        request_key, found = columns.request(values[i_source], raw_title)
        for name, reason in found:
            problems.append((title_field if name == "request" else name, reason))

        minutes, reason = columns.minutes(values[i_time])
        if reason:
            problems.append(("duration", reason))
        band_in_file = ""
        if i_band is not None and not _empty(values[i_band]):
            band, reason = columns.band(values[i_band])
            band_in_file = band or ""
            if reason:
                problems.append(("band", reason))
        else:
            band = columns.default_band
            if band is None:
                problems.append(("band", "No staff band: fill the Band column or choose a band for the whole file (--band)"))
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
        if i_email is not None and not _empty(values[i_email]):
            email, reason = columns.email(values[i_email])
            if reason:
                problems.append(("email", reason))
            elif team_id is not None and "@" in email:
                logged_by = look.member(email, team_id) or user_id

        if problems or day is None:  # day is None and no problem: a month-first date, reported with the file
            checked.problems.extend(Problem(number, header[name], reason) for name, reason in problems)
            checked.bad_rows[number] = values
            continue
        source_name, title, request_id, names = request_key
        identity = "\x1f".join((str(team_id), names, day.isoformat(), str(minutes),
                                band_in_file, duplicated, used, notes, email))
        occurrences[identity] += 1  # identical rows in one file are each kept, and each only once
        fingerprint = sha256(f"{identity}\x1e{occurrences[identity]}".encode()).hexdigest()
        good.append(GoodRow(number, team_id, source_name, title, request_id, day, minutes, band,
                            duplicated, used, notes, logged_by, fingerprint))

    if month_first_rows:
        checked.problems.extend(month_first_rows)
        checked.file_problems.append(
            f"The dates in this file are month first (US order), as {len(month_first_rows)} row(s) show: "
            "nothing was imported, since other dates could be read the wrong way round. "
            "Save the dates as YYYY-MM-DD or DD/MM/YYYY and import it again.")
    _skip_imported(checked)
    checked.problems.sort(key=lambda p: p.row)
    return checked


MONTH_FIRST = "month first"
FORMULA_WITHOUT_RESULT = ("The cell holds a formula that was saved without its result: open the file in Excel, "
                          "let it calculate, and save it again")


def _names(source_name: str, title: str) -> str:
    """The request's identity in a fingerprint: its source and title by the name rule."""
    return f"{name_key(source_name)}\x1f{name_key(title)}"


def _empty(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _special(value) -> str | None:
    """Why a cell cannot be used at all: a formula without its result, or an error value."""
    if value is NO_SAVED_VALUE:
        return FORMULA_WITHOUT_RESULT
    if isinstance(value, CellError):
        return f"The cell holds the error {value.code}"
    return None


def _memo(method):
    """Cache a column reader's (value, reason) per raw cell value."""
    cache: dict = {}

    def cached(self, raw):
        key = (type(raw), raw)
        try:
            return cache[key]
        except KeyError:
            cache[key] = found = method(self, raw)
            return found

    return cached


class _ColumnReaders:
    """Each column's parse and rules, as (value, reason) with reason None when the value is good.
    One instance per check: the caches hold only this file's values."""

    def __init__(self, look: _Lookups, mapping: Mapping, options: Options, epoch, checked: Checked):
        self.look, self.unit, self.epoch, self.checked = look, mapping.unit, epoch, checked
        self.create_missing = options.create_missing
        self.default_band = default_band(options)
        for name in ("team", "date", "minutes", "band", "answer", "email"):  # fresh caches per instance
            setattr(self, name, _memo(getattr(type(self), "_" + name)).__get__(self))
        self._requests: dict = {}
        self._notes: dict = {}

    def _text(self, raw, limit: int | None = None) -> tuple[str, str | None]:
        reason = _special(raw)
        if reason:
            return "", reason
        text = cell_text(raw)
        if CONTROL_CHARACTERS.search(text):
            return text, PlainText.message
        if limit and len(tidy_name(text)) > limit:
            return text, f"This must be {limit} characters or fewer"
        return text, None

    def _team(self, raw):
        text, reason = self._text(raw)
        if reason:
            return None, reason
        team = self.look.team(text)
        if team is None or team.id not in self.look.loggable:
            return None, f"'{text}' is not one of your teams"
        return team.id, None

    def _date(self, raw):
        reason = _special(raw)
        if reason:
            return None, reason
        try:
            found = parse_date(raw if raw is not None else "", self.epoch)
        except BadValue as error:
            return None, str(error)
        if found.month_first_only:
            return None, MONTH_FIRST
        return found.day, rules.date_problem(found.day)

    def _minutes(self, raw):
        reason = _special(raw)
        if reason:
            return None, reason
        try:
            minutes = parse_duration(raw, self.unit)
        except BadValue as error:
            return None, str(error)
        reason = rules.minutes_problem(minutes)
        if reason:
            return None, reason if minutes else "Shorter than a minute: the time must be at least 1 minute"
        return minutes, None

    def _band(self, raw):
        reason = _special(raw)
        if reason:
            return None, reason
        try:
            band = parse_band(raw)
        except BadValue as error:
            return None, str(error)
        return band, rules.band_problem(band)

    def _answer(self, raw):
        reason = _special(raw)
        if reason:
            return "unknown", reason
        try:
            answer = parse_answer(raw)
        except BadValue as error:
            return "unknown", str(error)
        return answer, rules.answer_problem(answer)

    def _email(self, raw):
        text, reason = self._text(raw)
        return text.casefold(), reason

    def notes(self, raw):
        try:
            return self._notes[raw]
        except (KeyError, TypeError):
            pass
        text, reason = self._text(raw)
        if text and not reason:
            reason = rules.notes_problem(text)
        if len(self._notes) < 10_000:  # notes are mostly different: cache only the common ones
            self._notes[raw] = (text, reason)
        return text, reason

    def request(self, raw_source, raw_title) -> tuple[tuple, list]:
        """((source name, title, request id or None, name keys), [(field, reason), ...])."""
        key = ((type(raw_source), raw_source), (type(raw_title), raw_title))
        found = self._requests.get(key)
        if found is None:
            found = self._requests[key] = self._request(raw_source, raw_title)
        return found

    def _request(self, raw_source, raw_title):
        problems = []
        source_name, reason = self._text(raw_source, SOURCE_NAME_MAX)
        source_name = tidy_name(source_name)
        if reason:
            problems.append(("source", reason))
        elif not source_name:
            problems.append(("source", "Enter who asked for the work (the source)"))
        title, reason = self._text(raw_title, REQUEST_TITLE_MAX)
        title = tidy_name(title)
        if reason:
            problems.append(("request", reason))
        elif not title:
            problems.append(("request", "Enter the request the work was for"))
        if problems:
            return (source_name, title, None, ""), problems
        checked = self.checked
        source = self.look.source(source_name)
        request = self.look.request(source, title) if source is not None else None
        if request is not None:
            reason = rules.request_problem(request)
            return (source.name, request.title, request.id, _names(source.name, request.title)), \
                [("request", reason)] if reason else []
        if source is not None:
            source_name = source.name
        else:
            checked.new_sources.setdefault(name_key(source_name), source_name)
        checked.new_requests.setdefault((name_key(source_name), name_key(title)), (source_name, title))
        found = (source_name, title, None, _names(source_name, title))
        if self.create_missing:
            return found, []
        if source is None:
            return found, [("source", f"'{source_name}' is not a source in the catalogue yet")]
        return found, [("request", f"'{title}' from {source.name} is not in the catalogue yet")]


def _fixed_team(look: _Lookups, options: Options, checked: Checked) -> Team | None:
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
