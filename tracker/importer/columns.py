"""Reading an entries file's columns: each cell parsed and held to the entry rules, once per distinct value.

`Lookups` asks the database once per distinct team, source, request, user and
team-month; `ColumnReaders` parses and checks each column's raw value once
(memo dicts), returning (value, reason) with reason None when the value is
good. tracker/importer/validate.py puts them together row by row."""
from __future__ import annotations

from sqlalchemy import func, select

from tracker.auth.access import loggable_teams
from tracker.entries import rules
from tracker.entries.queries import latest_entry_by
from tracker.extensions import db
from tracker.importer.sheet import NO_SAVED_VALUE, CellError
from tracker.importer.values import BadValue, cell_text, parse_answer, parse_band, parse_date, parse_duration
from tracker.models.auth import Membership, User
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import REQUEST_TITLE_MAX, SOURCE_NAME_MAX
from tracker.shared.names import name_key, tidy_name
from tracker.shared.timeutil import month_start
from tracker.shared.validators import CONTROL_CHARACTERS, PlainText
from tracker.signoff.services import lock_reason



class Lookups:
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


def default_band(options) -> str | None:
    """--band, else the band of the user's last entry (as the log form starts from)."""
    if options.band:
        return parse_band(options.band)
    last = latest_entry_by(options.user)
    return last.band if last is not None else None


MONTH_FIRST = "month first"
FORMULA_WITHOUT_RESULT = ("The cell holds a formula that was saved without its result: open the file in Excel, "
                          "let it calculate, and save it again")


def _names(source_name: str, title: str) -> str:
    """The request's identity in a fingerprint: its source and title by the name rule."""
    return f"{name_key(source_name)}\x1f{name_key(title)}"


def empty(value) -> bool:
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


class ColumnReaders:
    """Each column's parse and rules, as (value, reason) with reason None when the value is good.
    One instance per check: the caches hold only this file's values."""

    def __init__(self, look: Lookups, mapping, options, epoch, checked):
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
