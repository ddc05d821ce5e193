"""The Entries sheet: every non-deleted entry of the period, streamed.

Rows come from the database in batches (`yield_per`: a server-side cursor on
PostgreSQL) as plain tuples and go straight into the write-only sheet's XML
stream (tracker/shared/xlsx/stream.py), so memory stays flat however many entries a
month holds. Labels are resolved from small dicts built once; styles are
three shared style ids. All text is written as inline strings, never formulas.

Cost per entry is minutes ÷ 60 × the band's rate on the entry's date
(RateBook), the same rule the burden service applies to its groups; the
exact Decimal total is kept (per rate, from integer minutes) for the tests."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from sqlalchemy import select

from tracker.database import FOR_READING
from tracker.models.auth import User
from tracker.burden.rates import RateBook, price
from tracker.burden.figures import priced
from tracker.entries.queries import EntryListFilter, live_entries
from tracker.exports.sheets import WORKBOOK_HEADING
from tracker.models.catalogue import Request, Source, Team
from tracker.shared.choices import ANSWERS, BANDS
from tracker.models.entries import Entry
from tracker.shared.xlsx.formats import DATE, HOURS, MONEY, fit, set_widths
from tracker.shared.xlsx.printing import prepare_for_print, set_print_area
from tracker.shared.xlsx.stream import NUMBER, TEXT, SheetRows, style_id
from tracker.shared.xlsx.text import clean_text

BATCH = 5000
ROWS_PER_SHEET = 1_048_575  # Excel's 1,048,576 rows a sheet, less the header
HEADERS = ("Date", "Team", "Source", "Request", "Band", "Minutes", "Hours", "Cost (£)", "Logged by",
           "Duplicated elsewhere", "Used", "Notes")
COLUMN_KINDS = (NUMBER, TEXT, TEXT, TEXT, TEXT, NUMBER, NUMBER, NUMBER, TEXT, TEXT, TEXT, TEXT)
BAND_NAMES, ANSWER_NAMES = dict(BANDS), dict(ANSWERS)
COLUMN_FORMATS = (DATE, None, None, None, None, None, HOURS, MONEY, None, None, None, None)


@dataclass
class EntriesWritten:
    rows: int
    minutes: int
    cost: Decimal


class Labels(dict):
    """id -> the text to show, cleaned once per distinct label.

    An id missing from the summary figures (an entry logged while the export
    ran, on a database without snapshot reads) is looked up on first use."""

    def __init__(self, mapping: dict, lookup=None):
        super().__init__((key, clean_text(value)) for key, value in mapping.items())
        self._lookup = lookup

    def __missing__(self, key):
        found = self._lookup(key) if self._lookup else None
        self[key] = clean_text(found if found is not None else key)
        return self[key]


def period_filter(fig) -> EntryListFilter:
    return EntryListFilter(team_ids=fig.team_ids, start=fig.start, end=fig.end)


def entries_query(fig):
    """The period's live entries (the entries list's own query) as plain columns, by date, team and id."""
    columns = (Entry.occurred_on, Entry.team_id, Request.source_id, Entry.request_id, Entry.band, Entry.minutes,
               Entry.logged_by_id, Entry.duplicated_elsewhere, Entry.used, Entry.notes)
    return (
        live_entries(period_filter(fig), *columns)
        .join(Request, Request.id == Entry.request_id)
        .join(Team, Team.id == Entry.team_id)
        .order_by(Entry.occurred_on, Team.name, Entry.id)
    )


def _user_names(session, fig) -> dict:
    loggers = live_entries(period_filter(fig), Entry.logged_by_id).distinct()
    return dict(session.execute(select(User.id, User.name).where(User.id.in_(loggers))).all())


def write_entries(ws, fmt, session, fig, progress=None) -> EntriesWritten:
    """Every live entry of the period into `ws`, and on into "Entries (2)", "Entries (3)"... right after it
    when there are more than a sheet holds (ROWS_PER_SHEET: a region's month at a nation's volume)."""
    rows_of = _EntryRows(session, fig, RateBook.load(session), ws.parent.epoch)
    widths = [11, fit(rows_of.teams.values(), "Team", high=40), fit(rows_of.sources.values(), "Source", high=40),
              fit(rows_of.requests.values(), "Request", high=50), 9, 9, 8, 11,
              fit(rows_of.users.values(), "Logged by", high=30), 12, 11, 50]
    styles = tuple(style_id(ws, fmt.array(f)) if f else None for f in COLUMN_FORMATS)
    header_style = style_id(ws, fmt.array(bold=True, wrap=True))

    def begin(target) -> SheetRows:
        set_widths(target, widths)
        target.freeze_panes = "A2"
        prepare_for_print(target, fig.print_footer, heading=WORKBOOK_HEADING)  # the header row repeats on every page
        started = SheetRows(target, HEADERS, COLUMN_KINDS, styles)
        started.header(header_style)
        return started

    def finish(target, done: SheetRows) -> None:
        done.close()
        target.auto_filter.ref = f"A1:{get_column_letter(len(HEADERS))}{done.rows}"
        set_print_area(target, len(HEADERS), done.rows)

    current, sheet, room, sheets = ws, begin(ws), ROWS_PER_SHEET, 1
    total, rows = fig.totals.entries, 0
    if progress:
        progress(0, total)
    # Core, not ORM, execution: plain tuples without the ORM's per-row bookkeeping.
    result = session.connection(bind_arguments=FOR_READING).execute(entries_query(fig).execution_options(yield_per=BATCH))
    for batch in result.partitions():
        while len(batch) > room:  # this sheet is full after its share of the batch: the rest go on a new one
            rows += rows_of.write(sheet.append, batch[:room])
            batch = batch[room:]
            finish(current, sheet)
            sheets += 1
            current = ws.parent.create_sheet(f"{ws.title} ({sheets})", ws.parent.sheetnames.index(ws.title) + sheets - 1)
            sheet, room = begin(current), ROWS_PER_SHEET
        rows += rows_of.write(sheet.append, batch)
        room -= len(batch)
        if progress:
            progress(rows, total)
    finish(current, sheet)
    # Σ minutes × rate priced once, as the burden service prices its totals: the same to the last digit.
    return EntriesWritten(rows, sum(rows_of.minutes_at_rate.values()),
                          priced(sum((m * rate for rate, m in rows_of.minutes_at_rate.items()), Decimal(0))))


class _EntryRows:
    """Entries as sheet rows: labels resolved once per id; dates, rates and costs once per value; the
    minutes at each rate kept for the exact totals."""

    def __init__(self, session, fig, rates: RateBook, epoch):
        self.teams = Labels({t: fig.team_name(t) for t in fig.teams}, lambda i: session.get(Team, i).name)
        self.sources = Labels({r.key[0]: r.label[0] for r in fig.by_source.rows}, lambda i: session.get(Source, i).name)
        self.requests = Labels({r.key[0]: r.label[0] for r in fig.by_request.rows}, lambda i: session.get(Request, i).title)
        self.users = Labels(_user_names(session, fig), lambda i: session.get(User, i).name)
        self.rates, self.epoch = rates, epoch
        self.serials: dict = {}  # date -> Excel serial number
        self.rate_of: dict = {}  # (band, date) -> Decimal rate
        self.costs: dict = {}  # (minutes, rate) -> float cost
        self.minutes_at_rate: dict = {}  # rate -> minutes

    def write(self, append, batch) -> int:
        """Append a batch of entries (entries_query's columns) as rows; returns how many."""
        teams, sources, requests, users = self.teams, self.sources, self.requests, self.users
        serials, rate_of, costs, minutes_at_rate = self.serials, self.rate_of, self.costs, self.minutes_at_rate
        bands, answers = BAND_NAMES, ANSWER_NAMES
        for day, team_id, source_id, request_id, band, minutes, user_id, duplicated, used, notes in batch:
            serial = serials.get(day)
            if serial is None:
                serial = serials[day] = to_excel(day, self.epoch)
            rate = rate_of.get((band, day))
            if rate is None:
                rate = rate_of[(band, day)] = self.rates.rate(band, day)
            cost = costs.get((minutes, rate))
            if cost is None:
                cost = costs[(minutes, rate)] = float(price(minutes, rate))
            minutes_at_rate[rate] = minutes_at_rate.get(rate, 0) + minutes
            append((
                serial,
                teams[team_id],
                sources[source_id],
                requests[request_id],
                bands.get(band, band),
                minutes,
                minutes / 60,
                cost,
                users[user_id],
                answers.get(duplicated, duplicated),
                answers.get(used, used),
                clean_text(notes) if notes else None,
            ))
        return len(batch)
