"""Monthly rollups of live entries: the burden service's fast path.

Three levels, each keyed by month × band and summing entries, minutes,
duplicated minutes and used minutes of live (not deleted) entries:

- `burden_rollup`          month × team × request × band (the full grain)
- `burden_rollup_team`     month × team × band
- `burden_rollup_request`  month × request × band

and two counts: `burden_rollup_minutes`, month × request × minutes value →
live entries, from which medians of time per entry are exact
(tracker/burden/medians.py); and `burden_rollup_week`, week × team × request →
live entries, from which a team's responses to a weekly or fortnightly request
are counted (tracker/workspace/variation.py).

They hold minutes, never money: cost depends on the rate in force, and the
service prices each month with the rates of its own segment, so a new rate
never makes a rollup stale and nothing needs refreshing when rates change.

Every entry write keeps them exact in the same transaction
(`entry_changed`, called from tracker/entries/services.py). Bulk loads that
bypass the services call `add_entries` for the rows they wrote (imports) or
`rebuild_rollups` afterwards (seed-demo)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import and_, case, cast, delete, func, insert, literal_column, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.types import Date

from tracker.models.burden import BurdenRollup, BurdenRollupMinutes, BurdenRollupRequest, BurdenRollupTeam, BurdenRollupWeek
from tracker.models.entries import Entry
from tracker.burden.part_cache import months_of
from tracker.burden.stamps import new_epoch, stamp_months

# level -> the id columns of its key besides month and band
LEVELS = {
    BurdenRollup: ("team_id", "request_id"),
    BurdenRollupTeam: ("team_id",),
    BurdenRollupRequest: ("request_id",),
}
MEASURES = ("entries", "minutes", "duplicated_minutes", "used_minutes")
MINUTES_KEY = ("month", "request_id", "minutes")  # burden_rollup_minutes: a count of entries per key
WEEK_KEY = ("week", "team_id", "request_id")  # burden_rollup_week: a count of entries per key


@dataclass(frozen=True)
class Contribution:
    """What one live entry adds to the rollups."""

    month: date
    team_id: int
    request_id: int
    band: str
    minutes: int
    duplicated: bool
    used: bool
    week: date | None = None  # the Monday of the entry's week

    def key(self, level) -> dict:
        values = {"month": self.month, "band": self.band}
        for name in LEVELS[level]:
            values[name] = getattr(self, name)
        return values

    def measures(self, sign: int) -> dict:
        return {
            "entries": sign,
            "minutes": sign * self.minutes,
            "duplicated_minutes": sign * self.minutes if self.duplicated else 0,
            "used_minutes": sign * self.minutes if self.used else 0,
        }


def contribution(entry: Entry) -> Contribution | None:
    """The entry's share of the rollups as it stands now; None once deleted."""
    if entry.deleted_at is not None:
        return None
    return Contribution(
        month=entry.occurred_on.replace(day=1),
        team_id=entry.team_id,
        request_id=entry.request_id,
        band=entry.band,
        minutes=int(entry.minutes),
        duplicated=entry.duplicated_elsewhere == "yes",
        used=entry.used == "yes",
        week=entry.occurred_on - timedelta(days=entry.occurred_on.weekday()),
    )


def entry_changed(session, before: Contribution | None, after: Contribution | None) -> None:
    """Move an entry's share from `before` to `after` (None: not counted), in the caller's transaction.

    Level by level, keys are touched in one fixed order, so two transactions
    moving entries between the same keys in opposite directions queue for
    the row locks instead of deadlocking (PostgreSQL)."""
    if before == after:
        return
    stamp_months(session, [part.month for part in (before, after) if part is not None])
    insert_for = _dialect_insert(session)
    for level in LEVELS:
        steps = [(part.key(level), part, sign) for part, sign in ((before, -1), (after, +1)) if part is not None]
        for _key, part, sign in sorted(steps, key=lambda step: _sort_key(step[0])):
            if sign > 0:
                _add(session, insert_for, level, part)
            else:
                _take_away(session, level, part)
    _count_minutes(session, insert_for, before, after)
    _count_weeks(session, insert_for, before, after)


def _week_key(part: Contribution) -> dict:
    return {"week": part.week, "team_id": part.team_id, "request_id": part.request_id}


