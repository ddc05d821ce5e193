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
from tracker.importer.reading import NO_SAVED_VALUE, CellError, Table
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


@dataclass
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
        self._dates: dict = {}
        self._date_rules: dict = {}

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

    def date(self, value, epoch):
        key = (type(value), value)
        if key not in self._dates:
            try:
                self._dates[key] = parse_date(value, epoch)
            except BadValue as error:
                self._dates[key] = error
        found = self._dates[key]
        if isinstance(found, BadValue):
            raise found
        return found

    def date_rule(self, day) -> str | None:
        if day not in self._date_rules:
            self._date_rules[day] = rules.date_problem(day)
        return self._date_rules[day]


def default_band(options: Options) -> str | None:
    """--band, else the band of the user's last entry (as the log form starts from)."""
    if options.band:
        return parse_band(options.band)
    last = latest_entry_by(options.user)
    return last.band if last is not None else None


def check_entries(table: Table, mapping: Mapping, options: Options,
                  progress: Callable[[int], None] | None = None) -> Checked:
    """Read and check every row; writes nothing."""
    checked = Checked(mapping)
    if mapping.missing():
        checked.file_problems.append("No column gives " + ", ".join(mapping.missing()) + ": choose one for each.")
        return checked
    look = _Lookups(options)
    fixed_team = _fixed_team(look, options, checked)
    band_default = default_band(options)
    cols = mapping.columns
    header = {name: mapping.header_of(name) for name in FIELDS}
    occurrences: Counter = Counter()
    month_first_rows: list[Problem] = []
    for number, values in table.rows():
        checked.rows_read += 1
        if progress and checked.rows_read % 1000 == 0:
            progress(1000)
        problems: list[Problem] = []

        def bad(name: str, reason: str) -> None:
            problems.append(Problem(number, header.get(name) or FIELDS[name], reason))

        def cell(name: str):
            index = cols.get(name)
            value = values[index] if index is not None else None
            if value is NO_SAVED_VALUE:
                bad(name, "The cell holds a formula that was saved without its result: open the file in Excel, "
                          "let it calculate, and save it again")
                return None
            if isinstance(value, CellError):
                bad(name, f"The cell holds the error {value.code}")
                return None
            return value

        def text(name: str, limit: int | None = None) -> str:
            value = cell_text(cell(name))
            if CONTROL_CHARACTERS.search(value):
                bad(name, PlainText.message)
            elif limit and len(tidy_name(value)) > limit:
                bad(name, f"This must be {limit} characters or fewer")
            return value

        # team
        team = fixed_team
        team_text = text("team") if "team" in cols else ""
        if team_text:
            team = look.team(team_text)
            if team is None or team.id not in look.loggable:
                bad("team", f"'{team_text}' is not one of your teams")
                team = None
        elif team is None:
            bad("team", "No team: fill the Team column or choose the team for the whole file (--team)")

        # date
        day = None
        before = len(problems)
        raw_day = cell("date")
        found = None
        if len(problems) == before:  # not a formula without its result, nor an error value
            try:
                found = look.date(raw_day if raw_day is not None else "", table.epoch)
            except BadValue as error:
                bad("date", str(error))
        if found is not None and found.month_first_only:
            month_first_rows.append(Problem(number, header["date"], f"'{cell_text(raw_day)}' can only be month first (US order)"))
        elif found is not None:
            day = found.day
            reason = look.date_rule(day) or (look.lock(team.id, day) if team is not None else None)
            if reason:
                bad("date", reason)

        # source and request
        source_name = tidy_name(text("source", SOURCE_NAME_MAX))
        title = tidy_name(text("request", REQUEST_TITLE_MAX)) if "request" in cols else ""
        title_field = "request"
        if not title and "task" in cols:
            title, title_field = tidy_name(text("task", REQUEST_TITLE_MAX)), "task"
        request_id = None
        if not source_name:
            bad("source", "Enter who asked for the work (the source)")
        if not title:
            bad(title_field if "request" not in cols else "request", "Enter the request the work was for")
        if source_name and title:
            source = look.source(source_name)
            request = look.request(source, title) if source is not None else None
            if request is not None:
                reason = rules.request_problem(request)
                if reason:
                    bad(title_field, reason)
                request_id = request.id
                source_name, title = source.name, request.title
            elif options.create_missing:
                if source is None:
                    checked.new_sources.setdefault(name_key(source_name), source_name)
                else:
                    source_name = source.name
                checked.new_requests.setdefault((name_key(source_name), name_key(title)), (source_name, title))
            elif source is None:
                bad("source", f"'{source_name}' is not a source in the catalogue yet")
                checked.new_sources.setdefault(name_key(source_name), source_name)
                checked.new_requests.setdefault((name_key(source_name), name_key(title)), (source_name, title))
            else:
                bad(title_field, f"'{title}' from {source.name} is not in the catalogue yet")
                checked.new_requests.setdefault((name_key(source.name), name_key(title)), (source.name, title))

        # time
        minutes = None
        before = len(problems)
        raw_time = cell("duration")
        if len(problems) == before:
            try:
                minutes = parse_duration(raw_time, mapping.unit)
            except BadValue as error:
                bad("duration", str(error))
            else:
                reason = rules.minutes_problem(minutes)
                if reason:
                    bad("duration", reason if minutes else "Shorter than a minute: the time must be at least 1 minute")

        # band, answers, notes, who
        band_text = cell_text(cell("band")) if "band" in cols else ""
        band = band_default
        if band_text:
            try:
                band = parse_band(band_text)
            except BadValue as error:
                bad("band", str(error))
        elif band is None:
            bad("band", "No staff band: fill the Band column or choose a band for the whole file (--band)")
        answers = {}
        for name in ("duplicated", "used"):
            try:
                answers[name] = parse_answer(cell(name)) if name in cols else "unknown"
            except BadValue as error:
                bad(name, str(error))
        notes = text("notes") if "notes" in cols else ""
        if notes:
            reason = rules.notes_problem(notes)
            if reason and reason != PlainText.message:
                bad("notes", reason)
        email = text("email").casefold() if "email" in cols else ""
        logged_by = options.user.id
        if team is not None and "@" in email:
            logged_by = look.member(email, team.id) or logged_by

        if problems or day is None:  # day is None only for a month-first date, reported with the file
            checked.problems.extend(problems)
            checked.bad_rows[number] = values
            continue
        identity = "\x1f".join((str(team.id), name_key(source_name), name_key(title), day.isoformat(), str(minutes),
                                band_text and band, answers["duplicated"], answers["used"], notes, email))
        occurrences[identity] += 1  # identical rows in one file are each kept, and each only once
        fingerprint = hashlib.sha256(f"{identity}\x1e{occurrences[identity]}".encode()).hexdigest()
        checked.good.append(GoodRow(number, team.id, source_name, title, request_id, day, minutes, band,
                                    answers["duplicated"], answers["used"], notes, logged_by, fingerprint))

    if month_first_rows:
        checked.problems.extend(month_first_rows)
        checked.file_problems.append(
            f"The dates in this file are month first (US order), as {len(month_first_rows)} row(s) show: "
            "nothing was imported, since other dates could be read the wrong way round. "
            "Save the dates as YYYY-MM-DD or DD/MM/YYYY and import it again.")
    _skip_imported(checked)
    checked.problems.sort(key=lambda p: p.row)
    return checked


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
