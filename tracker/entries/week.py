"""A team's week on one screen: which rows it shows, what "copy last week" fills in, and saving it.

One row per request the team logged in the four weeks before the week (and
in the week itself), plus any the person adds; one cell per day. A cell
holds a draft (the time as typed, `90`, `1:30`, `1.5h`: tracker/shared/durations.py)
until the week is saved; a day that already holds an entry of the row's
request shows it as logged and takes no draft, so copying twice adds
nothing; a day in a signed-off month is locked. Saving checks every draft
with the entry form the API uses (tracker/entries/batch.py) and writes all
of them or none (tracker/entries/services.py `create_entries`).

Plain functions on the session; the views (tracker/entries/week_views.py) parse and render."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from tracker.entries.batch import check_entries
from tracker.entries.rules import date_problem, request_problem
from tracker.models.catalogue import Request, Source
from tracker.models.entries import Entry
from tracker.shared.choices import LOGGABLE_STATUSES
from tracker.shared.durations import typed_minutes, typed_text
from tracker.shared.forms import latest_allowed_date
from tracker.shared.timeutil import month_start
from tracker.signoff.services import lock_message, signoffs_in_force

DAYS = 7
LOOKBACK = timedelta(days=28)  # rows: the requests of the four weeks before
DEFAULT_BAND = "5"
ROW_FIELDS = ("band", "duplicated_elsewhere", "used")  # set once a row, for every day of it
CELL_FIELDS = ("minutes", "occurred_on", "request_id", "notes")  # told by the day they are about


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_problem(start: date) -> str | None:
    """Why no entry may fall in the week starting `start` (all its days outside the date rule), or None."""
    if start > latest_allowed_date():
        return date_problem(start)
    return date_problem(start) if date_problem(start) and date_problem(start + timedelta(days=DAYS - 1)) else None


@dataclass
class Cell:
    day: date
    typed: str = ""  # the draft as typed; nothing is written until the week is saved
    logged_minutes: int = 0  # what is already logged for this request on this day
    logged_entries: int = 0
    copied: bool = False
    error: str | None = None

    @property
    def is_logged(self) -> bool:
        return self.logged_entries > 0

    @property
    def draft_minutes(self) -> int:
        """The draft's minutes for the running totals (0 while it is blank or not a time)."""
        try:
            return typed_minutes(self.typed) if self.typed.strip() else 0
        except ValueError:
            return 0

    @property
    def minutes(self) -> int:
        return self.logged_minutes + self.draft_minutes


@dataclass
class WeekRow:
    request_id: int
    title: str
    source_name: str
    band: str
    duplicated_elsewhere: str
    used: str
    cells: list[Cell]
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def minutes(self) -> int:
        return sum(cell.minutes for cell in self.cells)


@dataclass
class Week:
    team_id: int
    start: date
    rows: list[WeekRow]
    locked: dict[int, str]  # day index -> why that day takes no entries (its month is signed off)
    problems: list[str] = field(default_factory=list)

    @property
    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range(DAYS)]

    @property
    def end(self) -> date:
        return self.start + timedelta(days=DAYS - 1)

    def row(self, request_id: int) -> WeekRow | None:
        return next((row for row in self.rows if row.request_id == request_id), None)

    def day_minutes(self, index: int) -> int:
        return sum(row.cells[index].minutes for row in self.rows)

    @property
    def minutes(self) -> int:
        return sum(row.minutes for row in self.rows)

    @property
    def has_errors(self) -> bool:
        return bool(self.problems) or any(row.errors or any(c.error for c in row.cells) for row in self.rows)


def load_week(session, team_id: int, start: date, added: tuple[int, ...] = ()) -> Week:
    """The team's week from Monday `start`: its rows (with the team's usual band and answers
    prefilled), what is logged already, and the locked days."""
    end = start + timedelta(days=DAYS - 1)
    recent = _team_entries(team_id, start - LOOKBACK, end)
    request_ids = set(session.scalars(select(Entry.request_id).where(*recent).distinct())) | set(added)
    logged = {
        (request_id, day): (int(minutes), count)
        for request_id, day, minutes, count in session.execute(
            select(Entry.request_id, Entry.occurred_on, func.sum(Entry.minutes), func.count())
            .where(*_team_entries(team_id, start, end))
            .group_by(Entry.request_id, Entry.occurred_on)
        )
    }
    logged_ids = {request_id for request_id, _day in logged}
    usual = {name: _usual(session, recent, name) for name in ROW_FIELDS}
    team_band = _usual(session, recent, "band", per_request=False).get(None, DEFAULT_BAND)
    rows = []
    found = session.execute(
        select(Request.id, Request.title, Source.name, Request.status)
        .join(Source, Source.id == Request.source_id)
        .where(Request.id.in_(sorted(request_ids) or [-1]))
        .order_by(Request.title, Source.name, Request.id)
    )
    for request_id, title, source_name, status in found:
        if status not in LOGGABLE_STATUSES and request_id not in logged_ids and request_id not in added:
            continue  # closed to new work: nothing to log against it this week
        cells = []
        for i in range(DAYS):
            day = start + timedelta(days=i)
            minutes, count = logged.get((request_id, day), (0, 0))
            cells.append(Cell(day, logged_minutes=minutes, logged_entries=count))
        rows.append(WeekRow(
            request_id, title, source_name,
            band=usual["band"].get(request_id, team_band),
            duplicated_elsewhere=usual["duplicated_elsewhere"].get(request_id, "unknown"),
            used=usual["used"].get(request_id, "unknown"),
            cells=cells,
        ))
    return Week(team_id, start, rows, _locked_days(session, team_id, start, end))