def _count_weeks(session, insert_for, before: Contribution | None, after: Contribution | None) -> None:
    """Move the entry's count between (week, team, request) keys, in the same fixed key order."""
    steps = [(_week_key(part), sign) for part, sign in ((before, -1), (after, +1)) if part is not None]
    if len(steps) == 2 and steps[0][0] == steps[1][0]:
        return
    _move_count(session, insert_for, BurdenRollupWeek.__table__, WEEK_KEY, steps)


def _move_count(session, insert_for, table, key_names, steps) -> None:
    for key, sign in sorted(steps, key=lambda step: _sort_key(step[0])):
        if sign > 0:
            statement = insert_for(table).values(**key, entries=1)
            session.execute(statement.on_conflict_do_update(
                index_elements=list(key_names), set_={"entries": table.c.entries + 1}
            ))
        else:
            where = and_(*(table.c[name] == value for name, value in key.items()))
            session.execute(update(table).where(where).values(entries=table.c.entries - 1))
            session.execute(delete(table).where(where, table.c.entries <= 0))


def _minutes_key(part: Contribution) -> dict:
    return {"month": part.month, "request_id": part.request_id, "minutes": part.minutes}


def _count_minutes(session, insert_for, before: Contribution | None, after: Contribution | None) -> None:
    """Move the entry's count between (month, request, minutes) keys, in the same fixed key order."""
    steps = [(_minutes_key(part), sign) for part, sign in ((before, -1), (after, +1)) if part is not None]
    if len(steps) == 2 and steps[0][0] == steps[1][0]:
        return  # a change that keeps month, request and minutes (band, answers, notes) moves no count
    _move_count(session, insert_for, BurdenRollupMinutes.__table__, MINUTES_KEY, steps)


def _sort_key(key: dict) -> tuple:
    return tuple((name, str(value)) for name, value in sorted(key.items()))


def _dialect_insert(session):
    name = session.get_bind().dialect.name
    return postgresql.insert if name == "postgresql" else sqlite.insert


def _add(session, insert_for, level, part: Contribution) -> None:
    table = level.__table__
    statement = insert_for(table).values(**part.key(level), **part.measures(+1))
    statement = statement.on_conflict_do_update(
        index_elements=["month", *LEVELS[level], "band"],
        set_={m: table.c[m] + statement.excluded[m] for m in MEASURES},
    )
    session.execute(statement)


def _take_away(session, level, part: Contribution) -> None:
    table = level.__table__
    where = and_(*(table.c[name] == value for name, value in part.key(level).items()))
    change = part.measures(-1)
    session.execute(update(table).where(where).values({m: table.c[m] + change[m] for m in MEASURES}))
    # A key with no live entries left disappears, so counts of teams and requests stay right.
    session.execute(delete(table).where(where, table.c.entries <= 0))


def add_entries(session, condition) -> None:
    """Add the contributions of the live entries matching `condition` (a SQL condition on Entry,
    e.g. the entries of one import), set-based, in the caller's transaction.

    For entries written in bulk (tracker/entries/bulk.py): one grouped upsert per
    level instead of one per entry, with the same arithmetic as `entry_changed`."""
    insert_for = _dialect_insert(session)
    month = month_of(session, Entry.occurred_on).label("month")
    stamp_months(session, [_as_date(m) for m in session.scalars(select(month).where(condition).distinct())])
    for level, ids in LEVELS.items():
        table = level.__table__
        keys = [month, *(getattr(Entry, name) for name in ids), Entry.band]
        grouped = (
            select(
                *keys,
                func.count().label("entries"),
                func.sum(Entry.minutes).label("minutes"),
                func.sum(case((Entry.duplicated_elsewhere == "yes", Entry.minutes), else_=0)).label("duplicated_minutes"),
                func.sum(case((Entry.used == "yes", Entry.minutes), else_=0)).label("used_minutes"),
            )
            .where(Entry.deleted_at.is_(None), condition)  # a WHERE keeps SQLite's upsert-from-SELECT unambiguous
            .group_by(*keys)
        )
        statement = insert_for(table).from_select(["month", *ids, "band", *MEASURES], grouped)
        statement = statement.on_conflict_do_update(
            index_elements=["month", *ids, "band"],
            set_={m: table.c[m] + statement.excluded[m] for m in MEASURES},
        )
        session.execute(statement)
    counts = BurdenRollupMinutes.__table__
    keys = [month, Entry.request_id, Entry.minutes]
    grouped = select(*keys, func.count().label("entries")).where(Entry.deleted_at.is_(None), condition).group_by(*keys)
    statement = insert_for(counts).from_select([*MINUTES_KEY, "entries"], grouped)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(MINUTES_KEY), set_={"entries": counts.c.entries + statement.excluded.entries}
    ))
    weeks = BurdenRollupWeek.__table__
    keys = [week_of(session, Entry.occurred_on).label("week"), Entry.team_id, Entry.request_id]
    grouped = select(*keys, func.count().label("entries")).where(Entry.deleted_at.is_(None), condition).group_by(*keys)
    statement = insert_for(weeks).from_select([*WEEK_KEY, "entries"], grouped)
    session.execute(statement.on_conflict_do_update(
        index_elements=list(WEEK_KEY), set_={"entries": weeks.c.entries + statement.excluded.entries}
    ))


def _as_date(value) -> date:
    """A month as SQLite returns it (text) or PostgreSQL (a date)."""
    return value if isinstance(value, date) else date.fromisoformat(str(value)[:10])


def week_of(session, day_column):
    """SQL: the Monday of a date column's week."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("week", day_column), Date)
    return func.date(day_column, literal_column("'weekday 0'"), literal_column("'-6 days'"))


def month_of(session, day_column):
    """SQL: first day of the month of a date column."""
    if session.get_bind().dialect.name == "postgresql":
        return cast(func.date_trunc("month", day_column), Date)
    return func.date(day_column, literal_column("'start of month'"))


def rebuild_rollups(session, start: date | None = None, end: date | None = None) -> None:
    """Recompute the rollups from the entries table, set-based, in the caller's transaction.

    With `start`/`end`, only the months from start's to end's are rebuilt
    (after a bulk load into a known period); without, everything."""
    first = start.replace(day=1) if start else None
    last = end.replace(day=1) if end else None
    months = months_of([(first, last)]) if first and last else None
    if months:
        stamp_months(session, months)
    else:  # everything, or an open or very long range: nothing read before may be reused
        new_epoch(session)
    for level in (*LEVELS, BurdenRollupMinutes):
        table = level.__table__
        query = delete(table)
        if first:
            query = query.where(table.c.month >= first)
        if last:
            query = query.where(table.c.month <= last)
        session.execute(query)

    full = BurdenRollup.__table__
    month = month_of(session, Entry.occurred_on).label("month")
    minutes = Entry.minutes
    source = select(
        month,
        Entry.team_id,
        Entry.request_id,
        Entry.band,
        func.count().label("entries"),
        func.sum(minutes).label("minutes"),
        func.sum(case((Entry.duplicated_elsewhere == "yes", minutes), else_=0)).label("duplicated_minutes"),
        func.sum(case((Entry.used == "yes", minutes), else_=0)).label("used_minutes"),
    ).where(Entry.deleted_at.is_(None))
    if first:
        source = source.where(Entry.occurred_on >= first)
    if last:
        from tracker.shared.timeutil import month_end

        source = source.where(Entry.occurred_on <= month_end(last))
    source = source.group_by(month, Entry.team_id, Entry.request_id, Entry.band)
    columns = ["month", "team_id", "request_id", "band", *MEASURES]
    session.execute(insert(full).from_select(columns, source))

    # The coarser levels add up the full grain: a few hundred thousand rows, not a million.
    for level, ids in LEVELS.items():
        if level is BurdenRollup:
            continue
        keys = [full.c.month, *(full.c[name] for name in ids), full.c.band]
        coarse = select(*keys, *(func.sum(full.c[m]).label(m) for m in MEASURES))
        if first:
            coarse = coarse.where(full.c.month >= first)
        if last:
            coarse = coarse.where(full.c.month <= last)
        coarse = coarse.group_by(*keys)
        session.execute(insert(level.__table__).from_select(["month", *ids, "band", *MEASURES], coarse))

    counts = select(month, Entry.request_id, Entry.minutes, func.count().label("entries")).where(Entry.deleted_at.is_(None))
    if first:
        counts = counts.where(Entry.occurred_on >= first)
    if last:
        from tracker.shared.timeutil import month_end

        counts = counts.where(Entry.occurred_on <= month_end(last))
    counts = counts.group_by(month, Entry.request_id, Entry.minutes)
    session.execute(insert(BurdenRollupMinutes.__table__).from_select([*MINUTES_KEY, "entries"], counts))
    _rebuild_weeks(session, first, last)


def _rebuild_weeks(session, first: date | None, last: date | None) -> None:
    """The week counts of every week that touches the months rebuilt (whole weeks, from the entries)."""
    from tracker.shared.timeutil import month_end

    table = BurdenRollupWeek.__table__
    from_monday = first - timedelta(days=first.weekday()) if first else None
    to_sunday = month_end(last) + timedelta(days=6 - month_end(last).weekday()) if last else None
    query = delete(table)
    week = week_of(session, Entry.occurred_on).label("week")
    source = select(week, Entry.team_id, Entry.request_id, func.count().label("entries")).where(Entry.deleted_at.is_(None))
    if from_monday:
        query = query.where(table.c.week >= from_monday)
        source = source.where(Entry.occurred_on >= from_monday)
    if to_sunday:
        query = query.where(table.c.week <= to_sunday)
        source = source.where(Entry.occurred_on <= to_sunday)
    session.execute(query)
    source = source.group_by(week, Entry.team_id, Entry.request_id)
    session.execute(insert(table).from_select([*WEEK_KEY, "entries"], source))


def differences(session) -> dict[str, list]:
    """Rows where a rollup disagrees with a fresh computation from the entries (empty when exact).

    For tests and for an operator who suspects drift."""
    out: dict[str, list] = {}
    month = month_of(session, Entry.occurred_on)
    for level, ids in LEVELS.items():
        table = level.__table__
        entry_keys = [month, *(getattr(Entry, name) for name in ids), Entry.band]
        fresh = select(
            *entry_keys,
            func.count(),
            func.sum(Entry.minutes),
            func.sum(case((Entry.duplicated_elsewhere == "yes", Entry.minutes), else_=0)),
            func.sum(case((Entry.used == "yes", Entry.minutes), else_=0)),
        ).where(Entry.deleted_at.is_(None)).group_by(*entry_keys)
        expected = {_normal(row[: len(ids) + 2]): tuple(int(v) for v in row[len(ids) + 2:]) for row in session.execute(fresh)}
        stored_query = select(table.c.month, *(table.c[name] for name in ids), table.c.band, *(table.c[m] for m in MEASURES))
        stored = {_normal(row[: len(ids) + 2]): tuple(int(v) for v in row[len(ids) + 2:]) for row in session.execute(stored_query)}
        wrong = [(key, expected.get(key), stored.get(key)) for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key)]
        if wrong:
            out[level.__tablename__] = sorted(wrong, key=repr)
    table = BurdenRollupMinutes.__table__
    fresh = select(month, Entry.request_id, Entry.minutes, func.count()).where(Entry.deleted_at.is_(None)).group_by(
        month, Entry.request_id, Entry.minutes
    )
    expected = {_normal(row[:3]): int(row[3]) for row in session.execute(fresh)}
    stored = {_normal(row[:3]): int(row[3]) for row in session.execute(select(*(table.c[k] for k in MINUTES_KEY), table.c.entries))}
    wrong = [(key, expected.get(key), stored.get(key)) for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key)]
    if wrong:
        out[table.name] = sorted(wrong, key=repr)
    table = BurdenRollupWeek.__table__
    week = week_of(session, Entry.occurred_on)
    fresh = select(week, Entry.team_id, Entry.request_id, func.count()).where(Entry.deleted_at.is_(None)).group_by(
        week, Entry.team_id, Entry.request_id
    )
    expected = {_normal(row[:3]): int(row[3]) for row in session.execute(fresh)}
    stored = {_normal(row[:3]): int(row[3]) for row in session.execute(select(*(table.c[k] for k in WEEK_KEY), table.c.entries))}
    wrong = [(key, expected.get(key), stored.get(key)) for key in expected.keys() | stored.keys() if expected.get(key) != stored.get(key)]
    if wrong:
        out[table.name] = sorted(wrong, key=repr)
    return out


def _normal(key: tuple) -> tuple:
    """Months come back as dates or 'YYYY-MM-DD' text depending on the expression; compare as text."""
    return tuple(k.isoformat() if isinstance(k, date) else k for k in key)