def _team_entries(team_id: int, first: date, last: date) -> tuple:
    return Entry.team_id == team_id, Entry.deleted_at.is_(None), Entry.occurred_on >= first, Entry.occurred_on <= last


def _usual(session, where: tuple, name: str, per_request: bool = True) -> dict:
    """{request id: the value of `name` the team gave most often (the latest on a tie)};
    with per_request False, {None: that value over all requests}."""
    column = getattr(Entry, name)
    key = Entry.request_id if per_request else None
    groups = [column] if key is None else [key, column]
    query = (
        select(*groups, func.count().label("times"), func.max(Entry.occurred_on).label("latest"))
        .where(*where)
        .group_by(*groups)
        .order_by(func.count().desc(), func.max(Entry.occurred_on).desc(), column)
    )
    usual: dict = {}
    for row in session.execute(query):
        request_id = row[0] if key is not None else None
        usual.setdefault(request_id, row[1] if key is not None else row[0])
    return usual


def _locked_days(session, team_id: int, start: date, end: date) -> dict[int, str]:
    signoffs = signoffs_in_force(session, [team_id], start, end)
    locked = {}
    for i in range(DAYS):
        signoff = signoffs.get((team_id, month_start(start + timedelta(days=i))))
        if signoff is not None:
            locked[i] = lock_message(signoff)
    return locked


@dataclass(frozen=True)
class Copied:
    copied: int
    already_logged: int
    locked: int
    closed: int


def copy_last_week(session, week: Week) -> Copied:
    """Fill empty cells from the team's entries of the week before (a draft: nothing is written).

    A day that already holds an entry of the request is not copied again, nor is a
    locked day, nor a request closed to new work since; a cell already drafted keeps
    its draft. The row takes the band and answers of the request's latest entry copied."""
    before = week.start - timedelta(days=DAYS)
    entries = session.scalars(
        select(Entry).where(*_team_entries(week.team_id, before, week.start - timedelta(days=1)))
        .order_by(Entry.occurred_on, Entry.id)
    ).all()
    minutes: dict[tuple[int, int], int] = {}
    latest: dict[int, Entry] = {}
    for entry in entries:
        key = (entry.request_id, (entry.occurred_on - before).days)
        minutes[key] = minutes.get(key, 0) + entry.minutes
        latest[entry.request_id] = entry
    copied = already = locked = closed = 0
    for (request_id, index), total in sorted(minutes.items()):
        row = week.row(request_id)
        if row is None or request_problem(session.get(Request, request_id), week.start + timedelta(days=index)):
            closed += 1
            continue
        cell = row.cells[index]
        if index in week.locked:
            locked += 1
        elif cell.is_logged:
            already += 1
        elif not cell.typed.strip():
            cell.typed, cell.copied = typed_text(total), True
            copied += 1
            for name in ROW_FIELDS:
                setattr(row, name, getattr(latest[request_id], name))
    return Copied(copied, already, locked, closed)


@dataclass(frozen=True)
class PostedRow:
    request_id: int
    band: str
    duplicated_elsewhere: str
    used: str
    typed: tuple[str, ...]  # one per day


def apply_posted(week: Week, posted: list[PostedRow]) -> None:
    """Put what the page sent back onto the grid (rows the week lacks were loaded as `added`)."""
    for sent in posted:
        row = week.row(sent.request_id)
        if row is None:
            continue
        row.band, row.duplicated_elsewhere, row.used = sent.band, sent.duplicated_elsewhere, sent.used
        for cell, typed in zip(row.cells, sent.typed):
            cell.typed = typed


def checked_drafts(user, week: Week) -> list[dict]:
    """The values of every draft, each checked with the entry form; problems are put on the grid
    by row and day (`week.has_errors`), and nothing may be written while there are any."""
    items, places = [], []
    for row in week.rows:
        for index, cell in enumerate(row.cells):
            if not cell.typed.strip():
                continue
            if index in week.locked:
                cell.error = week.locked[index]
            elif cell.is_logged:
                cell.error = "Already logged for this day: change it on the entries page"
            else:
                try:
                    minutes = typed_minutes(cell.typed)
                except ValueError as error:
                    cell.error = str(error)
                    continue
                items.append({
                    "request_id": row.request_id, "team_id": week.team_id, "occurred_on": cell.day.isoformat(),
                    "minutes": minutes, "band": row.band, "duplicated_elsewhere": row.duplicated_elsewhere,
                    "used": row.used,
                })
                places.append((row, cell))
    values, errors = check_entries(user, items)
    for index, fields in errors.items():
        row, cell = places[index]
        for name, messages in fields.items():
            if name in ROW_FIELDS:
                row.errors.setdefault(name, messages[0])
            elif name in CELL_FIELDS:
                cell.error = cell.error or messages[0]
            else:
                week.problems.append(messages[0])
    week.problems[:] = list(dict.fromkeys(week.problems))
    return values
